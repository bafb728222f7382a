"""Writing outputs safely: temp file beside the target, then rename; a folder swapped whole.

Temporary names carry the pid of the process that made them (``.out.txt.<pid>.<random>.tmp``);
a later run removes those whose process is dead, never a running one's.

Examples
--------
>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> atomic_write(target, "Омск")
>>> target.read_text(encoding="utf-8")
'Омск'
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_many", "atomic_write_folder", "pid_alive", "remove_dead_leftovers"]


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (ours counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_leftovers(folder: str | os.PathLike, pattern: str) -> list[Path]:
    """Remove the entries of ``folder`` whose names match ``pattern`` (a regex with a ``pid`` group)
    and whose process is dead: temporary files and folders of killed runs. Returns those removed."""
    removed = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return removed
    for name in names:
        match = re.fullmatch(pattern, name)
        if not match or pid_alive(int(match.group("pid"))):
            continue
        path = Path(folder) / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:  # gone already, or not ours to remove: leave it
            continue
        removed.append(path)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _stage(path: Path, data: bytes | str) -> str:
    """Write ``data`` to a temporary file beside ``path``, with the usual permissions."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_leftovers(path.parent, rf"\.{re.escape(path.name)}\.(?P<pid>\d+)\.[a-z0-9_]+\.tmp")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def atomic_write_many(files: dict[Path, bytes | str]) -> None:
    """Write several files: all are staged first, then renamed into place.

    A failure while staging leaves every earlier file untouched and no temporary file behind.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(Path(path), data), Path(path)))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A failure part-way leaves any earlier file at ``path`` untouched.
    """
    atomic_write_many({Path(path): data})


def _folder_leftovers(folder: Path) -> str:
    return rf"\.{re.escape(folder.name)}\.(?P<pid>\d+)\.[a-z0-9_]+\.(?:tmp|old)"


def _recover(folder: Path) -> None:
    """Undo what killed runs left beside ``folder``: an old copy renamed away and never
    replaced goes back in place; dead runs' temporary and old folders are removed."""
    if not folder.exists():
        for name in sorted(os.listdir(folder.parent)):
            match = re.fullmatch(_folder_leftovers(folder), name)
            if match and name.endswith(".old") and not pid_alive(int(match.group("pid"))):
                try:
                    os.rename(folder.parent / name, folder)
                except OSError:  # another run got there first
                    pass
                break
    remove_dead_leftovers(folder.parent, _folder_leftovers(folder))


def _check_replaceable(folder: Path, names: set[str]) -> None:
    if not folder.exists():
        return
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    foreign = sorted(n for n in os.listdir(folder) if n not in names and not re.fullmatch(r"\..+\.tmp", n))
    if foreign:
        shown = ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else "")
        raise OSError(errno.ENOTEMPTY, f"it holds files that are not part of this output ({shown}) and the "
                                       "folder is replaced as a whole: give a new or empty folder", str(folder))


def _swap(fresh: Path, folder: Path) -> None:
    """Rename ``folder`` away, ``fresh`` in, then delete the old one; on failure, put it back."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
        os.rename(folder, old)
    try:
        os.rename(fresh, folder)
    except BaseException:
        if old is not None:
            os.rename(old, folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_folder(folder: str | os.PathLike, files: dict[str, bytes | str],
                        replaceable: set[str] | None = None) -> None:
    """Make ``folder`` hold exactly ``files`` (name → content), replaced as a whole.

    Everything is written into a sibling temporary folder ``.NAME.<pid>.<random>.tmp``, then
    swapped in: the old folder is renamed away, the new one renamed in, the old one deleted.
    A failure at any step leaves the old folder complete (or, killed between the two renames,
    renamed away; the next run puts it back). An existing folder holding entries other than
    ``replaceable`` (default: the names in ``files``) is refused rather than deleted.
    """
    folder = Path(folder).resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    _recover(folder)
    _check_replaceable(folder, set(files) | (replaceable or set()))
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, data in files.items():
            (fresh / name).parent.mkdir(parents=True, exist_ok=True)  # names may hold folders: "id/x.html"
            (fresh / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(fresh, 0o777 & ~_umask())
        _swap(fresh, folder)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise

