"""Problems (reported, never raised) and the one exception base class.

Examples
--------
>>> p = Problem("unknown-reference", "data/a.yaml", 12, "omsk-oblast", "country", "no record 'rusia'")
>>> str(p)
"data/a.yaml:12: omsk-oblast: country: no record 'rusia'"
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["Problem", "ParadiploError", "InvalidData", "UNREADABLE_CODES"]

#: Problem codes that mean the input could not be read at all (exit code 2).
UNREADABLE_CODES = frozenset({"not-utf8", "yaml-syntax", "empty-file", "unreadable", "no-data"})


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    code: str
    file: str
    line: int
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.record or '-'}: {self.field or '-'}: {self.message}"

    @property
    def unreadable(self) -> bool:
        """Whether this problem means the input could not be read (exit 2)."""
        return self.code in UNREADABLE_CODES

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
