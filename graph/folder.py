"""The data folder and the bundled resources: which files are data, and how each is opened.

Kept apart from :mod:`graph.load` (which parses and validates, with pydantic and PyYAML) so that
a command reusing a store can fingerprint the folder without importing them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from .errors import ParadiploError

__all__ = ["SOURCES_FILE", "YAML_SUFFIXES", "TABLE_SUFFIXES", "DATA_SUFFIXES", "MAX_FILE_BYTES", "resource_dir",
           "bundled_data_dir", "UnreadableFile", "data_files", "open_data_file"]

SOURCES_FILE = "sources.yaml"
#: Data files: these suffixes (any case); names starting with a dot (editor swap and lock files) are skipped.
#: ``.csv`` and ``.xlsx`` files are tables in the layout of ``paradiplo export`` (see :mod:`graph.tables`).
YAML_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".csv", ".xlsx")
DATA_SUFFIXES = YAML_SUFFIXES + TABLE_SUFFIXES


#: Bytes in one file, checked (fstat) before anything is read.
MAX_FILE_BYTES = 50 * 1024 * 1024


def resource_dir(name: str) -> Path:
    """Folder of a bundled resource (``data``, ``ontology``, ``queries``).

    Installed wheels carry them inside the package; a source checkout keeps
    ``data/`` and ``ontology/`` at the top level beside ``graph/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {name!r} not found beside {here}")


def bundled_data_dir() -> Path:
    """The curated data shipped with paradiplo."""
    return resource_dir("data")


class UnreadableFile(ParadiploError):
    """A data file that is not read: not a regular file, outside the folder, too large, or an OS error."""

    def __init__(self, code: str, message: str):
        self.code, self.message = code, message
        super().__init__(message)


def data_files(directory: Path) -> list[Path]:
    """The data files of a folder, sorted by name: ``*.yaml``, ``*.yml``, ``*.csv``, ``*.xlsx``, whatever their type.

    Names starting with a dot are skipped; everything else is returned, so that a folder,
    FIFO or stray symbolic link named like a data file is reported, not silently ignored.
    """
    return sorted(p for p in directory.iterdir()
                  if p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith("."))


def open_data_file(path: Path, folder: Path | None = None) -> BinaryIO:
    """Open a data file for reading, refusing anything but a regular file of at most ``MAX_FILE_BYTES``.

    A symbolic link is followed only when it resolves inside ``folder``. The type and size
    are checked with ``stat`` before opening (a FIFO would block, ``/dev/zero`` never ends)
    and again on the open descriptor, which is opened without following links or blocking.

    Raises
    ------
    UnreadableFile
        With a problem code (``unreadable``, ``not-a-regular-file``, ``yaml-limit``) and a message.
    """
    real = Path(os.path.realpath(path))
    if folder is not None and not real.is_relative_to(os.path.realpath(folder)):
        raise UnreadableFile("unreadable", f"a symbolic link to {real}, outside the data folder; "
                                           "copy the file into the folder instead")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        _check_stat(os.stat(real))
        fd = os.open(real, flags)
    except OSError as exc:
        raise UnreadableFile("unreadable", f"cannot read: {exc.strerror}") from None
    try:
        _check_stat(os.fstat(fd))
    except UnreadableFile:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_stat(st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a file")
        raise UnreadableFile("not-a-regular-file", f"{kind}, not a regular file; only regular files are read")
    if st.st_size > MAX_FILE_BYTES:
        raise UnreadableFile("yaml-limit", f"{st.st_size:,} bytes: larger than the limit of "
                                           f"{MAX_FILE_BYTES:,} bytes; split it into several files")
