"""Issue 13, item 1: a date on a paper's record is printed in its quotes, or says on which words it rests."""

from __future__ import annotations

import pytest

from cli import cli
from graph.load import load_dataset
from graph.records import GENERAL_KNOWLEDGE, PartialDate
from graph.validate import date_years, validate

from .conftest import edit

YEAR = '    period: 2022\n    evidence: [{locator: "Таблица", quote: "402,1 млн долл. в 2022 г."}]\n'


def _unattested(folder=None) -> list[tuple[str, str, int, str]]:
    dataset = load_dataset(folder) if folder else load_dataset()
    assert dataset.entries
    return [(p.record, p.field, p.line, p.message) for p in validate(dataset, shacl=False).problems
            if p.code == "unattested-date"]


def _line(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_the_small_fixture_attests_its_dates(small_dir):
    assert _unattested(small_dir) == []


def test_an_invented_year_is_an_error_at_its_line(small_dir, runner):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2024\n    evidence: [{locator: "Таблица", quote: "402,1"}]\n')
    [(record, field, line, message)] = _unattested(small_dir)
    assert (record, field, line) == ("omsk-kz-trade-2022", "period", _line(small_dir / "paper-a.yaml", "period: 2024"))
    assert "2024" in message and "date_basis" in message
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 1
    assert f"paper-a.yaml:{line}: omsk-kz-trade-2022: period: 2024 is not attested" in result.output


def test_a_year_of_another_figure_in_the_quote_does_not_attest(small_dir):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2022\n    evidence: [{locator: "Таблица", quote: "402,1 (20222)"}]\n')
    assert [r[:2] for r in _unattested(small_dir)] == [("omsk-kz-trade-2022", "period")]


@pytest.mark.parametrize("date, quote", [
    ("2022", "402,1 млн долл. в 2022 г."),  # the year in the quote
    ("2022-03-16", "402,1 (16.03.2022)"),  # a printed day holds its year
    ("2021/2022", "402,1 за 2021–2022 гг."),  # both ends of an interval
    ("../2022", "402,1 до 2022 г."),  # the known end of an open interval
])
def test_a_quoted_year_is_accepted(small_dir, date, quote):
    edit(small_dir / "paper-a.yaml", YEAR, f'    period: "{date}"\n    evidence: [{{locator: "Таблица", quote: "{quote}"}}]\n')
    assert _unattested(small_dir) == []


def test_both_ends_of_an_interval_must_be_printed(small_dir):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2021/2022\n    evidence: [{locator: "Таблица", quote: "402,1 в 2022 г."}]\n')
    [(_, field, _, message)] = _unattested(small_dir)
    assert field == "period" and "2021 is printed in none" in message


def test_a_year_in_the_locator_is_accepted(small_dir):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2022\n    evidence: [{locator: "Таблица 2022 г.", quote: "402,1"}]\n')
    assert _unattested(small_dir) == []


def test_a_date_basis_found_in_a_quote_is_accepted(small_dir):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2023\n    date_basis: в прошлом году\n'
         '    evidence: [{locator: "Таблица", quote: "402,1 млн долл. в прошлом году"}]\n')
    assert _unattested(small_dir) == []


def test_a_date_basis_in_no_quote_is_an_error_on_that_field(small_dir):
    edit(small_dir / "paper-a.yaml", YEAR, '    period: 2023\n    date_basis: в прошлом году\n'
         '    evidence: [{locator: "Таблица", quote: "402,1 млн долл."}]\n')
    [(record, field, line, message)] = _unattested(small_dir)
    assert (record, field) == ("omsk-kz-trade-2022", "date_basis")
    assert line == _line(small_dir / "paper-a.yaml", "date_basis:")
    assert "'в прошлом году' is in none of the record's quotes" in message


def test_every_unattested_date_is_reported_in_one_run(small_dir):
    edit(small_dir / "paper-a.yaml", "quote: \"XVI форум, 7 ноября 2019 г.\"", "quote: \"XVI форум\"")
    edit(small_dir / "paper-b.yaml", "in June 2021 a delegation", "a delegation")
    assert sorted(r[:2] for r in _unattested(small_dir)) == [("forum-2019", "date"), ("pavlodar-visit-2021", "date")]


def test_general_knowledge_is_not_checked(small_dir):
    path = small_dir / "general-knowledge.yaml"
    edit(path, "actors:\n", "actors:\n  - id: gk-dated\n    type: City\n    label: {en: Dated}\n    founded: 1716\n")
    dataset = load_dataset(small_dir)
    assert [e.source for e in dataset.entries if e.record.id == "gk-dated"] == [GENERAL_KNOWLEDGE]
    assert _unattested(small_dir) == []


def test_date_years_are_the_printed_years():
    assert date_years(PartialDate.parse("2024~")) == ["2024"]
    assert date_years(PartialDate.parse("2015-03-16")) == ["2015"]
    assert date_years(PartialDate.parse("2024/..")) == ["2024"]


def test_the_bundled_data_attest_every_date():
    assert _unattested() == []
