"""Issue-5 analysis: filters, periods, timeline, typology, community methods, projections."""

from __future__ import annotations

import json

import pytest

from cli import cli
from graph.analysis import centrality, centrality_by_period, classify_pair, communities, parse_periods, timeline
from graph.project import Filters, bipartite_graph

from .conftest import SMALL


def test_country_filter_keeps_only_that_countrys_actors(small_kg):
    g = small_kg.actor_graph(Filters(countries=("kazakhstan",)))
    assert sorted(g.nodes) == ["north-kazakhstan-oblast", "pavlodar-oblast", "pavlodar-oblast-akimat"]


def test_type_filter_keeps_only_that_type(small_kg):
    g = small_kg.actor_graph(Filters(types=("ExecutiveBody",)))
    assert list(g.edges) == [("omsk-oblast-government", "pavlodar-oblast-akimat")]


def test_timeline_counts_certain_years_and_shows_disputed_dates_as_uncertain(small_kg):
    rows = timeline(small_kg.ties())  # the agreement: 2015-03-16 in paper-a, 2007 in paper-b
    assert [r["year"] for r in rows] == [*range(2007, 2016), 2019, 2021, "undated"]
    assert all((r["total"], r["uncertain"]) == (0, 1) for r in rows[:9])
    assert rows[9:] == [
        {"year": 2019, "agreement": 1, "forum": 1, "visit": 0, "total": 2, "uncertain": 0, "planned": 0},
        {"year": 2021, "agreement": 0, "forum": 0, "visit": 1, "total": 1, "uncertain": 0, "planned": 0},
        {"year": "undated", "agreement": 0, "forum": 0, "visit": 0, "total": 0, "uncertain": 0, "planned": 0},
    ]


def test_centrality_by_period_gives_ranks_and_changes(small_kg):
    rows = centrality_by_period(small_kg.graphs_by_period("1991-2018,2019-2026", level="region"), "degree")
    by_id = {r["id"]: r for r in rows}  # the agreement (2007 or 2015) lies certainly in 1991-2018
    assert by_id["omsk-oblast"]["rank 1991-2018"] == 1 and by_id["omsk-oblast"]["rank 2019-2026"] == 2
    assert by_id["omsk-oblast"]["change"] == -1
    assert by_id["north-kazakhstan-oblast"]["rank 1991-2018"] is None
    split = small_kg.graphs_by_period("1991-2013,2014-2026", level="region")  # ... but in neither of these
    assert not split["1991-2013"].has_edge("omsk-oblast", "pavlodar-oblast")
    assert by_id["north-kazakhstan-oblast"]["change"] is None
    assert [r["id"] for r in rows] == ["north-kazakhstan-oblast", "omsk-oblast", "pavlodar-oblast"]


@pytest.mark.parametrize("text, error", [("2014-2001", "ends before"), ("1991-2013,2010-2020", "overlap"),
                                         ("nineties", "not YEAR"), ("", "no period")])
def test_bad_periods_are_explained(text, error):
    with pytest.raises(ValueError, match=error):
        parse_periods(text)


def test_typology_of_the_small_fixture_by_hand(small_kg):
    result = small_kg.typology(periods="1991-2018,2019-2026")
    kinds = sorted((r["tie"], r["region_a"], r["region_b"], r["kind"]) for r in result["pairs"])
    assert kinds == [
        ("forum-2019", "north-kazakhstan-oblast", "omsk-oblast", "transborder"),
        ("forum-2019", "north-kazakhstan-oblast", "pavlodar-oblast", "domestic"),
        ("forum-2019", "omsk-oblast", "pavlodar-oblast", "transborder"),
        ("omsk-nko-memorandum", "north-kazakhstan-oblast", "omsk-oblast", "transborder"),
        ("omsk-pavlodar-agreement", "omsk-oblast", "pavlodar-oblast", "transborder"),
        ("pavlodar-visit-2021", "omsk-oblast", "pavlodar-oblast", "transborder"),
    ]
    shares = {r["period"]: r for r in result["shares"]}
    assert shares["1991-2018"]["transborder"] == 1 and shares["2019-2026"]["transborder"] == 4
    assert shares["2019-2026"]["domestic"] == 1 and shares["2019-2026"]["transborder share"] == 1.0
    split = {r["period"]: r for r in small_kg.typology(periods="1991-2013,2014-2026")["shares"]}
    assert split["1991-2013"]["transborder"] == 0 and split["1991-2013"]["uncertain"] == 1  # 2007 or 2015
    assert split["2014-2026"]["transborder"] == 4 and split["2014-2026"]["uncertain"] == 1


@pytest.mark.parametrize("a, b, adjacent, kind", [
    ({"type": "Region", "country": "russia"}, {"type": "Region", "country": "kazakhstan"}, False, "transregional"),
    ({"type": "Region", "country": "russia"}, {"type": "State", "country": "hungary"}, False, "global"),
    ({"type": "Region", "country": "russia"}, {"type": "InternationalOrganisation", "country": ""}, False, "global"),
    ({"type": "Region", "country": "russia"}, {"type": "Region", "country": "russia"}, True, "domestic"),
    ({"type": "Company", "country": ""}, {"type": "Region", "country": "russia"}, False, "unclassified"),
])
def test_classify_pair_follows_duchacek(a, b, adjacent, kind):
    assert classify_pair(a, b, adjacent) == kind


@pytest.mark.parametrize("method", ["louvain", "leiden", "label-propagation", "greedy-modularity"])
def test_every_community_method_is_deterministic_and_covers_all_nodes(kg, method):
    g = kg.actor_graph()
    first, second = communities(g, seed=5, method=method), communities(g, seed=5, method=method)
    assert first == second
    assert sorted(m for c in first["communities"] for m in c["members"]) == sorted(g.nodes)
    assert 0.5 < first["modularity"] < 1


def test_leiden_reaches_the_karate_optimum():
    import networkx as nx

    g = nx.karate_club_graph()
    nx.set_edge_attributes(g, 1, "weight")
    assert communities(g, seed=1, method="leiden")["modularity"] == pytest.approx(0.4198, abs=1e-4)


def test_communities_report_dominant_sectors(small_kg):
    result = communities(small_kg.actor_graph(), seed=1)
    assert any(c["sectors"] for c in result["communities"])
    assert set(s for c in result["communities"] for s in c["sectors"]) <= {"trade", "education"}


def test_sampled_betweenness_is_seeded_and_exact_when_sample_covers_the_graph(kg):
    g = kg.actor_graph()
    assert centrality(g, "betweenness", sample=10, seed=3) == centrality(g, "betweenness", sample=10, seed=3)
    assert centrality(g, "betweenness", sample=len(g)) == centrality(g, "betweenness")


def test_bipartite_projections(small_kg):
    g = bipartite_graph(small_kg.store, "actor-agreement")
    agreements = sorted(n for n, d in g.nodes(data=True) if d["bipartite"] == 1)
    assert agreements == ["omsk-nko-memorandum", "omsk-pavlodar-agreement"]
    assert sorted(g.neighbors("omsk-pavlodar-agreement")) == [
        "omsk-oblast", "omsk-oblast-government", "pavlodar-oblast", "pavlodar-oblast-akimat"]
    sectors = bipartite_graph(small_kg.store, "actor-sector")
    assert sorted(n for n, d in sectors.nodes(data=True) if d["bipartite"] == 1) == ["education", "trade"]


def test_cli_timeline_typology_and_periods_equal_the_library(runner, small_kg):
    out = json.loads(runner.invoke(cli, ["timeline", "--data", str(SMALL), "--format", "json"]).stdout)
    assert out == timeline(small_kg.ties())
    out = json.loads(runner.invoke(cli, ["typology", "--data", str(SMALL), "--periods", "1991-2013,2014-2026",
                                         "--format", "json"]).stdout)
    assert out == small_kg.typology(periods="1991-2013,2014-2026")["shares"]
    out = json.loads(runner.invoke(cli, ["centrality", "--data", str(SMALL), "--periods", "1991-2013,2014-2026",
                                         "--format", "json"]).stdout)
    assert out == centrality_by_period(small_kg.graphs_by_period("1991-2013,2014-2026"), "degree")


def test_cli_bad_periods_is_a_usage_error(runner):
    result = runner.invoke(cli, ["typology", "--data", str(SMALL), "--periods", "2020-2010"])
    assert result.exit_code == 2 and "ends before it starts" in result.output


def test_cli_missing_backend_is_explained(runner):
    result = runner.invoke(cli, ["centrality", "--data", str(SMALL), "--backend", "no-such-backend"])
    assert result.exit_code == 1 and "not installed" in result.output


@pytest.mark.parametrize("command", ["centrality", "communities", "timeline", "typology"])
def test_cli_until_before_since_is_a_usage_error(runner, command):
    result = runner.invoke(cli, [command, "--data", str(SMALL), "--since", "2020", "--until", "2010"])
    assert result.exit_code == 2 and "--until 2010 is before --since 2020" in result.output
