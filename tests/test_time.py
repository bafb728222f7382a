"""Honest time (issue 12, item 4): EDTF dates, their bounds in RDF, and period analyses that
report the uncertain and the undated ties beside the certain ones."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pyoxigraph as ox
import pytest

from cli import cli
from graph import open_graph
from graph.load import load_dataset
from graph.project import Filters
from graph.records import EDTF_DATATYPE, PartialDate
from graph.validate import validate

from .conftest import edit

PD = "https://w3id.org/paradiplo/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize("text, earliest, latest", [
    ("2024~", dt.date(2023, 1, 1), dt.date(2025, 12, 31)),  # about: one year either side
    ("2019?", dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
    ("2022/2025", dt.date(2022, 1, 1), dt.date(2025, 12, 31)),
    ("2024-06/2024-08", dt.date(2024, 6, 1), dt.date(2024, 8, 31)),
    ("../2024", None, dt.date(2024, 12, 31)),
    ("2024/..", dt.date(2024, 1, 1), None),
    ("2024-21", dt.date(2024, 3, 1), dt.date(2024, 5, 31)),  # spring
])
def test_edtf_dates_parse_with_their_bounds_and_no_calendar_year(text, earliest, latest):
    d = PartialDate.parse(text)
    assert (str(d), d.earliest, d.latest, d.precision, d.year) == (text, earliest, latest, "edtf", None)


@pytest.mark.parametrize("text, message", [
    ("2025/2022", "ends before it starts"), ("2024-02-30~", "expected a date"), ("0999~", "impossible year"),
    ("2015-03-16T10:00:00", "without a time"), ("/..", "expected a date"),
])
def test_bad_edtf_is_refused_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        PartialDate.parse(text)


def test_plain_dates_keep_working_unchanged():
    d = PartialDate.parse("2015-03-16")
    assert (d.precision, d.year, d.earliest, d.latest) == ("day", 2015, dt.date(2015, 3, 16), dt.date(2015, 3, 16))


def _vague(small_dir):
    """The fixture with the 2019 forum dated 'about 2019' and the memorandum 'before 2020'."""
    edit(small_dir / "paper-a.yaml", "    date: 2019-11-07", "    date: 2019~")
    edit(small_dir / "paper-a.yaml", "    date: 2019-11\n", "    date: ../2020\n")
    edit(small_dir / "paper-a.yaml", '"меморандум 2019"', '"меморандум (до 2020 г.)"')  # the date is printed
    return small_dir


def test_rdf_keeps_the_edtf_literal_and_adds_xsd_date_bounds(small_dir):
    kg = open_graph(_vague(small_dir))
    forum = ox.NamedNode("https://w3id.org/paradiplo/id/forum-2019")

    def objects(prop):
        return sorted({(q.object.value, q.object.datatype.value)  # (a named graph and the union copy)
                       for q in kg.store.quads_for_pattern(forum, ox.NamedNode(PD + prop), None, None)})
    assert objects("date") == [("2019~", EDTF_DATATYPE)]
    assert objects("earliest") == [("2018-01-01", XSD + "date")]
    assert objects("latest") == [("2020-12-31", XSD + "date")]
    assert objects("year") == []  # a vague date has no calendar year
    memo = ox.NamedNode("https://w3id.org/paradiplo/id/omsk-nko-memorandum")
    assert list(kg.store.quads_for_pattern(memo, ox.NamedNode(PD + "earliest"), None, None)) == []  # open start
    agreement = ox.NamedNode("https://w3id.org/paradiplo/id/omsk-pavlodar-agreement")
    assert {q.object.value for q in kg.store.quads_for_pattern(agreement, ox.NamedNode(PD + "year"), None, None)} \
        == {"2015", "2007"}  # paper-a: 2015-03-16, paper-b: 2007


def test_shacl_accepts_edtf_dates(small_dir):
    report = validate(load_dataset(_vague(small_dir)))
    assert report.ok, [p.message for p in report.problems]


def test_vague_ties_are_uncertain_in_periods_not_dropped(small_dir):
    kg = open_graph(_vague(small_dir))
    counts = {r["period"]: r for r in kg.period_counts([(2000, 2018), (2019, 2030)])}
    # forum-2019 (2019~: 2018–2020) overlaps both periods; the memorandum (../2020) too
    assert counts["2000-2018"]["uncertain"] == 2 and counts["2019-2030"]["uncertain"] == 2
    graphs = kg.graphs_by_period([(2019, 2030)])
    assert not any("forum-2019" in e["evidence"].split() for *_, e in graphs["2019-2030"].edges(data=True))
    assert "forum-2019" not in [t.id for t in kg.ties(Filters(since=2019, until=2030))]
    assert "forum-2019" in [t.id for t in kg.ties(Filters(since=2018, until=2020))]


def test_the_timeline_shows_uncertain_planned_and_undated_rows(small_dir, runner, monkeypatch):
    edit(small_dir / "paper-a.yaml", "    date: 2019-11-07", "    date: 2026\n    status: planned")
    edit(small_dir / "paper-a.yaml", "7 ноября 2019 г.", "запланирован на 2026 г.")
    monkeypatch.chdir(small_dir.parent)
    result = runner.invoke(cli, ["timeline", "--data", str(small_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {r["year"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["2026"]["planned"] == "1" and rows["2026"]["total"] == "0"  # announced, not held
    assert "undated" in rows and list(rows)[-1] == "undated"


def test_centrality_by_period_counts_the_ties_it_leaves_out_on_stderr(small_dir, runner):
    result = runner.invoke(cli, ["centrality", "--data", str(_vague(small_dir)), "--periods", "2000-2018,2019-2030"])
    assert result.exit_code == 0, result.output
    assert "ties per period: 2000-2018: " in result.stderr and "undated (in no period): " in result.stderr
    assert "2019-2030: 1 certain, 2 uncertain" in result.stderr


def test_the_bundled_typology_reports_undated_ties_in_their_own_row(kg):
    shares = kg.typology(periods="1991-2013,2014-2021,2022-2026")["shares"]
    assert [r["period"] for r in shares] == ["1991-2013", "2014-2021", "2022-2026", "undated"]
    pairs = kg.typology(periods="1991-2013,2014-2021,2022-2026")["pairs"]
    undated = [r for r in pairs if r["dating"] == "undated"]
    assert undated and all(r["date"] == "" and r["period"] == "" for r in undated)
    assert sum(shares[-1][k] for k in ("transborder", "transregional", "global", "domestic", "interstate",
                                       "non-governmental", "unclassified")) == len(undated)


def test_every_figure_of_the_report_says_which_instruments_sources_and_period_rule(tmp_path, runner):
    from .conftest import SMALL
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "-o", str(out), "--data", str(SMALL), "--exclude-source", "paper-b",
                                 "--instruments", "all"])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    scopes = page.count('<p class="scope">')
    assert scopes == 6  # centrality, by period, timeline, typology, robustness, communities
    assert page.count("Sources: paper-a (of 2 papers); bodies and reference lists of the papers.") == scopes
    assert page.count("every agreement-like record") == scopes
    assert page.count("Period rule: a tie counts in a period") == 3
    counts = list(csv.DictReader(io.StringIO((out / "period-counts.csv").read_text(encoding="utf-8"))))
    assert counts[-1]["period"] == "undated"


def test_the_report_says_when_reference_list_ties_are_left_out(tmp_path, runner):
    from .conftest import SMALL
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "-o", str(out), "--data", str(SMALL), "--exclude-references"])
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("reference list left out (--exclude-references).") == page.count('<p class="scope">') == 6
