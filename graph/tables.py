"""Spreadsheets in and out: the records as tables, one per kind, in one XLSX workbook or as CSV files,
and the same tables read back as a data folder.

The layout is derived from the record models (:data:`graph.records.KIND_MODELS`), so a kind or a
field added there gets its sheet or its column with no change here:

* one sheet (or ``<sheet>.csv``) per kind: ``actors``, ``agreements``, ``forums``, ``sectors``,
  ``observations``, ``projects``, ``claims``, …; one row per record *as one source states it*: the columns ``source`` and
  ``id``, then one column per field, in the model's order;
* a list is one cell, its items joined by ``;`` (``omsk-oblast; pavlodar-oblast``; an item's own
  ``;`` or ``\\`` is written ``\\;`` or ``\\\\``); a language map is one column per language
  (``label.en``, ``label.ru``; a map of lists, like ``alt_labels.ru``, joins its items as a list);
  a nested record is one column per field (``coordinates.lat``); anything else is JSON text;
* ``evidence``: one row per evidence item, ``record_kind``, ``record_id`` and ``source`` naming
  the record row it belongs to, then ``locator``, ``quote``, ``lang``, ``kind``;
* ``sources``: the bibliography (what ``sources.yaml`` holds), one row per source.

Text a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR) is written with a
leading ``'`` (OWASP), and so is text that starts with ``'``; reading removes one leading ``'``.
Problems name the sheet, row and column letter: ``data.xlsx:agreements:3:F: id: date: …``.

Examples
--------
>>> from graph.load import load_dataset
>>> sheets = table_sheets(load_dataset())
>>> list(sheets)[:3], sheets["evidence"][0]
(['sources', 'actors', 'agreements'], ['record_kind', 'record_id', 'source', 'locator', 'quote', 'lang', 'kind'])
>>> split_list(join_list(["a;b", "c"]))
['a;b', 'c']
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import types
import typing
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import ParadiploError, Problem
from .formats import csv_cell
from .load import (MAX_FILE_BYTES, Dataset, Entry, UnreadableFile, display_path, field_name, open_data_file,
                   problem_message, read_text)
from .records import GENERAL_KNOWLEDGE, KIND_MODELS, PartialDate, Source, is_id

__all__ = ["TableData", "table_sheets", "xlsx_bytes", "csv_tables", "read_tables", "join_list", "split_list",
           "escape_cell", "unescape_cell", "column_letter", "SOURCES_SHEET", "MAX_CELLS", "MAX_UNCOMPRESSED_BYTES",
           "MAX_ZIP_ENTRIES", "EXCEL_MAX_CHARS", "shapes"]

SOURCES_SHEET = "sources"
#: Cells in one workbook or CSV file (empty ones included), counted as they are read.
MAX_CELLS = 2_000_000
#: Bytes an XLSX file's parts may unpack to, from the sizes its zip directory declares (checked before
#: anything is unpacked; Python's ``zipfile`` never unpacks more than an entry declares).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Parts in one XLSX file.
MAX_ZIP_ENTRIES = 10_000
#: Characters Excel allows in one cell.
EXCEL_MAX_CHARS = 32_767
#: The date written into the workbook's properties: a constant, so the file is the same on any day.
_CREATED = dt.datetime(2000, 1, 1)
#: Fields not written: a draft is not in the graph, so never exported (a ``draft`` column is read).
_NOT_WRITTEN = frozenset({"draft"})
_FIRST_LANGS = ("en", "ru", "kk")
_ROW_KEYS = ("record_kind", "record_id", "source")


@dataclass
class TableData:
    """What the spreadsheets of a data folder hold, for :func:`graph.load.load_dataset`."""

    entries: list[Entry] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    source_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    sources_file: str = ""  # the sources sheet or sources.csv as problems name it; "" if none
    problems: list[Problem] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # sheet or file → hash of its file's bytes


# ---------------------------------------------------------------------------------------------- cells

def escape_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with ``= + - @``, tab or CR
    (and text starting with ``'``) gets a leading ``'``; plain numbers stay as they are.

    >>> escape_cell("=HYPERLINK(1)"), escape_cell("'quoted'"), escape_cell("-0.5"), escape_cell(3)
    ("'=HYPERLINK(1)", "''quoted'", '-0.5', 3)
    """
    if isinstance(value, str) and value.startswith("'"):
        return "'" + value
    return csv_cell(value)


def unescape_cell(text: str) -> str:
    """The text of a cell as :func:`escape_cell` wrote it: one leading ``'`` removed."""
    return text[1:] if text.startswith("'") else text


def join_list(items: list[Any]) -> str:
    """A list as one cell: items joined by ``"; "``, each ``\\`` and ``;`` in an item escaped."""
    return "; ".join(str(i).replace("\\", "\\\\").replace(";", "\\;") for i in items)


def split_list(text: str) -> list[str]:
    """The items of a list cell (see :func:`join_list`), stripped; empty items dropped."""
    items, buf, escaped = [], [], False
    for ch in text:
        if escaped:
            buf.append(ch if ch in ";\\" else "\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            items.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    items.append("".join(buf) + ("\\" if escaped else ""))
    return [i.strip() for i in items if i.strip()]


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------- layout

def _core(tp: Any) -> Any:
    """``tp`` without ``Annotated`` and without ``None`` in an optional union."""
    while True:
        if get_origin(tp) is typing.Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in (Union, types.UnionType) and type(None) in get_args(tp):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else Union[tuple(args)]
        else:
            return tp


def _scalar(tp: Any) -> bool:
    tp = _core(tp)
    if get_origin(tp) is Literal:
        return True
    if get_origin(tp) in (Union, types.UnionType):
        return all(_scalar(a) for a in get_args(tp))
    return isinstance(tp, type) and (issubclass(tp, (str, int, float, bool, Enum)) or tp is PartialDate)


def _model(tp: Any) -> type[BaseModel] | None:
    tp = _core(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


@lru_cache(maxsize=None)
def shapes(model: type[BaseModel]) -> dict[str, str]:
    """Field → how it is laid out: ``text`` (one cell), ``list`` (one cell, ``;``), ``langs`` and
    ``lang-lists`` (a column per language), ``nested`` (a column per field), ``rows`` (a sheet of
    its own, like evidence) or ``json`` (one cell of JSON text)."""
    out = {}
    for name, info in model.model_fields.items():
        tp, origin = _core(info.annotation), get_origin(_core(info.annotation))
        if origin is dict:
            out[name] = "lang-lists" if get_origin(_core(get_args(tp)[1])) is list else "langs"
        elif origin is list:
            item = get_args(tp)[0]
            out[name] = "rows" if _model(item) else "list" if _scalar(item) else "json"
        elif _model(tp):
            nested = _model(tp)
            out[name] = "nested" if all(_scalar(f.annotation) for f in nested.model_fields.values()) else "json"
        else:
            out[name] = "text" if _scalar(tp) else "json"
    return out


def _langs(records: list[BaseModel], name: str) -> list[str]:
    found = {lang for r in records for lang in getattr(r, name)}
    return [x for x in _FIRST_LANGS if x in found] + sorted(found - set(_FIRST_LANGS)) or ["en"]


def _columns(model: type[BaseModel], records: list[BaseModel]) -> list[str]:
    """The columns of ``model``'s fields, for these records (a column per language they use)."""
    columns = []
    for name, shape in shapes(model).items():
        if name in _NOT_WRITTEN or shape == "rows":
            continue
        if shape in ("langs", "lang-lists"):
            columns += [f"{name}.{lang}" for lang in _langs(records, name)]
        elif shape == "nested":
            columns += [f"{name}.{sub}" for sub in _model(model.model_fields[name].annotation).model_fields]
        else:
            columns.append(name)
    return columns


def _plain(value: Any) -> Any:
    """A scalar as a cell: text, a number, ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (int, float, str)):
        return value
    return str(value)  # a PartialDate


def _cells(record: BaseModel) -> dict[str, Any]:
    """Column → cell for one record (empty cells left out)."""
    cells: dict[str, Any] = {}
    for name, shape in shapes(type(record)).items():
        value = getattr(record, name)
        if value is None or value == [] or value == {} or shape == "rows" or name in _NOT_WRITTEN:
            continue
        if shape == "text":
            cells[name] = _plain(value)
        elif shape == "list":
            cells[name] = join_list([_plain(v) for v in value])
        elif shape in ("langs", "lang-lists"):
            cells |= {f"{name}.{k}": v if shape == "langs" else join_list(v) for k, v in value.items()}
        elif shape == "nested":
            cells |= {f"{name}.{k}": _plain(v) for k, v in dict(value).items() if v is not None}
        else:
            dumped = record.model_dump(mode="json", include={name})[name]
            cells[name] = json.dumps(dumped, ensure_ascii=False, sort_keys=True)
    return cells


def table_sheets(dataset: Dataset) -> dict[str, list[list[Any]]]:
    """The records of a dataset (drafts aside: they are not in the graph) as tables.

    Returns sheet name → rows, the first row the header; a cell is text, a number or ``None``
    (empty), not yet escaped. Sheets: ``sources``, one per kind of :data:`KIND_MODELS`, then one per
    field with records of its own (``evidence``).
    """
    sources = list(dataset.sources.values())
    sheets = {SOURCES_SHEET: _table(Source, [{"id": s.id} | _cells(s) for s in sources], sources, ["id"])}
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    items: dict[str, list[BaseModel]] = defaultdict(list)
    for kind, model in KIND_MODELS.items():
        entries = [e for e in dataset.entries if e.kind == kind]
        sheets[kind] = _table(model, [{"source": e.source} | _cells(e.record) for e in entries],
                              [e.record for e in entries], ["source", "id"])
        for name in (n for n, shape in shapes(model).items() if shape == "rows"):
            for e in entries:
                for item in getattr(e.record, name):
                    rows[name].append({"record_kind": kind, "record_id": e.record.id, "source": e.source}
                                      | _cells(item))
                    items[name].append(item)
    for name, found in rows.items():
        model = type(items[name][0])
        sheets[name] = _table(model, found, items[name], list(_ROW_KEYS))
    return sheets


def _table(model: type[BaseModel], rows: list[dict[str, Any]], records: list[BaseModel],
           first: list[str]) -> list[list[Any]]:
    columns = first + [c for c in _columns(model, records) if c not in first]
    return [columns] + [[row.get(c) for c in columns] for row in rows]


# ---------------------------------------------------------------------------------------------- writers

def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    """The tables as one XLSX workbook (XlsxWriter), the same bytes on any day.

    Text is written as text (never as a formula), escaped (:func:`escape_cell`); numbers as
    numbers where Excel keeps them exactly. The header row is bold and frozen. The workbook's
    date and every zip entry's date are constants.

    Raises
    ------
    ParadiploError
        A text longer than Excel allows in a cell (:data:`EXCEL_MAX_CHARS`).
    """
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    book.set_properties({"created": _CREATED})
    bold = book.add_format({"bold": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                _write_cell(sheet, r, c, value, bold if r == 0 else None, name)
        for c, header in enumerate(rows[0]):
            width = max(len(str(row[c])) if row[c] is not None else 0 for row in rows[:200])
            sheet.set_column(c, c, min(max(width, len(header)) + 2, 60))
    book.close()
    return buf.getvalue()


def _write_cell(sheet: Any, r: int, c: int, value: Any, fmt: Any, name: str) -> None:
    if value is None:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(f"{value:.16G}") == value:
        sheet.write_number(r, c, value, fmt)
        return
    text = escape_cell(str(value))
    if len(text) > EXCEL_MAX_CHARS:
        raise ParadiploError(f"sheet {name}, row {r + 1}, column {column_letter(c)}: a text of {len(text):,} "
                             f"characters, over Excel's limit of {EXCEL_MAX_CHARS:,} a cell; export csv-tables "
                             "instead")
    sheet.write_string(r, c, text, fmt)


def csv_tables(sheets: dict[str, list[list[Any]]]) -> dict[str, bytes]:
    """The tables as CSV files, ``<sheet>.csv``: UTF-8 with a byte-order mark (so that Excel reads
    Cyrillic right), comma-separated, CRLF rows, cells escaped (:func:`escape_cell`)."""
    files = {}
    for name, rows in sheets.items():
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerows([_csv_text(v) for v in row] for row in rows)
        files[f"{name}.csv"] = ("\ufeff" + buf.getvalue()).encode("utf-8")
    return files


def _csv_text(value: Any) -> str:
    """A cell as CSV text: empty for ``None``, a float as Python writes it exactly, text escaped."""
    if value is None:
        return ""
    return escape_cell(repr(value) if isinstance(value, float) else str(value))


# ---------------------------------------------------------------------------------------------- readers

@dataclass
class _Sheet:
    """One table as read: its name in problems (``data.xlsx:actors`` or ``actors.csv``), and its
    non-empty rows as (row number, cells as text or ``None``)."""

    display: str
    rows: list[tuple[int, list[str | None]]]


def _row_sheets() -> dict[str, tuple[type[BaseModel], tuple[str, ...]]]:
    """Sheet of records of their own (``evidence``) → (its model, the kinds that have it)."""
    found: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {}
    for kind, model in KIND_MODELS.items():
        for name, shape in shapes(model).items():
            if shape == "rows":
                item = _model(get_args(_core(model.model_fields[name].annotation))[0])
                found[name] = (item, found.get(name, (item, ()))[1] + (kind,))
    return found


def read_tables(paths: list[Path], folder: Path, on_file: Callable[[int, str], None] | None = None) -> TableData:
    """Read the ``.xlsx`` and ``.csv`` data files of a folder: each workbook is one set of tables,
    the CSV files of the folder (``actors.csv``, ``evidence.csv``, …) together another.

    Records are validated by the same models as YAML records; every problem names the sheet (or
    CSV file), row and column letter. Nothing here raises on bad data.
    """
    out = TableData()
    group: dict[str, _Sheet] = {}
    for done, path in enumerate(paths, start=1):
        display = display_path(path)
        if path.suffix.lower() == ".xlsx":
            raw, problems = _read_bytes(path, display, folder)
            sheets, found = _xlsx_sheets(raw, display) if raw is not None else ({}, [])
            key = _key(display, raw) if sheets else ""
            out.keys |= {s.display: key for s in sheets.values()} or {display: key}
            out.problems += problems + found
            _records(sheets, out)  # a formula is a problem, the rest of the workbook is still read
        else:
            text, problems = read_text(path, display, folder)
            sheet, found = _csv_sheet(text, display) if text is not None else (None, [])
            out.keys[display] = _key(display, text.encode("utf-8")) if sheet is not None else ""
            out.problems += problems + found
            if sheet is not None:
                group[path.stem] = sheet
        if on_file:
            on_file(done, path.name)
    if group:
        _records(group, out)
    return out


def _key(display: str, raw: bytes) -> str:
    return hashlib.sha256(display.encode("utf-8") + b"\0" + raw).hexdigest()


def _read_bytes(path: Path, display: str, folder: Path) -> tuple[bytes | None, list[Problem]]:
    try:
        with open_data_file(path, folder) as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except UnreadableFile as exc:
        code = "table-limit" if exc.code == "yaml-limit" else exc.code
        return None, [Problem(code, display, 1, "", "", exc.message)]
    except OSError as exc:
        return None, [Problem("unreadable", display, 1, "", "", f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem("table-limit", display, 1, "", "", f"larger than the limit of {MAX_FILE_BYTES:,} bytes")]
    return raw, []


def _limit(display: str, message: str, line: int = 1) -> list[Problem]:
    return [Problem("table-limit", display, line, "", "", message)]


def _zip_problems(raw: bytes, display: str) -> list[Problem]:
    """Why an XLSX file is not read: not a zip, too many parts, or parts that unpack to more than
    :data:`MAX_UNCOMPRESSED_BYTES` (a zip bomb), from the sizes its directory declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return _limit(display, f"not an XLSX workbook ({exc}); save it as an Excel workbook (.xlsx)")
    if len(infos) > MAX_ZIP_ENTRIES:
        return _limit(display, f"{len(infos):,} parts in the zip, more than the limit of {MAX_ZIP_ENTRIES:,}")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        return _limit(display, f"unpacks to {unpacked:,} bytes, more than the limit of {MAX_UNCOMPRESSED_BYTES:,} "
                               f"(from {len(raw):,} bytes: a zip bomb?); split the workbook")
    return []


def _xlsx_sheets(raw: bytes, display: str) -> tuple[dict[str, _Sheet], list[Problem]]:
    """The sheets of an XLSX workbook (openpyxl, read-only: rows streamed, cells counted against
    :data:`MAX_CELLS` as they come). A formula is a problem: only values are read."""
    import openpyxl

    if found := _zip_problems(raw, display):
        return {}, found
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, InvalidFileException, …)
        return {}, _limit(display, f"not a readable XLSX workbook: {exc}")
    sheets: dict[str, _Sheet] = {}
    problems: list[Problem] = []
    cells = 0
    try:
        for ws in book.worksheets:
            where = f"{display}:{ws.title}"
            ws.reset_dimensions()  # never trust the declared size: rows are as long as their last cell
            sheet = sheets[ws.title] = _Sheet(where, [])
            for number, row in enumerate(ws.iter_rows(), start=1):
                cells += max(len(row), 1)  # an empty row counts: rows numbered in the billions are not walked
                if cells > MAX_CELLS:
                    return {}, _limit(where, f"more than {MAX_CELLS:,} cells; split the workbook", number)
                texts = [_cell_text(c, where, number, problems) for c in row]
                if any(t is not None for t in texts):
                    sheet.rows.append((number, texts))
    except Exception as exc:  # a broken sheet part
        return {}, _limit(display, f"not a readable XLSX workbook: {exc}")
    finally:
        book.close()
    return sheets, problems


def _cell_text(cell: Any, where: str, row: int, problems: list[Problem]) -> str | None:
    """A cell's value as text (numbers as Python writes them, a date as YYYY-MM-DD); a formula is
    reported, not read."""
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "f":
        problems.append(Problem("invalid-field", where, row, "", "", f"a formula ({str(value)[:40]}): only values "
                                "are read; replace it by its value (Paste Special → Values)",
                                column_letter(cell.column - 1)))
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _csv_sheet(text: str, display: str) -> tuple[_Sheet | None, list[Problem]]:
    """The rows of a CSV file (a byte-order mark skipped); a row is what a spreadsheet shows as one,
    even when a cell spans several lines. Cells are separated by commas, or by semicolons or tabs
    when the header row holds more of those (Excel in a Russian or German locale saves ``;``)."""
    sheet = _Sheet(display, [])
    cells = 0
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)  # column names hold none of them; a tie keeps ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            cells += max(len(row), 1)
            if cells > MAX_CELLS:
                return None, _limit(display, f"more than {MAX_CELLS:,} cells; split the file", number)
            texts = [c if c != "" else None for c in row]
            if any(t is not None for t in texts):
                sheet.rows.append((number, texts))
    except csv.Error as exc:
        return None, _limit(display, f"not a CSV file: {exc}", number + 1)
    return sheet, []


# ---------------------------------------------------------------------------------------------- records

Place = tuple[str, int, str]  # sheet or file, row, column letter


@dataclass
class _Row:
    """One row made into a record's fields: ``meta`` (``source``, …), ``item`` for the model,
    and where each value is (value path → place)."""

    display: str
    number: int
    meta: dict[str, str]
    item: dict[str, Any]
    places: dict[tuple, Place]


def _records(sheets: dict[str, _Sheet], out: TableData) -> None:
    """Validate the tables of one workbook (or one folder's CSV files) into ``out``."""
    row_sheets = _row_sheets()
    known = [SOURCES_SHEET, *KIND_MODELS, *row_sheets]
    rows_of: dict[str, dict[tuple, list[_Row]]] = {}
    for name, sheet in sheets.items():
        if name not in known:
            out.problems.append(Problem("invalid-field", sheet.display, 1, "", "", f"unknown sheet {name!r}; "
                                        f"expected {', '.join(known)} (names as paradiplo export writes them)"))
        elif name in row_sheets:
            rows_of[name] = defaultdict(list)
            for row in _rows(row_sheets[name][0], _ROW_KEYS, sheet, out.problems):
                rows_of[name][tuple(row.meta.get(k) for k in _ROW_KEYS)].append(row)
    if SOURCES_SHEET in sheets:
        _sources(sheets[SOURCES_SHEET], out)
    for kind, model in KIND_MODELS.items():
        if kind in sheets:
            for row in _rows(model, ("source",), sheets[kind], out.problems):
                for name in rows_of:
                    _attach(row, name, rows_of[name].pop((kind, row.item.get("id"), row.meta.get("source")), []))
                _entry(kind, model, row, out)
    for name, left in rows_of.items():
        for (kind, rid, source), rows in sorted(left.items(), key=lambda kv: kv[1][0].number):
            for row in rows:
                column = row.places.get(("record_id",), (row.display, row.number, ""))[2]
                out.problems.append(Problem("unknown-reference", row.display, row.number, rid or "", "record_id",
                                            f"no row of {kind or '?'} with id {rid!r} and source {source!r}: "
                                            f"each {name} row belongs to a record row of the same kind, id and source",
                                            column))


def _plan(model: type[BaseModel], first: tuple[str, ...], sheet: _Sheet,
          problems: list[Problem]) -> list[tuple[int, str, str, str]]:
    """The header row read as (index, field, key within the field or ``""``, shape); unknown or
    repeated columns are problems."""
    number, header = sheet.rows[0] if sheet.rows else (1, [])
    fields = shapes(model)
    plan, seen = [], set()
    for index, name in enumerate(header):
        name = (name or "").strip()
        if not name:
            continue
        base, _, sub = name.partition(".")
        shape = "meta" if name in first else fields.get(base, "")
        nested = _model(model.model_fields[base].annotation) if shape == "nested" else None
        fits = (shape == "meta" or (shape in ("text", "list", "json") and not sub)
                or (shape in ("langs", "lang-lists") and sub) or (nested is not None and sub in nested.model_fields))
        where = (sheet.display, number, "", name)
        if not fits:
            expected = [*first] + [f"{n}.<language>" if s in ("langs", "lang-lists") else n
                                   for n, s in fields.items() if s != "rows"]
            problems.append(Problem("invalid-field", *where, f"unknown column {name!r}; expected one of "
                                    f"{', '.join(expected)}", column_letter(index)))
        elif name in seen:
            problems.append(Problem("invalid-field", *where, f"column {name!r} appears twice", column_letter(index)))
        else:
            seen.add(name)
            plan.append((index, name if shape == "meta" else base, sub, shape))
    return plan


def _rows(model: type[BaseModel], first: tuple[str, ...], sheet: _Sheet, problems: list[Problem]) -> list[_Row]:
    """The rows under the header, each made into the fields of ``model`` (``first``: the columns
    that say where the record belongs, like ``source``)."""
    plan = _plan(model, first, sheet, problems)
    out = []
    for number, cells in sheet.rows[1:]:
        row = _Row(sheet.display, number, {}, {}, {})
        for index, name, sub, shape in plan:
            place = (sheet.display, number, column_letter(index))
            row.places[(name, sub) if sub else (name,)] = place  # an empty cell too: "required field is missing"
            row.places.setdefault((name,), place)
            text = cells[index] if index < len(cells) else None
            if text is None or not text.strip():
                continue
            value = _value(unescape_cell(text), shape, place, problems)
            if value is None:
                continue
            if shape == "meta":
                row.meta[name] = value
            elif sub:
                row.item.setdefault(name, {})[sub] = value
            else:
                row.item[name] = value
        out.append(row)
    return out


def _value(text: str, shape: str, place: Place, problems: list[Problem]) -> Any:
    if shape in ("list", "lang-lists"):
        return split_list(text)
    if shape == "json":
        try:
            return json.loads(text)
        except ValueError as exc:
            problems.append(Problem("invalid-field", place[0], place[1], "", "", f"expected JSON text: {exc}",
                                    place[2]))
            return None
    return text.strip()


def _attach(row: _Row, name: str, items: list[_Row]) -> None:
    """Give a record row its rows of another sheet (its evidence), in their order."""
    if not items:
        return
    row.item[name] = [item.item for item in items]
    for i, item in enumerate(items):
        row.places[(name, i)] = (item.display, item.number, "")
        for loc, place in item.places.items():
            row.places[(name, i) + loc] = place
    row.places.setdefault((name,), (items[0].display, items[0].number, ""))


def _problems(exc: ValidationError, row: _Row, rid: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        place = next((row.places[loc[:end]] for end in range(len(loc), 0, -1) if loc[:end] in row.places),
                     (row.display, row.number, ""))
        code = "bad-date" if err["type"] == "bad_date" else "invalid-field"
        out.append(Problem(code, place[0], place[1], rid, field_name(("", 0) + loc), problem_message(err), place[2]))
    return out


def _entry(kind: str, model: type[BaseModel], row: _Row, out: TableData) -> None:
    """A record row as an :class:`Entry`, or its problems."""
    rid = row.item.get("id") if isinstance(row.item.get("id"), str) else ""
    source = row.meta.get("source", "")
    problems = []
    if not is_id(source):
        place = row.places.get(("source",), (row.display, row.number, ""))
        problems.append(Problem("invalid-field", place[0], place[1], rid, "source", "required: the id of the source "
                                f"that states this row (an id of the sources sheet, or {GENERAL_KNOWLEDGE!r})",
                                place[2]))
    try:
        record = model.model_validate(row.item)
    except ValidationError as exc:
        out.problems += problems + _problems(exc, row, rid)
        return
    out.problems += problems
    if not problems:
        places = {field_name(("", 0) + loc): place for loc, place in row.places.items()}
        out.entries.append(Entry(kind, record, source, row.display, row.number, {}, places))


def _sources(sheet: _Sheet, out: TableData) -> None:
    """The sources sheet (or ``sources.csv``): the bibliography."""
    out.sources_file = sheet.display
    for row in _rows(Source, (), sheet, out.problems):
        rid = row.item.get("id") if isinstance(row.item.get("id"), str) else ""
        try:
            source = Source.model_validate(row.item)
        except ValidationError as exc:
            out.problems += _problems(exc, row, rid)
            continue
        if source.id in out.sources:
            out.problems.append(Problem("duplicate-id", row.display, row.number, source.id, "id",
                                        f"source id also used at row {out.source_lines[source.id]['']}"))
            continue
        out.sources[source.id] = source
        out.source_lines[source.id] = {"": row.number} | {loc[0]: row.number for loc in row.places}
