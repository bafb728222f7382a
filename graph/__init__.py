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
points (see the README's module table).
"""

from ._version import __version__
from .errors import InvalidData, ParadiploError, Problem
from .project import Filters
from .remote import open_remote
from .store import KnowledgeGraph, open_graph

__all__ = ["KnowledgeGraph", "open_graph", "open_remote", "ParadiploError", "InvalidData", "Problem", "Filters",
           "__version__"]
