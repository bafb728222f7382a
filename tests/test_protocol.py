"""The W3C SPARQL 1.1 Protocol test suite (query side), run against a real ``paradiplo serve``.

Each ``test_<name>`` sends the requests of the manifest entry ``:<name>`` (tests/w3c/protocol/
manifest.ttl, read here with rdflib) and checks the expected status, result format and
boolean. The suite's graphs are translated to graphs of the bundled data (tests/w3c/README.md);
tests that a dataset is honoured also send the request with a graph left out and expect
``false``, so a server that ignored the dataset would fail them.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from cli import cli
from graph.rdf import GRAPH, SOURCE
from graph.sparql import QUERY_BASE, run_query

from .conftest import serving

MANIFEST = Path(__file__).parent / "w3c" / "protocol" / "manifest.ttl"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
KASEI = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")


def graph_iri(source: str) -> str:
    return GRAPH + source


def source_iri(source: str) -> str:
    return SOURCE + source


@dataclass
class Step:
    """One request of a manifest entry and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    fmt: str | None = None
    boolean: bool | None = None
    params: list[tuple[str, str]] = field(default_factory=list)


def _step(g: Graph, request) -> Step:
    headers = {}
    for header in Collection(g, g.value(request, HT.headers)) if g.value(request, HT.headers) else ():
        headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
    body = g.value(request, HT.body)
    data = None
    if body is not None:
        data = str(g.value(body, CNT.chars)).encode(str(g.value(body, CNT.characterEncoding) or "UTF-8"))
    resp = g.value(request, HT.resp)
    statuses = {str(s).removeprefix(str(HTS)) for s in g.objects(resp, MF.expectedStatus)}
    boolean = g.value(resp, MF.expectedBoolean)
    fmt = g.value(resp, MF.expectedFormat)
    return Step(str(g.value(request, HT.methodName)), str(g.value(request, HT.absolutePath)), headers, data,
                statuses, str(fmt) if fmt is not None else None, boolean.toPython() if boolean is not None else None)


def _manifest() -> dict[str, list[Step]]:
    """Every entry of the manifest: its name → its requests, in order."""
    g = Graph().parse(MANIFEST, format="turtle", publicID=BASE)
    cases = {}
    for entry in g.subjects(RDF.type, MF.ProtocolTest):
        requests = Collection(g, g.value(g.value(entry, MF.action), HT.requests))
        cases[str(entry).removeprefix(BASE)] = [_step(g, r) for r in requests]
    return cases


CASES = _manifest()
QUERY_CASES = sorted(n for n in CASES if n.startswith(("query_", "bad_query", "bad_multiple_queries")))


@pytest.fixture(scope="module")
def endpoint():
    with serving("--timeout", "20") as (port, _):
        yield port


@pytest.fixture(scope="module")
def sources(kg) -> list[str]:
    """The source ids standing for the suite's data0 … data3: sources typed in their own graph."""
    rows = run_query(kg.store, "SELECT ?s WHERE { GRAPH ?g { ?s a pd:Source } "
                               "FILTER(STR(?g) = REPLACE(STR(?s), '/source/', '/graph/')) } ORDER BY ?s").rows
    ids = [row[0].value.rsplit("/", 1)[1] for row in rows]
    assert len(ids) >= 4
    return ids[:4]


def _translate_query(text: str, sources: list[str]) -> str:
    """The suite's graphs → graphs of the dataset after FROM; as subjects → their sources."""
    for n, source in enumerate(sources):
        kasei = KASEI.format(n)
        text = re.sub(rf"(FROM(?:\s+NAMED)?\s+)<{re.escape(kasei)}>", rf"\1<{graph_iri(source)}>", text)
        text = text.replace(f"<{kasei}>", f"<{source_iri(source)}>")
    return text


def _translate_pairs(pairs: list[tuple[str, str]], sources: list[str]) -> list[tuple[str, str]]:
    graphs = {KASEI.format(n): graph_iri(s) for n, s in enumerate(sources)}
    return [(k, graphs.get(v, v) if k in DATASET_PARAMS else _translate_query(v, sources) if k == "query" else v)
            for k, v in pairs]


def _translate(step: Step, sources: list[str]) -> Step:
    """The step with the suite's graphs replaced by graphs of the bundled data."""
    path, _, query = step.path.partition("?")
    params = _translate_pairs(urllib.parse.parse_qsl(query), sources)
    body = step.body
    if body is not None and step.headers.get("content-type") == "application/x-www-form-urlencoded":
        body = urllib.parse.urlencode(_translate_pairs(urllib.parse.parse_qsl(body.decode()), sources)).encode()
    elif body is not None and step.headers.get("content-type") == "application/sparql-query":
        body = _translate_query(body.decode("utf-8"), sources).encode("utf-8")
    return Step(step.method, path, step.headers, body, step.statuses, step.fmt, step.boolean, params)


def _send(port: int, step: Step, params: list[tuple[str, str]] | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    """Send a step (with its own or other URL parameters); status, Content-Type, body."""
    pairs = step.params if params is None else params
    target = step.path + ("?" + urllib.parse.urlencode(pairs) if pairs else "")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(step.method, target, body=step.body, headers={**step.headers, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _parse(content_type: str, body: bytes):
    """The answer: a bool (boolean), a list of solutions (tabular) or of triples (RDF)."""
    media = content_type.split(";")[0].strip()
    results = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
    if media in results:
        parsed = ox.parse_query_results(body, format=results[media])
        return ("boolean", bool(parsed)) if isinstance(parsed, ox.QueryBoolean) else ("tabular", list(parsed))
    return "RDF", [q.triple for q in ox.parse(body, format=ox.RdfFormat.from_media_type(media))]


def _check(port: int, step: Step, params: list[tuple[str, str]] | None = None) -> tuple[int, object]:
    """Send a step and check the manifest's expectations; the answer, parsed."""
    status, content_type, body = _send(port, step, params)
    assert f"StatusCode{status // 100}xx" in step.statuses, (status, body)
    if step.fmt is None:
        return status, None
    fmt, answer = _parse(content_type, body)
    assert fmt == step.fmt
    if step.boolean is not None:
        assert answer is step.boolean
    return status, answer


def _run(port: int, name: str, sources: list[str]) -> list[Step]:
    steps = [_translate(step, sources) for step in CASES[name]]
    for step in steps:
        _check(port, step)
    return steps


def _ask(port: int, step: Step, params: list[tuple[str, str]]) -> bool:
    status, content_type, body = _send(port, step, params)
    assert status == 200, body
    return _parse(content_type, body)[1]


def _without(params: list[tuple[str, str]], key: str) -> list[tuple[str, str]]:
    """The parameters with the last value of ``key`` left out."""
    last = max(i for i, (k, _) in enumerate(params) if k == key)
    return params[:last] + params[last + 1:]


def test_the_manifest_is_read_whole():
    assert len(CASES) == 34 and len(QUERY_CASES) == 20
    assert all(len(steps) == 1 for name, steps in CASES.items() if name in QUERY_CASES)


def test_query_post_form(endpoint, sources):
    _run(endpoint, "query_post_form", sources)


def test_query_get(endpoint, sources):
    _run(endpoint, "query_get", sources)


def test_query_post_direct(endpoint, sources):
    _run(endpoint, "query_post_direct", sources)


def test_query_dataset_default_graphs_get(endpoint, sources):
    [step] = _run(endpoint, "query_dataset_default_graphs_get", sources)
    assert _ask(endpoint, step, _without(step.params, "default-graph-uri")) is False


def test_query_dataset_default_graphs_post(endpoint, sources):
    [step] = _run(endpoint, "query_dataset_default_graphs_post", sources)
    assert _ask(endpoint, step, _without(step.params, "default-graph-uri")) is False


def test_query_dataset_named_graphs_post(endpoint, sources):
    [step] = _run(endpoint, "query_dataset_named_graphs_post", sources)
    assert _ask(endpoint, step, _without(step.params, "named-graph-uri")) is False


def test_query_dataset_named_graphs_get(endpoint, sources):
    [step] = _run(endpoint, "query_dataset_named_graphs_get", sources)
    assert _ask(endpoint, step, _without(step.params, "named-graph-uri")) is False


def test_query_dataset_full(endpoint, sources):
    [step] = _run(endpoint, "query_dataset_full", sources)
    assert _ask(endpoint, step, _without(step.params, "default-graph-uri")) is False
    assert _ask(endpoint, step, _without(step.params, "named-graph-uri")) is False


def test_query_multiple_dataset(endpoint, sources):
    """The protocol's dataset wins over FROM: its default graph is empty, so the graph FROM
    names is not seen."""
    [step] = _run(endpoint, "query_multiple_dataset", sources)
    from_graph = Step("POST", step.path, step.headers,
                      f"ASK FROM <{graph_iri(sources[3])}> {{ <{source_iri(sources[3])}> a ?type }}".encode(),
                      step.statuses)
    assert _ask(endpoint, from_graph, []) is True
    assert _ask(endpoint, from_graph, step.params) is False


def test_query_content_type_select(endpoint, sources):
    _run(endpoint, "query_content_type_select", sources)


def test_query_content_type_ask(endpoint, sources):
    _run(endpoint, "query_content_type_ask", sources)


def test_query_content_type_describe(endpoint, sources):
    _run(endpoint, "query_content_type_describe", sources)


def test_query_content_type_construct(endpoint, sources):
    """``<s> <p> 1``: relative IRIs, resolved against the endpoint's URL (``/sparql/`` here)."""
    [step] = _run(endpoint, "query_content_type_construct", sources)
    _, answer = _check(endpoint, step)
    here = f"http://127.0.0.1:{endpoint}/sparql/"
    assert answer == [ox.Triple(ox.NamedNode(here + "s"), ox.NamedNode(here + "p"),
                                ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]


#: the query-side cases of the manifest that only check the refusal, one parametrised test (ids = names)
BAD_QUERIES = ["bad_query_method", "bad_multiple_queries", "bad_query_wrong_media_type", "bad_query_missing_form_type",
               "bad_query_missing_direct_type", "bad_query_non_utf8", "bad_query_syntax"]


@pytest.mark.parametrize("name", BAD_QUERIES)
def test_bad_query(endpoint, sources, name):
    _run(endpoint, name, sources)


@pytest.mark.parametrize("name", ["bad_update_get", "bad_multiple_updates", "bad_update_wrong_media_type",
                                  "bad_update_missing_form_type", "bad_update_non_utf8", "bad_update_syntax",
                                  "bad_update_dataset_conflict"])
def test_bad_update(endpoint, sources, name):
    """Every update is refused (the dataset is read-only), so these hold however they are sent."""
    _run(endpoint, name, sources)


def test_every_query_case_has_a_test_of_its_name():
    assert [n for n in QUERY_CASES if f"test_{n}" not in globals() and n not in BAD_QUERIES] == []


# Beyond the manifest: unknown graphs, FROM, the base IRI, HEAD, a missing query, rdflib.

def test_the_suites_own_graph_is_refused_naming_it(endpoint):
    [step] = CASES["query_get"]
    status, _, body = _send(endpoint, Step(step.method, step.path.partition("?")[0], {}, None, set()),
                            urllib.parse.parse_qsl(step.path.partition("?")[2]))
    assert status == 400 and KASEI.format(0).encode() in body and b"not a graph of this dataset" in body


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_from_a_graph_of_the_dataset_is_honoured_and_any_other_refused(endpoint, kg, sources, clause):
    graph = graph_iri(sources[1])
    count = "SELECT (COUNT(*) AS ?n) {clause} <{graph}> WHERE {{ {pattern} }}"
    pattern = "GRAPH ?g { ?s ?p ?o }" if clause == "FROM NAMED" else "?s ?p ?o"
    direct = Step("POST", "/sparql", {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
                  count.format(clause=clause, graph=graph, pattern=pattern).encode(), {"StatusCode2xx"})
    status, _, body = _send(endpoint, direct)
    expected = len(list(kg.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))))
    assert status == 200 and body.decode().split() == ["n", str(expected)]
    for other in ("file:///etc/passwd", "http://example.org/elsewhere"):
        direct.body = count.format(clause=clause, graph=other, pattern=pattern).encode()
        status, _, body = _send(endpoint, direct)
        assert status == 400 and other.encode() in body


def test_relative_iris_resolve_against_the_endpoint_url(endpoint):
    step = Step("GET", "/sparql", {"Accept": "application/n-triples"}, None, set())
    _, _, body = _send(endpoint, step, [("query", "CONSTRUCT { <s> <p> <o> } WHERE {}")])
    assert body.decode().split()[:2] == [f"<http://127.0.0.1:{endpoint}/s>", f"<http://127.0.0.1:{endpoint}/p>"]


def test_the_cli_resolves_relative_iris_against_the_documented_base(runner):
    result = runner.invoke(cli, ["query", "SELECT ?t WHERE { <id/omsk-oblast> a ?t }", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert QUERY_BASE == "https://w3id.org/paradiplo/"
    assert "https://w3id.org/paradiplo/ontology#Region" in result.output


@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_head_answers_like_get_without_a_body(endpoint, path):
    get_status, get_type, get_body = _send(endpoint, Step("GET", path, {}, None, set()))
    status, content_type, body = _send(endpoint, Step("HEAD", path, {}, None, set()))
    assert (status, content_type, body) == (get_status, get_type, b"") and status == 200 and get_body


@pytest.mark.parametrize("method, params, body", [
    ("POST", [], b""),
    ("POST", [], b"default-graph-uri=x"),
    ("GET", [("default-graph-uri", "https://w3id.org/paradiplo/graph/ontology")], None),
])
def test_a_missing_query_is_400(endpoint, method, params, body):
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
    status, _, answer = _send(endpoint, Step(method, "/sparql", headers, body, set()), params)
    assert status == 400 and b"query parameter is missing" in answer


def test_rdflib_sparqlstore_default_and_named_graph_modes(endpoint, kg, sources):
    from rdflib import Dataset
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    url = f"http://127.0.0.1:{endpoint}/sparql"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/paradiplo/ontology#Source> }"
    default = Graph(SPARQLStore(url))
    assert int(next(iter(default.query(count)))[0]) == len(run_query(kg.store, "SELECT ?s { ?s a pd:Source }").rows)
    dataset = Dataset(SPARQLStore(url))
    assert {str(g) for g in dataset.store.contexts()} >= {graph_iri(s) for s in sources}
    named = dataset.get_context(URIRef(graph_iri(sources[0])))
    assert len(named) == len(list(kg.store.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(sources[0])))))
    assert int(next(iter(named.query(count)))[0]) == 1  # only the source of this graph
    assert set(named.subjects(RDF.type, URIRef("https://w3id.org/paradiplo/ontology#Source"))) == {
        URIRef(source_iri(sources[0]))}
