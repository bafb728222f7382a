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

from .rdf import GRAPH, ID, ONTOLOGY_GRAPH, PD, PREFIXES, prop_iri
from .records import FIELDS, GENERAL_KNOWLEDGE, PartialDate

__all__ = ["stats", "conflicts", "contestable_properties"]


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


def stats(store: ox.Store) -> dict[str, int]:
    """Counts: ``actors``, ``agreements``, ``forums``, ``sectors``, ``sources``, ``observations``,
    ``triples`` (distinct, all graphs but the ontology), ``quads``, ``named_graphs`` and
    ``records_without_source`` (records no paper attests: in the bundled data, the seven
    regions general knowledge adds for the roll-up of cities)."""
    data_graphs = f"FILTER(?g != <{ONTOLOGY_GRAPH}>)"
    triples = int(next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {data_graphs} }} }}")))["n"].value)
    quads = int(next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {data_graphs} }}")))["n"].value)
    record = "?x a ?t . ?t rdfs:subClassOf* ?top . VALUES ?top { pd:Actor pd:Agreement pd:Forum pd:Observation }"
    return {
        "actors": _count(store, "?x a/rdfs:subClassOf* pd:Actor"),
        "agreements": _count(store, "?x a/rdfs:subClassOf* pd:Agreement"),
        "forums": _count(store, "?x a/rdfs:subClassOf* pd:Forum"),
        "sectors": _count(store, "?x a skos:Concept ; skos:inScheme pdr:sectors"),
        "sources": _count(store, f"?x a pd:Source FILTER(?x != pds:{GENERAL_KNOWLEDGE})"),
        "observations": _count(store, "?x a pd:Observation"),
        "triples": triples,
        "quads": quads,
        "named_graphs": _count(store, "GRAPH ?x { ?s ?p ?o }"),
        "records_without_source": _count(
            store, f"{record} FILTER NOT EXISTS {{ ?x pd:evidence/pd:source ?src FILTER(?src != pds:{GENERAL_KNOWLEDGE}) }}"),
    }


def _compatible(a: ox.Literal | ox.NamedNode, b: ox.Literal | ox.NamedNode) -> bool:
    """Two dates agree when one is a coarser statement of the other (2015 and 2015-03-16)."""
    if isinstance(a, ox.Literal) and isinstance(b, ox.Literal) and a.datatype.value.endswith(("gYear", "gYearMonth", "date")):
        x, y = PartialDate.parse(a.value), PartialDate.parse(b.value)
        xa, xb, ya, yb = x.first_day(), x.last_day(), y.first_day(), y.last_day()
        return (xa <= ya and yb <= xb) or (ya <= xa and xb <= yb)
    return a == b


def conflicts(store: ox.Store) -> list[dict[str, Any]]:
    """Claims on which sources disagree, one row per record and property.

    Returns
    -------
    list of dict
        ``record``, ``label``, ``property`` and ``claims``: ``[{"value", "sources"}]``
        with every value and the sources stating it. Dates that differ only in
        precision (``2015`` and ``2015-03-16``) are not a disagreement.
    """
    props = " ".join(f"<{p}>" for p in contestable_properties())
    rows = store.query(f"""
        SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {props} }} GRAPH ?g {{ ?s ?p ?o }} }}""", prefixes=PREFIXES)
    claims: dict[tuple[str, str], dict[Any, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        claims[(r["s"].value, r["p"].value)][r["o"]].add(r["g"].value[len(GRAPH):])
    labels = {r["s"].value: r["l"].value for r in store.query(
        "SELECT ?s (MIN(?l) AS ?l) WHERE { ?s rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), 'en')) } GROUP BY ?s",
        prefixes=PREFIXES)}
    out = []
    for (s, p), values in sorted(claims.items()):
        terms = sorted(values, key=str)
        disagree = any(not _compatible(a, b) for i, a in enumerate(terms) for b in terms[i + 1:])
        if len(terms) < 2 or not disagree:
            continue
        out.append({
            "record": s[len(ID):] if s.startswith(ID) else s,
            "label": labels.get(s, ""),
            "property": p[len(PD):] if p.startswith(PD) else p,
            "claims": [{"value": t.value[len(ID):] if t.value.startswith(ID) else t.value,
                        "sources": sorted(values[t])} for t in terms],
        })
    return out
