"""The static Linked Data site: one HTML page per record and per source, an index with offline
search, the ontology as HTML, the dumps and a VoID/DCAT description.

Everything is read from the store's quads (the single source of truth), computed in memory and
written as a whole (:func:`graph.files.atomic_write_folder`). Pages are self-contained (inline
CSS, one small inline script on the index), link to each other by relative paths (they work from
``file://`` and any static host) and embed the record's statements as JSON-LD.

*A record's triples* (what its page shows and embeds) are, in each named graph, the triples whose
subject is the record's IRI or one of its attestations (``<record>/evidence/<source>/<n>``).

Examples
--------
>>> from graph import open_graph
>>> files = site_files(open_graph())
>>> "id/omsk-oblast.html" in files and "index.html" in files and "void.ttl" in files
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyoxigraph as ox
from markupsafe import Markup

from ._version import __version__
from .ego import MAX_NEIGHBOURS, ego_svg
from .files import atomic_write_folder
from .provenance import conflicts, stats
from .rdf import DCTERMS, GRAPH, ID, ONTOLOGY_GRAPH, PD, PREFIXES, RDF, RDFS, SKOS, SOURCE, XSD
from .records import GENERAL_KNOWLEDGE, KIND_MODELS
from .store import KnowledgeGraph
from .tables import csv_tables, table_sheets
from .templates import render

__all__ = ["Site", "site_model", "record_page", "site_files", "site_file", "SITE_FILES", "page_disputes", "write_site", "w3id_htaccess", "record_triples", "jsonld", "data_version", "void_description",
           "DATASET_IRI", "BIBLIOGRAPHIC"]

DATASET_IRI = "https://w3id.org/paradiplo/dataset"
_TYPE = RDF + "type"
_OWL = PREFIXES["owl"]
_LABELS = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title")
#: the top classes a page's kind is read from: one per kind of record (graph.records.KIND_MODELS), and Source
_TOPS = tuple(sorted(model.__name__ for model in KIND_MODELS.values())) + ("Source",)
_DUMPS = {"dataset.trig": "trig", "dataset.nq": "nq", "dataset.jsonld": "jsonld"}
_MEDIA = {"trig": "application/trig", "nq": "application/n-quads", "jsonld": "application/ld+json"}
#: source property → the key :func:`graph.publish` and ``paradiplo cite`` give it
BIBLIOGRAPHIC = {DCTERMS + "creator": "authors", DCTERMS + "title": "title", DCTERMS + "issued": "year",
                 PD + "journal": "journal", "http://schema.org/volumeNumber": "volume",
                 "http://schema.org/issueNumber": "issue", "http://schema.org/pagination": "pages",
                 DCTERMS + "identifier": "identifier"}


def _owner(iri: str) -> tuple[str, str] | None:
    """The page an IRI belongs to: ``("id", record)`` for a record or its attestations,
    ``("source", id)`` for a source; ``None`` for anything else."""
    for folder, base in (("id", ID), ("source", SOURCE)):
        if iri.startswith(base) and len(iri) > len(base):
            return folder, iri[len(base):].split("/", 1)[0]
    return None


def record_triples(quads: list[ox.Quad]) -> dict[tuple[str, str], dict[str, list[ox.Quad]]]:
    """Page key ``(folder, id)`` → named graph IRI → the record's quads there (see the module
    docstring), for every IRI under ``id/`` or ``source/`` that has a type in some graph."""
    owned: dict[tuple[str, str], dict[str, list[ox.Quad]]] = defaultdict(lambda: defaultdict(list))
    typed = set()
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode) or isinstance(q.graph_name, ox.DefaultGraph):
            continue
        key = _owner(q.subject.value)
        if key is None:
            continue
        owned[key][q.graph_name.value].append(q)
        if q.predicate.value == _TYPE and q.subject.value == (ID if key[0] == "id" else SOURCE) + key[1]:
            typed.add(key)
    return {key: dict(sorted(owned[key].items())) for key in sorted(typed)}


def compact(iri: str) -> str:
    """``iri`` as a prefixed name (longest namespace of :data:`graph.rdf.PREFIXES` first), or itself."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("/"):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _json_term(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return term.value
    return {"@value": term.value, "@type": compact(term.datatype.value)}


def jsonld(graphs: dict[str, list[ox.Quad]]) -> dict[str, Any]:
    """A record's quads (graph IRI → quads) as JSON-LD: one named graph per source, prefixed names
    under a compact ``@context`` (the prefixes of :data:`graph.rdf.PREFIXES`)."""
    named = []
    for g, quads in graphs.items():
        nodes: dict[str, dict[str, Any]] = {}
        for q in quads:
            node = nodes.setdefault(q.subject.value, {"@id": compact(q.subject.value)})
            if q.predicate.value == _TYPE and isinstance(q.object, ox.NamedNode):
                node.setdefault("@type", []).append(compact(q.object.value))
            else:
                node.setdefault(compact(q.predicate.value), []).append(_json_term(q.object))
        named.append({"@id": compact(g), "@graph": [nodes[s] for s in sorted(nodes)]})
    return {"@context": dict(sorted(PREFIXES.items())), "@graph": named}


def data_version(kg: KnowledgeGraph) -> str:
    """paradiplo's version and the first 12 hex digits of the dataset's SHA-256 (its sorted N-Quads)."""
    return f"{__version__}+{hashlib.sha256(kg.nquads).hexdigest()[:12]}"


@dataclass
class Site:
    """What every page needs: labels, kinds, pages, ontology terms."""
    pages: dict[tuple[str, str], dict[str, list[ox.Quad]]]
    labels: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    terms: dict[str, dict[str, Any]] = field(default_factory=dict)
    incoming: dict[str, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    version: str = ""
    command: str = ""
    tables: dict[str, bytes] = field(default_factory=dict)

    def href(self, iri: str, root: str) -> str | None:
        """Relative link to the page of ``iri`` (a record, source, graph or ontology term)."""
        if iri.startswith(GRAPH) and ("source", iri[len(GRAPH):]) in self.pages:
            iri = SOURCE + iri[len(GRAPH):]
        if iri == ONTOLOGY_GRAPH or iri in self.terms:
            return f"{root}ontology.html" + (f"#{iri[len(PD):]}" if iri in self.terms else "")
        key = _owner(iri)
        if key not in self.pages:
            return None
        rest = iri[len(ID if key[0] == "id" else SOURCE) + len(key[1]):]
        return f"{root}{key[0]}/{key[1]}.html" + ("#" + rest[1:].replace("/", "-") if rest else "")


def _ontology_terms(quads: list[ox.Quad]) -> dict[str, dict[str, Any]]:
    """Every class and property the ontology graph declares: labels by language, definitions,
    and its links (subclass of, domain, range, sub-property of)."""
    kinds = {_OWL + "Class": "class", _OWL + "ObjectProperty": "property", _OWL + "DatatypeProperty": "property",
             _OWL + "AnnotationProperty": "property", RDF + "Property": "property"}
    links = {RDFS + "subClassOf": "subclass of", RDFS + "subPropertyOf": "sub-property of",
             RDFS + "domain": "domain", RDFS + "range": "range", _OWL + "inverseOf": "inverse of"}
    mine = [q for q in quads if q.graph_name.value == ONTOLOGY_GRAPH and q.subject.value.startswith(PD)]
    terms = {q.subject.value: {"iri": q.subject.value, "name": q.subject.value[len(PD):], "kind": kinds[q.object.value],
                               "labels": {}, "definitions": [], "links": []}
             for q in mine if q.predicate.value == _TYPE and q.object.value in kinds}
    for q in mine:
        term = terms.get(q.subject.value)
        if term is None:
            continue
        p = q.predicate.value
        if p == RDFS + "label":
            term["labels"][q.object.language or ""] = q.object.value
        elif p in (SKOS + "definition", RDFS + "comment"):
            term["definitions"].append({"lang": q.object.language or "", "text": q.object.value})
        elif p in links and isinstance(q.object, ox.NamedNode):
            term["links"].append((links[p], q.object.value))
    return dict(sorted(terms.items()))


def _label(graphs: dict[str, list[ox.Quad]], iri: str) -> str:
    """The English label (rdfs:label, skos:prefLabel or dcterms:title), else any label, else ''."""
    found = sorted((q.object.language != "en", _LABELS.index(q.predicate.value), q.object.value)
                   for quads in graphs.values() for q in quads
                   if q.subject.value == iri and q.predicate.value in _LABELS[:2] + _LABELS[3:])
    return found[0][2] if found else ""


def _kind(types: set[str], parents: dict[str, set[str]]) -> str:
    """The top class above ``types``: a kind of record's model name (:data:`_TOPS`), or ``Other``."""
    seen, todo = set(), list(types)
    while todo:
        t = todo.pop()
        if t.startswith(PD) and t[len(PD):] in _TOPS:
            return t[len(PD):]
        if t not in seen:
            seen.add(t)
            todo.extend(parents.get(t, ()))
    return "Other"


def table_files(kg: KnowledgeGraph) -> dict[str, bytes]:
    """``tables/<kind>.csv`` → the records as CSV tables (:mod:`graph.tables`, as ``paradiplo export
    --format csv-tables`` writes them); none for a graph opened from a store alone (no records)."""
    if kg.dataset is None:
        return {}
    return {f"tables/{name}": content for name, content in sorted(csv_tables(table_sheets(kg.dataset)).items())}


def site_model(kg: KnowledgeGraph, command: str) -> Site:
    """Labels, kinds, incoming links and ontology terms of every page, read once from the quads."""
    quads = kg.quads
    site = Site(pages=record_triples(quads), terms=_ontology_terms(quads), version=data_version(kg), command=command,
                tables=table_files(kg))
    parents: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == RDFS + "subClassOf" and isinstance(q.object, ox.NamedNode):
            parents[q.subject.value].add(q.object.value)
    for (folder, rid), graphs in site.pages.items():
        iri = (ID if folder == "id" else SOURCE) + rid
        site.labels[iri] = _label(graphs, iri) or rid
        site.kinds[iri] = _kind({q.object.value for qs in graphs.values() for q in qs
                                 if q.subject.value == iri and q.predicate.value == _TYPE}, parents)
    for q in quads:
        if (isinstance(q.object, ox.NamedNode) and q.object.value in site.labels
                and _owner(q.subject.value) != _owner(q.object.value) and q.predicate.value != PD + "source"
                and not isinstance(q.graph_name, ox.DefaultGraph)):
            site.incoming[q.object.value].append(q)
    return site


def _term(site: Site, term: Any, root: str) -> dict[str, str]:
    """A term as a page shows it: its text, a link (if it has a page), language or datatype."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(GRAPH) and SOURCE + iri[len(GRAPH):] in site.labels:
            iri = SOURCE + iri[len(GRAPH):]
        known = site.terms.get(iri, {}).get("labels", {}).get("en") or site.labels.get(iri)
        return {"text": known or compact(iri), "href": site.href(iri, root) or "", "note": "", "lang": ""}
    note = "" if term.language or term.datatype.value == XSD + "string" else compact(term.datatype.value)
    return {"text": term.value, "href": "", "note": note, "lang": term.language or ""}


def _prop(site: Site, iri: str, root: str) -> dict[str, str]:
    term = site.terms.get(iri)
    text = term["labels"].get("en", compact(iri)) if term else compact(iri)
    return {"text": text, "iri": compact(iri), "href": site.href(iri, root) or "", "lang": "", "note": ""}


def _groups(site: Site, iri: str, graphs: dict[str, list[ox.Quad]], root: str) -> list[dict[str, Any]]:
    """The record's statements, one group per named graph (source): properties with their values,
    then the attestations (locator and verbatim quote)."""
    groups = []
    for g, quads in graphs.items():
        props: dict[str, list] = defaultdict(list)
        evidence: dict[str, dict[str, Any]] = {}
        for q in quads:
            if q.subject.value == iri:
                if q.predicate.value != PD + "evidence":
                    props[q.predicate.value].append(_term(site, q.object, root))
                continue
            att = evidence.setdefault(q.subject.value, {"anchor": q.subject.value[len(iri) + 1:].replace("/", "-"),
                                                        "locator": "", "quote": "", "lang": ""})
            if q.predicate.value == PD + "locator":
                att["locator"] = q.object.value
            elif q.predicate.value == PD + "quote":
                att["quote"], att["lang"] = q.object.value, q.object.language or ""
        groups.append({"source": _term(site, ox.NamedNode(g), root), "graph": g,
                       "statements": [{"prop": _prop(site, p, root), "objects": v} for p, v in sorted(props.items())],
                       "attestations": [evidence[a] for a in sorted(evidence, key=_natural)]})
    return groups


def _natural(iri: str) -> tuple:
    """Sort key putting ``…/evidence/s/2`` before ``…/evidence/s/10``."""
    head, _, n = iri.rpartition("/")
    return (head, int(n)) if n.isdigit() else (iri, 0)


def _ties(site: Site, iri: str, root: str) -> list[dict[str, Any]]:
    """The statements of other records about this one (links back), with the source saying each."""
    rows = {(q.subject.value, q.predicate.value, q.graph_name.value) for q in site.incoming.get(iri, [])}
    return [{"record": _term(site, ox.NamedNode(s), root), "prop": _prop(site, p, root),
             "source": _term(site, ox.NamedNode(g), root)}
            for s, p, g in sorted(rows, key=lambda r: (site.labels.get(r[0], r[0]), r[1], r[2]))]


def _labels(graphs: dict[str, list[ox.Quad]], iri: str) -> list[dict[str, str]]:
    """Every label of the record, each language, each kind (preferred, alternative, title), once."""
    names = {"label": "label", "prefLabel": "preferred", "altLabel": "alternative", "title": "title"}
    seen = sorted({(q.object.language or "", names[q.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]],
                    q.object.value) for quads in graphs.values() for q in quads
                   if q.subject.value == iri and q.predicate.value in _LABELS})
    return [{"lang": lang, "kind": kind, "text": text} for lang, kind, text in seen]


def script_jsonld(value: Any) -> Markup:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` as ``\\u`` escapes, so nothing in the
    data can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, indent=1)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _neighbours(site: Site, iri: str, graphs: dict[str, list[ox.Quad]]) -> dict[str, set[str]]:
    """The records (under ``id/``) that the record's statements name, or whose statements name
    it, each with the properties that tie them."""
    tied: dict[str, set[str]] = defaultdict(set)
    for quads in graphs.values():
        for q in quads:
            if (q.subject.value == iri and isinstance(q.object, ox.NamedNode) and q.object.value.startswith(ID)
                    and q.object.value in site.labels and _owner(q.object.value) != _owner(iri)):
                tied[q.object.value].add(q.predicate.value)
    for q in site.incoming.get(iri, []):
        key = _owner(q.subject.value)
        if key is not None and key[0] == "id" and ID + key[1] in site.labels:
            tied[ID + key[1]].add(q.predicate.value)
    return tied


def _ego_map(site: Site, iri: str, graphs: dict[str, list[ox.Quad]], root: str) -> Markup:
    """The record's ego map (:func:`graph.ego.ego_svg`): at most :data:`graph.ego.MAX_NEIGHBOURS`
    tied records, taken from each kind in turn (within a kind, those with the most properties tying
    them to it first), drawn round the circle by kind and label."""
    tied = _neighbours(site, iri, graphs)
    if not tied:
        return Markup("")
    by_kind: dict[str, list[str]] = defaultdict(list)
    for o in sorted(tied, key=lambda o: (-len(tied[o]), site.labels[o], o)):
        by_kind[site.kinds[o]].append(o)
    queues = [by_kind[k] for k in sorted(by_kind)]
    chosen = [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)][:MAX_NEIGHBOURS]
    shown = [{**_term(site, ox.NamedNode(o), root), "kind": site.kinds[o],
              "props": sorted({_prop(site, p, root)["text"] for p in tied[o]})}
             for o in sorted(chosen, key=lambda o: (site.kinds[o], site.labels[o], o))]
    return Markup(ego_svg(site.labels[iri], shown, more=len(tied) - len(chosen)))


def record_page(site: Site, key: tuple[str, str], disputes: dict[str, list]) -> str:
    """The HTML page of one record (``("id", rid)``) or source (``("source", sid)``): its statements
    grouped by source, disputes side by side, ties and JSON-LD (used by publish and by serve)."""
    folder, rid = key
    iri = (ID if folder == "id" else SOURCE) + rid
    graphs = site.pages[key]
    root = "../"
    states = []
    if folder == "source":
        states = _states(site, GRAPH + rid, root)
    return render("publish_record.html.j2", root=root, iri=iri, id=rid, title=site.labels[iri],
                  kind=site.kinds[iri], labels=_labels(graphs, iri), groups=_groups(site, iri, graphs, root),
                  disagreements=disputes.get(rid, []), ties=_ties(site, iri, root), states=states,
                  ego=_ego_map(site, iri, graphs, root) if folder == "id" else "",
                  jsonld=script_jsonld(jsonld(graphs)), version=site.version, command=site.command)


def _states(site: Site, graph: str, root: str) -> list[dict[str, Any]]:
    """What a source's named graph says, by kind of record: the records it has statements about."""
    by_kind: dict[str, list] = defaultdict(list)
    for (folder, rid), graphs in site.pages.items():
        iri = (ID if folder == "id" else SOURCE) + rid
        if graph in graphs and folder == "id":
            by_kind[site.kinds[iri]].append({**_term(site, ox.NamedNode(iri), root), "count": len(graphs[graph])})
    return [{"kind": k, "records": sorted(v, key=lambda r: (r["text"], r["href"]))} for k, v in sorted(by_kind.items())]


_VOID, _DCAT = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#"
_TITLE = "paradiplo: a knowledge graph of paradiplomatic actors"
_DESCRIPTION = ("Subnational regions, cities, companies and other actors of Russia–Kazakhstan and post-Soviet "
                "paradiplomacy, their agreements, forums and visits, each statement with the source, locator and "
                "verbatim quote it rests on; one named graph per source paper.")
_LICENSE = "https://spdx.org/licenses/MIT"


def _counts(kg: KnowledgeGraph) -> dict[str, Any]:
    """What VoID states: triples per named graph (the ontology's apart), classes, properties, subjects."""
    per_graph: dict[str, int] = defaultdict(int)
    classes, props, subjects = set(), set(), set()
    for q in kg.quads:
        g = q.graph_name.value
        per_graph[g] += 1
        if g == ONTOLOGY_GRAPH:
            continue
        props.add(q.predicate.value)
        subjects.add(q.subject.value)
        if q.predicate.value == _TYPE:
            classes.add(q.object.value)
    return {"graphs": dict(sorted(per_graph.items())), "classes": len(classes), "properties": len(props),
            "subjects": len(subjects)}


def void_description(kg: KnowledgeGraph, version: str, tables: Iterable[str] = ()) -> bytes:
    """The dataset described in VoID and DCAT (Turtle): title, licence, version, triples overall and
    per named graph (counts as ``paradiplo stats`` gives them), classes, properties, the dumps
    (VoID data dumps and DCAT distributions) and the CSV ``tables`` (DCAT distributions, ``text/csv``)."""
    d, counts, total = ox.NamedNode(DATASET_IRI), _counts(kg), stats(kg.store)
    n = ox.NamedNode
    def lit(v: Any, dt: str | None = None, lang: str | None = None) -> ox.Literal:
        return ox.Literal(str(v), language=lang) if lang else ox.Literal(str(v), datatype=n(dt or XSD + "integer"))
    t = [(d, n(_TYPE), n(_VOID + "Dataset")), (d, n(_TYPE), n(_DCAT + "Dataset")),
         (d, n(DCTERMS + "title"), lit(_TITLE, lang="en")), (d, n(DCTERMS + "description"), lit(_DESCRIPTION, lang="en")),
         (d, n(DCTERMS + "license"), n(_LICENSE)), (d, n(_DCAT + "version"), lit(version, XSD + "string")),
         (d, n(_VOID + "triples"), lit(total["triples"])), (d, n(_VOID + "classes"), lit(counts["classes"])),
         (d, n(_VOID + "properties"), lit(counts["properties"])),
         (d, n(_VOID + "distinctSubjects"), lit(counts["subjects"])), (d, n(_VOID + "vocabulary"), n(PD)),
         (d, n(_VOID + "uriSpace"), lit(ID, XSD + "string"))]
    for name, fmt in _DUMPS.items():
        dump = n(f"{DATASET_IRI}/{name}")
        t += [(d, n(_VOID + "dataDump"), dump), (d, n(_DCAT + "distribution"), dump),
              (dump, n(_TYPE), n(_DCAT + "Distribution")), (dump, n(_DCAT + "downloadURL"), dump),
              (dump, n(_DCAT + "mediaType"), lit(_MEDIA[fmt], XSD + "string"))]
    for name in tables:
        table = n(f"{DATASET_IRI}/{name}")
        t += [(d, n(_DCAT + "distribution"), table), (table, n(_TYPE), n(_DCAT + "Distribution")),
              (table, n(_DCAT + "downloadURL"), table), (table, n(_DCAT + "mediaType"), lit("text/csv", XSD + "string")),
              (table, n(DCTERMS + "title"), lit(name.rsplit("/", 1)[-1][:-4] + " (CSV table)", lang="en"))]
    for g, count in counts["graphs"].items():
        t += [(d, n(_VOID + "subset"), n(g)), (n(g), n(_TYPE), n(_VOID + "Dataset")),
              (n(g), n(_VOID + "triples"), lit(count))]
        if g != ONTOLOGY_GRAPH:
            t.append((n(g), n(DCTERMS + "source"), n(SOURCE + g[len(GRAPH):])))
    triples = sorted((ox.Triple(*x) for x in t), key=lambda x: (str(x.subject), str(x.predicate), str(x.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"void": _VOID, "dcat": _DCAT, "dcterms": DCTERMS, "xsd": XSD, "pd": PD})


def _schema_dataset(version: str, site: Site) -> dict[str, Any]:
    """schema.org ``Dataset`` markup for the index (vocabulary inline: parses offline)."""
    papers = [{"@type": "ScholarlyArticle", "@id": SOURCE + rid, "name": site.labels[SOURCE + rid]}
              for folder, rid in site.pages if folder == "source" and rid != GENERAL_KNOWLEDGE]
    return {"@context": {"@vocab": "https://schema.org/"}, "@type": "Dataset", "@id": DATASET_IRI, "name": _TITLE,
            "description": _DESCRIPTION, "version": version, "license": _LICENSE,
            "creator": {"@type": "Organization", "name": "paradiplo contributors"}, "citation": papers,
            "distribution": [{"@type": "DataDownload", "contentUrl": name, "encodingFormat": _MEDIA[fmt]}
                             for name, fmt in _DUMPS.items()]
            + [{"@type": "DataDownload", "contentUrl": name, "encodingFormat": "text/csv"} for name in site.tables]}


def _index(site: Site, kg: KnowledgeGraph, report: str | None) -> str:
    entries = []
    for (folder, rid), graphs in site.pages.items():
        iri = (ID if folder == "id" else SOURCE) + rid
        names = sorted({lab["text"] for lab in _labels(graphs, iri)} | {rid})
        entries.append({"href": f"{folder}/{rid}.html", "label": site.labels[iri], "kind": site.kinds[iri],
                        "names": " | ".join(names)})
    kinds: dict[str, list] = defaultdict(list)
    for e in entries:
        kinds[e["kind"]].append(e)
    groups = [{"kind": k, "entries": sorted(v, key=lambda e: (e["label"], e["href"]))} for k, v in sorted(kinds.items())]
    search = [[e["href"], e["label"], e["kind"], e["names"]] for e in entries]
    return render("publish_index.html.j2", groups=groups, search=script_jsonld(search),
                  stats=stats(kg.store), dumps=list(_DUMPS), tables=list(site.tables), report=report,
                  dataset=script_jsonld(_schema_dataset(site.version, site)), version=site.version,
                  command=site.command, root="")


def _ontology_page(site: Site) -> str:
    terms = []
    for term in site.terms.values():
        links = [{"kind": kind, **_term(site, ox.NamedNode(target), "")} for kind, target in term["links"]]
        terms.append({**term, "links": links, "en": term["labels"].get("en", ""), "ru": term["labels"].get("ru", "")})
    return render("publish_ontology.html.j2", classes=[t for t in terms if t["kind"] == "class"],
                  properties=[t for t in terms if t["kind"] == "property"], version=site.version,
                  command=site.command, root="", namespace=PD)


_RDF_ACCEPT = r"(text/turtle|application/trig|application/n-quads|application/n-triples|application/ld\+json|application/rdf\+xml)"


def w3id_htaccess(base_url: str) -> str:
    """Redirect rules for the w3id.org repository (``paradiplo/.htaccess``): every IRI minted under
    ``https://w3id.org/paradiplo/`` answers ``303 See Other`` with its page on the site published at
    ``base_url``; a client asking for RDF gets the TriG dump instead (one named graph per source)."""
    if not base_url.startswith(("https://", "http://")) or any(c in base_url for c in " \t\n\"'$"):
        raise ValueError(f"not an http(s) URL for the published site: {base_url!r}")
    base = base_url.rstrip("/") + "/"
    return "\n".join([
        "# paradiplo: w3id.org redirects, written by `paradiplo publish --base-url " + base + "`.",
        "# Copy to the w3id.org repository as paradiplo/.htaccess (see the README).",
        "Options +FollowSymLinks", "RewriteEngine on", "",
        f"RewriteCond %{{HTTP_ACCEPT}} {_RDF_ACCEPT}", f"RewriteRule ^(id|source|graph)/.+$ {base}dataset.trig [R=303,L]",
        f"RewriteCond %{{HTTP_ACCEPT}} {_RDF_ACCEPT}", f"RewriteRule ^ontology$ {base}dataset.trig [R=303,L]",
        f"RewriteCond %{{HTTP_ACCEPT}} {_RDF_ACCEPT}", f"RewriteRule ^dataset$ {base}void.ttl [R=303,L]",
        f"RewriteRule ^id/([a-z0-9-]+)$ {base}id/$1.html [R=303,L]",
        f"RewriteRule ^id/([a-z0-9-]+)/(evidence)/([a-z0-9-]+)/([0-9]+)$ {base}id/$1.html#$2-$3-$4 [R=303,NE,L]",
        f"RewriteRule ^(ontology|graph/ontology)$ {base}ontology.html [R=303,L]",
        f"RewriteRule ^(source|graph)/([a-z0-9-]+)$ {base}source/$2.html [R=303,L]",
        f"RewriteRule ^dataset/(dataset\\.(trig|nq|jsonld))$ {base}$1 [R=303,L]",
        f"RewriteRule ^dataset/(tables/[a-z_-]+\\.csv)$ {base}$1 [R=303,L]",
        f"RewriteRule ^dataset$ {base}index.html [R=303,L]",
        f"RewriteRule ^$ {base}index.html [R=303,L]", ""])


#: the files of the site besides the pages of records and sources
SITE_FILES = ("index.html", "ontology.html", "void.ttl", *_DUMPS)


def site_file(kg: KnowledgeGraph, site: Site, name: str, report: str | None = None) -> str | bytes:
    """One of :data:`SITE_FILES` (publish writes them; serve answers them): the index, the
    ontology page, the VoID/DCAT description or a dump; or one of the site's CSV tables."""
    if name == "index.html":
        return _index(site, kg, report)
    if name == "ontology.html":
        return _ontology_page(site)
    if name == "void.ttl":
        return void_description(kg, site.version, site.tables)
    if name in site.tables:
        return site.tables[name]
    return kg.serialized(_DUMPS[name])


def page_disputes(kg: KnowledgeGraph) -> dict[str, list[dict[str, Any]]]:
    """Record id → the claims on which its sources disagree (:func:`graph.provenance.conflicts`)."""
    disputes: dict[str, list] = defaultdict(list)
    for row in conflicts(kg.store):
        disputes[row["record"]].append(row)
    return dict(disputes)


def site_files(kg: KnowledgeGraph, command: str = "paradiplo publish -o site", report: str | None = None,
               base_url: str | None = None) -> dict[str, str | bytes]:
    """File path (``/``-separated, relative to the site) → content of every file of the site.

    Parameters
    ----------
    kg
        The knowledge graph.
    command
        The command line shown on every page as the one that produced it.
    report
        A link (relative or absolute URL) to a report made by ``paradiplo report``, shown on the index.
    base_url
        Where the site will be hosted: adds ``w3id.htaccess``, the w3id.org redirect rules.
    """
    site = site_model(kg, command)
    disputes = page_disputes(kg)
    files: dict[str, str | bytes] = {f"{folder}/{rid}.html": record_page(site, (folder, rid), disputes)
                                     for folder, rid in site.pages}
    for name in (*SITE_FILES, *site.tables):
        files[name] = site_file(kg, site, name, report)
    if base_url:
        files["w3id.htaccess"] = w3id_htaccess(base_url)
    return dict(sorted(files.items()))


def write_site(kg: KnowledgeGraph, folder: str | os.PathLike, command: str = "paradiplo publish -o site",
               report: str | None = None, base_url: str | None = None) -> list[str]:
    """Write the site into ``folder`` as a whole (an earlier site is replaced only once the new one
    is complete; a folder holding other files is refused). Returns the paths written."""
    files = site_files(kg, command, report, base_url)
    atomic_write_folder(folder, files, replaceable={"id", "source", "tables", "w3id.htaccess"})
    return list(files)
