"""Read ``data/*.yaml`` into records, keeping the line of every value.

Nothing here raises on bad data: every problem becomes a :class:`Problem` with
file and line, and loading goes on, so that one run reports everything.

Examples
--------
>>> ds = load_dataset(bundled_data_dir())
>>> ds.problems
[]
>>> "omsk-oblast" in {e.record.id for e in ds.entries}
True
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import ValidationError

from .errors import Problem
from .records import GENERAL_KNOWLEDGE, KIND_MODELS, Record, Source, SourceFile, SourcesFile

__all__ = ["Entry", "Dataset", "load_dataset", "bundled_data_dir", "resource_dir", "read_yaml"]

SOURCES_FILE = "sources.yaml"


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


@dataclass(frozen=True)
class Entry:
    """One record as one file states it."""

    kind: str  # actors, agreements, forums, sectors, observations
    record: Record
    source: str
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, name: str) -> int:
        """Line of field ``name`` in the file (the record's line if absent)."""
        return self.field_lines.get(name, self.line)


@dataclass
class Dataset:
    """Everything read from a data folder, with the problems found on the way."""

    directory: Path
    sources: dict[str, Source]
    source_lines: dict[str, tuple[str, int]]
    entries: list[Entry]
    problems: list[Problem]

    @cached_property
    def by_id(self) -> dict[str, list[Entry]]:
        """Record id → its entries, in file order."""
        out: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            out[entry.record.id].append(entry)
        return dict(out)

    def kind_of(self, record_id: str) -> str | None:
        """``actors``, ``agreements``, … for a known id, else ``None``."""
        entries = self.by_id.get(record_id)
        return entries[0].kind if entries else None


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: ~10x faster
    """Safe loader that keeps dates as text, so ``PartialDate`` can explain a bad one."""


_LineLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, display: str) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse one YAML file.

    Returns the data, a map from value paths (``("actors", 3, "date")``) to line
    numbers, and the problems found (unreadable bytes, syntax, duplicate keys).
    """
    problems: list[Problem] = []
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, {}, [Problem("unreadable", display, 1, "", "", f"cannot read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, {}, [Problem("not-utf8", display, line, "", "",
                                  f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
    if not text.strip() or all(l.strip().startswith("#") or not l.strip() for l in text.splitlines()):
        return None, {}, [Problem("empty-file", display, 1, "", "",
                                  "the file is empty; expected a mapping such as 'source: <id>'")]
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(exc, "problem", None) or str(exc)
        return None, {}, [Problem("yaml-syntax", display, line, "", "", f"YAML syntax error: {what}")]
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}

    def walk(n: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            seen: set[Any] = set()
            for key, value in n.value:
                k = key.value
                if k in seen:
                    problems.append(Problem("duplicate-key", display, key.start_mark.line + 1,
                                            "", str(k), f"key {k!r} appears twice in one mapping"))
                seen.add(k)
                lines[path + (k,)] = key.start_mark.line + 1
                walk(value, path + (k,))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, path + (i,))

    if node is not None:
        walk(node, ())
    return data, lines, problems


def _line(lines: dict[tuple, int], loc: tuple) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _record_id(data: Any, loc: tuple) -> str:
    if len(loc) >= 2 and isinstance(data, dict):
        items = data.get(loc[0])
        if isinstance(items, list) and isinstance(loc[1], int) and loc[1] < len(items):
            item = items[loc[1]]
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                return item["id"]
            return f"{loc[0]}[{loc[1]}]"
    return ""


def _field(loc: tuple) -> str:
    rest = [str(p) for p in loc[2:]] if len(loc) >= 2 and isinstance(loc[1], int) else [str(p) for p in loc]
    return ".".join(rest)


def _message(err: dict[str, Any]) -> str:
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if err["type"] == "extra_forbidden":
        msg = "unknown field; check its spelling against data/README.md"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif "input" in err and err["type"] not in ("value_error",):
        msg = f"{msg} (got {err['input']!r})"
    return msg


def _pydantic_problems(exc: ValidationError, data: Any, lines: dict, display: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        out.append(Problem("invalid-field", display, _line(lines, loc), _record_id(data, loc),
                           _field(loc), _message(err)))
    return out


def _load_sources(path: Path, display: str) -> tuple[dict[str, Source], dict[str, tuple[str, int]], list[Problem]]:
    data, lines, problems = read_yaml(path, display)
    if data is None:
        return {}, {}, problems
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        return {}, {}, problems + _pydantic_problems(exc, data, lines, display)
    sources: dict[str, Source] = {}
    where: dict[str, tuple[str, int]] = {}
    for i, src in enumerate(parsed.sources):
        line = _line(lines, ("sources", i))
        if src.id in sources:
            problems.append(Problem("duplicate-id", display, line, src.id, "id",
                                    f"source id also used at line {where[src.id][1]}"))
            continue
        sources[src.id] = src
        where[src.id] = (display, line)
    return sources, where, problems


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def load_dataset(directory: Path | str | None = None,
                 on_file: Callable[[int, int, str], None] | None = None) -> Dataset:
    """Read every ``*.yaml`` file of a data folder.

    Parameters
    ----------
    directory
        The data folder; the bundled data when ``None``.
    on_file
        Called as ``on_file(done, total, name)`` after each file (for progress bars).

    Returns
    -------
    Dataset
        The records, and the problems met while reading them (possibly many).
    """
    directory = Path(directory) if directory is not None else bundled_data_dir()
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem("no-data", _display(directory), 1, "", "",
                                "not a folder; pass --data DIR with a folder of .yaml files"))
        return Dataset(directory, {}, {}, [], problems)
    files = sorted(p for p in directory.glob("*.yaml") if p.is_file())
    sources_path = directory / SOURCES_FILE
    sources: dict[str, Source] = {}
    source_lines: dict[str, tuple[str, int]] = {}
    if sources_path in files:
        sources, source_lines, found = _load_sources(sources_path, _display(sources_path))
        problems += found
    else:
        problems.append(Problem("no-data", _display(sources_path), 1, "", "",
                                "missing: every data folder needs a sources.yaml bibliography"))
    entries: list[Entry] = []
    for done, path in enumerate(files, start=1):
        if on_file:
            on_file(done, len(files), path.name)
        if path == sources_path:
            continue
        display = _display(path)
        data, lines, found = read_yaml(path, display)
        problems += found
        if data is None:
            continue
        problems += _read_records(data, lines, display, entries)
    return Dataset(directory, sources, source_lines, entries, problems)


def _read_records(data: Any, lines: dict, display: str, entries: list[Entry]) -> list[Problem]:
    """Validate a data file record by record, appending the good ones to ``entries``.

    Each record is validated on its own, so one bad record neither hides the
    problems of the others nor keeps the good ones out of the referential checks.
    """
    if not isinstance(data, dict):
        return [Problem("invalid-file", display, 1, "", "",
                        "expected a mapping with 'source:' and lists such as 'actors:'")]
    problems: list[Problem] = []
    allowed = set(SourceFile.model_fields)
    for key in data:
        if key not in allowed:
            problems.append(Problem("invalid-field", display, _line(lines, (key,)), "", str(key),
                                    f"unknown section; expected one of {', '.join(sorted(allowed))}"))
    source = data.get("source")
    if not isinstance(source, str) or not source:
        problems.append(Problem("invalid-field", display, _line(lines, ("source",)), "", "source",
                                "required: the id of the source this file curates "
                                f"(an id from sources.yaml, or {GENERAL_KNOWLEDGE!r})"))
        source = ""
    for kind, model in KIND_MODELS.items():
        items = data.get(kind) or []
        if not isinstance(items, list):
            problems.append(Problem("invalid-field", display, _line(lines, (kind,)), "", kind,
                                    f"expected a list of {kind} records"))
            continue
        for i, item in enumerate(items):
            try:
                record = model.model_validate(item)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = (kind, i) + tuple(err["loc"])
                    problems.append(Problem("invalid-field", display, _line(lines, loc),
                                            _record_id(data, loc), _field(loc), _message(err)))
                continue
            field_lines = {k[2]: v for k, v in lines.items() if len(k) == 3 and k[:2] == (kind, i)}
            entries.append(Entry(kind, record, source, display, _line(lines, (kind, i)), field_lines))
    return problems
