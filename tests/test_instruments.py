"""The instrument facet (issue 12, item 3): laws, treaties between states and foreign acts
are no regions' agreements, and a record is counted once, at its earliest year."""

from __future__ import annotations

import csv
import io

import pytest

from cli import cli
from graph.analysis import timeline
from graph.analysis.typology import instrument_of
from graph.project import Filters
from graph.queries import find_query
from graph.sparql import run_query

LAWS_AND_FOREIGN_ACTS = ("russia-federal-law-179-fz-cross-border-cooperation", "russia-order-2459-r-2017",
                         "us-anti-russian-sanctions-act-2017", "eu-anti-russian-sanctions-decision-2017")


def _timeline(runner, *args: str) -> dict[str, dict[str, str]]:
    result = runner.invoke(cli, ["timeline", "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return {r["year"]: r for r in csv.DictReader(io.StringIO(result.stdout))}


@pytest.mark.parametrize("record, facet", [
    ("russia-federal-law-179-fz-cross-border-cooperation", "national-framework"),
    ("russia-order-2459-r-2017", "national-framework"),
    ("kazakhstan-law-on-investments", "national-framework"),
    ("russia-kazakhstan-cooperation-agreement-1995", "national-framework"),
    ("european-outline-convention-on-transfrontier-cooperation", "national-framework"),
    ("russia-federal-law-91-fz-european-outline-convention-ratification", "national-framework"),
    ("us-anti-russian-sanctions-act-2017", "external-context"),
    ("eu-anti-russian-sanctions-decision-2017", "external-context"),
    ("kazakhstan-russia-border-regions-cooperation-principles-agreement", "paradiplomatic"),
    ("omsk-pavlodar-cooperation-agreement", "paradiplomatic"),
    ("pavlodar-akimat-giessenhaus-aluminium-cluster-agreement", "paradiplomatic"),
    ("yekaterinburg-bishkek-twinning-agreement", "paradiplomatic"),
    ("utair-kazaviaspas-emergency-assistance-agreement", "non-governmental"),  # two companies
    ("cis-council-for-interregional-and-cross-border-cooperation-agreement", "national-framework"),  # declared
    ("russia-kazakhstan-bilateral-cooperation-road-map", "national-framework"),  # declared
    ("cis-interregional-and-cross-border-cooperation-concept-2030-action-plan", "national-framework"),  # implements
])
def test_facet_of_bundled_records(kg, record, facet):
    assert {t.id: t.instrument for t in kg.ties(Filters(instruments="all"))}[record] == facet


def test_laws_and_foreign_acts_are_not_counted_by_default_but_are_with_all(kg, runner):
    default = {t.id for t in kg.ties()}
    everything = {t.id for t in kg.ties(Filters(instruments="all"))}
    assert not default & set(LAWS_AND_FOREIGN_ACTS) and set(LAWS_AND_FOREIGN_ACTS) <= everything
    # four acts of 2017, none a region's (a project of 2017, GiessenHaus's wheel plant, counts in total only)
    assert _timeline(runner).get("2017", {"agreement": "0"})["agreement"] == "0"
    assert _timeline(runner, "--instruments", "all")["2017"]["agreement"] == "4"


def test_a_regions_agreement_is_counted(kg, runner):
    ties = {t.id: t for t in kg.ties()}
    assert ties["kazakhstan-russia-border-regions-cooperation-principles-agreement"].instrument == "paradiplomatic"
    assert _timeline(runner)["1993"]["agreement"] == "1"


def test_forums_and_visits_count_whatever_the_option(kg):
    def others(f: Filters) -> set[str]:
        return {t.id for t in kg.ties(f) if t.relation != "agreement"}
    assert others(Filters()) == others(Filters(instruments="all"))


def test_a_record_is_counted_in_a_year_only_when_every_date_lies_in_it(kg, runner):
    by_year = _timeline(runner)  # omsk-pavlodar-cooperation-agreement: 2007 and 2015 by two papers
    assert int(by_year["2010"]["uncertain"]) >= 1 and by_year["2010"]["total"] == "0"
    everything = _timeline(runner, "--instruments", "all")  # the Outline Convention and its ratification law
    assert everything["1980"]["agreement"] == "1" and everything["2002"]["agreement"] == "1"
    query = find_query("agreements-by-year")
    by_query = {int(r[0].value): int(r[1].value) for r in run_query(kg.store, query.text).rows}
    by_python = {r["year"]: r["agreement"] for r in timeline(kg.ties()) if r["year"] != "undated" and r["agreement"]}
    assert by_query == by_python


def test_instrument_of_needs_no_store():
    info = {"omsk-oblast-government": {"type": "ExecutiveBody", "country": "russia"},
            "omsk-oblast": {"type": "Region", "country": "russia"},
            "trump-d": {"type": "Person", "country": "united-states"},
            "kazakhstan": {"type": "State", "country": "kazakhstan"}}
    unit = {"omsk-oblast-government": "omsk-oblast", "omsk-oblast": "omsk-oblast", "trump-d": "united-states",
            "kazakhstan": "kazakhstan"}
    assert instrument_of("Memorandum", ["omsk-oblast-government", "kazakhstan"], info, unit) == "paradiplomatic"
    assert instrument_of("LegalAct", ["trump-d"], info, unit) == "external-context"
    assert instrument_of("Agreement", ["kazakhstan"], info, unit) == "national-framework"


def test_every_network_command_takes_the_option(runner):
    for command in ("centrality", "communities", "typology", "timeline"):
        result = runner.invoke(cli, [command, "--instruments", "all", "--format", "csv"])
        assert result.exit_code == 0, (command, result.output)


def test_a_declared_instrument_and_an_implemented_act_come_before_the_derived_facet(small_dir):
    from graph import open_graph

    from .conftest import edit
    # the memorandum, signed by two regions, declared national-framework: the declaration wins
    edit(small_dir / "paper-a.yaml", "    date: 2019-11\n", "    date: 2019-11\n    instrument: national-framework\n")
    kg = open_graph(small_dir)
    facets = {t.id: t.instrument for t in kg.ties(Filters(instruments="all"))}
    assert facets["omsk-nko-memorandum"] == "national-framework"
    assert "omsk-nko-memorandum" not in {t.id for t in kg.ties()}


def test_company_to_company_needs_no_store():
    info = {"utair": {"type": "Company", "country": "russia"}, "kazaviaspas": {"type": "Company", "country": "kazakhstan"},
            "omsk-oblast": {"type": "Region", "country": "russia"}}
    assert instrument_of("Agreement", ["utair", "kazaviaspas"], info, {}) == "non-governmental"
    assert instrument_of("Agreement", ["utair", "omsk-oblast"], info, {}) == "paradiplomatic"
    assert instrument_of("Agreement", ["utair"], info, {"utair": "omsk-oblast"}) == "paradiplomatic"  # placed
