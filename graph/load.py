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

import gc
import hashlib
import os
import pickle
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import yaml
from pydantic import ValidationError

from ._version import __version__
from .errors import Problem
from .folder import (MAX_FILE_BYTES, SOURCES_FILE, TABLE_SUFFIXES, YAML_SUFFIXES, UnreadableFile,
                     bundled_data_dir, data_files, open_data_file, resource_dir)
from .files import atomic_write
from .records import GENERAL_KNOWLEDGE, KIND_MODELS, Record, Source, SourceFile, SourcesFile, is_id

__all__ = ["Entry", "Dataset", "load_dataset", "bundled_data_dir", "resource_dir", "read_yaml", "read_text",
           "parse_yaml", "data_files", "cached_records", "cache_read", "cache_write", "sources_and_keys", "open_data_file", "display_path", "no_cycle_collection",
           "UnreadableFile", "problem_message", "field_name", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_SCALAR_CHARS", "MAX_NODES", "MAX_WRITTEN_NODES"]

# Limits on one data file, so that hostile YAML fails in well under a second, in bounded memory
# (and MAX_FILE_BYTES: graph.folder).
#: Mappings and sequences nested in one another, through aliases too.
MAX_DEPTH = 64
#: Characters in one scalar (a key or a value).
MAX_SCALAR_CHARS = 100_000
#: YAML nodes that aliases (``*name``, ``<<: *name``) add to one file, each use counted in full, so that
#: an "alias bomb" fails in milliseconds (data files rarely use aliases at all).
MAX_NODES = 200_000
#: YAML nodes one file holds as written: about 16 a record, so some 250,000 records (a 50 MiB file
#: holds fewer); a bound on the memory the composed nodes take.
MAX_WRITTEN_NODES = 4_000_000

_MERGE = "tag:yaml.org,2002:merge"
_CONTENT = re.compile(r"^[ \t]*[^\s#]", re.M)  # a line that is neither blank nor a comment


class Facts(NamedTuple):
    """What the checks across files need of a record, without the record: its id, whether it is a
    draft, its type (the value), and the ids it points to (field name → ids, as
    :meth:`graph.records.Record.references`)."""

    id: str
    draft: bool
    type: str | None
    references: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Entry:
    """One record as one file states it.

    Pickled (the per-file cache: :func:`cache_write`), an entry keeps its :attr:`facts` apart from
    its record, field lines and places, which are unpickled on first use: after an edit, the
    checks across files read the facts of tens of thousands of records and the records of a few.
    """

    kind: str  # actors, agreements, forums, sectors, observations
    record: Record
    source: str
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    #: read from a spreadsheet: field → (file or sheet, row, column letter), evidence rows included
    places: dict[str, tuple[str, int, str]] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def facts(self) -> Facts:
        """The record's :class:`Facts`."""
        rec = self.record
        kind = getattr(rec, "type", None)
        return Facts(rec.id, rec.draft, kind.value if kind is not None else None,
                     {name: tuple(ids) for name, ids in rec.references().items()})

    @cached_property
    def id(self) -> str:
        """The record's id (a cached entry has it without its record)."""
        return self.record.id

    def __reduce__(self) -> tuple:
        lazy = pickle.dumps((self.record, self.field_lines, self.places), protocol=pickle.HIGHEST_PROTOCOL)
        return _cached_entry, (self.kind, self.source, self.file, self.line, self.facts, lazy)

    def __getattr__(self, name: str) -> Any:  # only for attributes not set: a cached entry's record
        if name not in ("record", "field_lines", "places"):
            raise AttributeError(name)
        lazy = self.__dict__.get("_lazy")
        if lazy is not None:  # two threads may both unpickle it: the same values
            record, field_lines, places = pickle.loads(lazy)
            self.__dict__.update(record=record, field_lines=field_lines, places=places)
            self.__dict__.pop("_lazy", None)
        if name in self.__dict__:  # set here, or by another thread since the look-up failed
            return self.__dict__[name]
        raise AttributeError(name)

    def line_of(self, name: str) -> int:
        """Line of field ``name`` in the file (the record's line if absent)."""
        return self.field_lines.get(name, self.line)

    def where(self, name: str) -> tuple[str, int, str]:
        """File, line and column (``""`` in YAML) of field ``name``: in a spreadsheet, the sheet,
        row and column letter of its cell (``evidence[0].quote``: of the evidence row)."""
        if name in self.places:
            return self.places[name]
        head = re.match(r"[^.\[]*(?:\[\d+\])?", name).group()  # evidence[0].quote → evidence[0] → evidence
        for key in (head, head.split("[")[0]):
            if key in self.places:
                return self.places[key]
        return self.file, self.line_of(name), ""

    def problem(self, code: str, name: str, message: str) -> Problem:
        """A problem about field ``name`` of this record, located where the field is written."""
        file, line, column = self.where(name)
        return Problem(code, file, line, self.id, name, message, column)


def _cached_entry(kind: str, source: str, file: str, line: int, facts: Facts, lazy: bytes) -> Entry:
    """An entry read from the cache: its record is unpickled on first use (:meth:`Entry.__getattr__`)."""
    entry = Entry.__new__(Entry)
    entry.__dict__.update(kind=kind, source=source, file=file, line=line, facts=facts, id=facts.id, _lazy=lazy)
    return entry


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while many long-lived objects are made (YAML nodes, records).

    Each collection walks every object alive, so with it on, composing one file of 32,000 records
    took 17 s instead of 5 s. Reference counting frees most of what is made here; the cycles
    left (a recursive closure holds a file's line index) are collected once the collector is
    back on (or by :func:`_frozen_if_large`).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


#: records from which a dataset just read is frozen (:func:`_frozen_if_large`)
FREEZE_RECORDS = 20_000


def _frozen_if_large(dataset: Dataset) -> Dataset:
    """``dataset``; if it holds :data:`FREEZE_RECORDS` records or more, the garbage cycles are
    collected, then every object alive (its records) is moved to the
    collector's permanent generation (:func:`gc.freeze`), so that later collections do not walk the
    records again and again (2.4 of the 8.5 CPU s of a rebuild after an edit at 1M triples);
    reference counting still frees them. Unfrozen first, so that what an earlier load froze is
    collected if it is garbage now (EDTF's parser cache keeps frames in cycles). The full
    collection costs what the process holds: done for large datasets only.
    """
    if len(dataset.entries) >= FREEZE_RECORDS:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return dataset


@dataclass
class Dataset:
    """Everything read from a data folder, with the problems found on the way."""

    directory: Path
    sources: dict[str, Source]
    entries: list[Entry]
    problems: list[Problem]
    sources_file: str = SOURCES_FILE  # sources.yaml as problems name it
    source_lines: dict[str, dict[str, int]] = field(default_factory=dict)  # id → field → line ("" the source's)
    drafts: list[Entry] = field(default_factory=list)  # records with ``draft: true``: read, kept out of ``entries``

    #: displayed file name → a hash of its bytes (with the reading code), for every file read
    file_keys: dict[str, str] = field(default_factory=dict)
    #: where each file's records (and RDF, see :func:`graph.rdf.graph_parts`) are remembered, if anywhere
    cache: Path | None = None

    def source_line(self, source_id: str, name: str = "") -> int:
        """Line of a source (or of its field ``name``) in ``sources.yaml``; 1 if unknown."""
        lines = self.source_lines.get(source_id, {})
        return lines.get(name, lines.get("", 1))

    @cached_property
    @no_cycle_collection()
    def by_id(self) -> dict[str, list[Entry]]:
        """Record id → its entries, in file order."""
        out: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            out[entry.id].append(entry)
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





def read_text(path: Path, display: str, folder: Path | None) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problem that keeps it from being read (type, place, size, UTF-8).

    Opened as :func:`open_data_file` opens it; ``display`` names the file in problems.
    """
    try:
        with open_data_file(path, folder) as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except UnreadableFile as exc:
        return None, [Problem(exc.code, display, 1, "", "", exc.message)]
    except OSError as exc:
        return None, [Problem("unreadable", display, 1, "", "", f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:  # grew since it was checked
        return None, [Problem("yaml-limit", display, 1, "", "", f"larger than the limit of {MAX_FILE_BYTES:,} bytes")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem("not-utf8", display, line, "", "",
                              f"byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8")]
    return text, []


def _bad_character(text: str, exc: yaml.reader.ReaderError, display: str) -> Problem:
    """A character YAML does not allow in a stream (C0 and C1 controls, DEL, U+FFFE …), where it is."""
    pos = exc.position
    if issubclass(_LineLoader, getattr(yaml, "CSafeLoader", ())):  # libyaml counts bytes of the UTF-8 text
        pos = len(text.encode("utf-8")[:pos].decode("utf-8", "ignore"))
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return Problem("yaml-syntax", display, line, "", "", f"U+{exc.character:04X} at column {column}: YAML does not "
                   "allow this character (write it as an escape in double quotes)")


def read_yaml(path: Path, display: str, folder: Path | None = None) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse one YAML file, within the limits ``MAX_FILE_BYTES``, ``MAX_DEPTH``, ``MAX_SCALAR_CHARS``, ``MAX_NODES``.

    Returns the data, a map from value paths (``("actors", 3, "date")``) to line
    numbers, and the problems found (unreadable bytes, syntax, limits, duplicate keys).
    ``folder``, when given, is the data folder a symbolic link must resolve into.
    """
    text, problems = read_text(path, display, folder)
    if text is None:
        return None, {}, problems
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse the text of one YAML file (named ``display`` in problems); as :func:`read_yaml`."""
    problems: list[Problem] = []
    if not _CONTENT.search(text):
        return None, {}, [Problem("empty-file", display, 1, "", "",
                                  "the file is empty; expected a mapping such as 'source: <id>'")]
    loader = None
    try:
        if not _plainly_shallow(text) and (limit := _over_limits(text, display)):
            return None, {}, [limit]
        loader = _LineLoader(text)
        node = loader.get_single_node()
        lines = _lines(node, display, problems) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except _OverLimit as exc:
        return None, {}, [exc.problem]
    except yaml.reader.ReaderError as exc:
        return None, {}, [_bad_character(text, exc, display)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" (column {mark.column + 1})" if mark else ""
        what = getattr(exc, "problem", None) or str(exc)
        return None, {}, [Problem("yaml-syntax", display, mark.line + 1 if mark else 1, "", "",
                                  f"YAML syntax error: {what}{where}")]
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines, problems


#: the indentation and block indicators ("- ", "? ", ": ") that open a line
_LEAD = re.compile(r"^ *(?:[-?:](?:[ \t]+|$))*", re.M)
_BRACKETS = re.compile(r"[][{}]")


def _plainly_shallow(text: str) -> bool:
    """Whether the text itself shows that :func:`_over_limits` would find nothing that only the
    event stream can show: no anchor or alias (neither ``&`` nor ``*`` anywhere), and nesting
    bounded by ``MAX_DEPTH``, counting at most two block levels per column that a line's
    indentation and indicators reach (a nested block collection starts to the right of its
    parent's content, or at its column for a sequence under a key) and two levels per flow
    bracket open at once (a flow sequence's entry may be a one-pair mapping: ``[a: b]``). Scalar lengths and the number of nodes are then checked on the composed
    nodes (:func:`_lines`). A file that does not show this is checked on its events first.
    """
    if "&" in text or "*" in text:
        return False
    lead = max(map(len, _LEAD.findall(text)), default=0)
    flow = deepest = 0
    for bracket in _BRACKETS.findall(text):
        flow += 1 if bracket in "[{" else -1
        deepest = max(deepest, flow)
    return 2 * (lead + 1 + deepest) <= MAX_DEPTH


def _too_many_nodes(display: str, line: int) -> Problem:
    return Problem("yaml-limit", display, line, "", "", f"more than {MAX_WRITTEN_NODES:,} YAML nodes; "
                   "split it into several files")


def _too_long(display: str, line: int, chars: int) -> Problem:
    return Problem("yaml-limit", display, line, "", "", f"a scalar of {chars:,} characters, "
                   f"longer than the limit of {MAX_SCALAR_CHARS:,}")


class _OverLimit(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _over_limits(text: str, display: str) -> Problem | None:
    """Check depth, scalar length and expanded size on the event stream, before anything is built.

    Streaming the events is cheap and never recursive; the composer that builds the node tree
    recurses once per level (in C with libyaml: a deep enough file crashes the process), and
    aliases that expand exponentially ("billion laughs") are caught before anything walks them.
    """
    sizes: dict[str, tuple[int, int]] = {}  # anchor → (nodes, height) of the node it names
    stack: list[list] = []  # open collections: [anchor, nodes, height]
    written = aliased = 0  # nodes as written; nodes that aliases repeat
    for event in yaml.parse(text, Loader=_LineLoader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            written += 1
            if len(stack) >= MAX_DEPTH:
                return Problem("yaml-limit", display, line, "", "", f"nested deeper than {MAX_DEPTH} levels")
            stack.append([event.anchor, 1, 1])
            continue
        if isinstance(event, yaml.ScalarEvent):
            if len(event.value) > MAX_SCALAR_CHARS:
                return _too_long(display, line, len(event.value))
            anchor, nodes, height = event.anchor, 1, 0
        elif isinstance(event, yaml.AliasEvent):
            if any(frame[0] == event.anchor for frame in stack):
                return Problem("yaml-limit", display, line, "", "",
                               f"alias *{event.anchor} refers to a node that contains it (recursive YAML)")
            anchor, (nodes, height) = None, sizes.get(event.anchor, (1, 0))
            if len(stack) + height > MAX_DEPTH:
                return Problem("yaml-limit", display, line, "", "",
                               f"alias *{event.anchor} nests deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, nodes, height = stack.pop()
        else:
            continue
        if isinstance(event, yaml.AliasEvent):
            aliased += nodes
        elif isinstance(event, yaml.ScalarEvent):
            written += 1
        if aliased > MAX_NODES:
            return Problem("yaml-limit", display, line, "", "", f"expands to more than {MAX_NODES:,} YAML nodes "
                           "(aliases *name repeat what they name)")
        if written > MAX_WRITTEN_NODES:
            return _too_many_nodes(display, line)
        if anchor:
            sizes[anchor] = (nodes, height)
        if stack:
            stack[-1][1] += nodes
            stack[-1][2] = max(stack[-1][2], height + 1)
    return None


def _lines(root: yaml.Node, display: str, problems: list[Problem]) -> dict[tuple, int]:
    """Value path → line, from the composed nodes (before merge keys are flattened); duplicate keys."""
    lines: dict[tuple, int] = {}
    count = [0]

    def limit(n: yaml.Node) -> None:  # what _over_limits checks, for a file it did not read
        count[0] += 1
        if count[0] > MAX_WRITTEN_NODES:
            raise _OverLimit(_too_many_nodes(display, n.start_mark.line + 1))
        if isinstance(n, yaml.ScalarNode) and len(n.value) > MAX_SCALAR_CHARS:
            raise _OverLimit(_too_long(display, n.start_mark.line + 1, len(n.value)))

    def walk(n: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, n.start_mark.line + 1)
        limit(n)
        if isinstance(n, yaml.MappingNode):
            seen: set[Any] = set()
            merged: list[tuple[yaml.Node, yaml.Node]] = []
            for key, value in n.value:
                if key.tag == _MERGE:
                    merged.append((key, value))
                    continue
                limit(key)
                if not isinstance(key, yaml.ScalarNode):
                    continue  # a complex key: the constructor refuses it
                k = key.value
                if k in seen:
                    problems.append(Problem("duplicate-key", display, key.start_mark.line + 1,
                                            "", str(k), f"key {k!r} appears twice in one mapping"))
                seen.add(k)
                lines[path + (k,)] = key.start_mark.line + 1
                walk(value, path + (k,))
            for key, value in merged:  # keys a merge brings in are located at the '<<' line
                for base in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                    for bk, _ in base.value if isinstance(base, yaml.MappingNode) else []:
                        if isinstance(bk, yaml.ScalarNode):
                            lines.setdefault(path + (bk.value,), key.start_mark.line + 1)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, path + (i,))

    walk(root, ())
    return lines


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


def field_name(loc: tuple) -> str:
    """A value path as problems name a field: ``evidence[0].quote`` (the record's kind and index left out)."""
    rest = loc[2:] if len(loc) >= 2 and isinstance(loc[1], int) else loc
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")


def problem_message(err: dict[str, Any]) -> str:
    """What a pydantic error says, as problems say it."""
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if err["type"] == "extra_forbidden":
        msg = "unknown field; check its spelling against data/README.md"
    elif err["type"] == "missing":
        msg = "required field is missing"
    elif "input" in err and err["type"] not in ("value_error", "bad_date"):
        msg = f"{msg} (got {err['input']!r})"
    return msg


def _pydantic_problems(exc: ValidationError, data: Any, lines: dict, display: str,
                       prefix: tuple = ()) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        where = (display, _line(lines, loc), _record_id(data, loc), field_name(loc), problem_message(err))
        if err["type"] == "bad_date":  # raised by PartialDate
            out.append(Problem("bad-date", *where))
        else:
            out.append(Problem("invalid-field", *where))
    return out


def _load_sources(path: Path, display: str, folder: Path) -> tuple[dict[str, Source], dict, list[Problem]]:
    """The sources, each source's lines (id → field → line, ``""`` the source's own) and the problems."""
    data, lines, problems = read_yaml(path, display, folder)
    if data is None:
        return {}, {}, problems
    items = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(items, list) or set(data) != {"sources"}:  # let the model say what is wrong
        try:
            SourcesFile.model_validate(data)
        except ValidationError as exc:
            return {}, {}, problems + _pydantic_problems(exc, data, lines, display)
        return {}, {}, problems
    sources: dict[str, Source] = {}
    lines_of: dict[str, dict[str, int]] = {}
    fields: dict[int, dict[str, int]] = defaultdict(dict)  # source index → field → line, in one pass
    for k, v in lines.items():
        if len(k) == 3 and k[0] == "sources":
            fields[k[1]][str(k[2])] = v
    for i, item in enumerate(items):  # one by one: a bad source does not hide the good ones
        try:
            src = Source.model_validate(item)
        except ValidationError as exc:
            problems += _pydantic_problems(exc, data, lines, display, ("sources", i))
            continue
        line = _line(lines, ("sources", i))
        if src.id in sources:
            problems.append(Problem("duplicate-id", display, line, src.id, "id",
                                    f"source id also used at line {lines_of[src.id]['']}"))
            continue
        sources[src.id] = src
        lines_of[src.id] = {"": line} | fields.get(i, {})
    return sources, lines_of, problems


def display_path(path: Path) -> str:
    """``path`` relative to the working directory where it can be, as problems name files."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


@no_cycle_collection()  # tens of thousands of records, each of many objects: see no_cycle_collection
def load_dataset(directory: Path | str | None = None,
                 on_file: Callable[[int, int, str], None] | None = None, cache: Path | None = None) -> Dataset:
    """Read every ``*.yaml`` and ``*.yml`` file of a data folder (see :func:`data_files`).

    Parameters
    ----------
    directory
        The data folder; the bundled data when ``None``.
    on_file
        Called as ``on_file(done, total, name)`` after each file (for progress bars).
    cache
        A folder where each file's records and problems are remembered by content
        (``cache/records/<ha>/<hash>``), so that only new or edited files are parsed and checked.

    Returns
    -------
    Dataset
        The records, and the problems met while reading them (possibly many).
    """
    directory = Path(directory) if directory is not None else bundled_data_dir()
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem("no-data", display_path(directory), 1, "", "",
                                "not a folder; pass --data DIR with a folder of .yaml files"))
        return Dataset(directory, {}, [], problems)
    try:
        files = data_files(directory)
    except OSError as exc:
        problems.append(Problem("unreadable", display_path(directory), 1, "", "", f"cannot list: {exc.strerror}"))
        return Dataset(directory, {}, [], problems)
    sources_path = directory / SOURCES_FILE
    sources, source_lines = {}, {}  # id → Source; id → field → line
    if sources_path in files:
        sources, source_lines, found = _load_sources(sources_path, display_path(sources_path), directory)
        problems += found
    entries: list[Entry] = []
    keys: dict[str, str] = {}
    yaml_files = [p for p in files if p.suffix.lower() in YAML_SUFFIXES]
    for done, path in enumerate(yaml_files, start=1):
        if on_file:
            on_file(done, len(files), path.name)
        display = display_path(path)
        if path == sources_path:
            keys[display] = _content_key(path, display)
            continue
        found, file_entries, keys[display] = _read_file(path, display, directory, cache)
        problems += found
        entries += file_entries
    dataset = Dataset(directory, sources, entries, problems, display_path(sources_path), source_lines, file_keys=keys,
                      cache=cache)
    tables = [p for p in files if p.suffix.lower() in TABLE_SUFFIXES]
    if tables:
        _add_tables(dataset, tables, lambda done, name: on_file and on_file(len(yaml_files) + done, len(files), name),
                    has_yaml_sources=sources_path in files)
    if sources_path not in files and dataset.sources_file == display_path(sources_path):
        problems.append(Problem("no-data", display_path(sources_path), 1, "", "", "missing: every data folder "
                                "needs a sources.yaml bibliography (or a sources sheet or sources.csv)"))
    dataset.drafts = [e for e in dataset.entries if e.facts.draft]
    dataset.entries = [e for e in dataset.entries if not e.facts.draft]
    return _frozen_if_large(dataset)


def sources_and_keys(directory: Path) -> tuple[dict[str, Source], dict[str, str]] | None:
    """The bibliography and each other YAML file's content key (see :attr:`Dataset.file_keys`), read
    without reading a record: for a folder whose records are all cached. ``None`` when the folder
    has spreadsheets, or cannot be read, or its bibliography has a problem (load it to see which)."""
    try:
        files = data_files(directory)
    except OSError:
        return None
    sources_path = directory / SOURCES_FILE
    if sources_path not in files or any(p.suffix.lower() not in YAML_SUFFIXES for p in files):
        return None
    sources, _, problems = _load_sources(sources_path, display_path(sources_path), directory)
    keys = {display_path(p): _content_key(p, display_path(p)) for p in files if p != sources_path}
    return None if problems or "" in keys.values() else (sources, keys)


def _add_tables(dataset: Dataset, tables: list[Path], on_file: Callable[[int, str], None],
                has_yaml_sources: bool) -> None:
    """Add what the spreadsheets of the folder hold (see :mod:`graph.tables`); a source id given both
    by ``sources.yaml`` and a sources table is a problem."""
    from .tables import read_tables  # tables.py builds on this module

    read = read_tables(tables, dataset.directory, on_file)
    dataset.entries += read.entries
    dataset.problems += read.problems
    dataset.file_keys |= read.keys
    for sid, source in read.sources.items():
        if sid in dataset.sources:
            dataset.problems.append(Problem("duplicate-id", read.sources_file, read.source_lines[sid][""], sid, "id",
                                            f"source id also in {dataset.sources_file}"))
            continue
        dataset.sources[sid], dataset.source_lines[sid] = source, read.source_lines[sid]
    if read.sources_file and not has_yaml_sources:
        dataset.sources_file = read.sources_file


def _content_key(path: Path, display: str, text: str | None = None) -> str:
    """A hash of a file's text, its displayed name and :func:`_code_digest` ("" if unreadable)."""
    try:
        data = text.encode("utf-8") if text is not None else path.read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(_code_digest() + display.encode() + b"\0" + data).hexdigest()


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """What the records of a file depend on besides its bytes: paradiplo's version and the code
    of the modules that read and check them."""
    digest = hashlib.sha256(__version__.encode())
    for module in ("load.py", "records.py", "errors.py", "tables.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.digest()


def cache_read(path: Path | None) -> Any:
    """What :func:`cache_write` left at ``path``, or ``None`` if nothing readable is there (a
    cache entry that cannot be read only costs time)."""
    if path is None:
        return None
    try:
        with no_cycle_collection():
            return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, IndexError, ValueError):
        return None


def cache_write(path: Path | None, value: Any) -> None:
    """Remember ``value`` at ``path`` (atomically; a cache that cannot be written only costs time)."""
    if path is not None:
        try:
            atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass


def _records_path(cache: Path, key: str) -> Path:
    return cache / "records" / key[:2] / key


def cached_records(cache: Path, key: str) -> list[Entry] | None:
    """The records of the file version ``key`` (see :attr:`Dataset.file_keys`) if ``cache`` has them."""
    found = cache_read(_records_path(cache, key))
    return found[1] if isinstance(found, tuple) and len(found) == 2 else None


def _read_file(path: Path, display: str, folder: Path,
               cache: Path | None) -> tuple[list[Problem], list[Entry], str]:
    """The problems and records of one data file; with ``cache``, remembered by content.

    The key is a hash of the file's bytes, its displayed name and :func:`_code_digest`, so an
    edited file, a renamed one or new code is read afresh, and an unchanged file is not parsed again.
    """
    text, problems = read_text(path, display, folder)
    if text is None:
        return problems, [], ""
    key = _content_key(path, display, text)
    cached = _records_path(cache, key) if cache is not None else None
    found = cache_read(cached)
    if isinstance(found, tuple) and len(found) == 2:
        return (*found, key)
    entries: list[Entry] = []
    with no_cycle_collection():
        data, lines, problems = parse_yaml(text, display)
        if data is not None:
            problems += _read_records(data, lines, display, entries)
    cache_write(cached, (problems, entries))
    return problems, entries, key


def _read_records(data: Any, lines: dict, display: str, entries: list[Entry]) -> list[Problem]:
    """Validate a data file record by record, appending the good ones to ``entries``.

    Each record is validated on its own, so one bad record neither hides the
    problems of the others nor keeps the good ones out of the referential checks.
    """
    if not isinstance(data, dict):
        return [Problem("invalid-file", display, 1, "", "",
                        "expected a mapping with 'source:' and lists such as 'actors:'")]
    problems: list[Problem] = []
    fields: dict[tuple, dict[str, int]] = defaultdict(dict)  # (kind, index) → field → line, in one pass
    for k, v in lines.items():
        if len(k) == 3 or (len(k) == 5 and k[2] == "evidence"):
            fields[k[:2]][field_name(k)] = v  # a field, or one of an evidence item: evidence[0].quote
    allowed = set(SourceFile.model_fields)
    for key in data:
        if key not in allowed:
            problems.append(Problem("invalid-field", display, _line(lines, (key,)), "", str(key),
                                    f"unknown section; expected one of {', '.join(sorted(allowed))}"))
    source = data.get("source")
    if not is_id(source):
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
                problems += _pydantic_problems(exc, data, lines, display, (kind, i))
                continue
            entries.append(Entry(kind, record, source, display, _line(lines, (kind, i)), fields.get((kind, i), {})))
    return problems
