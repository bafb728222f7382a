"""Dereferenceable IRIs for :mod:`graph.server`: what ``paradiplo serve`` answers for the
dataset's resources and documents.

*Resources* are the IRIs the dataset mints: ``/id/<id>`` (a record), ``/id/<id>/evidence/<source>/<n>``
(an attestation: a quote with its locator), ``/source/<id>``, ``/graph/<source>`` (a named graph)
and ``/ontology``. Each has *documents*, one per media type, at the resource's path plus an
extension (:data:`FORMAT_NAMES`): ``/id/omsk-oblast.ttl``, ``/id/omsk-oblast.html``… The server
answers a resource in the media type the client prefers, either directly (``200``, with
``Content-Location`` naming the document) or, with ``--redirect 303``, by ``303 See Other`` to
that document. An attestation has no page of its own: its HTML is its record's page at the
quote's anchor, always reached by ``303``.

A record's triples are those :func:`graph.publish.record_triples` gives (in every named graph,
the triples whose subject is the record or one of its attestations); an attestation's are the
triples about it and the one naming it. The HTML of a record, source or the ontology is the page
``paradiplo publish`` writes, and the site's other files (:data:`graph.publish.SITE_FILES`: index,
ontology page, VoID, dumps) are served at the same paths as in the published site, so every
relative link of a served page resolves. A path is looked up among the dataset's ids and the
site's file names, never used as a file name.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Iterable

import pyoxigraph as ox

from .publish import SITE_FILES, Site, page_disputes, record_page, site_file, site_model
from .rdf import GRAPH, ID, ONTOLOGY_GRAPH, PREFIXES, SOURCE
from .store import KnowledgeGraph

__all__ = ["RDF_TYPES", "FORMAT_NAMES", "SITE_TYPES", "Resource", "Dereferencer", "rdf_body"]

#: media type → pyoxigraph RDF format
RDF_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
#: ``?format=`` value and document extension → media type
FORMAT_NAMES = {"html": "text/html", "ttl": "text/turtle", "nt": "application/n-triples",
                "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
#: extension of a site file → its media type
SITE_TYPES = {"html": "text/html", "ttl": "text/turtle", "trig": "application/trig", "nq": "application/n-quads",
              "jsonld": "application/ld+json"}


def rdf_body(triples: Iterable[ox.Triple], media: str) -> bytes:
    """Sorted, deduplicated triples in ``media`` (Turtle with the prefixes of :data:`PREFIXES`)."""
    fmt = RDF_TYPES[media]
    prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
    return ox.serialize(sorted(set(triples), key=str), format=fmt, prefixes=prefixes)


@dataclass(frozen=True)
class Resource:
    """A resource the server dereferences: its path (``/id/omsk-oblast``), its triples, its HTML
    page (``None``: none) or, for a part of a page (an attestation), the page's URL and anchor."""

    path: str
    triples: list[ox.Triple]
    page: Callable[[], str] | None = None
    part_of: str | None = None

    @property
    def media(self) -> list[str]:
        """The media types it is answered in: HTML (if it has a page or is part of one), then RDF."""
        return (["text/html"] if self.page or self.part_of else []) + sorted(RDF_TYPES)


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


class Dereferencer:
    """What the dataset's resources, their documents and the site's files are, read from
    ``store`` once, at the first request."""

    def __init__(self, store: ox.Store):
        self._store, self._lock, self._cache = store, threading.Lock(), None
        self._files: dict[str, bytes] = {}

    def _state(self) -> tuple[KnowledgeGraph, Site, frozenset[str], dict[str, list]]:
        with self._lock:
            if self._cache is None:
                kg = KnowledgeGraph(store=self._store)
                graphs = frozenset(str(g.value) for g in self._store.named_graphs())
                self._cache = (kg, site_model(kg, "paradiplo serve"), graphs, page_disputes(kg))
            return self._cache

    def resource(self, path: str) -> Resource | None:
        """The resource at ``path`` (``/id/<id>``, ``/id/<id>/evidence/…``, ``/source/<id>``,
        ``/graph/<source>``, ``/ontology``); ``None`` if the dataset has none there."""
        kg, site, graphs, disputes = self._state()
        folder, _, rest = path.strip("/").partition("/")
        path = "/" + path.strip("/")
        if folder == "ontology" and not rest:
            return Resource(path, self._graph(ONTOLOGY_GRAPH), lambda: site_file(kg, site, "ontology.html"))
        if folder == "graph" and GRAPH + rest in graphs and rest != "ontology":
            key = ("source", rest)
            page = (lambda: record_page(site, key, disputes)) if key in site.pages else None
            return Resource(path, self._graph(GRAPH + rest), page)
        record, _, part = rest.partition("/")
        key = (folder, record)
        if folder not in ("id", "source") or key not in site.pages:
            return None
        quads = [q for qs in site.pages[key].values() for q in qs]
        if not part:
            return Resource(path, _triples(quads), lambda: record_page(site, key, disputes))
        iri = (ID if folder == "id" else SOURCE) + rest
        about = [q for q in quads if q.subject.value == iri]
        if not about:
            return None
        naming = [q for q in quads if isinstance(q.object, ox.NamedNode) and q.object.value == iri]
        return Resource(path, _triples(about + naming), part_of=site.href(iri, "/"))

    def document(self, path: str) -> tuple[Resource, str] | None:
        """``(resource, media type)`` for a document path such as ``/id/omsk-oblast.ttl``."""
        stem, dot, extension = path.rpartition(".")
        media = FORMAT_NAMES.get(extension) if dot else None
        resource = self.resource(stem) if media and "." not in stem else None
        if resource is None or media not in resource.media or (media == "text/html" and not resource.page):
            return None
        return resource, media

    def site_file(self, path: str) -> tuple[bytes, str] | None:
        """``(content, media type)`` of the published site's file at ``path`` (``/index.html``,
        ``/void.ttl``, the dumps), made at its first request; ``None`` for any other path."""
        name = path.lstrip("/")
        if name not in SITE_FILES or name == "ontology.html":  # the ontology's page is a document
            return None
        kg, site, _, _ = self._state()
        with self._lock:
            if name not in self._files:
                content = site_file(kg, site, name)
                self._files[name] = content.encode("utf-8") if isinstance(content, str) else content
        return self._files[name], SITE_TYPES[name.rpartition(".")[2]]

    def _graph(self, name: str) -> list[ox.Triple]:
        return _triples(self._store.quads_for_pattern(None, None, None, ox.NamedNode(name)))
