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
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import pyoxigraph as ox

from ._version import __version__
from .analysis import parse_periods, period_counts, typology
from .errors import InvalidData
from .files import atomic_write, remove_dead_leftovers
from .load import Dataset, UnreadableFile, bundled_data_dir, data_files, load_dataset, open_data_file, resource_dir
from .project import Filters, Tie, actor_graph, actors, borders, rollup, ties
from .rdf import dataset_nquads, load_store, parse_nquads, split_nquad
from .validate import Report, validate

__all__ = ["KnowledgeGraph", "open_graph", "verdict_cache"]


class KnowledgeGraph:
    """A validated dataset and its RDF store; every analysis reads the store.

    Made by :func:`open_graph` either from records (``nquads``) or from a persistent
    store built earlier (``store``); each side is derived from the other when needed.
    """

    def __init__(self, nquads: bytes | None = None, store: ox.Store | None = None, dataset: Dataset | None = None):
        if nquads is None and store is None:
            raise ValueError("a KnowledgeGraph needs N-Quads or a store")
        self._nquads, self._store, self.dataset = nquads, store, dataset

    @cached_property
    def nquads(self) -> bytes:
        """The named graphs as N-Quads, sorted by graph then text (as :func:`dataset_nquads`)."""
        if self._nquads is not None:
            return self._nquads
        named = (q for q in self.store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
        text = ox.serialize(named, format=ox.RdfFormat.N_QUADS).decode("utf-8")
        lines = [line + "\n" for line in text.splitlines() if line]
        return "".join(sorted(lines, key=lambda line: (split_nquad(line)[1], line))).encode()

    @cached_property
    def quads(self) -> list[ox.Quad]:
        """Every quad, sorted by graph (the named graphs; not the union default graph)."""
        return parse_nquads(self.nquads)

    @cached_property
    def store(self) -> ox.Store:
        return self._store if self._store is not None else load_store(self.nquads)

    def actor_graph(self, filters: Filters = Filters(), level: str = "actor") -> nx.Graph:
        """The actor–actor network (see :func:`graph.project.actor_graph`)."""
        return actor_graph(self.store, filters, level)

    def ties(self, filters: Filters = Filters()) -> list[Tie]:
        """Agreements, forums and visits with their members (see :func:`graph.project.ties`)."""
        return ties(self.store, filters)

    def graphs_by_period(self, periods: str | list[tuple[int, int]], filters: Filters = Filters(),
                         level: str = "actor") -> dict[str, nx.Graph]:
        """Period label → actor graph of the ties certainly in that period (every date a source
        gives lies inside it; see :meth:`period_counts` for those that only overlap it)."""
        spans = parse_periods(periods) if isinstance(periods, str) else periods
        return {f"{a}-{b}": self.actor_graph(replace(filters, since=a, until=b), level) for a, b in spans}

    def period_counts(self, periods: str | list[tuple[int, int]], filters: Filters = Filters()) -> list[dict]:
        """Per period, the ties certainly in it and those only overlapping it, and the undated
        ties (see :func:`graph.analysis.periods.period_counts`); ``since``/``until`` are ignored."""
        spans = parse_periods(periods) if isinstance(periods, str) else periods
        return period_counts(self.ties(replace(filters, since=None, until=None)), spans)

    def map(self, filters: Filters = Filters(), level: str = "actor", **options: Any) -> str:
        """A self-contained HTML map of the actor network (see :func:`graph.maps.map_page`)."""
        from .maps import map_page

        return map_page(self, filters, level, **options)

    def typology(self, filters: Filters = Filters(), periods: str | None = None) -> dict:
        """Transborder / transregional / global ties, with shares by period (Duchacek)."""
        info = actors(self.store)
        return typology(self.ties(filters), info, rollup(self.store, info, "region"), borders(self.store),
                        parse_periods(periods) if periods else None)


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
_CHECKING_MODULES = ("records.py", "load.py", "validate.py", "quotes.py", "rdf.py", "errors.py")


def verdict_cache() -> Path:
    """Where verdicts on valid data are remembered: ``$PARADIPLO_CACHE``, else
    ``$XDG_CACHE_HOME/paradiplo``, else ``~/.cache/paradiplo``."""
    if os.environ.get("PARADIPLO_CACHE"):
        return Path(os.environ["PARADIPLO_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "paradiplo"


def _known_valid(fingerprint: str) -> bool:
    return bool(fingerprint) and (verdict_cache() / "valid" / fingerprint).is_file()


def _remember_valid(fingerprint: str) -> None:
    if fingerprint:
        try:
            atomic_write(verdict_cache() / "valid" / fingerprint, "valid, SHACL included\n")
        except OSError:
            pass  # a cache that cannot be written only costs time


def _check(dataset: Dataset, fingerprint: str, say: Callable[[str], None]) -> Report:
    """The one verdict: the checks of ``paradiplo validate``, SHACL included; SHACL is skipped
    only when these very files, ontology and code were found valid before."""
    known = _known_valid(fingerprint)
    say(f"validating {len(dataset.entries)} records" + (" (SHACL verdict cached)" if known else ""))
    report = validate(dataset, shacl=not known)
    if not report.ok:
        raise InvalidData(report.problems)
    if not known:
        _remember_valid(fingerprint)
    return report


def _reusable(folder: Path, fingerprint: str) -> bool:
    manifest = folder / "paradiplo-store.json"
    if not (fingerprint and manifest.is_file() and (folder / "oxigraph").is_dir()):
        return False
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint") == fingerprint
    except (OSError, ValueError):
        return False


def _build_store(folder: Path, nquads: bytes, fingerprint: str, directory: Path) -> ox.Store:
    """Load ``nquads`` into a fresh on-disk store and swap it in for the old one."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_dead_leftovers(  # stores killed runs left half-built or renamed away
        folder, r"oxigraph\.(?P<old>old\.)?(?P<pid>\d+)(?(old)|\.[a-z0-9_]+)")
    fresh = Path(tempfile.mkdtemp(prefix=f"oxigraph.{os.getpid()}.", dir=folder))
    load_store(nquads, fresh).flush()  # and closed: nothing holds the store after this line
    target = folder / "oxigraph"
    old = folder / f"oxigraph.old.{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)
    atomic_write(folder / "paradiplo-store.json",
                 json.dumps({"fingerprint": fingerprint, "data": str(directory.resolve()),
                             "version": __version__}, indent=2) + "\n")
    return ox.Store.read_only(str(target))


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
    say = progress or (lambda message: None)
    directory = Path(data) if data is not None else bundled_data_dir()
    fingerprint = _fingerprint(directory) if directory.is_dir() else ""
    if store is not None and _reusable(Path(store), fingerprint):
        say(f"reusing the store in {store}")
        return KnowledgeGraph(store=ox.Store.read_only(str(Path(store) / "oxigraph")))
    say(f"reading {directory}")
    dataset = load_dataset(directory, on_file=on_file)
    _check(dataset, fingerprint, say)
    say("building the RDF dataset")
    nquads = dataset_nquads(dataset)
    if store is None:
        return KnowledgeGraph(nquads=nquads, dataset=dataset)
    built = _build_store(Path(store), nquads, fingerprint, directory)
    say(f"built the store in {store}")
    return KnowledgeGraph(nquads=nquads, store=built, dataset=dataset)
