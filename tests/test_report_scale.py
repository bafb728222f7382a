"""The report at scale (issue 14): what it computes less of on a large dataset, and that it
says so; on the bundled data every number is the one the full computation gives."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

import sys

import graph.analysis.centrality  # noqa: F401  (the module, below; the package re-exports the function)
import graph.report as report_module
from cli import cli
from graph.analysis import centrality, centrality_by_period, robustness
from graph.figure import figure
from graph.project import GRAPH, leave_one_out, paper_sizes, papers
from graph.report import build_report

from .test_figure import _label, _texts

centrality_module = sys.modules["graph.analysis.centrality"]


def _quads_per_paper(kg) -> Counter:
    """Triples per paper's named graph, counted from the quads themselves (not by SPARQL)."""
    return Counter(q.graph_name.value[len(GRAPH):] for q in kg.store.quads_for_pattern(None, None, None)
                   if getattr(q.graph_name, "value", "").startswith(GRAPH))


def test_centrality_by_period_ranks_as_before_without_computing_other_metrics(kg, monkeypatch):
    graphs = kg.graphs_by_period("1991-2013,2014-2021,2022-2026")
    expected = {label: [(r["id"], r["rank"], r["degree"]) for r in centrality(g, metric="degree")]
                for label, g in graphs.items()}  # every metric computed, ranked by degree
    assert any(expected.values())

    def refuse(*args, **kwargs):
        raise AssertionError("betweenness or closeness computed for a degree ranking")

    monkeypatch.setattr(centrality_module, "betweenness", refuse)
    monkeypatch.setattr(centrality_module, "closeness", refuse)
    rows = centrality_by_period(graphs, "degree")
    for label, ranked in expected.items():
        got = sorted((r["id"], r[f"rank {label}"], r[label]) for r in rows if r[f"rank {label}"] is not None)
        assert got == sorted(ranked)


def test_paper_sizes_count_the_triples_of_each_papers_graph(kg):
    counted = _quads_per_paper(kg)
    assert paper_sizes(kg.store) == {p: counted[p] for p in papers(kg.store)}


def test_leave_one_out_largest_takes_the_papers_with_most_statements(kg):
    sizes = paper_sizes(kg.store)
    biggest = sorted(sorted(sizes, key=lambda p: (-sizes[p], p))[:2])
    every = leave_one_out(kg.store)
    some = leave_one_out(kg.store, largest=2)
    assert list(some) == biggest and len(every) == len(papers(kg.store)) > 2
    for paper in biggest:   # the same graphs as when every paper is left out
        assert list(some[paper].edges(data=True)) == list(every[paper].edges(data=True))
    assert list(leave_one_out(kg.store, largest=len(every) + 3)) == list(every)
    with pytest.raises(KeyError):
        some[next(p for p in every if p not in biggest)]


def test_robustness_cli_largest_says_how_many_papers_it_left_out(runner, kg):
    out = runner.invoke(cli, ["robustness", "--top", "3", "--largest", "2"])
    assert out.exit_code == 0, out.output
    assert f"leaving each of 2 paper(s) out in turn (the 2 with the most statements, of {len(papers(kg.store))})" \
        in out.stdout
    data = json.loads(runner.invoke(cli, ["robustness", "--largest", "2", "--format", "json"]).stdout)
    assert [r["left_out"] for r in data["runs"]] == list(leave_one_out(kg.store, largest=2))


def test_the_report_says_when_it_leaves_out_only_the_largest_papers(kg, monkeypatch):
    total = len(papers(kg.store))
    monkeypatch.setattr(report_module, "ROBUSTNESS_PAPERS", 3)
    files = build_report(kg)
    result = json.loads(files["robustness.json"])
    expected = robustness(kg.actor_graph(), leave_one_out(kg.store, largest=3), metric="degree", top=5)
    assert result == json.loads(json.dumps({**expected, "papers": total}))
    assert len(result["runs"]) == 3 < total
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", files["index.html"]))
    assert f"paradiplo robustness --top 5 --largest 3" in text
    assert f"Only the 3 papers with the most statements (triples in their named graphs) of the {total} are left " \
           f"out in turn; the {total - 3} others are not." in text


def test_the_bundled_report_leaves_every_paper_out_and_says_nothing_more(kg):
    files = build_report(kg)
    result = json.loads(files["robustness.json"])
    assert "papers" not in result and [r["left_out"] for r in result["runs"]] == papers(kg.store)
    assert "--largest" not in files["index.html"] and "Only the" not in files["index.html"]


def test_the_figure_draws_at_most_max_nodes_the_largest_and_says_so(kg):
    g = kg.actor_graph()
    ranked = centrality(g, metric="degree", metrics=("degree",))
    texts = _texts(figure(kg, "svg", caption="Data: bundled", max_nodes=10))
    caption = " ".join(texts)
    assert f"Showing the 10 actors with the highest degree of {g.number_of_nodes()} (the figure's limit)." in caption
    assert "Data: bundled" in caption
    drawn = [r["id"] for r in ranked if _label(g.nodes[r["id"]]["label"]) in texts]
    assert drawn == [r["id"] for r in ranked[:10]]
    assert "Showing the" not in " ".join(_texts(figure(kg, "svg", caption="Data: bundled")))


def test_figure_cli_max_nodes(runner, kg, tmp_path):
    out = tmp_path / "f.svg"
    result = runner.invoke(cli, ["figure", "-o", str(out), "--max-nodes", "5"])
    assert result.exit_code == 0, result.output
    caption = " ".join(_texts(out.read_bytes()))
    assert f"Showing the 5 actors with the highest degree of {kg.actor_graph().number_of_nodes()}" in caption
    assert "Command: paradiplo figure -o f.svg --max-nodes 5" in caption


def test_left_out_graphs_keep_their_answers_to_themselves(kg):
    # the per-graph rows a leave-one-out graph asks for go with the mapping, not into the
    # report's answers, and a graph read from it is not kept alive by it (one at a time)
    import gc
    import weakref

    from graph import project

    with project.same_answers():
        full = kg.actor_graph()
        before = dict(project._ANSWERS.get())
        left_out = leave_one_out(kg.store)
        first = next(iter(left_out))
        graph = left_out[first]
        assert project._ANSWERS.get() == before  # nothing added to the report's answers
        assert left_out._answers and not set(left_out._answers) & set(before)
        assert list(graph.edges(data=True)) == list(leave_one_out(kg.store)[first].edges(data=True))
        assert graph.number_of_edges() < full.number_of_edges()
        alive = weakref.ref(graph)
        del graph
        gc.collect()
        assert alive() is None


def test_the_reports_trig_is_made_graph_by_graph_from_the_store_as_the_whole_would_be(kg, tmp_path):
    from graph import open_graph

    stored = open_graph(store=tmp_path / "store")
    stored = open_graph(store=tmp_path / "store")  # the second opens the built store alone
    assert "nquads" not in stored.__dict__
    assert stored.serialized("trig") == kg.serialized("trig")
    assert "nquads" not in stored.__dict__  # the whole N-Quads text was never made
