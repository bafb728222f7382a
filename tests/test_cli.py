"""The CLI: each command's --format json output equals the library's result."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from cli import cli
from graph.analysis import centrality, communities
from graph.formats import to_json
from graph.project import Filters
from graph.provenance import conflicts, stats
from graph.queries import bundled_queries, find_query
from graph.sparql import run_query

from .conftest import SMALL


def _ok(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result


def test_stats_json_equals_the_library(runner, kg):
    out = json.loads(_ok(runner, ["stats", "--format", "json"]).stdout)
    assert out == stats(kg.store)
    assert set(out) >= {"actors", "agreements", "forums", "sectors", "sources", "triples", "records_without_source"}
    assert out["records_without_source"] == 7 and out["sources"] == 5  # the general-knowledge regions


def test_centrality_json_equals_the_library(runner, kg):
    out = json.loads(_ok(runner, ["centrality", "--format", "json", "--metric", "pagerank", "--top", "5"]).stdout)
    assert out == centrality(kg.actor_graph(), metric="pagerank", top=5)
    for row in out:
        assert {"id", "label", "degree", "betweenness", "closeness", "eigenvector", "pagerank"} <= set(row)


def test_centrality_filters_and_levels_reach_the_library(runner, small_kg):
    args = ["centrality", "--data", str(SMALL), "--format", "json", "--since", "2019", "--level", "region"]
    out = json.loads(_ok(runner, args).stdout)
    assert out == centrality(small_kg.actor_graph(Filters(since=2019), level="region"))


def test_centrality_table_and_csv(runner):
    table = _ok(runner, ["centrality", "--data", str(SMALL), "--top", "2"]).stdout.splitlines()
    assert table[0].split()[:3] == ["rank", "id", "label"] and table[1].split()[1] == "omsk-oblast"
    csv_out = _ok(runner, ["centrality", "--data", str(SMALL), "--format", "csv"]).stdout.splitlines()
    assert csv_out[0].startswith("rank,id,label,country,degree")
    assert len(csv_out) == 1 + 5


def test_communities_json_equals_the_library(runner, small_kg):
    out = json.loads(_ok(runner, ["communities", "--data", str(SMALL), "--seed", "3", "--format", "json"]).stdout)
    assert out == communities(small_kg.actor_graph(), seed=3)


def test_conflicts_lists_both_claims_with_their_sources(runner, small_kg):
    out = json.loads(_ok(runner, ["conflicts", "--data", str(SMALL), "--format", "json"]).stdout)
    assert out == conflicts(small_kg.store)
    agreement = {"record": "omsk-pavlodar-agreement", "label": "Omsk–Pavlodar agreement"}
    assert out == [{**agreement, "field": "date", "property": "date",
                    "claims": [{"value": "2007", "sources": ["paper-b"]},
                               {"value": "2015-03-16", "sources": ["paper-a"]}]},
                   {**agreement, "field": "signatories", "property": "signatory",  # the region or its executive
                    "claims": [{"value": "omsk-oblast, pavlodar-oblast-akimat", "sources": ["paper-b"]},
                               {"value": "omsk-oblast-government, pavlodar-oblast", "sources": ["paper-a"]}]}]


def test_bundled_data_keeps_the_disputed_omsk_pavlodar_date(kg):
    rows = {c["record"]: c for c in conflicts(kg.store)}
    claims = rows["omsk-pavlodar-cooperation-agreement"]["claims"]
    assert {c["value"] for c in claims} >= {"2007", "2015-03-16"}


def test_query_json_is_sparql_results_json_and_equals_the_library(runner, kg):
    q = "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r LIMIT 3"
    out = json.loads(_ok(runner, ["query", q, "--format", "json"]).stdout)
    assert out == to_json(run_query(kg.store, q))
    assert out["head"]["vars"] == ["r"] and len(out["results"]["bindings"]) == 3
    assert out["results"]["bindings"][0]["r"]["type"] == "uri"


def test_query_by_name_and_from_a_file(runner, kg):
    query = find_query("agreements-by-year")
    expected = run_query(kg.store, query.text)
    by_name = _ok(runner, ["query", "--name", query.name, "--format", "csv"]).stdout.splitlines()
    assert by_name[0] == ",".join(expected.variables)
    assert by_name[1:] == [",".join(t.value for t in row) for row in expected.rows]
    from_file = _ok(runner, ["query", str(query.path), "--format", "tsv"]).stdout.splitlines()
    assert from_file[0] == "\t".join("?" + v for v in expected.variables)
    assert from_file[1:] == ["\t".join(str(t) for t in row) for row in expected.rows]


def test_construct_queries_print_turtle(runner):
    out = _ok(runner, ["query", "CONSTRUCT { ?r a pd:Region } WHERE { ?r a pd:Region } LIMIT 2"]).stdout
    triples = list(ox.parse(out.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 2


def test_queries_lists_every_bundled_query(runner):
    out = json.loads(_ok(runner, ["queries", "--format", "json"]).stdout)
    assert [r["name"] for r in out] == [q.name for q in bundled_queries()]
    assert all(r["description"] for r in out)


@pytest.mark.parametrize("fmt", ["ttl", "trig", "nt", "nq", "jsonld"])
def test_export_rdf_formats(runner, tmp_path, small_kg, fmt):
    """Formats with named graphs carry exactly the dataset's quads; the others its union."""
    target = tmp_path / f"out.{fmt}"
    _ok(runner, ["export", "--data", str(SMALL), "--format", fmt, "-o", str(target)])
    fmt_map = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
               "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
    parsed = list(ox.parse(path=str(target), format=fmt_map[fmt]))
    if fmt in ("trig", "nq", "jsonld"):
        assert {(q.subject, q.predicate, q.object, q.graph_name) for q in parsed} == \
            {(q.subject, q.predicate, q.object, q.graph_name) for q in small_kg.quads}
    else:
        assert {(t.subject, t.predicate, t.object) for t in parsed} == \
            {(q.subject, q.predicate, q.object) for q in small_kg.quads}


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_network_formats(runner, tmp_path, small_kg, fmt, reader):
    target = tmp_path / f"net.{fmt}"
    _ok(runner, ["export", "--data", str(SMALL), "--format", fmt, "-o", str(target)])
    g = reader(target)
    expected = small_kg.actor_graph()
    assert sorted(g.nodes) == sorted(expected.nodes)
    assert g.number_of_edges() == expected.number_of_edges()


def test_build_writes_trig_with_every_named_graph(runner, tmp_path, small_kg):
    target = tmp_path / "d.trig"
    _ok(runner, ["build", "--data", str(SMALL), "-o", str(target)])
    quads = list(ox.parse(path=str(target), format=ox.RdfFormat.TRIG))
    assert len(quads) == len(small_kg.quads)


def test_report_writes_every_file(runner, tmp_path):
    out = tmp_path / "report"
    result = _ok(runner, ["report", "-o", str(out), "--data", str(SMALL)])
    names = sorted(p.name for p in out.iterdir())
    assert names == ["centrality-by-period.csv", "centrality.csv", "centrality.json", "claims.csv", "communities.csv",
                     "communities.json", "conflicts.csv", "conflicts.json", "dataset.trig", "figure.svg", "index.html",
                     "map.html", "period-counts.csv", "robustness-actors.csv", "robustness.csv", "robustness.json",
                     "stats.json", "timeline.csv",
                     "typology-ties.csv", "typology.csv"]
    assert result.stdout.splitlines() == [str(out / n) for n in names]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "omsk-pavlodar-agreement" in index and "paradiplo centrality" in index
    assert "<svg" in index and "paradiplo typology --periods" in index and "paradiplo timeline" in index
    assert '<img src="figure.svg"' in index and "paradiplo figure -o figure.svg" in index


def test_unknown_relation_is_a_usage_error(runner):
    result = runner.invoke(cli, ["centrality", "--data", str(SMALL), "--relations", "trade"])
    assert result.exit_code == 2 and "unknown relation 'trade'" in result.output


def test_unknown_bundled_query_suggests_names(runner):
    result = runner.invoke(cli, ["query", "--name", "agreements-by-yaer"])
    assert result.exit_code == 1 and "did you mean agreements-by-year" in result.output


def test_progress_is_quiet_when_not_a_terminal(runner):
    result = runner.invoke(cli, ["validate", "--data", str(SMALL)])
    assert result.exit_code == 0
    assert "reading data" not in result.output and "paradiplo:" not in result.output


def test_progress_bar_on_a_terminal(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "cli", "validate", "--data", str(SMALL)],
                          cwd=Path(__file__).parent.parent, stdout=subprocess.PIPE, stderr=follower,
                          env={**os.environ, "COLUMNS": "100"}, timeout=120)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert b"reading data" in seen and b"100%" in seen


def test_an_unreadable_query_file_exits_2_and_a_refused_query_exits_1(runner, tmp_path):
    missing = runner.invoke(cli, ["query", str(tmp_path / "missing.rq")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes("SELECT * WHERE { ?s ?p \"Омск\" }".encode("utf-8").replace(b"\xd0\x9e", b"\xce"))
    broken = runner.invoke(cli, ["query", str(latin1)])
    assert broken.exit_code == 2 and "cannot read" in broken.output
    refused = runner.invoke(cli, ["query", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output


def test_one_error_to_exit_mapping():
    from cli import exit_code
    from graph import InvalidData, ParadiploError, Problem
    from graph.errors import UnreadableInput
    from graph.sparql import QueryRefused

    unreadable = Problem("not-utf8", "a.yaml", 1, "", "", "byte 0xff")
    invalid = Problem("unknown-reference", "a.yaml", 2, "x", "country", "no record")
    assert exit_code(InvalidData([unreadable, invalid])) == 2
    assert exit_code(InvalidData([invalid])) == 1
    assert exit_code(UnreadableInput("cannot read q.rq")) == 2
    assert exit_code(QueryRefused("SERVICE is refused")) == 1
    assert exit_code(ParadiploError("anything else")) == 1


def test_store_is_an_ordinary_parameter_of_every_data_command():
    for name, command in cli.commands.items():
        params = {p.name for p in command.params}
        if "data" in params:
            assert "store" in params, name


def test_query_prints_a_table_by_default(runner, kg):
    result = runner.invoke(cli, ["query", "--no-labels", "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r LIMIT 2"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    expected = [r[0].value.rsplit("/", 1)[1] for r in run_query(
        kg.store, "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r LIMIT 2").rows]
    assert lines[0].strip() == "r" and set(lines[1].strip()) == {"-"}
    assert [line.strip() for line in lines[2:4]] == [f"pdr:{e}" for e in expected]
    assert lines[4] == "(2 rows)"


def test_query_table_shows_labels_beside_iris_and_other_formats_are_unchanged(runner, kg):
    q = "SELECT ?a ?n WHERE { VALUES (?a ?n) { (pdr:omsk-oblast 1) (pdr:no-such-record 2) } }"
    table = _ok(runner, ["query", q]).stdout.splitlines()
    assert table[2].startswith("pdr:omsk-oblast (Omsk Oblast)  1")
    assert table[3].split() == ["pdr:no-such-record", "2"]  # no label: the IRI alone
    assert "(Omsk Oblast)" not in _ok(runner, ["query", "--no-labels", q]).stdout
    for fmt in ("json", "csv", "tsv"):
        assert _ok(runner, ["query", q, "--format", fmt]).stdout == \
            _ok(runner, ["query", "--no-labels", q, "--format", fmt]).stdout
    assert json.loads(_ok(runner, ["query", q, "--format", "json"]).stdout) == to_json(run_query(kg.store, q))
    # the English label is chosen over the others (Omsk Oblast also has a Russian one)
    labels = run_query(kg.store, "SELECT ?l WHERE { pdr:omsk-oblast rdfs:label ?l }").rows
    assert {t.language for (t,) in labels} > {"en"}


def test_until_before_since_is_a_usage_error(runner):
    result = runner.invoke(cli, ["centrality", "--since", "2020", "--until", "2010"])
    assert result.exit_code == 2 and "--until 2010 is before --since 2020" in result.output
