"""Problems (reported, never raised) and the one exception base class.

Examples
--------
>>> p = Problem("unknown-reference", "data/a.yaml", 12, "omsk-oblast", "country", "no record 'rusia'")
>>> str(p)
"data/a.yaml:12: omsk-oblast: country: no record 'rusia'"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import total_ordering
from typing import Any

__all__ = ["Problem", "ParadiploError", "InvalidData", "UNREADABLE_CODES", "WARNING_CODES", "printable"]

#: Problem codes that mean the input could not be read at all (exit code 2).
UNREADABLE_CODES = frozenset({"not-utf8", "yaml-syntax", "yaml-limit", "empty-file", "unreadable",
                              "not-a-regular-file", "no-data"})

#: Problem codes that are reported but do not make the data invalid (exit code 0 if alone).
WARNING_CODES = frozenset({"confusable"})


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

    Problems sort by file, then line (the order in which to fix them); on one line, a
    problem that kept the file from being read comes first and a warning last.
    """

    code: str
    file: str
    line: int
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.record or '-'}: {self.field or '-'}: {self.message}"
        return printable(text)

    def _key(self) -> tuple:
        rank = 0 if self.unreadable else 2 if self.warning else 1  # on one line, the cause first
        return (self.file, self.line, rank, self.code, self.record, self.field, self.message)

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
