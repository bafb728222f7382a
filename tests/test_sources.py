"""Sources as a filter (--source, --exclude-source) and leave-one-source-out robustness.

The small fixture's papers disagree about omsk-pavlodar-agreement: paper-a has the Government
of Omsk Oblast and Pavlodar Oblast sign it on 2015-03-16 (sector trade), paper-b has Omsk
Oblast and the Akimat of Pavlodar Oblast sign it in 2007. paper-a alone states the 2019
forum and memorandum; paper-b alone the 2021 delegation visit.
"""

from __future__ import annotations

import json

import pytest

from cli import cli
from graph.analysis import robustness
from graph.project import Filters, UnknownSource, leave_one_out, papers

from .conftest import SMALL

NETWORK_COMMANDS = [["centrality"], ["communities"], ["typology"], ["timeline"], ["map", "-o", "{tmp}/m.html"],
                    ["report", "-o", "{tmp}/report"], ["export", "--format", "graphml", "-o", "{tmp}/g.graphml"],
                    ["robustness"]]


def _ties(kg, **filters):
    return {t.id: t for t in kg.ties(Filters(**filters))}


def _json(runner, args):
    result = runner.invoke(cli, [*args, "--data", str(SMALL), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_papers_are_the_named_graphs_but_general_knowledge(small_kg):
    assert papers(small_kg.store) == ["paper-a", "paper-b"]


def test_source_keeps_only_the_ties_its_graph_states_as_it_states_them(small_kg):
    a = _ties(small_kg, sources=("paper-a",))
    assert sorted(a) == ["forum-2019", "omsk-nko-memorandum", "omsk-pavlodar-agreement"]
    agreement = a["omsk-pavlodar-agreement"]
    assert agreement.members == ("omsk-oblast-government", "pavlodar-oblast")
    assert agreement.years == {2015} and agreement.sectors == {"trade"}
    b = _ties(small_kg, sources=("paper-b",))
    assert sorted(b) == ["omsk-pavlodar-agreement", "pavlodar-visit-2021"]
    assert b["omsk-pavlodar-agreement"].members == ("omsk-oblast", "pavlodar-oblast-akimat")
    assert b["omsk-pavlodar-agreement"].years == {2007} and not b["omsk-pavlodar-agreement"].sectors


def test_a_source_s_dates_and_sectors_decide_the_filters(small_kg):
    """Unfiltered, the agreement is dated 2007 (paper-b) and 2015 (paper-a): not certainly since 2010;
    paper-a alone dates it 2015, paper-b alone 2007."""
    assert "omsk-pavlodar-agreement" not in _ties(small_kg, since=2010)
    assert "omsk-pavlodar-agreement" in _ties(small_kg, since=2007)
    assert "omsk-pavlodar-agreement" in _ties(small_kg, since=2010, sources=("paper-a",))
    assert "omsk-pavlodar-agreement" not in _ties(small_kg, since=2010, sources=("paper-b",))
    assert "omsk-pavlodar-agreement" in _ties(small_kg, sectors=("trade",), sources=("paper-a",))
    assert "omsk-pavlodar-agreement" not in _ties(small_kg, sectors=("trade",), sources=("paper-b",))


def test_exclude_source_keeps_a_tie_another_paper_states(small_kg):
    kept = _ties(small_kg, exclude_sources=("paper-a",))
    assert sorted(kept) == ["omsk-pavlodar-agreement", "pavlodar-visit-2021"]  # memorandum, forum: paper-a only
    assert kept["omsk-pavlodar-agreement"].members == ("omsk-oblast", "pavlodar-oblast-akimat")
    assert sorted(_ties(small_kg, exclude_sources=("paper-b",))) == [
        "forum-2019", "omsk-nko-memorandum", "omsk-pavlodar-agreement"]
    assert _ties(small_kg, exclude_sources=("paper-a", "paper-b")) == {}


def test_every_paper_chosen_gives_the_unfiltered_network(small_kg):
    everything = small_kg.actor_graph()
    chosen = small_kg.actor_graph(Filters(sources=("paper-a", "paper-b")))
    assert sorted(chosen.edges(data=True)) == sorted(everything.edges(data=True))


def test_the_cli_options_reach_the_network(runner, small_kg):
    rows = _json(runner, ["timeline", "--source", "paper-b"])
    assert [(r["year"], r["total"]) for r in rows] == [(2007, 1), (2021, 1), ("undated", 0)]
    rows = _json(runner, ["centrality", "--exclude-source", "paper-a"])
    assert {r["id"] for r in rows} == {"omsk-oblast", "pavlodar-oblast-akimat"}
    rows = _json(runner, ["centrality", "--source", "paper-a", "--source", "paper-b"])
    assert len(rows) == small_kg.actor_graph().number_of_nodes()


def test_unknown_source_raises_naming_the_known_ones(small_kg):
    with pytest.raises(UnknownSource, match="unknown source 'paper-c'; known sources: paper-a, paper-b"):
        small_kg.ties(Filters(exclude_sources=("paper-c",)))
    with pytest.raises(UnknownSource):  # general knowledge is not a paper
        small_kg.ties(Filters(sources=("general-knowledge",)))


@pytest.mark.parametrize("command", NETWORK_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("option", ["--source", "--exclude-source"])
def test_unknown_source_is_a_usage_error_on_every_network_command(runner, tmp_path, command, option):
    args = [a.format(tmp=tmp_path) for a in command]
    result = runner.invoke(cli, [*args, "--data", str(SMALL), option, "paper-c"])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {option}: unknown source 'paper-c'; known sources: paper-a, paper-b" in result.output
    assert "Traceback" not in result.output and list(tmp_path.iterdir()) == []


# By hand, degree at actor level. Every paper: omsk-oblast and pavlodar-oblast 4 of 4 neighbours (1.0),
# omsk-oblast-government and pavlodar-oblast-akimat 0.75, north-kazakhstan-oblast 0.5.
# Without paper-a (paper-b only): omsk-oblast – pavlodar-oblast-akimat, both 1.0 (constant: no tau).
# Without paper-b (paper-a only): pavlodar-oblast 1.0, north-kazakhstan-oblast and omsk-oblast 2/3,
# omsk-oblast-government 1/3; tau-b on those four = (3 - 1) / sqrt(5 * 5) = 0.4.
EXPECTED_RUNS = [
    {"left_out": "paper-a", "actors": 2, "ties": 1, "overlap": 1, "kendall_tau": None, "compared": 2,
     "first": "omsk-oblast"},
    {"left_out": "paper-b", "actors": 4, "ties": 4, "overlap": 2, "kendall_tau": 0.4, "compared": 4,
     "first": "pavlodar-oblast"},
]
EXPECTED_RANKS = [  # id, full rank, without paper-a, without paper-b, min, max, absent
    ("omsk-oblast", 1, 1, 3, 1, 3, 0),
    ("pavlodar-oblast", 2, None, 1, 1, 1, 1),
    ("omsk-oblast-government", 3, None, 4, 4, 4, 1),
]


def test_robustness_on_the_small_fixture_as_computed_by_hand(small_kg):
    result = robustness(small_kg.actor_graph(), leave_one_out(small_kg.store), metric="degree", top=3)
    assert result["runs"] == EXPECTED_RUNS
    assert [(a["id"], a["rank"], a["without paper-a"], a["without paper-b"], a["min_rank"], a["max_rank"],
             a["absent"]) for a in result["actors"]] == EXPECTED_RANKS


def test_leave_one_out_respects_the_source_filters(small_kg):
    assert list(leave_one_out(small_kg.store, Filters(exclude_sources=("paper-a",)))) == ["paper-b"]
    runs = leave_one_out(small_kg.store, Filters(sources=("paper-a",)))
    assert list(runs) == ["paper-a"] and runs["paper-a"].number_of_edges() == 0


def test_robustness_json_is_the_library_result(runner, small_kg):
    for args, metric, top in ((["robustness", "--top", "3"], "degree", 3),
                              (["robustness", "--metric", "betweenness", "--level", "region"], "betweenness", 10)):
        level = "region" if "--level" in args else "actor"
        expected = robustness(small_kg.actor_graph(level=level), leave_one_out(small_kg.store, level=level),
                              metric=metric, top=top)
        assert _json(runner, args) == json.loads(json.dumps(expected))


def test_robustness_table_and_csv(runner):
    result = runner.invoke(cli, ["robustness", "--data", str(SMALL), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Omsk Oblast is first in 1 of 2 leave-one-out runs." in result.stdout
    csv = runner.invoke(cli, ["robustness", "--data", str(SMALL), "--top", "3", "--format", "csv"]).stdout
    assert csv.splitlines()[0] == "left_out,actors,ties,overlap,kendall_tau,compared,first"
    assert csv.splitlines()[2] == "paper-b,4,4,2,0.4,4,pavlodar-oblast"
    actors = runner.invoke(cli, ["robustness", "--data", str(SMALL), "--top", "3", "--format", "csv",
                                 "--rows", "actors"]).stdout
    assert actors.splitlines()[1].startswith("1,omsk-oblast,Omsk Oblast,1.0,1,3,0,1,3")


def test_the_report_has_a_robustness_section(runner, tmp_path, small_kg):
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "--data", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Robustness: leaving one paper out" in index
    assert "Omsk Oblast is first in 1 of 2 leave-one-out runs." in index
    expected = robustness(small_kg.actor_graph(), leave_one_out(small_kg.store), metric="degree", top=5)
    assert json.loads((out / "robustness.json").read_text(encoding="utf-8")) == json.loads(json.dumps(expected))
    assert (out / "robustness.csv").read_text(encoding="utf-8").splitlines()[1].startswith("paper-a,2,1,")
