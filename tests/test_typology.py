"""Duchacek's typology as the literature defines it (issue 12, item 2).

Paradiplomacy needs a subnational party; both ends are rolled up to their first-level unit
(a region, or a city of republican significance); transborder = regions that share a border,
transregional = regions that do not, global = with a foreign state, central body or
international organisation (seed 004, Rustamova & Calderón Antón 2025). Ties without a
subnational party are interstate or non-governmental, ties inside one state domestic, and
none of these enters the three shares.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from cli import cli
from graph.analysis import PAIR_COLUMNS, typology
from graph.project import Filters, actors, rollup
from graph.records import PartialDate

# ------------------------------------------------------------------ the bundled data


def _pairs(kg) -> dict[str, dict]:
    return {r["tie"]: r for r in kg.typology()["pairs"]}


@pytest.mark.parametrize("tie, region_a, region_b", [
    ("astrakhan-aktau-twinning-agreement", "astrakhan-oblast", "mangystau-oblast"),
    ("yaroslavl-mogilev-twinning-agreement", "mogilev-oblast", "yaroslavl-oblast"),
    ("yekaterinburg-bishkek-twinning-agreement", "bishkek", "sverdlovsk-oblast"),
    ("vologda-gyumri-twinning-agreement", "shirak-province", "vologda-oblast"),
    ("omsk-almaty-cooperation-agreement", "almaty", "omsk-oblast"),
])
def test_city_ties_roll_up_to_regions_and_are_transregional_not_global(kg, tie, region_a, region_b):
    row = _pairs(kg)[tie]
    assert (row["region_a"], row["region_b"]) == (region_a, region_b)
    assert row["kind"] == "transregional" and row["rule"] == "regions-not-adjacent"


@pytest.mark.parametrize("tie, kind", [
    ("kaznu-omsk-branch-opening-ceremony", "interstate"),  # Putin–Tokayev
    ("russia-kazakhstan-upper-chambers-cooperation-commission-session-21", "interstate"),  # Federation Council–Senate
    ("tajikistan-russia-oilseeds-agreement", "interstate"),
    ("utair-kazaviaspas-emergency-assistance-agreement", "non-governmental"),
])
def test_ties_without_a_subnational_party_are_not_paradiplomacy(kg, tie, kind):
    # agreements without a subnational signatory are no instruments: counted only with --instruments all
    rows = [r for r in kg.typology(Filters(instruments="all"))["pairs"] if r["tie"] == tie]
    # the pair of the two states (Putin–Tokayev; the Federation Council, the Senate and the
    # session's leaders, who take part in its tie): one row per unit pair
    named = {"kaznu-omsk-branch-opening-ceremony", "russia-kazakhstan-upper-chambers-cooperation-commission-session-21"}
    if tie in named:
        rows = [r for r in rows if {r["region_a"], r["region_b"]} == {"russia", "kazakhstan"}]
    assert len(rows) == 1 and rows[0]["kind"] == kind
    assert rows[0]["kind"] not in ("transborder", "transregional", "global")


def test_rollup_places_cities_bodies_and_universities_in_first_level_units(kg):
    info = actors(kg.store)
    unit = rollup(kg.store, info, "region")
    assert unit["aktau"] == "mangystau-oblast" and unit["gyumri"] == "shirak-province"
    assert unit["almaty"] == "almaty" and unit["al-farabi-kazakh-national-university"] == "almaty"
    assert unit["almaty-akimat"] == "almaty"
    assert unit["kazakhstan-senate"] == "kazakhstan"  # a central body: its seat (Astana) is not its region
    assert unit["putin-v-v"] == "russia" and unit["khotsenko-v-p"] == "omsk-oblast"
    assert unit["kaznu-omsk-branch"] == "omsk-oblast"  # its own city before its parent's


def test_every_city_in_the_bundled_data_is_placed_in_a_first_level_unit(kg):
    info = actors(kg.store)
    unit = rollup(kg.store, info, "region")
    for city in (a for a, i in info.items() if i["type"] == "City"):
        assert info.get(unit[city], {}).get("type") == "Region" or unit[city] == city, city
        if unit[city] == city:  # a city of republican significance, placed directly in its state
            assert rollup(kg.store, info, "country")[city] == info[city]["country"], city
    placed = {a for a in info if info[a]["type"] == "City" and unit[a] == a}
    assert placed == {"almaty", "astana", "bishkek", "tashkent"}


def test_period_shares_are_taken_among_the_three_paradiplomatic_kinds_only(kg):
    shares = kg.typology(periods="1991-2013,2014-2021,2022-2026")["shares"]
    recent = shares[-2]  # Putin–Tokayev and the upper chambers (2024) are beside the shares, not in them
    assert recent["period"] == "2022-2026" and recent["interstate"] >= 2 and recent["non-governmental"] >= 1
    undated = shares[-1]  # most twinnings carry no date: reported in their own row, not dropped
    assert undated["period"] == "undated" and undated["transborder"] + undated["transregional"] > 0
    pairs = kg.typology(periods="1991-2013,2014-2021,2022-2026")["pairs"]
    assert undated["transborder"] == sum(r["kind"] == "transborder" and r["dating"] == "undated" for r in pairs)
    for row in shares:
        paradiplomatic = row["transborder"] + row["transregional"] + row["global"]
        if paradiplomatic:
            assert row["transborder share"] == round(row["transborder"] / paradiplomatic, 4)
            assert abs(row["transborder share"] + row["transregional share"] + row["global share"] - 1) < 1e-3


def test_cli_pairs_show_regions_and_the_rule_and_equal_the_library(runner, kg):
    out = runner.invoke(cli, ["typology", "--pairs", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows == kg.typology()["pairs"]
    assert {"a", "b", "region_a", "region_b", "kind", "rule"} <= set(rows[0])
    header = runner.invoke(cli, ["typology", "--pairs", "--format", "csv"]).stdout.splitlines()[0]
    assert header == ",".join(PAIR_COLUMNS) == "tie,relation,date,dating,period,a,b,region_a,region_b,kind,rule"
    header = runner.invoke(cli, ["typology", "--format", "csv"]).stdout.splitlines()[0]
    assert header == ("period,transborder,transregional,global,transborder share,transregional share,global share,"
                      "domestic,interstate,non-governmental,unclassified,uncertain")


# ------------------------------------------------------------------ small hand-made graphs, one per rule

INFO = {
    "omsk-oblast": {"type": "Region", "country": "russia"},
    "omsk-govt": {"type": "ExecutiveBody", "country": "russia"},
    "governor": {"type": "Person", "country": "russia"},
    "pavlodar-oblast": {"type": "Region", "country": "kazakhstan"},
    "akimat": {"type": "ExecutiveBody", "country": "kazakhstan"},
    "almaty": {"type": "City", "country": "kazakhstan"},
    "yaroslavl": {"type": "City", "country": "russia"},
    "mogilev": {"type": "City", "country": "belarus"},
    "russia": {"type": "State", "country": "russia"},
    "kazakhstan": {"type": "State", "country": "kazakhstan"},
    "putin": {"type": "Person", "country": "russia"},
    "tokayev": {"type": "Person", "country": "kazakhstan"},
    "senate": {"type": "Legislature", "country": "kazakhstan"},
    "federation-council": {"type": "Legislature", "country": "russia"},
    "eaeu": {"type": "InternationalOrganisation", "country": ""},
    "utair": {"type": "Company", "country": "russia"},
    "kazaviaspas": {"type": "Company", "country": "kazakhstan"},
    "pavlodar-plant": {"type": "Company", "country": "kazakhstan"},
}
UNIT = {"omsk-govt": "omsk-oblast", "governor": "omsk-oblast", "akimat": "pavlodar-oblast",
        "putin": "russia", "tokayev": "kazakhstan", "senate": "kazakhstan", "federation-council": "russia",
        "pavlodar-plant": "pavlodar-oblast"}
BORDERS = {frozenset({"omsk-oblast", "pavlodar-oblast"}), frozenset({"russia", "kazakhstan"}),
           frozenset({"russia", "belarus"})}


def _classify(a: str, b: str) -> dict:
    tie = SimpleNamespace(id="t", relation="agreement", dates=frozenset({PartialDate.parse("2023")}), pairs=lambda: [(a, b)])
    [row] = typology([tie], INFO, UNIT, BORDERS)["pairs"]
    return row


@pytest.mark.parametrize("a, b, kind, rule", [
    ("omsk-govt", "akimat", "transborder", "regions-share-a-border"),
    ("governor", "pavlodar-plant", "transborder", "regions-share-a-border"),  # a company placed in its region
    ("yaroslavl", "mogilev", "transregional", "regions-not-adjacent"),  # states border, cities do not
    ("omsk-oblast", "almaty", "transregional", "regions-not-adjacent"),  # a city of republican significance
    ("omsk-govt", "tokayev", "global", "with-foreign-central"),
    ("omsk-oblast", "kazakhstan", "global", "with-foreign-central"),
    ("akimat", "eaeu", "global", "with-international-organisation"),
    ("omsk-oblast", "putin", "domestic", "one-state"),
    ("putin", "tokayev", "interstate", "no-subnational-official"),
    ("senate", "federation-council", "interstate", "no-subnational-official"),
    ("russia", "kazakhstan", "interstate", "no-subnational-official"),
    ("senate", "eaeu", "interstate", "no-subnational-official"),
    ("utair", "kazaviaspas", "non-governmental", "no-subnational-non-governmental"),
    ("omsk-oblast", "kazaviaspas", "unclassified", "partner-region-unknown"),  # a foreign company placed nowhere
])
def test_each_rule_on_a_hand_made_graph(a, b, kind, rule):
    row = _classify(a, b)
    assert (row["kind"], row["rule"]) == (kind, rule)
    assert {row["region_a"], row["region_b"]} == {UNIT.get(a, a), UNIT.get(b, b)}


def test_shares_leave_out_interstate_non_governmental_and_domestic_ties():
    pairs = [("omsk-govt", "akimat"), ("putin", "tokayev"), ("utair", "kazaviaspas"), ("omsk-oblast", "putin")]
    ties = [SimpleNamespace(id=f"t{n}", relation="agreement", dates=frozenset({PartialDate.parse("2023")}), pairs=lambda p=p: [p])
            for n, p in enumerate(pairs)]
    [shares] = typology(ties, INFO, UNIT, BORDERS)["shares"]
    assert shares["transborder share"] == 1.0 and shares["global share"] == 0.0
    assert (shares["interstate"], shares["non-governmental"], shares["domestic"]) == (1, 1, 1)


def test_one_row_per_unit_pair_keeps_the_most_paradiplomatic_actor_pair():
    # the governor's government and a Pavlodar company sign with the akimat's partner: the pair
    # of units (Omsk Oblast, Pavlodar Oblast) is transborder because a subnational party is in it
    tie = SimpleNamespace(id="t", relation="forum", dates=frozenset({PartialDate.parse("2023")}),
                          pairs=lambda: [("pavlodar-plant", "utair"), ("omsk-govt", "pavlodar-plant")])
    rows = typology([tie], {**INFO, "utair": {"type": "Company", "country": "russia"}},
                    {**UNIT, "utair": "omsk-oblast"}, BORDERS)["pairs"]
    assert [(r["a"], r["b"], r["kind"]) for r in rows] == [("omsk-govt", "pavlodar-plant", "transborder")]
