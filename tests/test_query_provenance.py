"""Right before rich: no bundled query pairs a value with a source that does not state it.

Every bundled query that shows a source (a column holding ``pds:`` or ``pdg:`` IRIs) says in
its header which columns are the source, the values and the record they describe::

    # provenance: ?source states ?year ?label of ?agreement
    # provenance: ?source states ?locator ?quote of ?agreement via pd:evidence
    # provenance: ?graph counts ?records

``states`` is checked row by row: the named graph of ``?source`` (the column holds the graph
itself, or the ``pd:Source`` whose graph it is) must hold ``?agreement ?p ?year`` (with
``via``, ``?agreement <via> ?n . ?n ?p ?quote``). ``counts`` (an aggregate, one number per
source) is checked by the query's text: the source variable is the graph of a ``GRAPH``
pattern. A value or record left unbound (``OPTIONAL``) is not a claim and is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from graph.queries import bundled_queries
from graph.rdf import GRAPH, PD, PREFIXES, SOURCE
from graph.sparql import run_query

HEADER = re.compile(r"^# provenance:\s*(.*?)\s*$", re.MULTILINE)
STATES = re.compile(r"\?(\w+) states ((?:\?\w+ )+)of \?(\w+)(?: via (\S+))?")
COUNTS = re.compile(r"\?(\w+) counts \?(\w+)")

#: omsk-agreements-with-kazakhstan.rq as it was before issue 12: it matched the union and then
#: joined the sources, so Makashev's 2015 was shown beside the soft-power paper and its 2007
#: beside Makashev. The check below must catch it.
UNION_JOIN = """# provenance: ?source states ?year ?label ?partner of ?agreement
SELECT DISTINCT ?year ?agreement ?label ?partner ?partnerLabel ?source WHERE {
  ?agreement pd:signatory ?omsk , ?partner ; rdfs:label ?label .
  FILTER(LANGMATCHES(LANG(?label), "en"))
  VALUES ?omsk { pdr:omsk-oblast pdr:omsk-oblast-government }
  ?partner pd:country pdr:kazakhstan ; rdfs:label ?partnerLabel .
  FILTER(LANGMATCHES(LANG(?partnerLabel), "en"))
  OPTIONAL { ?agreement pd:year ?year }
  ?agreement pd:evidence/pd:source ?source .
}
ORDER BY ?year ?agreement ?partner ?source ?label ?partnerLabel
"""


@dataclass(frozen=True)
class Claim:
    source: str
    values: tuple[str, ...]
    record: str
    via: str | None = None


def declarations(text: str) -> tuple[list[Claim], list[tuple[str, str]]]:
    """The ``states`` claims and the ``counts`` (source, count) pairs a query's header declares."""
    claims, counts = [], []
    for line in HEADER.findall(text):
        if m := STATES.fullmatch(line):
            claims.append(Claim(m[1], tuple(v.lstrip("?") for v in m[2].split()), m[3], m[4]))
        elif m := COUNTS.fullmatch(line):
            counts.append((m[1], m[2]))
        else:
            raise AssertionError(f"unreadable provenance header: {line!r}")
    return claims, counts


def _expand(path: str) -> str:
    """A prefixed name (``pd:evidence``) as a full IRI in angle brackets."""
    prefix, _, local = path.partition(":")
    return f"<{PREFIXES[prefix]}{local}>"


def graph_of(store, source) -> str:
    """The named graph of a source: the term itself if it is a graph, else the graph of the ``pd:Source``."""
    if source.value.startswith(GRAPH):
        return str(source)
    graphs = [s["g"] for s in store.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ {source} a <{PD}Source> }} }}")]
    assert len(graphs) == 1, f"{source} is the pd:Source of {len(graphs)} graphs"
    return str(graphs[0])


def unstated(store, text: str) -> list[str]:
    """Rows of the query ``text`` that pair a value with a source whose graph does not state it."""
    result = run_query(store, text, timeout=None)
    claims, _ = declarations(text)
    col = {v: i for i, v in enumerate(result.variables)}
    out = []
    for claim in claims:
        for row in result.rows:
            source, record = row[col[claim.source]], row[col[claim.record]]
            if source is None or record is None:
                continue
            g = graph_of(store, source)
            for name in claim.values:
                value = row[col[name]]
                if value is None:
                    continue
                hop = f"{record} {_expand(claim.via)} ?n . ?n ?p {value}" if claim.via else f"{record} ?p {value}"
                if not store.query(f"ASK {{ GRAPH {g} {{ {hop} }} }}"):
                    out.append(f"{g} does not state ?{name} = {value} of {record}")
    return out


QUERIES = bundled_queries()


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_every_source_column_is_declared(kg, query):
    result = run_query(kg.store, query.text, timeout=None)
    claims, counts = declarations(query.text)
    declared = {c.source for c in claims} | {s for s, _ in counts}
    shown = {v for i, v in enumerate(result.variables)
             if any(row[i] is not None and row[i].value.startswith((SOURCE, GRAPH)) for row in result.rows)}
    assert shown <= declared, f"{query.name}: columns {sorted(shown - declared)} show sources; declare them"
    named = {c.source for c in claims} | {c.record for c in claims} | {v for c in claims for v in c.values}
    named |= {v for pair in counts for v in pair}
    assert named <= set(result.variables), f"{query.name}: header names {sorted(named - set(result.variables))}"


@pytest.mark.parametrize("query", [q for q in QUERIES if declarations(q.text)[0]], ids=lambda q: q.name)
def test_each_value_is_stated_by_the_source_beside_it(kg, query):
    wrong = unstated(kg.store, query.text)
    assert not wrong, f"{query.name}: {len(wrong)} value(s) beside a source that does not state them:\n" + \
        "\n".join(wrong[:10])


@pytest.mark.parametrize("query", [q for q in QUERIES if declarations(q.text)[1]], ids=lambda q: q.name)
def test_counts_are_counted_inside_the_graph_of_their_source(query):
    for source, _ in declarations(query.text)[1]:
        assert re.search(rf"GRAPH\s+\?{source}\s*\{{", query.text), f"{query.name}: ?{source} is no GRAPH"


def test_the_check_catches_a_join_of_the_union_with_the_sources(kg):
    wrong = unstated(kg.store, UNION_JOIN)
    assert any('"2007"' in w and "makashev-2026" in w for w in wrong), wrong
    assert any('"2015"' in w and "omsk-kazakhstan-soft-power" in w for w in wrong), wrong


def test_the_bundled_omsk_query_gives_each_paper_its_own_year(kg):
    query = next(q for q in QUERIES if q.name == "omsk-agreements-with-kazakhstan")
    result = run_query(kg.store, query.text, timeout=None)
    col = {v: i for i, v in enumerate(result.variables)}
    rows = {(r[col["year"]].value, r[col["source"]].value.removeprefix(SOURCE)) for r in result.rows
            if r[col["agreement"]].value.endswith("/omsk-pavlodar-cooperation-agreement")}
    assert rows == {("2007", "omsk-kazakhstan-soft-power"), ("2015", "makashev-2026")}
