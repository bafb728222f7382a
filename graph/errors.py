"""Problems (reported, never raised), the catalogue of their codes, and the one exception base class.

Every problem has a code from :data:`CATALOGUE` (like frictionless-py's error catalogue): a
title, a description and an exit class (0 a warning, 1 invalid data, 2 unreadable input).
``data/README.md`` lists the catalogue (:func:`catalogue_table`).

Examples
--------
>>> p = Problem("unknown-reference", "data/a.yaml", 12, "omsk-oblast", "country", "no record 'rusia'")
>>> str(p)
"data/a.yaml:12: omsk-oblast: country: no record 'rusia'"
>>> CATALOGUE[p.code].exit_code
1
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import total_ordering
from typing import Any

__all__ = ["Problem", "ParadiploError", "InvalidData", "ProblemType", "CATALOGUE", "UNREADABLE_CODES",
           "WARNING_CODES", "catalogue_table", "printable"]


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its code, a short title, what it means, and its exit class."""

    code: str
    title: str
    description: str
    exit_code: int  # 0 a warning (the data stay valid), 1 invalid data, 2 unreadable input


#: Every problem code paradiplo reports, in the order a data folder is read and checked.
CATALOGUE: dict[str, ProblemType] = {t.code: t for t in (
    ProblemType("no-data", "No data", "The data folder does not exist, or has no `sources.yaml`.", 2),
    ProblemType("unreadable", "Unreadable", "The folder cannot be listed or a file cannot be read, or a symbolic "
                "link points outside the data folder.", 2),
    ProblemType("not-a-regular-file", "Not a regular file", "A folder, FIFO, device or socket is named like a "
                "data file.", 2),
    ProblemType("not-utf8", "Not UTF-8", "The file's bytes are not UTF-8; save it as UTF-8.", 2),
    ProblemType("empty-file", "Empty file", "The file holds nothing but blank lines and comments.", 2),
    ProblemType("yaml-syntax", "YAML syntax error", "The file is not YAML, or holds a character YAML forbids "
                "(NUL and other control characters), at the line and column given.", 2),
    ProblemType("yaml-limit", "Over a limit", "The file is over a limit (`MAX_FILE_BYTES`, `MAX_DEPTH`, "
                "`MAX_SCALAR_CHARS`, `MAX_NODES`, `MAX_WRITTEN_NODES`), or an alias refers to a node that "
                "contains it.", 2),
    ProblemType("table-limit", "Spreadsheet over a limit", "An XLSX or CSV data file is over a limit "
                "(`MAX_FILE_BYTES`; for XLSX `MAX_UNCOMPRESSED_BYTES`, `MAX_ZIP_ENTRIES`, a compression ratio over "
                "`MAX_RATIO`; `MAX_CELLS`), or is not a spreadsheet at all (not a zip, a broken sheet, a CSV cell over "
                "131,072 characters).", 2),
    ProblemType("duplicate-key", "Duplicate key", "A key appears twice in one YAML mapping.", 1),
    ProblemType("invalid-file", "Not a data file", "The file is YAML, but not a mapping with `source:` and lists "
                "of records.", 1),
    ProblemType("invalid-field", "Invalid field", "A field or section is unknown or missing, or its value has "
                "the wrong form (not an id or a language tag, a forbidden character, a number that is not "
                "finite, a quote over 300 characters, a source's `text` that is not a path inside the data "
                "folder).", 1),
    ProblemType("bad-date", "Bad date", "A date is malformed or impossible (`2015-02-30`, month 13), or an end "
                "comes before its start.", 1),
    ProblemType("unattested-date", "Unattested date", "A date or year on a record of a paper's file is not "
                "printed in its quotes: a year the date spans (both ends of an interval) is in none of its "
                "quotes or locators, and no `date_basis` names the printed words it rests on; or a "
                "`date_basis` is in none of its quotes. Quote the words that date it, give `date_basis`, or "
                "drop the date.", 1),
    ProblemType("duplicate-id", "Duplicate id", "An id is used twice in one file or for records of different "
                "kinds, a source id twice in `sources.yaml`, or a record other than a sector takes a top "
                "sector's id.", 1),
    ProblemType("unknown-source", "Unknown source", "A file's `source:` is not in `sources.yaml` (nor "
                "`general-knowledge`).", 1),
    ProblemType("no-evidence", "No evidence", "A record in a paper's file has no evidence (a locator and a "
                "verbatim quote).", 1),
    ProblemType("conflicting-type", "Conflicting types", "Two files give one record different types.", 1),
    ProblemType("missing-type", "Missing type", "No file gives an actor, agreement or forum a type.", 1),
    ProblemType("missing-label", "Missing English label", "No file gives a record (observations aside) an English label.", 1),
    ProblemType("unknown-reference", "Unknown reference", "A reference names an id that no record has "
                "(the closest id is suggested).", 1),
    ProblemType("wrong-reference", "Wrong reference", "A reference names a record of the wrong kind (a "
                "`signed_at` that is an actor) or type (a `country` that is not a State).", 1),
    ProblemType("quote-wrong-language", "Quote in the wrong language", "A quote is written in another script "
                "than its language's (the evidence's `lang`, else the source's `language`): a translation, or a "
                "passage the paper prints in another language without `lang:`.", 1),
    ProblemType("no-text", "No text", "The file a source's `text:` names does not exist, or `validate --texts DIR` "
                "finds neither `<source-id>.txt` nor the source's `file` in DIR; that source's quotes are not "
                "checked.", 1),
    ProblemType("quote-not-found", "Quote not found", "A quote does not occur in its source's text, even with "
                "whitespace, line-break hyphenation, soft hyphens and markdown emphasis normalised; the closest "
                "passage is shown.", 1),
    ProblemType("shacl", "SHACL violation", "The RDF built from sound records violates a shape of "
                "`ontology/shapes.ttl`.", 1),
    ProblemType("not-checked", "Not checked", "Checks across files (references, sources, types, English "
                "labels) were skipped, since a file could not be read; comes with that file's problem.", 1),
    ProblemType("confusable", "Look-alike names", "Two records' ids or labels look alike but are written "
                "differently (another script, fullwidth forms, case, `0`/`o`, `1`/`l`).", 0),
)}

#: Problem codes that mean the input could not be read at all (exit code 2).
UNREADABLE_CODES = frozenset(code for code, t in CATALOGUE.items() if t.exit_code == 2)

#: Problem codes that are reported but do not make the data invalid (exit code 0 if alone).
WARNING_CODES = frozenset(code for code, t in CATALOGUE.items() if t.exit_code == 0)


def catalogue_table() -> str:
    """The catalogue as the Markdown table in ``data/README.md``."""
    rows = ["| code | exit | title | what it means |", "|---|---|---|---|"]
    rows += [f"| `{t.code}` | {t.exit_code} | {t.title} | {t.description} |" for t in CATALOGUE.values()]
    return "\n".join(rows) + "\n"


def printable(text: str) -> str:
    r"""``text`` with every control, format or separator character shown as an escape.

    Problems quote the data they are about; a record id or a key holding ESC or a bidi
    override must not reach a terminal as such.

    >>> print(printable("zz\x1b[31m\u202eab"))
    zz\x1b[31m\u202eab
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


@total_ordering
@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    In a spreadsheet, ``file`` names the sheet (``data.xlsx:actors``), ``line`` is the row and
    ``column`` the column letter: ``data.xlsx:actors:12:E: omsk-oblast: country: …``.

    Problems sort by file, then line (the order in which to fix them); on one line, a
    problem that kept the file from being read comes first and a warning last.
    """

    code: str
    file: str
    line: int
    record: str
    field: str
    message: str
    column: str = ""  # a spreadsheet's column letter (``E``); empty for YAML

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        text = f"{where}: {self.record or '-'}: {self.field or '-'}: {self.message}"
        return printable(text)

    def _key(self) -> tuple:
        rank = 0 if self.unreadable else 2 if self.warning else 1  # on one line, the cause first
        return (self.file, self.line, rank, len(self.column), self.column, self.code, self.record, self.field,
                self.message)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() < other._key()

    @property
    def unreadable(self) -> bool:
        """Whether this problem means the input could not be read (exit 2)."""
        return self.code in UNREADABLE_CODES

    @property
    def warning(self) -> bool:
        """Whether this problem is only a warning (it does not make the data invalid)."""
        return self.code in WARNING_CODES

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ParadiploError(Exception):
    """Base class of every exception paradiplo raises on purpose."""


class InvalidData(ParadiploError):
    """Raised when a command needs valid data and the data has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def exit_code(self) -> int:
        return 2 if any(p.unreadable for p in self.problems) else 1


class UnreadableInput(ParadiploError):
    """An input file given on the command line (a ``.rq`` file, say) that cannot be read (exit 2)."""
