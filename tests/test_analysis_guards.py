"""Behaviour of graph.analysis that the published-value tests do not pin down: every node gets
a value, eigenvector scaling on disconnected graphs, rank ties, igraph's random generator,
periods, timeline and typology edge cases, and the package's layout rules."""

from __future__ import annotations

import ast
import math
import random
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import pytest

from graph.analysis import (
    METRICS,
    betweenness,
    centrality,
    centrality_by_period,
    closeness,
    communities,
    degree,
    eigenvector,
    pagerank,
    parse_periods,
    dating,
    period_counts,
    rank_rows,
    strength,
    timeline,
    typology,
)
from graph.records import PartialDate

PACKAGE = Path(__file__).resolve().parent.parent / "graph" / "analysis"


def _weighted(g: nx.Graph) -> nx.Graph:
    for _, _, d in g.edges(data=True):
        d.setdefault("weight", 1)
        d["distance"] = 1 / d["weight"]
    return g


@pytest.fixture
def scattered() -> nx.Graph:
    """A star of four (hub h), a pair, and an isolated node: seven nodes, three components."""
    g = nx.Graph([("h", "l1"), ("h", "l2"), ("h", "l3"), ("p", "q")])
    g.add_node("z")
    return _weighted(g)


@pytest.fixture
def karate() -> nx.Graph:
    return _weighted(nx.relabel_nodes(nx.karate_club_graph(), lambda n: f"n{n:02d}"))


# ------------------------------------------------------------------ metrics


METRIC_FUNCTIONS = {
    "degree": degree, "strength": strength, "betweenness": betweenness, "closeness": closeness,
    "eigenvector": eigenvector, "pagerank": pagerank,
    "betweenness (sampled)": lambda g: betweenness(g, sample=3, seed=1),
    "betweenness (networkx backend)": lambda g: betweenness(g, backend="networkx"),
    "closeness (networkx backend)": lambda g: closeness(g, backend="networkx"),
}


@pytest.mark.parametrize("name", METRIC_FUNCTIONS)
def test_every_metric_is_a_plain_dict_with_a_value_for_every_node_including_isolated_ones(scattered, name):
    values = METRIC_FUNCTIONS[name](scattered)
    assert type(values) is dict
    assert set(values) == set(scattered.nodes)
    assert all(math.isfinite(v) for v in values.values())
    if name.split()[0] != "pagerank":  # PageRank teleports: an isolated node keeps 1/n of it
        assert values["z"] == 0


def test_eigenvector_is_unit_length_in_each_component_scaled_by_its_share_of_nodes(scattered):
    values = eigenvector(scattered)
    n = len(scattered)
    for comp in nx.connected_components(scattered):
        if len(comp) > 1:
            assert math.sqrt(sum(values[v] ** 2 for v in comp)) == pytest.approx(len(comp) / n)
    assert values["p"] == values["q"] == pytest.approx(1 / math.sqrt(2) * 2 / 7)
    assert values["h"] == pytest.approx(1 / math.sqrt(2) * 4 / 7)
    assert values["l1"] == pytest.approx(1 / math.sqrt(6) * 4 / 7)
    # the point of the scaling: a lone pair does not outrank the hub of the larger component
    assert values["h"] > values["p"]
    assert values["z"] == 0.0


def test_eigenvector_on_a_connected_graph_is_the_unit_eigenvector(karate):
    values = eigenvector(karate)
    expected = nx.eigenvector_centrality_numpy(karate, weight="weight")
    assert all(values[v] == pytest.approx(expected[v], abs=1e-6) for v in karate)


def test_strength_sums_weights_and_degree_ignores_them():
    g = nx.Graph([("a", "b", {"weight": 3}), ("b", "c", {"weight": 1})])
    assert strength(g) == {"a": 3, "b": 4, "c": 1}
    assert degree(g) == {"a": 0.5, "b": 1.0, "c": 0.5}


def test_betweenness_and_closeness_treat_distance_as_length():
    # a–b–c is short (distance 0.1 each), a–c direct is long: every a–c path goes through b
    g = nx.Graph([("a", "b", {"distance": 0.1}), ("b", "c", {"distance": 0.1}), ("a", "c", {"distance": 1.0})])
    assert betweenness(g) == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert closeness(g)["b"] == pytest.approx(2 / 0.2)


# ------------------------------------------------------------------ rank_rows


def test_rank_rows_breaks_ties_by_id_and_gives_no_shared_ranks():
    g = nx.Graph([("c", "b"), ("b", "a"), ("d", "e")])
    rows = rank_rows(g, {"degree": {"a": 0.5, "b": 1.0, "c": 0.5, "d": 0.5, "e": 0.5}}, by="degree")
    assert [(r["rank"], r["id"]) for r in rows] == [(1, "b"), (2, "a"), (3, "c"), (4, "d"), (5, "e")]


def test_rank_rows_ranks_on_the_rounded_values_so_float_noise_cannot_reorder_ties():
    g = nx.Graph([("a", "b")])
    rows = rank_rows(g, {"pagerank": {"a": 0.5, "b": 0.5 + 1e-12}}, by="pagerank")
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["pagerank"] == rows[1]["pagerank"] == 0.5


def test_rank_rows_columns_types_and_top():
    g = nx.Graph()
    g.add_node("x", label="X oblast", type="Region", country="russia")
    g.add_node("y")
    values = {"strength": {"x": 2.0, "y": 5.0}, "closeness": {"x": 1 / 3, "y": 0.0}}
    rows = rank_rows(g, values, by="closeness", top=1)
    assert rows == [{"rank": 1, "id": "x", "label": "X oblast", "type": "Region", "country": "russia",
                     "strength": 2, "closeness": 0.333333}]
    assert list(rows[0]) == ["rank", "id", "label", "type", "country", "strength", "closeness"]
    assert type(rows[0]["strength"]) is int
    assert [r["id"] for r in rank_rows(g, values, by="strength")] == ["y", "x"]
    with pytest.raises(ValueError, match="cannot rank by 'degree'"):
        rank_rows(g, values, by="degree")


def test_centrality_is_the_metric_functions_ranked_by_rank_rows(kg):
    g = kg.actor_graph()
    values = {"degree": degree(g), "strength": strength(g), "betweenness": betweenness(g),
              "closeness": closeness(g), "eigenvector": eigenvector(g), "pagerank": pagerank(g)}
    assert list(values) == list(METRICS)
    for metric in METRICS:
        assert centrality(g, metric=metric) == rank_rows(g, values, by=metric)
    assert centrality(g, metric="pagerank", top=4, metrics=("degree",)) == rank_rows(
        g, {"degree": values["degree"], "pagerank": values["pagerank"]}, by="pagerank", top=4)


def test_centrality_refuses_an_unknown_metric_and_gives_nothing_for_an_empty_graph():
    with pytest.raises(ValueError, match="unknown metric 'fame'"):
        centrality(nx.Graph(), metric="fame")
    assert centrality(nx.Graph()) == []


def test_centrality_by_period_puts_actors_absent_from_the_last_period_last():
    early, late = nx.Graph([("a", "b"), ("b", "c")]), nx.Graph([("d", "b")])
    rows = centrality_by_period({"1991-2013": early, "2014-2026": late}, "degree")
    assert [r["id"] for r in rows] == ["b", "d", "a", "c"]
    assert rows[0] == {"id": "b", "label": "b", "1991-2013": 1.0, "rank 1991-2013": 1,
                       "2014-2026": 1.0, "rank 2014-2026": 1, "change": 0}


# ------------------------------------------------------------------ Leiden and igraph's generator


def _igraph_draws() -> list[tuple[int, int]]:
    import igraph as ig

    return ig.Graph.Erdos_Renyi(n=30, p=0.2).get_edgelist()


def test_leiden_leaves_the_random_module_as_it_found_it(karate):
    random.seed(2024)
    state = random.getstate()
    communities(karate, seed=1, method="leiden")
    assert random.getstate() == state


def test_leiden_gives_igraph_back_its_default_generator(karate):
    random.seed(7)
    expected = _igraph_draws()  # igraph draws from the random module by default
    communities(karate, seed=1, method="leiden")
    random.seed(7)
    assert _igraph_draws() == expected


def test_leiden_restores_the_generator_even_when_it_fails(karate, monkeypatch):
    import igraph as ig

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    random.seed(7)
    expected = _igraph_draws()
    monkeypatch.setattr(ig.Graph, "community_leiden", boom)
    with pytest.raises(RuntimeError, match="boom"):
        communities(karate, seed=1, method="leiden")
    monkeypatch.undo()
    random.seed(7)
    assert _igraph_draws() == expected


def test_leiden_depends_on_its_seed_only_not_on_the_random_module(karate):
    random.seed(1)
    first = communities(karate, seed=3, method="leiden")
    random.seed(2)
    _igraph_draws()
    assert communities(karate, seed=3, method="leiden") == first


# ------------------------------------------------------------------ periods and timeline


def test_parse_periods_keeps_the_written_order_and_takes_en_dashes_and_single_years():
    assert parse_periods("2014–2021,1991 - 2013, 2022") == [(2014, 2021), (1991, 2013), (2022, 2022)]
    with pytest.raises(ValueError, match="overlap"):
        parse_periods("2014-2021,2021")


def _dates(*texts):
    return frozenset(PartialDate.parse(t) for t in texts)


def test_dating_is_certain_only_when_every_date_lies_inside_one_period():
    periods = [(1991, 2013), (2014, 2026)]
    assert dating(_dates("2015-03-16"), periods) == ("certain", ["2014-2026"])
    assert dating(_dates("2013-12-31"), periods) == ("certain", ["1991-2013"])
    assert dating(_dates("2010", "2020"), periods) == ("uncertain", ["1991-2013", "2014-2026"])  # sources disagree
    assert dating(_dates("2013~"), periods) == ("uncertain", ["1991-2013", "2014-2026"])  # about: 2012–2014
    assert dating(_dates("2010/2012"), periods) == ("certain", ["1991-2013"])
    assert dating(_dates("../2012"), periods) == ("uncertain", ["1991-2013"])  # open start reaches before 1991
    assert dating(_dates("1985"), periods) == ("outside", [])
    assert dating(frozenset(), periods) == ("undated", [])


def test_period_counts_report_certain_uncertain_and_undated_ties():
    ties = [SimpleNamespace(dates=_dates(*d)) for d in [("2015",), ("2013~",), (), (), ("1985",)]]
    assert period_counts(ties, [(1991, 2013), (2014, 2026)]) == [
        {"period": "1991-2013", "certain": 0, "uncertain": 1},
        {"period": "2014-2026", "certain": 1, "uncertain": 1},
        {"period": "undated", "certain": 2, "uncertain": 0}]


def _tie(relation, dates=(), cls="", id="t", pairs=(), planned=False):
    return SimpleNamespace(id=id, relation=relation, dates=_dates(*dates), cls=cls, pairs=lambda: list(pairs),
                           planned=planned)


def test_timeline_counts_certain_years_beside_uncertain_planned_and_undated_ties():
    ties = [_tie("agreement", ("2015", "2007")), _tie("visit", ("2007-05",)), _tie("forum", ("2019",), cls="ForumEdition"),
            _tie("forum", (), cls="ForumSeries"), _tie("visit", ()), _tie("exchange", ("2019-06-01",)),
            _tie("forum", ("2019",), planned=True)]
    rows = timeline(ties)
    assert rows[0] == {"year": 2007, "agreement": 0, "forum": 0, "visit": 1, "total": 1, "uncertain": 1, "planned": 0}
    assert [r["year"] for r in rows] == [2007, 2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2019, "undated"]
    assert all(r["uncertain"] == 1 and r["total"] == 0 for r in rows[1:9])  # the disagreeing dates span 2007–2015
    assert rows[-2] == {"year": 2019, "agreement": 0, "forum": 1, "visit": 0, "total": 2, "uncertain": 0, "planned": 1}
    assert rows[-1] == {"year": "undated", "agreement": 0, "forum": 0, "visit": 1, "total": 1, "uncertain": 0,
                        "planned": 0}
    assert timeline([]) == [{"year": "undated", "agreement": 0, "forum": 0, "visit": 0, "total": 0, "uncertain": 0,
                             "planned": 0}]


# ------------------------------------------------------------------ typology


INFO = {"omsk": {"type": "Region", "country": "russia"}, "pavlodar": {"type": "Region", "country": "kazakhstan"},
        "astana": {"type": "State", "country": "kazakhstan"}}
UNIT = {"omsk-govt": "omsk", "omsk-mayor": "omsk", "akimat": "pavlodar"}
BORDERS = {frozenset({"omsk", "pavlodar"})}


def test_typology_counts_a_tie_once_per_pair_of_distinct_units():
    tie = _tie("forum", ("2019",), id="f", pairs=[("omsk-govt", "akimat"), ("omsk-mayor", "akimat"),
                                                ("omsk-govt", "omsk-mayor"), ("omsk-govt", "astana")])
    result = typology([tie], INFO, UNIT, BORDERS)
    assert [(r["region_a"], r["region_b"], r["kind"]) for r in result["pairs"]] == [
        ("astana", "omsk", "global"), ("omsk", "pavlodar", "transborder")]
    assert result["shares"] == [{"period": "all", "transborder": 1, "transregional": 0, "global": 1, "domestic": 0,
                                 "interstate": 0, "non-governmental": 0, "unclassified": 0,
                                 "transborder share": 0.5, "transregional share": 0.0, "global share": 0.5,
                                 "uncertain": 0}]


def test_typology_shares_are_none_without_cross_border_ties_and_ties_outside_periods_count_nowhere():
    ties = [_tie("visit", ("2020",), id="v", pairs=[("akimat", "astana")]),  # domestic
            _tie("visit", ("1985",), id="old", pairs=[("omsk-govt", "akimat")])]
    result = typology(ties, INFO, UNIT, BORDERS, [(1991, 2013), (2014, 2026)])
    assert [(r["period"], r["dating"]) for r in result["pairs"]] == [("2014-2026", "certain"), ("", "outside")]
    shares = {r["period"]: r for r in result["shares"]}
    assert list(shares) == ["1991-2013", "2014-2026", "undated"]
    assert shares["2014-2026"]["domestic"] == 1 and shares["2014-2026"]["transborder share"] is None
    assert sum(shares["1991-2013"][k] for k in ("transborder", "transregional", "global", "domestic")) == 0


# ------------------------------------------------------------------ the package's layout


MODULES = sorted(PACKAGE.glob("*.py"))
DOWNSTREAM = ("cli", "graph.store", "graph.maps", "graph.report", "graph.server", "graph.render")


def _imported(tree: ast.Module) -> list[str]:
    """Absolute names of what a module in graph/analysis/ imports (``from x import y`` gives x and x.y)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(["graph", "analysis"][:3 - node.level] if node.level else [])
            module = ".".join(p for p in (base, node.module or "") if p)
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_analysis_modules_declare_all_stay_short_and_import_nothing_downstream(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
               for n in tree.body), f"{path.name} has no __all__"
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{path.name}: {node.name} is {length} lines long"
            if not node.name.startswith("_") and path.name != "_igraph.py":
                assert ">>>" in (ast.get_docstring(node) or ""), f"{path.name}: {node.name} has no example"
    for name in _imported(tree):
        assert not any(name == d or name.startswith(d + ".") for d in DOWNSTREAM), f"{path.name} imports {name}"


def test_graph_analysis_still_offers_every_name_it_offered_before_the_split():
    from graph import analysis

    before = ["METRICS", "COMMUNITY_METHODS", "TIE_KINDS", "centrality", "communities", "parse_periods",
              "dating", "centrality_by_period", "timeline", "classify_pair", "typology"]
    assert set(before) <= set(analysis.__all__)
    assert all(callable(getattr(analysis, name)) for name in before if name.islower())
    assert analysis._betweenness_igraph and analysis._closeness_igraph and analysis.ROUND == 6
    for module in ("centrality", "communities", "periods", "typology"):
        mod = __import__(f"graph.analysis.{module}", fromlist=["__all__"])
        assert set(mod.__all__) <= set(dir(mod))
