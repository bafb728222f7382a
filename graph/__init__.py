"""paradiplo: a knowledge graph of paradiplomatic actors.

The library behind the ``paradiplo`` command. Load the data once, then query,
analyse and draw it:

>>> from graph import open_graph
>>> from graph.analysis import centrality
>>> kg = open_graph()                      # bundled data, validated, in Oxigraph
>>> rows = centrality(kg.actor_graph(), top=3)
>>> [r["id"] for r in rows][0]
'omsk-oblast'

Each stage of the data flow has its own module; this file only re-exports the main entry
points (see the README's module table). Those of the heavier modules are imported when
first used (PEP 562), so that ``import graph.sparql`` or a cold ``paradiplo query --store``
does not pay for the whole library.
"""

from importlib import import_module

from ._version import __version__
from .errors import InvalidData, ParadiploError, Problem

#: a lazily re-exported name → the module that defines it
_LAZY = {"KnowledgeGraph": ".store", "open_graph": ".store", "open_remote": ".remote", "Filters": ".project"}

__all__ = ["KnowledgeGraph", "open_graph", "open_remote", "ParadiploError", "InvalidData", "Problem", "Filters",
           "__version__"]


def __getattr__(name: str) -> object:  # PEP 562: the re-exports of _LAZY, imported on first use
    if name not in _LAZY:
        raise AttributeError(f"module 'graph' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
