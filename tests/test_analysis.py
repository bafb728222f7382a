"""Projection and analysis: published values on Zachary's karate club, hand-computed values on
the small fixture, and filters and levels that change the result as they should."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis import METRICS, centrality, communities
from graph.project import Filters, ties


@pytest.fixture(scope="module")
def karate() -> nx.Graph:
    g = nx.karate_club_graph()
    nx.set_edge_attributes(g, 1, "weight")
    nx.set_edge_attributes(g, 1.0, "distance")
    return nx.relabel_nodes(g, {n: f"n{n:02d}" for n in g})


def test_centralities_match_published_values_on_the_karate_club(karate):
    rows = {r["id"]: r for r in centrality(karate)}
    # Zachary (1977) network; values as published for NetworkX / Brandes (2001) betweenness.
    assert rows["n33"]["degree"] == pytest.approx(17 / 33, abs=1e-6)
    assert rows["n00"]["betweenness"] == pytest.approx(0.437635, abs=1e-6)
    assert rows["n33"]["betweenness"] == pytest.approx(0.304075, abs=1e-6)
    assert rows["n00"]["closeness"] == pytest.approx(0.568966, abs=1e-6)
    assert rows["n33"]["eigenvector"] == pytest.approx(0.373371, abs=1e-4)
    assert rows["n33"]["pagerank"] == pytest.approx(0.100918, abs=1e-5)


def test_louvain_on_the_karate_club_finds_a_near_optimal_partition(karate):
    result = communities(karate, seed=1)
    assert 0.41 < result["modularity"] <= 0.4198  # 0.4198 is the known optimum
    assert sum(c["size"] for c in result["communities"]) == 34
    assert result == communities(karate, seed=1)


def test_rows_are_ranked_by_the_chosen_metric_with_ids_breaking_ties(karate):
    rows = centrality(karate, metric="betweenness", top=3)
    assert [r["id"] for r in rows] == ["n00", "n33", "n32"]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert set(METRICS) <= set(rows[0])


def test_actor_graph_of_the_small_fixture_has_the_hand_counted_ties(small_kg):
    g = small_kg.actor_graph()
    weights = {tuple(sorted(e)): d["weight"] for *e, d in g.edges(data=True)}
    assert weights == {
        ("omsk-oblast", "omsk-oblast-government"): 1,        # both sign the contested agreement
        ("omsk-oblast", "pavlodar-oblast"): 2,               # agreement + forum 2019
        ("omsk-oblast", "pavlodar-oblast-akimat"): 2,        # agreement + visit 2021
        ("north-kazakhstan-oblast", "omsk-oblast"): 2,       # memorandum + forum 2019
        ("omsk-oblast-government", "pavlodar-oblast"): 1,
        ("omsk-oblast-government", "pavlodar-oblast-akimat"): 1,
        ("pavlodar-oblast", "pavlodar-oblast-akimat"): 1,
        ("north-kazakhstan-oblast", "pavlodar-oblast"): 1,   # forum 2019
    }
    assert g.edges["omsk-oblast", "pavlodar-oblast-akimat"]["evidence"] == "omsk-pavlodar-agreement pavlodar-visit-2021"
    assert g.edges["omsk-oblast", "pavlodar-oblast"]["distance"] == 0.5


def test_hand_computed_centralities_on_the_small_fixture(small_kg):
    rows = {r["id"]: r for r in centrality(small_kg.actor_graph())}
    assert rows["omsk-oblast"]["strength"] == 7
    assert rows["omsk-oblast"]["degree"] == 1.0
    assert rows["north-kazakhstan-oblast"]["degree"] == 0.5
    # distances from Omsk: 1 (government) + 0.5 × 3 → closeness 4 / 2.5
    assert rows["omsk-oblast"]["closeness"] == pytest.approx(1.6)
    # Omsk is the only shortest route for government–NKO and akimat–NKO, and one of two
    # equal routes (length 1) for Pavlodar–akimat and Pavlodar–NKO: (1 + 1 + ½ + ½) / 6 pairs
    assert rows["omsk-oblast"]["betweenness"] == pytest.approx(0.5)


def test_year_filters_keep_only_dated_ties_in_range(small_kg):
    assert [t.id for t in ties(small_kg.store, Filters(since=2019))] == [
        "forum-2019", "omsk-nko-memorandum", "pavlodar-visit-2021"]
    assert [t.id for t in ties(small_kg.store, Filters(since=2020))] == ["pavlodar-visit-2021"]
    assert [t.id for t in ties(small_kg.store, Filters(since=2020, until=2020))] == []


def test_a_tie_with_disputed_dates_counts_only_where_every_source_dates_it(small_kg):
    # paper-a dates the agreement 2015-03-16, paper-b 2007: inside 2007–2015 for certain, uncertain elsewhere
    def kept(**bounds):
        return "omsk-pavlodar-agreement" in [t.id for t in ties(small_kg.store, Filters(**bounds))]
    assert kept(since=2007, until=2015) and kept(until=2020) and kept()
    assert not kept(since=2010, until=2016) and not kept(until=2010) and not kept(since=2008, until=2014)
    counts = small_kg.period_counts([(1991, 2010), (2011, 2020)])
    assert [(r["period"], r["uncertain"]) for r in counts][:2] == [("1991-2010", 1), ("2011-2020", 1)]


def test_sector_filter_takes_narrower_sectors(small_kg):
    assert [t.id for t in ties(small_kg.store, Filters(sectors=("trade",)))] == ["omsk-pavlodar-agreement"]
    assert [t.id for t in ties(small_kg.store, Filters(sectors=("humanitarian",)))] == ["omsk-nko-memorandum"]


def test_relations_choose_which_ties_count(small_kg):
    g = small_kg.actor_graph(Filters(relations=("visit",)))
    assert list(g.edges) == [("omsk-oblast", "pavlodar-oblast-akimat")]


def test_region_level_rolls_bodies_up_to_their_region(small_kg):
    g = small_kg.actor_graph(level="region")
    assert sorted(g.nodes) == ["north-kazakhstan-oblast", "omsk-oblast", "pavlodar-oblast"]
    # agreement + forum 2019 + visit 2021: each tie counts once between two regions
    assert g.edges["omsk-oblast", "pavlodar-oblast"]["weight"] == 3


def test_country_level_rolls_everything_up_to_states(small_kg):
    g = small_kg.actor_graph(level="country")
    assert sorted(g.edges) == [("kazakhstan", "russia")]


def test_omsk_oblast_is_the_hub_of_the_bundled_network(kg):
    assert centrality(kg.actor_graph(), metric="betweenness")[0]["id"] == "omsk-oblast"


def test_igraph_betweenness_equals_networkx_on_weighted_graphs(kg):
    import networkx as nx

    from graph.analysis import _betweenness_igraph

    from fractions import Fraction

    for g in (kg.actor_graph(), kg.actor_graph(level="region"), nx.les_miserables_graph()):
        if "distance" not in next(iter(g.edges(data=True)))[2]:
            for u, v, d in g.edges(data=True):
                d["distance"] = 1 / d["weight"]
        # the reference in exact arithmetic: with floats, two paths of equal length 1/3 + 1/3 + 1/3 and 1
        # differ in the last bit and NetworkX counts only one of them (igraph compares with a tolerance)
        expected = nx.betweenness_centrality(g, weight=lambda u, v, d: Fraction(1) / Fraction(d["weight"]),
                                             normalized=True)
        got = _betweenness_igraph(g)
        assert got.keys() == expected.keys()
        assert all(abs(got[n] - expected[n]) < 1e-9 for n in g)


def test_igraph_closeness_equals_networkx_including_disconnected_graphs(kg):
    import networkx as nx

    from graph.analysis import _closeness_igraph

    g = kg.actor_graph()  # several components
    expected = nx.closeness_centrality(g, distance="distance")
    got = _closeness_igraph(g)
    assert all(abs(got[n] - expected[n]) < 1e-9 for n in g)
