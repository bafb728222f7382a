"""Provenance: counts of the dataset (records no paper attests among them) and the claims on
which sources disagree.

Both read the RDF store, so they describe exactly what a SPARQL user sees.

Examples
--------
>>> from graph import open_graph
>>> kg = open_graph()
>>> s = stats(kg.store)
>>> s["sources"], s["records_without_source"]
(5, 7)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from .rdf import GRAPH, ID, ONTOLOGY_GRAPH, PD, PREFIXES, XSD, prop_iri
from .records import EDTF_DATATYPE, FIELDS, GENERAL_KNOWLEDGE, Observation, PartialDate

__all__ = ["stats", "STATS_COVER", "conflicts", "conflict_table", "CONFLICT_COLUMNS", "contestable_properties",
           "attestations", "claims_by_source", "paper_claims", "PAPER_CLAIM_COLUMNS"]


def contestable_properties() -> list[str]:
    """IRIs of the properties on which two sources can contradict each other (one true value each):
    those of the ``contestable`` fields of :data:`graph.records.FIELDS`.

    >>> PD + "date" in contestable_properties()
    True
    """
    return list(dict.fromkeys(prop_iri(spec.prop) for spec in FIELDS.values() if spec.contestable))


def _count(store: ox.Store, where: str) -> int:
    q = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(store.query(q, prefixes=PREFIXES)))["n"].value)


#: What each count of :func:`stats` covers, in the order ``paradiplo stats`` prints them.
STATS_COVER = {
    "actors": "actor records: states, regions, cities, bodies, companies, persons, ...",
    "agreements": "agreement records: agreements, memoranda, programmes, laws, ...",
    "forums": "forum records: series, editions, sessions, visits",
    "observations": "observation records: figures such as trade turnover",
    "projects": "project records: transport corridors, checkpoints, pipelines, plants, clusters, ...",
    "claims": "claim records: what a paper argues (theses, risks, assessments, recommendations, ...)",
    "sectors": "concepts of the sector scheme (ontology top concepts and the papers' sectors)",
    "sources": "papers, each in its own named graph",
    "records_without_source": "records that only general knowledge attests, no paper",
    "named_graphs": "named graphs: one per paper, general knowledge, the ontology",
    "quads": "statements in the data graphs (papers and general knowledge)",
    "triples": "the same, distinct (a statement two graphs make counts once)",
    "ontology_triples": "statements in the ontology graph (OWL and the SKOS sector scheme)",
    "total_quads": "data and ontology graphs: what build, export trig|nq|jsonld and push carry",
    "total_triples": "the same, distinct: what export ttl|nt carry (the union of all graphs)",
}


def _size(store: ox.Store, graphs: str, distinct: bool) -> int:
    pattern = f"GRAPH ?g {{ ?s ?p ?o }} {graphs}"
    if distinct:
        pattern = f"SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} }}"
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)


def stats(store: ox.Store) -> dict[str, int]:
    """Counts of records and of statements, each described in :data:`STATS_COVER`.

    ``quads`` and ``triples`` count the data graphs (papers and general knowledge),
    ``ontology_triples`` the ontology graph, ``total_quads`` and ``total_triples`` all graphs:
    the figures an export carries (``total_quads`` lines in N-Quads, ``total_triples`` in
    N-Triples). ``records_without_source`` are records no paper attests: in the bundled data,
    the seven regions general knowledge adds for the roll-up of cities.

    >>> from graph import open_graph
    >>> s = stats(open_graph().store)
    >>> s["total_quads"] == s["quads"] + s["ontology_triples"]
    True
    """
    data, ontology = f"FILTER(?g != <{ONTOLOGY_GRAPH}>)", f"FILTER(?g = <{ONTOLOGY_GRAPH}>)"
    record = ("?x a ?t . ?t rdfs:subClassOf* ?top . "
              "VALUES ?top { pd:Actor pd:Agreement pd:Forum pd:Observation pd:Project pd:Claim }")
    counts = {
        "actors": _count(store, "?x a/rdfs:subClassOf* pd:Actor"),
        "agreements": _count(store, "?x a/rdfs:subClassOf* pd:Agreement"),
        "forums": _count(store, "?x a/rdfs:subClassOf* pd:Forum"),
        "observations": _count(store, "?x a pd:Observation"),
        "projects": _count(store, "?x a pd:Project"),
        "claims": _count(store, "?x a pd:Claim"),
        "sectors": _count(store, "?x a skos:Concept ; skos:inScheme pdr:sectors"),
        "sources": _count(store, f"?x a pd:Source FILTER(?x != pds:{GENERAL_KNOWLEDGE})"),
        "records_without_source": _count(
            # MINUS, not FILTER NOT EXISTS: Oxigraph runs the latter once per record (quadratic: it did
            # not finish in 100 s at 200,000 triples), the former as one anti-join (1.3 s)
            store, f"{record} MINUS {{ ?x pd:evidence/pd:source ?src FILTER(?src != pds:{GENERAL_KNOWLEDGE}) }}"),
        "named_graphs": _count(store, "GRAPH ?x { }"),  # the graphs' names, not a scan of every quad
        "quads": _size(store, data, distinct=False),
        "triples": _size(store, data, distinct=True),
        "ontology_triples": _size(store, ontology, distinct=False),
        "total_quads": _size(store, "", distinct=False),
        "total_triples": _size(store, "", distinct=True),
    }
    return {key: counts[key] for key in STATS_COVER}


_INF = float("inf")
_VALUE = prop_iri("rdf:value")
_DATES = frozenset([*(XSD + t for t in ("gYear", "gYearMonth", "date")), EDTF_DATATYPE])
#: An observation's value with a qualifier: the values it admits, as (low, low open, high, high open).
_BOUNDS = {"more-than": lambda v: (v, True, _INF, True), "less-than": lambda v: (-_INF, True, v, True),
           "up-to": lambda v: (-_INF, True, v, False)}

_Extent = tuple[float, bool, float, bool] | ox.Literal | ox.NamedNode


def _extent(prop: str, term: ox.Literal | ox.NamedNode, qualifier: str | None) -> _Extent:
    """What a stated value admits: an interval for a figure (``more-than 70``: above 70; ``about`` and
    ``exact``: the value itself) or a date (its first to its last day), else the term itself."""
    if prop == _VALUE:
        v = float(term.value)
        return _BOUNDS.get(qualifier or "exact", lambda v: (v, False, v, False))(v)
    if isinstance(term, ox.Literal) and term.datatype.value in _DATES:
        d = PartialDate.parse(term.value)
        return (d.first_day().toordinal(), False, d.last_day().toordinal(), False)
    return term


def _covers(a: _Extent, b: _Extent) -> bool:
    """Whether ``a`` admits everything ``b`` admits (2015 covers 2015-03-16; more-than 70 covers 80)."""
    if not (isinstance(a, tuple) and isinstance(b, tuple)):
        return a == b
    low = a[0] < b[0] or (a[0] == b[0] and (b[1] or not a[1]))
    high = b[2] < a[2] or (a[2] == b[2] and (b[3] or not a[3]))
    return low and high


def _contains(a: list[_Extent], b: list[_Extent]) -> bool:
    """Whether claim ``a`` says all that claim ``b`` says: each value of ``b`` covered by one of ``a``."""
    return all(any(_covers(x, y) for x in a) for y in b)


def _field_of(prop: str, observation: bool) -> str:
    """The contestable field of :data:`FIELDS` written with ``prop`` (``pd:date``: ``period`` on an observation
    or a claim, ``observation`` true)."""
    names = [spec.name for spec in FIELDS.values() if spec.contestable and prop_iri(spec.prop) == prop]
    own = [n for n in names if (n in Observation.model_fields) == observation]
    return (own or names)[0]


def _short(value: str) -> str:
    """A record id for a record IRI; any other value as it is."""
    return value[len(ID):] if value.startswith(ID) else value


def _claims(store: ox.Store) -> dict[tuple[str, str], dict[str, tuple[tuple, str | None]]]:
    """(record, property) → source → (the values it states, sorted; the qualifier of a figure)."""
    props = " ".join(f"<{p}>" for p in contestable_properties())
    rows = store.query(f"""
        SELECT ?s ?p ?o ?g ?q WHERE {{
          VALUES ?p {{ {props} }}
          GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?s pd:qualifier ?q FILTER(?p = rdf:value) }} }} }}""", prefixes=PREFIXES)
    values: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    qualifiers: dict[tuple[str, str, str], str] = {}
    for r in rows:
        key, g = (r["s"].value, r["p"].value), r["g"].value[len(GRAPH):]
        values[key][g].append(r["o"])
        if r["q"] is not None and r["q"].value != "exact":  # no qualifier means exact
            qualifiers[(*key, g)] = r["q"].value
    return {key: {g: (tuple(sorted(set(terms), key=str)), qualifiers.get((*key, g))) for g, terms in by_source.items()}
            for key, by_source in values.items()}


def conflicts(store: ox.Store) -> list[dict[str, Any]]:
    """Claims on which sources disagree: one row per record and contestable field of :data:`FIELDS`.

    Two sources disagree when neither claim covers the other: a date covers the more
    precise dates inside it (``2015`` and ``2015-03-16`` agree), a list the lists it
    contains (one paper may name fewer signatories), a figure with a qualifier the
    figures it admits (``more-than 70`` and ``72`` agree; ``about 1000`` and ``1273`` do
    not, and the qualifier is shown beside the value). ``graph/queries/disagreements.rq``
    applies the same rule in SPARQL.

    Returns
    -------
    list of dict
        ``record``, ``label``, ``field`` (the name in the YAML), ``property`` and ``claims``:
        ``[{"value", "sources"}]``, every value (a list joined with ``, ``; a figure's
        qualifier before it, ``about 1000``) with the sources stating it.

    Examples
    --------
    >>> from graph import open_graph
    >>> [(c["record"], c["field"], [cl["value"] for cl in c["claims"]]) for c in conflicts(open_graph().store)]
    [('omsk-pavlodar-cooperation-agreement', 'date', ['2007', '2015-03-16']),
     ('pavlodar-oblast-industrial-enterprises', 'value', ['1273', 'about 1000'])]
    """
    labels = {r["s"].value: r["l"].value for r in store.query(
        "SELECT ?s (MIN(?l) AS ?l) WHERE { ?s rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) } GROUP BY ?s",
        prefixes=PREFIXES)}
    observations = {r["s"].value for r in store.query(  # and claims: their pd:date is a period too
        "SELECT DISTINCT ?s WHERE { VALUES ?c { pd:Observation pd:Claim } ?s a ?c }", prefixes=PREFIXES)}
    out = []
    for (s, p), by_source in sorted(_claims(store).items()):
        stated: dict[tuple[tuple, str | None], list[str]] = defaultdict(list)
        for g, claim in sorted(by_source.items()):
            stated[claim].append(g)
        extents = [[_extent(p, t, q) for t in terms] for terms, q in stated]
        if all(_contains(a, b) or _contains(b, a) for i, a in enumerate(extents) for b in extents[i + 1:]):
            continue
        claims = [{"value": " ".join(filter(None, (q, ", ".join(_short(t.value) for t in terms)))),
                   "sources": sources} for (terms, q), sources in stated.items()]
        out.append({"record": _short(s), "label": labels.get(s, ""), "field": _field_of(p, s in observations),
                    "property": _property_name(p),
                    "claims": sorted(claims, key=lambda c: (c["value"], c["sources"]))})
    return out


def _property_name(iri: str) -> str:
    """A property as ``FIELDS`` names it: ``date`` for ``pd:date``, ``rdf:value`` outside the ontology."""
    if iri.startswith(PD):
        return iri[len(PD):]
    return next((f"{k}:{iri[len(v):]}" for k, v in PREFIXES.items() if iri.startswith(v)), iri)


#: The columns of :func:`conflict_table` (``paradiplo conflicts --format csv``, the report's ``conflicts.csv``).
CONFLICT_COLUMNS = ["record", "label", "field", "property", "value", "sources"]


def conflict_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`conflicts` flattened for CSV: one row per claim, with the :data:`CONFLICT_COLUMNS`."""
    return [{"record": c["record"], "label": c["label"], "field": c["field"], "property": c["property"],
             "value": cl["value"], "sources": cl["sources"]} for c in rows for cl in c["claims"]]


def _term_id(term: Any) -> str:
    """An IRI of the data or ontology as its id (``omsk``, ``partOf``); a literal as its text."""
    value = term.value
    for base in (ID, PD, GRAPH):
        if isinstance(term, ox.NamedNode) and value.startswith(base):
            return value[len(base):]
    if isinstance(term, ox.NamedNode):
        return value.rsplit("#", 1)[-1] if "#" in value else value.rsplit("/", 1)[-1]
    return value


def _values(ids: list[str]) -> str:
    return " ".join(f"<{ID}{i}>" for i in ids)


def attestations(store: ox.Store, ids: list[str]) -> dict[str, list[dict[str, str]]]:
    """Record id → its evidence, ``[{"source", "locator", "quote"}]`` sorted, for the ``ids`` given.

    >>> from graph import open_graph
    >>> ev = attestations(open_graph().store, ["omsk-oblast"])["omsk-oblast"][0]
    >>> sorted(ev), bool(ev["quote"])
    (['locator', 'quote', 'source'], True)
    """
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    if not ids:
        return {}
    for r in store.query(f"""SELECT DISTINCT ?x ?s ?l ?q WHERE {{ VALUES ?x {{ {_values(ids)} }}
                               ?x pd:evidence ?e . ?e pd:source ?s ; pd:quote ?q . OPTIONAL {{ ?e pd:locator ?l }} }}
                             ORDER BY ?x ?s ?l ?q""", prefixes=PREFIXES):
        out[_term_id(r["x"])].append({"source": _term_id(r["s"]), "locator": r["l"].value if r["l"] else "",
                                    "quote": r["q"].value})
    return dict(out)


def claims_by_source(store: ox.Store, ids: list[str]) -> dict[str, dict[str, list[list[str]]]]:
    """Record id → named graph (a source id, or ``general-knowledge``) → the ``[property, value]``
    pairs that graph states of it (evidence and ``prov:wasDerivedFrom`` left out), sorted.

    >>> from graph import open_graph
    >>> claims = claims_by_source(open_graph().store, ["almaty"])["almaty"]
    >>> ["part_of" in p or "partOf" in p for p, v in claims["general-knowledge"]].count(True)
    1
    """
    out: dict[str, dict[str, list[list[str]]]] = defaultdict(lambda: defaultdict(list))
    if not ids:
        return {}
    for r in store.query(f"""SELECT DISTINCT ?x ?g ?p ?o WHERE {{ VALUES ?x {{ {_values(ids)} }}
                               GRAPH ?g {{ ?x ?p ?o }} FILTER(?p NOT IN (pd:evidence, prov:wasDerivedFrom)) }}
                             ORDER BY ?x ?g ?p ?o""", prefixes=PREFIXES):
        value = _term_id(r["o"])
        if isinstance(r["o"], ox.Literal) and r["o"].language:
            value += f" @{r['o'].language}"
        out[_term_id(r["x"])][_term_id(r["g"])].append([_term_id(r["p"]), value])
    return {k: dict(v) for k, v in out.items()}


#: The columns of :func:`paper_claims` (the report's ``claims.csv``).
PAPER_CLAIM_COLUMNS = ["source", "kind", "claim", "paraphrase", "quote", "locator"]


def paper_claims(store: ox.Store) -> list[dict[str, str]]:
    """What each paper argues: one row per claim record and quote, with the
    :data:`PAPER_CLAIM_COLUMNS` (``source`` the paper whose named graph states the claim,
    ``paraphrase`` its English label), sorted by source, kind, claim, locator and quote.

    >>> from graph import open_graph
    >>> rows = paper_claims(open_graph().store)
    >>> rows == sorted(rows, key=lambda r: [r[c] for c in ("source", "kind", "claim", "locator", "quote")])
    True
    """
    rows = store.query("""
        SELECT ?g ?c ?kind ?label ?quote ?locator WHERE { GRAPH ?g {
          ?c a pd:Claim ; pd:claimKind ?kind ; pd:evidence ?e . ?e pd:quote ?quote ; pd:locator ?locator .
          OPTIONAL { ?c rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) } } }""", prefixes=PREFIXES)
    out = [{"source": r["g"].value[len(GRAPH):], "kind": r["kind"].value, "claim": _short(r["c"].value),
            "paraphrase": r["label"].value if r["label"] else "", "quote": r["quote"].value,
            "locator": r["locator"].value} for r in rows]
    return sorted({tuple(r.items()): r for r in out}.values(),
                  key=lambda r: [r[c] for c in ("source", "kind", "claim", "locator", "quote", "paraphrase")])
