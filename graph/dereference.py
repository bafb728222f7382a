"""Dereferenceable IRIs for :mod:`graph.server`: ``/id/<id>``, ``/source/<id>``, ``/graph/<source>``
and ``/ontology`` answered directly (``200``, never a redirect) in the media type the client
prefers, with ``Vary: Accept``.

A record's triples are those :func:`graph.publish.record_triples` gives (in every named graph,
the triples whose subject is the record or one of its attestations); ``text/html`` is the page
``paradiplo publish`` writes for it, whose links are the static site's relative paths.
A path is looked up among the dataset's ids, never used as a file name.
"""

from __future__ import annotations

import threading
from typing import Iterable

import pyoxigraph as ox

from .provenance import conflicts
from .publish import record_page, site_model
from .rdf import GRAPH, ONTOLOGY_GRAPH, PREFIXES
from .store import KnowledgeGraph

__all__ = ["RDF_TYPES", "FORMAT_NAMES", "Dereferencer"]

#: media type → pyoxigraph RDF format
RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: ``?format=`` value → media type
FORMAT_NAMES = {"html": "text/html", "ttl": "text/turtle", "nt": "application/n-triples",
                "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}


def rdf_body(triples: Iterable[ox.Triple], media: str) -> bytes:
    """Sorted, deduplicated triples in ``media`` (Turtle with the prefixes of :data:`PREFIXES`)."""
    fmt = RDF_TYPES[media]
    prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
    return ox.serialize(sorted(set(triples), key=str), format=fmt, prefixes=prefixes)


class Dereferencer:
    """What ``/id``, ``/source``, ``/graph`` and ``/ontology`` answer, read from ``store``
    once, at the first request."""

    def __init__(self, store: ox.Store):
        self._store, self._lock, self._cache = store, threading.Lock(), None

    def _state(self):
        with self._lock:
            if self._cache is None:
                site = site_model(KnowledgeGraph(store=self._store), "paradiplo serve")
                graphs = {str(g.value) for g in self._store.named_graphs()}
                disputes: dict[str, list] = {}
                for row in conflicts(self._store):
                    disputes.setdefault(row["record"], []).append(row)
                self._cache = (site, graphs, disputes)
            return self._cache

    def find(self, path: str) -> tuple[tuple[str, str] | None, list[ox.Triple]] | None:
        """The page key (or None: no HTML page) and the triples of ``path``; None if unknown."""
        site, graphs, _ = self._state()
        folder, _, rest = path.strip("/").partition("/")
        if folder == "ontology" and not rest:
            return None, self._graph(ONTOLOGY_GRAPH)
        if folder == "graph" and GRAPH + rest in graphs and rest != "ontology":
            key = ("source", rest)
            return (key if key in site.pages else None), self._graph(GRAPH + rest)
        if folder in ("id", "source") and (folder, rest) in site.pages:
            quads = [q for qs in site.pages[(folder, rest)].values() for q in qs]
            return (folder, rest), [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return None

    def _graph(self, name: str) -> list[ox.Triple]:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))]

    def page(self, key: tuple[str, str]) -> str:
        """The HTML page ``paradiplo publish`` writes for ``key``."""
        site, _, disputes = self._state()
        return record_page(site, key, disputes)
