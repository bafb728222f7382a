"""Safe SPARQL: refusals before execution, syntax errors with line and column, result formats."""

from __future__ import annotations

import json

import pytest

from cli import cli
from graph.formats import to_csv, to_json, to_tsv
from graph.queries import bundled_queries
from graph.sparql import QueryRefused, QuerySyntaxError, check_query, run_query


@pytest.mark.parametrize("query, reason", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://x/> { ?s ?p ?o } } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "updates"),
    ("LOAD <http://example.org/data.ttl>", "updates"),
    ("DROP ALL", "updates"),
])
def test_unsafe_queries_are_refused_before_execution(query, reason):
    with pytest.raises(QueryRefused, match=reason):
        check_query(query)


def test_oversized_queries_are_refused():
    with pytest.raises(QueryRefused, match="limit"):
        check_query("SELECT * WHERE { ?s ?p ?o }" + " " * 200_000)


def test_syntax_errors_give_line_and_column(kg):
    with pytest.raises(QuerySyntaxError, match="line 2, column 16"):
        run_query(kg.store, "SELECT *\nWHERE { ?s ?p }")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?a ?b ?c FILTER(?a<?b)SERVICE<http://x>{?s ?p ?o}}",
    "select * from <file:///etc/passwd> where { ?s ?p ?o }",
])
def test_refusal_sees_through_escapes_case_and_missing_spaces(query):
    with pytest.raises(QueryRefused):
        check_query(query)


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE FROM INSERT" } # SERVICE in a comment',
    "PREFIX svc: <http://example.org/from/> SELECT ?service ?from WHERE { ?service svc:load ?from }",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s a schema:Service ; schema:from ?f }",
    "SELECT * WHERE { ?s ?p <http://example.org/SERVICE> }",
])
def test_keywords_inside_strings_iris_names_and_comments_are_not_refused(query):
    assert check_query(query) == "SelectQuery"


def test_refused_query_on_the_cli_exits_1_without_traceback(runner):
    result = runner.invoke(cli, ["query", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"])
    assert result.exit_code == 1
    assert "SERVICE is refused" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("query", bundled_queries(), ids=lambda q: q.name)
def test_every_bundled_query_returns_rows(kg, query):
    result = run_query(kg.store, query.text)
    assert result.kind == "select" and len(result.rows) > 0


def test_default_graph_is_the_union_and_graph_tells_the_source(small_kg):
    union = run_query(small_kg.store, "SELECT ?d WHERE { pdr:omsk-pavlodar-agreement pd:date ?d } ORDER BY ?d")
    assert [r[0].value for r in union.rows] == ["2007", "2015-03-16"]
    named = run_query(small_kg.store, "SELECT ?g WHERE { GRAPH ?g { pdr:omsk-pavlodar-agreement pd:date \"2007\"^^xsd:gYear } }")
    assert [r[0].value for r in named.rows] == ["https://w3id.org/paradiplo/graph/paper-b"]


def test_result_formats(small_kg):
    result = run_query(small_kg.store, 'SELECT ?l WHERE { pdr:pavlodar-oblast rdfs:label ?l FILTER(LANG(?l) = "kk") }')
    assert to_json(result) == {"head": {"vars": ["l"]}, "results": {"bindings": [
        {"l": {"type": "literal", "value": "Павлодар облысы", "xml:lang": "kk"}}]}}
    assert to_csv(result) == "l\r\nПавлодар облысы\r\n"
    assert to_tsv(result) == '?l\n"Павлодар облысы"@kk\n'
    ask = run_query(small_kg.store, "ASK { pdr:omsk-oblast a pd:Region }")
    assert to_json(ask) == {"head": {}, "boolean": True}
    json.dumps(to_json(result))


def test_a_runaway_query_is_stopped_and_the_next_one_answers(kg):
    from graph.sparql import QueryTimeout

    with pytest.raises(QueryTimeout, match="stopped after 1 s"):
        run_query(kg.store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1)
    assert run_query(kg.store, "ASK { pdr:omsk-oblast a pd:Region }").boolean is True


def test_results_over_the_row_limit_are_refused_not_truncated(kg):
    from graph.sparql import QueryTooLarge

    with pytest.raises(QueryTooLarge, match="more than 10 rows"):
        run_query(kg.store, "SELECT ?s WHERE { ?s a pd:Region }", max_rows=10)
    assert len(run_query(kg.store, "SELECT ?s WHERE { ?s a pd:Region } LIMIT 10", max_rows=10).rows) == 10


def test_cli_timeout_option_stops_the_query(runner):
    result = runner.invoke(cli, ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
                                 "--timeout", "0.5"])
    assert result.exit_code == 1 and "stopped after 0.5 s" in result.output


def test_construct_prints_jsonld_on_request(runner):
    import pyoxigraph as ox

    result = runner.invoke(cli, ["query", "CONSTRUCT { ?r a pd:Region } WHERE { ?r a pd:Region }", "--format", "jsonld"])
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.JSON_LD))) > 20


def test_query_pool_survives_a_runaway_query_and_serves_threads(kg):
    import concurrent.futures

    from graph.sparql import QueryPool, QueryTimeout, QueryTooLarge

    pool = QueryPool(kg.store, size=2, max_rows=50)
    try:
        with pytest.raises(QueryTimeout):
            pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1)
        with pytest.raises(QueryTooLarge, match="more than 50 rows"):
            pool.run("SELECT ?s WHERE { ?s a ?type }")
        expected = run_query(kg.store, "SELECT ?s WHERE { ?s a pd:Region } ORDER BY ?s LIMIT 20").rows
        with concurrent.futures.ThreadPoolExecutor(max_workers=6) as threads:
            answers = list(threads.map(lambda _: pool.run("SELECT ?s WHERE { ?s a pd:Region } ORDER BY ?s LIMIT 20").rows,
                                       range(12)))
        assert answers == [expected] * 12
    finally:
        pool.close()


PAPER_A, PAPER_B = "https://w3id.org/paradiplo/graph/paper-a", "https://w3id.org/paradiplo/graph/paper-b"


@pytest.mark.parametrize("query, dataset", [
    (f"ASK FROM <{PAPER_A}> {{}}", ((PAPER_A,), ())),
    (f"ASK FROM<{PAPER_A}>FROM NAMED<{PAPER_B}>{{}}", ((PAPER_A,), (PAPER_B,))),
    (f"ASK FROM # a comment\nNAMED <{PAPER_B}> {{}}", ((), (PAPER_B,))),
    ("ASK {}", None),
])
def test_from_a_graph_of_the_dataset_becomes_the_dataset(query, dataset):
    from graph.sparql import QueryDataset, prepare_query

    prepared = prepare_query(query, frozenset({PAPER_A, PAPER_B}))
    assert prepared.dataset == (QueryDataset(*dataset) if dataset else None)
    with pytest.raises(QueryRefused, match="FROM"):
        prepare_query(query if dataset else f"ASK FROM <{PAPER_A}> {{}}")  # without the graphs: refused


@pytest.mark.parametrize("query, named", [
    ("ASK FROM <https://w3id.org/paradiplo/graph/paper-c> {}", "paper-c"),
    ("ASK FROM <file:///etc/passwd> {}", "file:///etc/passwd"),
    (f"ASK FROM <{PAPER_A[:-1]}\\u0061> {{}}", "\\u0061"),                 # escapes are not decoded
    (f"ASK FROMNAMED <{PAPER_A}> {{}}", "FROM and FROM NAMED are refused"),
    ("ASK FROM pd:x {}", "FROM and FROM NAMED are refused"),           # a prefix name, not a full IRI
    (f"ASK FROM <{PAPER_A}> FROM <http://127.0.0.1:1/leak> {{}}", "leak"),
    (f"ASK FROM <{PAPER_A}> {{ SERVICE <http://127.0.0.1:1/> {{}} }}", "SERVICE"),
])
def test_from_any_other_graph_is_refused_naming_it(query, named):
    from graph.sparql import prepare_query

    with pytest.raises(QueryRefused) as refused:
        prepare_query(query, frozenset({PAPER_A, PAPER_B}))
    assert named in str(refused.value)


def test_run_query_honours_from_and_resolves_relative_iris(small_kg):
    query = "SELECT ?d {} WHERE {{ <id/omsk-pavlodar-agreement> pd:date ?d }} ORDER BY ?d"
    assert [r[0].value for r in run_query(small_kg.store, query.format(f"FROM <{PAPER_B}>")).rows] == ["2007"]
    assert [r[0].value for r in run_query(small_kg.store, query.format("")).rows] == ["2007", "2015-03-16"]
