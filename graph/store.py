"""The knowledge graph: a validated dataset in an Oxigraph store, built from a data folder
or reused from a persistent store on disk.

Examples
--------
>>> kg = open_graph()                      # bundled data, validated, in Oxigraph
>>> kg.actor_graph().number_of_nodes() > 30
True
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pyoxigraph as ox

from ._version import __version__
from .errors import InvalidData
from .files import atomic_write, remove_dead_leftovers
from .folder import SOURCES_FILE, UnreadableFile, bundled_data_dir, data_files, open_data_file, resource_dir
from .lazy import lazy

# What only a build or an analysis needs (graph.load, rdf, validate, project, analysis) is
# imported inside the functions that use it: a command that reuses a store (a cold ``query
# --store``) needs the folder's fingerprint and pyoxigraph alone. (Imports, not graph.lazy:
# Python's LazyLoader is not thread-safe before 3.12.3, and these modules import each other.)
if TYPE_CHECKING:
    from .load import Dataset
    from .project import Filters, Tie
    from .validate import Report
nx = lazy("networkx")

__all__ = ["KnowledgeGraph", "open_graph", "check_data", "verdict_cache"]


class KnowledgeGraph:
    """A validated dataset and its RDF store; every analysis reads the store.

    Made by :func:`open_graph` either from records (``nquads``) or from a persistent
    store built earlier (``store``); each side is derived from the other when needed.
    """

    def __init__(self, nquads: bytes | None = None, store: ox.Store | None = None, dataset: Dataset | None = None,
                 parts: dict[str, list[bytes]] | None = None, records: Callable[[], Dataset] | None = None,
                 cache: Path | None = None, digests: dict[str, str] | None = None):
        if nquads is None and store is None and parts is None:
            raise ValueError("a KnowledgeGraph needs N-Quads or a store")
        self._nquads, self._store, self._parts, self._dataset, self._records = nquads, store, parts, dataset, records
        self._cache, self._digests = cache, digests  # digests: of ``parts``, when known (parts_digest)

    @cached_property
    def dataset(self) -> Dataset | None:
        """The records: read on first use when the graph was made from RDF cached per file
        (``records``); ``None`` for a graph opened from a store alone."""
        return self._dataset if self._dataset is not None or self._records is None else self._records()

    @cached_property
    def nquads(self) -> bytes:
        """The named graphs as N-Quads, sorted by graph then text (as :func:`dataset_nquads`)."""
        from . import rdf

        if self._nquads is not None:
            return self._nquads
        if self._parts is not None:
            return b"".join(rdf.merge_parts(parts) for parts in self._parts.values())
        return b"".join(part for parts in _StoreGraphs(self.store).values() for part in parts)

    @cached_property
    def quads(self) -> list[ox.Quad]:
        """Every quad, sorted by graph (the named graphs; not the union default graph)."""
        from . import rdf

        return rdf.parse_nquads(self.nquads)

    def serialized(self, fmt: str) -> bytes:
        """The named graphs in ``fmt`` (see :func:`graph.rdf.serialize`), streamed from the N-Quads
        text (no list of every quad is made); TriG graph by graph, each remembered in the cache
        (:func:`graph.rdf.graphs_trig`); from a store alone, each graph dumped by Oxigraph when
        it is written (at a million triples the whole N-Quads text is some 300 MB)."""
        from . import rdf

        if fmt == "trig":  # a store's graphs written out by Oxigraph one at a time: no whole N-Quads text
            parts = self._parts if self._parts is not None else _StoreGraphs(self.store)
            return rdf.graphs_trig(parts, self._cache if self._parts is not None else None, self._digests)
        return rdf.serialize(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS), fmt)

    @cached_property
    def store(self) -> ox.Store:
        from . import rdf

        if self._store is not None:
            return self._store
        return rdf.load_store(self._parts if self._parts is not None else self.nquads)

    def actor_graph(self, filters: Filters | None = None, level: str = "actor") -> nx.Graph:
        """The actor–actor network (see :func:`graph.project.actor_graph`)."""
        from . import project

        return project.actor_graph(self.store, filters or project.Filters(), level)

    def ties(self, filters: Filters | None = None) -> list[Tie]:
        """Agreements, forums and visits with their members (see :func:`graph.project.ties`)."""
        from . import project

        return project.ties(self.store, filters or project.Filters())

    def graphs_by_period(self, periods: str | list[tuple[int, int]], filters: Filters | None = None,
                         level: str = "actor") -> dict[str, nx.Graph]:
        """Period label → actor graph of the ties certainly in that period (every date a source
        gives lies inside it; see :meth:`period_counts` for those that only overlap it)."""
        from . import analysis, project

        spans = analysis.parse_periods(periods) if isinstance(periods, str) else periods
        filters = filters or project.Filters()
        return {f"{a}-{b}": self.actor_graph(replace(filters, since=a, until=b), level) for a, b in spans}

    def period_counts(self, periods: str | list[tuple[int, int]], filters: Filters | None = None) -> list[dict]:
        """Per period, the ties certainly in it and those only overlapping it, and the undated
        ties (see :func:`graph.analysis.periods.period_counts`); ``since``/``until`` are ignored."""
        from . import analysis, project

        spans = analysis.parse_periods(periods) if isinstance(periods, str) else periods
        return analysis.period_counts(self.ties(replace(filters or project.Filters(), since=None, until=None)), spans)

    def map(self, filters: Filters | None = None, level: str = "actor", **options: Any) -> str:
        """A self-contained HTML map of the actor network (see :func:`graph.maps.map_page`)."""
        from . import project

        from .maps import map_page

        return map_page(self, filters or project.Filters(), level, **options)

    def typology(self, filters: Filters | None = None, periods: str | None = None) -> dict:
        """Transborder / transregional / global ties, with shares by period (Duchacek)."""
        from . import analysis, project

        info = project.actors(self.store)
        return analysis.typology(self.ties(filters), info, project.rollup(self.store, info, "region"),
                                 project.borders(self.store),
                        analysis.parse_periods(periods) if periods else None)


def _dumped(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """One named graph of ``store`` as sorted N-Quads lines, written out by Oxigraph (no Python
    object per quad: at 1M triples these made the report's peak memory)."""
    end = f" <{graph.value}> .\n".encode()
    lines = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).splitlines()
    return b"".join(sorted(line[:-2] + end for line in lines if line))


class _StoreGraphs(Mapping):
    """Named graph IRI → ``[its N-Quads]`` (as :func:`graph.rdf.graph_parts`), sorted by IRI,
    each graph written out by Oxigraph when it is read, so that one graph's text is held at a time."""

    def __init__(self, store: ox.Store):
        self._store = store
        self._graphs = {g.value: g for g in sorted(store.named_graphs(), key=lambda g: g.value)}

    def __getitem__(self, iri: str) -> list[bytes]:
        return [_dumped(self._store, self._graphs[iri])]

    def __iter__(self) -> Iterator[str]:
        return iter(self._graphs)

    def __len__(self) -> int:
        return len(self._graphs)


def _fingerprint(directory: Path) -> str:
    """What a dataset's verdict and store rest on: every data and ontology file, paradiplo's
    version and the source of the modules that read, check and build the data.

    Files are opened as :func:`graph.load.open_data_file` opens them (regular files only,
    links only into the folder, size limited) and hashed in chunks; a file that cannot be
    read changes the fingerprint, so nothing is reused and loading reports it.
    """
    digest = hashlib.sha256(__version__.encode())
    for module in _CHECKING_MODULES:
        digest.update((Path(__file__).parent / module).read_bytes())
    for folder in (directory, resource_dir("ontology")):
        try:
            paths = data_files(folder) + sorted(folder.glob("*.ttl"))
        except OSError:
            return ""  # never reused; loading reports the folder
        for path in paths:
            digest.update(path.name.encode() + b"\0")
            try:
                with open_data_file(path, folder) as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        digest.update(chunk)
            except (UnreadableFile, OSError) as exc:
                digest.update(f"unreadable: {exc}".encode())
            digest.update(b"\0")
    return digest.hexdigest()


#: the modules whose code decides whether data are valid and how they are built
_CHECKING_MODULES = ("records.py", "load.py", "tables.py", "validate.py", "shacl.py", "quotes.py", "rdf.py",
                     "errors.py")


def verdict_cache() -> Path:
    """Where verdicts on valid data are remembered: ``$PARADIPLO_CACHE``, else
    ``$XDG_CACHE_HOME/paradiplo``, else ``~/.cache/paradiplo``."""
    if os.environ.get("PARADIPLO_CACHE"):
        return Path(os.environ["PARADIPLO_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paradiplo"


def _known_valid(fingerprint: str) -> bool:
    return bool(fingerprint) and (verdict_cache() / "valid" / fingerprint).is_file()


def _check(dataset: Dataset, fingerprint: str, say: Callable[[str], None]) -> None:
    """The one verdict: the checks of ``paradiplo validate``, SHACL included. None runs when these
    very files, ontology and code were found valid before; after an edit of files found valid,
    only the records the edit may affect are checked (see :func:`_shacl_scope`)."""
    from . import validate as checks

    if _known_valid(fingerprint):
        say(f"{len(dataset.entries)} records found valid before (the verdict is cached)")
        return
    scope = _shacl_scope(dataset)
    say(f"validating {len(dataset.entries)} records"
        + (f" (the {len(scope)} that changed or refer to them; the others were found valid before)"
           if scope is not None else ""))
    report = checks.validate(dataset, scope=scope)
    if not report.ok:
        raise InvalidData(report.problems)
    _remember_valid(fingerprint, dataset)


def _clean_state(dataset: Dataset) -> Path:
    """Where the file versions of the last clean verdict on this folder, under this version of
    the code and the ontology, are remembered."""
    digest = hashlib.sha256(__version__.encode() + str(dataset.directory.resolve()).encode())
    for module in _CHECKING_MODULES:
        digest.update((Path(__file__).parent / module).read_bytes())
    for path in sorted(resource_dir("ontology").glob("*.ttl")):
        digest.update(path.read_bytes())
    return verdict_cache() / "clean" / digest.hexdigest()


def _shacl_scope(dataset: Dataset) -> set[str] | None:
    """The record ids SHACL must check, when the last clean verdict on this folder was given to
    file versions whose records are still cached: what the changed files state, before and
    after, and what refers to it. ``None`` (check everything) otherwise, or when the
    bibliography or an unreadable file changed."""
    from . import load
    from . import validate as checks

    try:
        before = json.loads(_clean_state(dataset).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    now = dataset.file_keys
    if not isinstance(before, dict) or "" in now.values():
        return None
    changed = {f for f in set(before) | set(now) if before.get(f) != now.get(f)}
    if any(Path(f).name == SOURCES_FILE for f in changed):
        return None
    new = [e for e in dataset.entries if e.file in changed]
    old: list = []
    for name in changed & set(before):
        records = load.cached_records(verdict_cache(), before[name])
        if records is None:
            return None
        old += [e for e in records if not e.record.draft]
    ids = {e.record.id for e in new + old}
    return checks.shacl_scope(dataset, ids, retyped={rid for rid, *_ in _typings(old) ^ _typings(new)})


def _typings(entries: list) -> set[tuple]:
    """What the ``rdf:type`` of each record rests on, as these entries state it: (id, kind, type)."""
    return {(e.record.id, e.kind, getattr(e.record, "type", None)) for e in entries}


def _remember_valid(fingerprint: str, dataset: Dataset | None = None) -> None:
    if fingerprint:
        try:
            atomic_write(verdict_cache() / "valid" / fingerprint, "valid, SHACL included\n")
            if dataset is not None:
                atomic_write(_clean_state(dataset), json.dumps(dataset.file_keys, indent=1, sort_keys=True))
        except OSError:
            pass  # a cache that cannot be written only costs time


def check_data(data: Path | str | None = None, on_file: Callable[[int, int, str], None] | None = None,
               texts: Path | None = None, engine: str = "oxigraph") -> Report:
    """What ``paradiplo validate`` reports: every check, SHACL included (by ``engine``, one of
    :data:`graph.shacl.ENGINES`), always run in full.

    A clean verdict is remembered (see :func:`verdict_cache`), so that the commands run next on
    the same files, ontology and code do not run SHACL again.
    """
    from . import load
    from . import validate as checks

    directory = Path(data) if data is not None else bundled_data_dir()
    fingerprint = _fingerprint(directory) if directory.is_dir() else ""
    dataset = load.load_dataset(directory, on_file=on_file, cache=verdict_cache())
    report = checks.validate(dataset, texts=texts, engine=engine)
    if report.ok and report.shacl_checked:
        _remember_valid(fingerprint, dataset)
    return report


def _reusable(folder: Path, fingerprint: str) -> bool:
    manifest = folder / "paradiplo-store.json"
    if not (fingerprint and manifest.is_file() and (folder / "oxigraph").is_dir()):
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint") == fingerprint
    except (OSError, ValueError):
        return False


def _build_store(folder: Path, parts: dict[str, list[bytes]], digests: dict[str, str], fingerprint: str,
                 directory: Path, say: Callable[[str], None]) -> ox.Store:
    """Make the store in ``folder`` hold the named graphs ``parts`` (:func:`graph.rdf.graph_parts`,
    with their ``digests``: :func:`graph.rdf.parts_digest`) and their union.

    A store built by this version of paradiplo is updated in place when the named graphs that
    changed hold at most a quarter of the quads: only those are replaced (see
    :func:`_replace_graphs`). Otherwise a fresh store is bulk-loaded beside the old one and swapped in.
    """
    from . import rdf

    folder.mkdir(parents=True, exist_ok=True)
    remove_dead_leftovers(  # stores killed runs left half-built or renamed away
        folder, r"oxigraph\.(?P<old>old\.)?(?P<pid>\d+)(?(old)|\.[a-z0-9_]+)")
    target, manifest = folder / "oxigraph", folder / "paradiplo-store.json"
    before = _manifest(manifest)
    old = before.get("graphs") if before.get("version") == __version__ and before.get("layout") == _LAYOUT else None
    changed = sorted(g for g in set(old) | set(parts) if old.get(g) != digests.get(g)) if isinstance(old, dict) else []
    size = {g: sum(map(len, p)) for g, p in parts.items()}
    if target.is_dir() and isinstance(old, dict) and 4 * sum(size.get(g, 0) for g in changed) <= sum(size.values()):
        manifest.unlink()  # killed while replacing, the store is rebuilt in full next time
        _replace_graphs(target, parts, changed)
        say(f"replaced {len(changed)} of {len(parts)} named graphs")
    else:
        fresh = Path(tempfile.mkdtemp(prefix=f"oxigraph.{os.getpid()}.", dir=folder))
        rdf.load_store(parts, fresh).flush()  # and closed: nothing holds the store after this
        old_store = folder / f"oxigraph.old.{os.getpid()}"
        if target.exists():
            os.replace(target, old_store)
        os.replace(fresh, target)
        shutil.rmtree(old_store, ignore_errors=True)
    atomic_write(manifest, json.dumps({"fingerprint": fingerprint, "data": str(directory.resolve()),
                                       "version": __version__, "layout": _LAYOUT, "graphs": digests},
                                      indent=2) + "\n")
    return ox.Store.read_only(str(target))


#: how the manifest's graph digests are made (:func:`graph.rdf.parts_digest`)
_LAYOUT = "parts-1"


def _manifest(path: Path) -> dict:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _replace_graphs(target: Path, parts: dict[str, list[bytes]], changed: list[str]) -> None:
    """Replace, in the on-disk store at ``target``, the named graphs ``changed`` (new or gone ones
    included) by their ``parts``, and keep the default graph the union of the named graphs, as a set.

    Only the quads that differ are removed, then added: an edit of one label touches a few
    quads of a graph of thousands (a SPARQL update taking the whole graph out of the union took
    1 s at 1M triples). They are compared as N-Quads lines, the store's written by Oxigraph; a
    quad Oxigraph writes otherwise (a tab in a literal, a double such as ``1e-05``) is removed
    and added again, which is why removal comes first. A triple leaves the union only when no
    other graph states it; a graph no file states any more leaves the store.
    """
    from . import rdf

    store = ox.Store(str(target))
    for g in changed:
        name = ox.NamedNode(g)
        old = set(_dumped(store, name).splitlines(keepends=True))
        new = {line for part in parts.get(g, []) for line in part.splitlines(keepends=True)}
        for q in ox.parse(b"".join(sorted(old - new)), format=ox.RdfFormat.N_QUADS):
            store.remove(q)
            if not any(isinstance(o.graph_name, ox.NamedNode)
                       for o in store.quads_for_pattern(q.subject, q.predicate, q.object)):
                store.remove(ox.Quad(q.subject, q.predicate, q.object))
        if g not in parts:
            store.remove_graph(name)
        added = b"".join(sorted(new - old))
        store.load(added, format=ox.RdfFormat.N_QUADS)
        store.load(rdf.union_lines(added, g), format=ox.RdfFormat.N_QUADS)
    store.flush()


def open_graph(data: Path | str | None = None, store: Path | str | None = None,
               progress: Callable[[str], None] | None = None,
               on_file: Callable[[int, int, str], None] | None = None) -> KnowledgeGraph:
    """Load, check and build a data folder (the bundled data by default).

    The data are checked exactly as ``paradiplo validate`` checks them, SHACL included: no
    command accepts data that ``validate`` rejects. The verdict on valid data is remembered
    under :func:`verdict_cache`, keyed by :func:`_fingerprint`, so SHACL runs once per change.

    Parameters
    ----------
    store
        A folder for a persistent on-disk store: built on first use, reused while the data,
        the ontology and paradiplo's code are unchanged, rebuilt automatically otherwise.
    progress
        Called with a short message at each stage (the CLI shows them on stderr).
    on_file
        Called after each data file is read (see :func:`graph.load.load_dataset`).

    Raises
    ------
    InvalidData
        With every problem found, when the data cannot be trusted.
    """
    from . import load, rdf

    say = progress or (lambda message: None)
    directory = Path(data) if data is not None else bundled_data_dir()
    fingerprint = _fingerprint(directory) if directory.is_dir() else ""
    if store is not None and _reusable(Path(store), fingerprint):
        say(f"reusing the store in {store}")
        return KnowledgeGraph(store=ox.Store.read_only(str(Path(store) / "oxigraph")))
    dataset, parts = None, rdf.cached_parts(directory, verdict_cache()) if _known_valid(fingerprint) else None
    if parts is not None:
        say(f"reading {directory}: every file was checked before (SHACL verdict cached) and its RDF is cached")
    else:
        say(f"reading {directory}")
        dataset = load.load_dataset(directory, on_file=on_file, cache=verdict_cache())
        _check(dataset, fingerprint, say)
        say("building the RDF dataset")
        parts = rdf.graph_parts(dataset)
    records = None if dataset is not None else (lambda: load.load_dataset(directory, cache=verdict_cache()))
    if store is None:
        return KnowledgeGraph(parts=parts, dataset=dataset, records=records, cache=verdict_cache())
    digests = {g: rdf.parts_digest(p) for g, p in parts.items()}
    built = _build_store(Path(store), parts, digests, fingerprint, directory, say)
    say(f"built the store in {store}")
    return KnowledgeGraph(parts=parts, store=built, dataset=dataset, records=records, cache=verdict_cache(),
                          digests=digests)
