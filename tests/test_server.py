"""The SPARQL 1.1 Protocol endpoint, started for real on a free loopback port and exercised
with SPARQLWrapper, raw HTTP and the CLI's --endpoint."""

from __future__ import annotations

import concurrent.futures
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from cli import cli
from graph.formats import to_json
from graph.queries import bundled_queries
from graph.sparql import run_query

from .conftest import free_port, serving

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
REGIONS = "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r"


@pytest.fixture(scope="module")
def endpoint():
    with serving("--timeout", "2") as (port, _):
        yield f"http://127.0.0.1:{port}/sparql"


def _http(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _get(url, query, accept):
    return _http(url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


def test_sparqlwrapper_select_json_equals_the_library(endpoint, kg):
    client = SPARQLWrapper(endpoint)
    client.setQuery(REGIONS)
    client.setReturnFormat(JSON)
    assert client.query().convert() == to_json(run_query(kg.store, REGIONS))


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt, check", [
    (XML, lambda body: b"<sparql" in body),
    (CSV, lambda body: body.decode("utf-8").startswith("r\r\n")),
    (TSV, lambda body: body.decode("utf-8").startswith("?r\n")),
])
def test_sparqlwrapper_every_method_and_results_format(endpoint, method, fmt, check):
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(REGIONS)
    client.setReturnFormat(fmt)
    raw = client.query().response.read()
    assert check(raw)


def test_sparqlwrapper_construct_as_turtle(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery("CONSTRUCT { ?r a pd:Region } WHERE { ?r a pd:Region }")
    client.setReturnFormat(TURTLE)
    graph = client.query().convert()
    assert len(list(ox.parse(graph, format=ox.RdfFormat.TURTLE))) > 20


def test_post_sparql_query_body(endpoint):
    status, headers, body = _http(endpoint, data=b"ASK { pdr:omsk-oblast a pd:Region }",
                                  headers={"Content-Type": "application/sparql-query",
                                           "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("accept, media", [
    ("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"), ("*/*", "text/turtle"),
])
def test_graph_results_are_negotiated(endpoint, accept, media):
    status, headers, body = _get(endpoint, "DESCRIBE pdr:omsk-oblast", accept)
    assert status == 200 and headers["Content-Type"].startswith(media)
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/ld+json": ox.RdfFormat.JSON_LD}[media]
    assert len(list(ox.parse(body, format=fmt))) > 5


def test_unsupported_accept_is_406(endpoint):
    assert _get(endpoint, REGIONS, "image/png")[0] == 406


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p }",
])
def test_bad_or_refused_queries_are_400(endpoint, query):
    status, _, body = _get(endpoint, query, "application/sparql-results+json")
    assert status == 400 and body


@pytest.mark.parametrize("data, ctype", [
    (b"update=INSERT+DATA+%7B%3Chttp%3A%2F%2Fa%3E+%3Chttp%3A%2F%2Fb%3E+%3Chttp%3A%2F%2Fc%3E%7D",
     "application/x-www-form-urlencoded"),
    (b"INSERT DATA { <http://a> <http://b> <http://c> }", "application/sparql-update"),
    (b"DROP ALL", "application/sparql-query"),
])
def test_updates_are_refused_and_nothing_changes(endpoint, data, ctype):
    before = _get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")[2]
    status, _, body = _http(endpoint, data=data, headers={"Content-Type": ctype})
    assert status == 400 and b"read-only" in body
    assert _get(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")[2] == before


def test_default_graph_uri_is_refused(endpoint):
    url = endpoint + "?" + urllib.parse.urlencode({"query": REGIONS, "default-graph-uri": "file:///etc/passwd"})
    assert _http(url)[0] == 400


def test_oversized_query_is_413(endpoint):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 150_000
    status, _, _ = _http(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 413


def test_runaway_query_is_stopped_with_503_and_the_server_stays_healthy(endpoint):
    started = time.monotonic()
    status, _, body = _get(endpoint, RUNAWAY, "application/sparql-results+json")
    assert status == 503 and b"stopped after 2 s" in body
    assert time.monotonic() - started < 10
    status, _, body = _get(endpoint, "ASK { pdr:omsk-oblast a pd:Region }", "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_ten_concurrent_clients_get_the_same_answers(endpoint, kg):
    expected = to_json(run_query(kg.store, REGIONS))

    def ask(_):
        status, _, body = _get(endpoint, REGIONS, "application/sparql-results+json")
        return status, json.loads(body)

    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(ask, range(10)))
    assert answers == [(200, expected)] * 10


def test_options_preflight_allows_browser_clients(endpoint):
    status, headers, _ = _http(endpoint, method="OPTIONS", headers={"Origin": "http://example.org",
                                                                    "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]


def test_service_description_lists_the_named_graphs(endpoint):
    status, _, body = _http(endpoint, headers={"Accept": "text/turtle"})
    assert status == 200
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    names = {t.object.value for t in triples if t.predicate.value.endswith("#name")}
    assert "https://w3id.org/paradiplo/graph/makashev-2026" in names


def test_query_page_works_offline(endpoint):
    status, headers, body = _http(endpoint.rsplit("/", 1)[0] + "/")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<form" in page and "omsk-agreements-with-kazakhstan" in page
    assert "src=\"http" not in page and "href=\"http" not in page


def test_every_bundled_query_over_http_equals_the_library(endpoint, kg):
    for query in bundled_queries():
        status, _, body = _http(endpoint, data=query.text.encode("utf-8"),
                                headers={"Content-Type": "application/sparql-query",
                                         "Accept": "application/sparql-results+json"})
        assert status == 200, query.name
        assert json.loads(body) == to_json(run_query(kg.store, query.text)), query.name


def test_cli_query_endpoint_runs_against_a_remote_store(endpoint, runner, kg):
    result = runner.invoke(cli, ["query", REGIONS, "--endpoint", endpoint, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == to_json(run_query(kg.store, REGIONS))


def test_cli_query_endpoint_reports_an_unreachable_endpoint(runner):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = runner.invoke(cli, ["query", REGIONS, "--endpoint", url])
    assert result.exit_code == 1 and "cannot reach" in result.output
