"""The bundled queries: the ``.rq`` files in this folder, each with a name and a description.

A query's name is its file name; its description is the ``# description:`` line at its top.

Examples
--------
>>> find_query("forum-editions").name
'forum-editions'
>>> find_query("forum-edition")
Traceback (most recent call last):
...
graph.sparql.QueryError: no bundled query 'forum-edition'; did you mean forum-editions?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..sparql import QueryError

__all__ = ["BundledQuery", "bundled_queries", "find_query", "FOLDER"]

#: where the bundled ``.rq`` files are
FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class BundledQuery:
    """A ``.rq`` file shipped with paradiplo; its header comments give name and description."""

    name: str
    description: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def bundled_queries() -> list[BundledQuery]:
    """The bundled queries, sorted by name."""
    out = []
    for path in sorted(FOLDER.glob("*.rq")):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# description:"):
                description = line.split(":", 1)[1].strip()
        out.append(BundledQuery(path.stem, description, path))
    return out


def find_query(name: str) -> BundledQuery:
    """A bundled query by name, or :class:`~graph.sparql.QueryError` naming the close matches."""
    queries = {q.name: q for q in bundled_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `paradiplo queries` lists them"
    raise QueryError(f"no bundled query {name!r}{hint}")
