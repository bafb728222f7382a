"""Records → an RDF dataset: one named graph per source, one for the ontology.

The store is `Oxigraph <https://github.com/oxigraph/oxigraph>`_ (``pyoxigraph``):
it loads and queries an order of magnitude faster than rdflib's in-memory store.
IRIs are built from record ids, so the same data always gives the same graph.

Examples
--------
>>> from graph.load import load_dataset
>>> store = load_store(dataset_nquads(load_dataset()))
>>> bool(store.query("ASK { GRAPH ?g { ?s a <https://w3id.org/paradiplo/ontology#Region> } }"))
True
"""

from __future__ import annotations

import hashlib
import os
import math
import re
from collections import defaultdict
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyoxigraph as ox

from .load import Dataset, Entry, cache_read, cache_write, resource_dir, sources_and_keys
from .records import (
    EDTF_DATATYPE,
    KIND_MODELS,
    FIELDS,
    GENERAL_KNOWLEDGE,
    LANGUAGE_TAG,
    Claim,
    Coordinates,
    FieldSpec,
    Observation,
    PartialDate,
    Project,
    Record,
    Sector,
    Source,
    fields_of,
    is_id,
)

__all__ = [
    "PD", "ID", "GRAPH", "SOURCE", "PREFIXES", "ONTOLOGY_GRAPH", "graph_nquads", "graph_parts", "merge_parts",
    "parts_digest", "union_lines", "cached_parts", "graphs_trig", "scoped_nquads",
    "iri", "source_iri", "graph_iri", "prop_iri", "field_triples", "record_quads", "dataset_quads", "ontology_quads",
    "load_store", "dataset_nquads", "parse_nquads", "split_nquad", "serialize", "FORMATS",
]

BASE = "https://w3id.org/paradiplo/"
PD = BASE + "ontology#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
SOURCE = BASE + "source/"
ONTOLOGY_GRAPH = GRAPH + "ontology"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"

PREFIXES = {
    "pd": PD, "pdr": ID, "pdg": GRAPH, "pds": SOURCE, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
    "skos": SKOS, "prov": PROV, "dcterms": DCTERMS, "schema": SCHEMA, "geo": GEO,
    "owl": "http://www.w3.org/2002/07/owl#", "org": "http://www.w3.org/ns/org#",
}

#: export format name → (pyoxigraph format, whether it carries named graphs)
FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "trig": (ox.RdfFormat.TRIG, True),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "jsonld": (ox.RdfFormat.JSON_LD, True),
}

def _n(value: str) -> str:
    """An IRI in N-Triples syntax."""
    if _BAD_IRI.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return f"<{value}>"


def _l(text: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples syntax (``datatype`` is an N-Triples IRI from :func:`_n`).

    The last line of defence against N-Quads injection: the text is escaped, and a language
    tag or datatype that is not well formed raises ``ValueError`` instead of being pasted in.
    """
    lexical = '"' + text.translate(_ESCAPES) + '"'
    if language is not None:
        if not _language_ok(language):
            raise ValueError(f"not a language tag: {language!r}")
        return f"{lexical}@{language}"
    if datatype is None:
        return lexical
    if not (datatype.startswith("<") and datatype.endswith(">") and not _BAD_IRI.search(datatype[1:-1])):
        raise ValueError(f"not a datatype IRI in N-Triples syntax: {datatype!r}")
    return f"{lexical}^^{datatype}"


@lru_cache(maxsize=1024)
def _language_ok(tag: str) -> bool:
    return len(tag) <= 64 and LANGUAGE_TAG.fullmatch(tag) is not None


_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
#: N-Triples escapes as Oxigraph writes them (``_dumped`` compares the two): named ones, other
#: control characters as ``\\uXXXX``
_ESCAPES = str.maketrans({**{chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]},
                          "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"})


_TYPE = _n(RDF + "type")
_LABEL = _n(RDFS + "label")


def _checked(record_id: str) -> str:
    """``record_id`` if it is an id (see :func:`graph.records.is_id`): IRIs are built from nothing else."""
    if not is_id(record_id):
        raise ValueError(f"not a record id: {record_id!r}")
    return record_id


@lru_cache(maxsize=65536)
def iri(record_id: str) -> str:
    """IRI of a record: ``https://w3id.org/paradiplo/id/<id>``; ``ValueError`` for anything but an id."""
    return f"<{ID}{_checked(record_id)}>"


def source_iri(source_id: str) -> str:
    """IRI of a source: ``https://w3id.org/paradiplo/source/<id>``."""
    return _n(SOURCE + _checked(source_id))


def graph_iri(source_id: str) -> str:
    """Named graph holding what a source says: ``https://w3id.org/paradiplo/graph/<id>``."""
    return _n(GRAPH + _checked(source_id))


def _p(local: str) -> str:
    return _n(PD + local)


def _date(d: PartialDate) -> str:
    """A plain date as xsd:gYear, xsd:gYearMonth or xsd:date; any other EDTF value in EDTF's datatype."""
    if d.precision == "edtf":
        return _l(str(d), datatype=_n(EDTF_DATATYPE))
    kind = {"year": "gYear", "month": "gYearMonth", "day": "date"}[d.precision]
    return _l(str(d), datatype=_n(XSD + kind))


def _decimal(x: float) -> str:
    """Canonical xsd:decimal at 4 places (``69.15``, ``70``), as Oxigraph stores it."""
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _double(x: float) -> str:
    """The xsd:double lexical form Oxigraph writes: Python's shortest digits, positional
    (``402.1``, ``1806000``, ``0.00001``, ``2500000000000000``)."""
    if not math.isfinite(x):
        return repr(x)
    text = format(Decimal(repr(x)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _int(n: int) -> str:
    return _l(str(n), datatype=_n(XSD + "integer"))


def _langs(subject: str, pred: str, values: dict[str, str]) -> Iterator[tuple]:
    for lang, text in sorted(values.items()):
        yield subject, pred, _l(text, language=lang)


def _lang_lists(subject: str, pred: str, values: dict[str, list[str]]) -> Iterator[tuple]:
    for lang, texts in sorted(values.items()):
        for text in texts:
            yield subject, pred, _l(text, language=lang)


def prop_iri(name: str) -> str:
    """The IRI of a property as :data:`graph.records.FIELDS` names it: a local name in the ontology
    or a prefixed name.

    >>> prop_iri("partOf") == PD + "partOf", prop_iri("rdfs:label") == RDFS + "label"
    (True, True)
    """
    prefix, colon, local = name.rpartition(":")
    return PREFIXES[prefix] + local if colon else PD + name


@lru_cache(maxsize=256)
def _prop(name: str) -> str:
    return _n(prop_iri(name))


def _date_and_year(s: str, p: str, d: PartialDate) -> list[tuple]:
    """The date, its calendar year when it is plain, and its earliest and latest days."""
    t = [(s, p, _date(d))]
    if d.year is not None:
        t.append((s, _p("year"), _int(d.year)))
    for prop, bound in (("earliest", d.earliest), ("latest", d.latest)):
        if bound is not None:
            t.append((s, _p(prop), _l(bound.isoformat(), datatype=_n(XSD + "date"))))
    return t


#: literal form (:data:`graph.records.LITERALS`) → the triples (subject, property, value) it writes
_LITERAL_WRITERS: dict[str, Callable[[str, str, Any], Iterable[tuple]]] = {
    "text": lambda s, p, v: [(s, p, _l(v))],
    "english": lambda s, p, v: [(s, p, _l(v, language="en"))],
    "langs": _langs,
    "lang-lists": _lang_lists,
    "date": lambda s, p, v: [(s, p, _date(v))],
    "date-and-year": _date_and_year,
    "integer": lambda s, p, v: [(s, p, _int(v))],
    "double": lambda s, p, v: [(s, p, _l(_double(v), datatype=_n(XSD + "double")))],
}


def field_triples(subject: str, spec: FieldSpec, value: Any) -> list[tuple]:
    """The triples one field states about ``subject`` (an IRI in N-Triples syntax), as ``spec`` declares.

    ``special`` fields (type, coordinates, valid_until, evidence) are written by :func:`record_quads` itself.
    """
    if value is None or value == "" or spec.literal == "special":
        return []
    p = _prop(spec.prop)
    if spec.target is None:
        return list(_LITERAL_WRITERS[spec.literal](subject, p, value))
    out = []
    for rid in spec.values(value):
        out.append((subject, p, iri(rid)))
        if spec.symmetric:  # state both directions
            out.append((iri(rid), p, subject))
    return out


def _class_triples(s: str, rec: Record) -> list[tuple]:
    """``rdf:type``, and for a sector its place in the SKOS scheme; a project is a ``pd:Project`` and
    of its type (``pd:TransportCorridor``, ...)."""
    if isinstance(rec, Sector):
        return [(s, _TYPE, _p("Sector")), (s, _TYPE, _n(SKOS + "Concept")), (s, _n(SKOS + "inScheme"), iri("sectors")),
                *_langs(s, _n(SKOS + "prefLabel"), rec.label)]
    if isinstance(rec, (Observation, Claim)):
        return [(s, _TYPE, _p(type(rec).__name__))]
    rtype = getattr(rec, "type", None)
    typed = [(s, _TYPE, _p(rtype.value))] if rtype is not None else []
    if isinstance(rec, Project):  # pd:Project as well, so that queries need no subclass reasoning
        return [(s, _TYPE, _p("Project")), *typed]
    return typed


def _coordinates(s: str, point: Coordinates | None) -> list[tuple]:
    if point is None:
        return []
    dec = _n(XSD + "decimal")
    return [(s, _n(GEO + "lat"), _l(_decimal(point.lat), datatype=dec)),
            (s, _n(GEO + "long"), _l(_decimal(point.lon), datatype=dec))]


def _valid_until(s: str, until: PartialDate | str | None) -> list[tuple]:
    if until == "indefinite":
        return [(s, _p("indefinite"), _l("true", datatype=_n(XSD + "boolean")))]
    return [(s, _p("validUntil"), _date(until))] if until is not None else []


def _evidence(s: str, entry: Entry, language: str) -> list[tuple]:
    """Where the record comes from: ``prov:wasDerivedFrom`` its source, and one attestation per quote."""
    rec = entry.record
    src = source_iri(entry.source)
    t: list[tuple] = []
    if entry.source != GENERAL_KNOWLEDGE or rec.evidence or getattr(rec, "type", None) is not None:
        # a general-knowledge record that declares its own type (a region no paper names) rests on it alone
        t.append((s, _n(PROV + "wasDerivedFrom"), src))
    for n, ev in enumerate(rec.evidence, start=1):
        a = _n(f"{ID}{rec.id}/evidence/{entry.source}/{n}")
        t += [(s, _p("evidence"), a), (a, _TYPE, _p("Attestation")), (a, _p("source"), src),
              (a, _p("locator"), _l(ev.locator)),
              (a, _p("quote"), _l(ev.quote, language=ev.lang or language)), (a, _p("evidenceKind"), _l(ev.kind))]
    return t


def record_quads(entry: Entry, language: str = "ru") -> list[str]:
    """The quads one entry (one record as one source states it) contributes.

    Every field is written as :data:`graph.records.FIELDS` declares it.

    Parameters
    ----------
    entry
        The record and the source whose named graph receives the quads.
    language
        Language tag for quotes that do not set their own.
    """
    rec = entry.record
    s = iri(rec.id)
    t = _class_triples(s, rec)
    for spec in fields_of(type(rec)):
        t += field_triples(s, spec, getattr(rec, spec.name))
    t += _coordinates(s, getattr(rec, "coordinates", None))
    t += _valid_until(s, getattr(rec, "valid_until", None))
    t += _evidence(s, entry, language)
    g = graph_iri(entry.source)
    return [f"{a} {b} {c} {g} .\n" for a, b, c in t]


def _source_quads(source: Source) -> list[str]:
    s = source_iri(source.id)
    g = graph_iri(source.id)
    t: list[tuple] = [(s, _TYPE, _p("Source"))]
    t += _langs(s, _n(DCTERMS + "title"), source.title)
    t += _langs(s, _LABEL, source.title)
    t += [(s, _n(DCTERMS + "creator"), _l(a)) for a in source.authors]
    if source.year:
        t.append((s, _n(DCTERMS + "issued"), _l(str(source.year), datatype=_n(XSD + "gYear"))))
    t.append((s, _n(DCTERMS + "language"), _l(source.language)))
    for pred, value in ((PD + "journal", source.journal), (SCHEMA + "volumeNumber", source.volume),
                        (SCHEMA + "issueNumber", source.issue), (SCHEMA + "pagination", source.pages),
                        (RDFS + "comment", source.note)):
        if value:
            t.append((s, _n(pred), _l(value)))
    if source.doi:
        t += [(s, _n(DCTERMS + "identifier"), _l("doi:" + source.doi)),
              (s, _n(SCHEMA + "sameAs"), _n("https://doi.org/" + source.doi))]
    return [f"{a} {b} {c} {g} .\n" for a, b, c in t]


def _general_knowledge_quads() -> list[str]:
    s = source_iri(GENERAL_KNOWLEDGE)
    g = graph_iri(GENERAL_KNOWLEDGE)
    return [f"{s} {_TYPE} {_p('Source')} {g} .\n",
            f"{s} {_LABEL} " + _l("General knowledge (not from a paper): coordinates, borders, countries",
                                  language="en") + f" {g} .\n"]


def ontology_quads() -> list[str]:
    """The ontology and the sector scheme, in the ontology graph (N-Quads lines)."""
    folder = resource_dir("ontology")
    triples = [t for name in ("paradiplomacy.ttl", "sectors.ttl")
               for t in ox.parse(path=str(folder / name), format=ox.RdfFormat.TURTLE)]
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return [line[:-1].rstrip() + f" <{ONTOLOGY_GRAPH}> .\n" for line in text.splitlines() if line.strip()]


def dataset_nquads(dataset: Dataset, ontology: bool = True) -> bytes:
    """Every quad of the dataset as N-Quads, without duplicates, sorted by graph then text.

    Built as text (records → N-Quads lines) and parsed by Oxigraph's Rust parser: about ten
    times faster than creating a Python object per term.
    """
    return b"".join(graph_nquads(dataset, ontology).values())


def graph_nquads(dataset: Dataset, ontology: bool = True) -> dict[str, bytes]:
    """Named graph IRI → its quads as N-Quads (sorted lines, no duplicates), the graphs in sorted
    order; :func:`dataset_nquads` joins them."""
    return {g: merge_parts(parts) for g, parts in graph_parts(dataset, ontology).items()}


def merge_parts(parts: list[bytes]) -> bytes:
    """A graph's parts (see :func:`graph_parts`) → its sorted lines without duplicates.

    The parts are sorted runs, which Python's sort merges in about linear time."""
    if len(parts) == 1:
        return parts[0]
    return b"".join(dict.fromkeys(sorted(b"".join(parts).splitlines(keepends=True))))


def _languages(sources: dict[str, Source]) -> dict[str, str]:
    """Source id → the language of its quotes; ``und`` (undetermined) for an id not in ``sources``."""
    return defaultdict(lambda: "und", {sid: src.language for sid, src in sources.items()})


class Part(bytes):
    """N-Quads of one graph from one file (:func:`graph_parts`), remembering its SHA-256, which is
    pickled with it in the cache: hashing every part again took 0.25 of the 4 CPU s of a rebuild
    at 1M triples."""

    @classmethod
    def hashed(cls, data: bytes) -> Part:
        """``data`` as a part, its SHA-256 made now (so that the cache keeps it)."""
        part = cls(data)
        part.__dict__["sha256"] = hashlib.sha256(data).digest()
        return part

    @cached_property
    def sha256(self) -> bytes:
        return hashlib.sha256(self).digest()


def parts_digest(parts: list[bytes]) -> str:
    """A digest of a graph that changes when one of its parts does (cheaper than merging them)."""
    return hashlib.sha256(b"".join(sorted(p.sha256 if isinstance(p, Part) else hashlib.sha256(p).digest()
                                          for p in parts))).hexdigest()


def graph_parts(dataset: Dataset, ontology: bool = True) -> dict[str, list[bytes]]:
    """Named graph IRI → its quads as N-Quads in parts, the graphs in sorted order: one part per
    data file that states something in the graph, one for its source in the bibliography (the
    ontology graph: one part). Each part is sorted and without duplicates; parts may overlap.

    With ``dataset.cache``, each file's parts are remembered by the file's content (and the code
    that writes them), so that an unchanged file is not turned into RDF again (:func:`_file_parts`).
    """
    by_file: dict[str, list[Entry]] = {name: [] for name in dataset.file_keys if name != dataset.sources_file}
    for entry in dataset.entries:
        by_file.setdefault(entry.file, []).append(entry)
    languages = _languages(dataset.sources)
    parts: dict[str, list[bytes]] = defaultdict(list)
    for name, entries in by_file.items():
        for g, part in _file_parts(entries, languages, name, dataset.file_keys.get(name), dataset.cache).items():
            parts[g].append(part)
    return _with_bibliography(parts, dataset.sources, ontology)


def cached_parts(directory: Path, cache: Path, ontology: bool = True) -> dict[str, list[bytes]] | None:
    """What :func:`graph_parts` gives for the folder, read from ``cache`` alone, without reading a
    record; ``None`` unless every file was turned into RDF before (with the same code, and the same
    language for each source it uses) and the folder has no spreadsheet."""
    found = sources_and_keys(directory)
    if found is None:
        return None
    sources, keys = found
    parts: dict[str, list[bytes]] = defaultdict(list)
    languages = _languages(sources)
    for name, key in keys.items():
        cached = _cached_file_parts(_parts_path(cache, key, name), languages)
        if cached is None:
            return None
        for g, part in cached.items():
            parts[g].append(part)
    return _with_bibliography(parts, sources, ontology)


def _with_bibliography(parts: dict[str, list[bytes]], sources: dict[str, Source],
                       ontology: bool) -> dict[str, list[bytes]]:
    """``parts`` with each source's description (and the ontology's graph), the graphs sorted."""
    for source in sources.values():
        parts[GRAPH + source.id].append(_joined(_source_quads(source)))
    if GRAPH + GENERAL_KNOWLEDGE in parts:
        parts[GRAPH + GENERAL_KNOWLEDGE].append(_joined(_general_knowledge_quads()))
    if ontology:
        parts[ONTOLOGY_GRAPH].append(_joined(ontology_quads()))
    return {g: parts[g] for g in sorted(parts)}


def _joined(lines: Iterable[str]) -> bytes:
    return "".join(sorted(set(lines))).encode("utf-8")


def _file_parts(entries: list[Entry], languages: dict[str, str], name: str, key: str | None,
                cache: Path | None) -> dict[str, bytes]:
    """The quads of the records of one file (or sheet: ``name``), by graph; remembered in
    ``cache/quads/`` under the file's content key and the name, with the language of each source
    they use (quotes without their own tag take it)."""
    path = _parts_path(cache, key, name) if cache is not None and key else None
    found = _cached_file_parts(path, languages)
    if found is not None:
        return found
    used = {e.source: languages[e.source] for e in entries}
    by_graph: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        by_graph[GRAPH + entry.source].update(record_quads(entry, used[entry.source]))
    graphs = {g: Part.hashed(_joined(lines)) for g, lines in sorted(by_graph.items())}
    cache_write(path, (used, graphs))
    return graphs


def _cached_file_parts(path: Path | None, languages: dict[str, str]) -> dict[str, bytes] | None:
    """A file's parts remembered at ``path``, if the sources they quote still have the languages
    they were written with (quotes without their own tag take their source's)."""
    found = cache_read(path)
    if not (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], dict)):
        return None
    return found[1] if all(languages[sid] == lang for sid, lang in found[0].items()) else None


def _parts_path(cache: Path, key: str, name: str) -> Path:
    """Where the quads of file (or sheet) ``name`` of content ``key`` are remembered (a workbook's
    sheets share its key)."""
    return cache / "quads" / key[:2] / hashlib.sha256(f"{key}\0{name}\0{_rdf_digest()}".encode()).hexdigest()


@lru_cache(maxsize=1)
def _rdf_digest() -> str:
    """What a file's quads depend on besides its records: the code of this module (16 hex digits)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def graphs_trig(parts: dict[str, list[bytes]], cache: Path | None = None,
                digests: dict[str, str] | None = None) -> bytes:
    """The named graphs ``parts`` (:func:`graph_parts`) as TriG: what :func:`serialize` writes for
    their quads, made graph by graph (one block of prefixes, then each graph), each graph's text
    remembered in ``cache`` by its digest, so that after an edit only the changed graphs are written
    again. ``digests``, when given, are the graphs' :func:`parts_digest`."""
    head, body = b"", []
    for graph, graph_parts_ in parts.items():
        digest = (digests[graph] if digests else parts_digest(graph_parts_)) if cache else ""
        path = cache / "trig" / f"{digest}-{_rdf_digest()}-{ox.__version__}" if cache else None
        text = cache_read(path)
        if not isinstance(text, bytes):
            text = serialize(ox.parse(merge_parts(graph_parts_), format=ox.RdfFormat.N_QUADS), "trig")
            cache_write(path, text)
        cut = 0  # the end of the block of prefixes: the first line not starting with one
        while text.startswith(b"@prefix ", cut):
            cut = text.find(b"\n", cut) + 1 or len(text)
        head = head or text[:cut]
        body.append(text[cut:])
    return head + b"".join(body)


def scoped_nquads(dataset: Dataset, ids: set[str]) -> bytes:
    """What SHACL needs to check the records ``ids``, as N-Quads (sorted, no duplicates): every
    quad about them or their evidence, in every graph; the ``rdf:type`` quads of every node those
    quads point to; and the ontology graph. Made from these records and the ones they point to
    only, so that the cost follows the scope, not the dataset."""
    languages = _languages(dataset.sources)
    symmetric = [spec.name for spec in FIELDS.values() if spec.symmetric]  # others state these about a record too
    kinds = {kind for kind, model in KIND_MODELS.items() if set(symmetric) & set(model.model_fields)}
    stating = [e for rid in sorted(ids & dataset.by_id.keys()) for e in dataset.by_id[rid]]
    stating += [e for e in dataset.entries if e.kind in kinds and e.id not in ids and any(
        ref in ids for name in symmetric for ref in e.facts.references.get(name, ()))]
    subjects = tuple(f"{iri(rid)} " for rid in ids) + tuple(f"<{ID}{rid}/evidence/" for rid in ids)
    about = [line for e in stating for line in record_quads(e, languages[e.source])
             if line.startswith(subjects)]
    pointed = set(_IRI.findall("".join(about)))
    typed: list[str] = []
    for iri_ in sorted(pointed):
        if iri_.startswith(ID) and iri_[len(ID):] in dataset.by_id:
            typed += [line for e in dataset.by_id[iri_[len(ID):]]
                      for line in record_quads(e, languages[e.source]) if line.startswith(f"<{iri_}> {_TYPE} ")]
        elif iri_.startswith(SOURCE):
            source = dataset.sources.get(iri_[len(SOURCE):])
            lines = _source_quads(source) if source else _general_knowledge_quads() if f"<{iri_}>" == source_iri(
                GENERAL_KNOWLEDGE) else []
            typed += [line for line in lines if line.startswith(f"<{iri_}> {_TYPE} ")]
    return _joined(about + typed + ontology_quads())


_IRI = re.compile(r"<([^<>\s]*)>")


def split_nquad(line: str) -> tuple[str, str]:
    """An N-Quads line (paradiplo's: a named graph last) → (N-Triples line, graph IRI).

    >>> split_nquad('<http://a> <http://b> "x <y>" <http://g> .')
    ('<http://a> <http://b> "x <y>" .', 'http://g')
    """
    line = line.rstrip("\n")
    cut = line.rindex(" <", 0, len(line) - 2)
    return line[:cut] + " .", line[cut + 2: line.rindex(">")]


def parse_nquads(data: bytes) -> list[ox.Quad]:
    """N-Quads bytes → pyoxigraph quads, in file order."""
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


def dataset_quads(dataset: Dataset, ontology: bool = True) -> list[ox.Quad]:
    """Every quad of the dataset, without duplicates, in a stable sorted order."""
    return parse_nquads(dataset_nquads(dataset, ontology))


def load_store(nquads: bytes | dict[str, list[bytes]], path: str | os.PathLike | None = None) -> ox.Store:
    """An Oxigraph store (in memory, or on disk at ``path``) holding the N-Quads ``nquads``: one
    bytes object, or each graph's parts (:func:`graph_parts`), which are never joined.

    The store's default graph is the union of all named graphs as a *set* of
    triples (Oxigraph's own ``use_default_graph_as_union`` repeats a triple once
    per graph that states it, which would inflate counts). Queries without
    ``GRAPH`` see everything once; ``GRAPH ?g`` tells which source says what.

    Both are bulk-loaded together: after each piece of a graph come the same lines with their
    graph name cut (:func:`union_lines`), which go to the default graph, where the store keeps
    each triple once. (A SPARQL ``INSERT … WHERE { GRAPH ?g … }`` did the same in 50 CPU s at
    1M triples on disk: one transaction holding every triple.) The text is bulk-loaded
    :data:`BULK_BATCH` bytes at a time, which bounds the bulk loader's memory (about seven times
    its input). Every line must name its graph, as paradiplo's N-Quads do.
    """
    store = ox.Store(str(path)) if path is not None else ox.Store()
    graphs = nquads.items() if isinstance(nquads, dict) else [(None, [nquads])]
    batch: list[bytes] = []
    size = 0
    for graph, parts in graphs:
        for piece in (piece for part in parts for piece in _pieces(part, BULK_BATCH // 2)):
            batch += (piece, union_lines(piece, graph))
            size += len(batch[-2]) + len(batch[-1])
            if size >= BULK_BATCH:
                store.bulk_load(_Stream(batch), format=ox.RdfFormat.N_QUADS)
                batch, size = [], 0
    if batch:
        store.bulk_load(_Stream(batch), format=ox.RdfFormat.N_QUADS)
    return store


#: bytes of N-Quads text given to one bulk load (the named graphs' lines and the union's)
BULK_BATCH = 96 << 20


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    """``data`` in pieces of about ``size`` bytes, cut after a line."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + size) + 1 or len(data)
        yield data if start == 0 and end == len(data) else data[start:end]
        start = end


#: the graph name that ends each of paradiplo's N-Quads lines
_GRAPH_NAME = re.compile(rb" <[^<>\n]*> \.$", re.M)


def union_lines(nquads: bytes, graph: str | None = None) -> bytes:
    """N-Quads lines, each naming its graph (``graph``, if given, for all) → the same triples in
    the default graph.

    >>> union_lines(b'<http://a> <http://b> "x <y> ." <http://g> .\\n')
    b'<http://a> <http://b> "x <y> ." .\\n'
    """
    if graph is not None:  # a constant ending: the line's end, since a line break in a literal is escaped
        return nquads.replace(f" <{graph}> .\n".encode(), b" .\n")
    return _GRAPH_NAME.sub(b" .", nquads)


class _Stream:
    """A binary stream over byte chunks, read one after the other (for ``bulk_load``)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks, self._left = iter(chunks), memoryview(b"")

    def read(self, size: int | None = -1) -> bytes:
        while not self._left:
            try:
                self._left = memoryview(next(self._chunks))
            except StopIteration:
                return b""
        size = len(self._left) if size is None or size < 0 else size
        out, self._left = self._left[:size].tobytes(), self._left[size:]
        return out


def serialize(quads: Iterable[ox.Quad], fmt: str) -> bytes:
    """Serialise sorted quads; triple formats get the union of all graphs.

    A dataset written as Turtle or N-Triples would silently lose its named
    graphs; here those formats receive the union (the default graph that queries
    see), deduplicated.
    """
    rdf_format, has_graphs = FORMATS[fmt]
    if has_graphs:
        items: Iterable = quads
    else:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        items = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    prefixes = PREFIXES if fmt in ("trig", "ttl") else None
    return ox.serialize(items, format=rdf_format, prefixes=prefixes)
