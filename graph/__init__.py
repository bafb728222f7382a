"""paradiplo: a knowledge graph of paradiplomatic actors.

The library behind the ``paradiplo`` command. Load the data once, then query,
analyse and draw it:

>>> from graph import open_graph
>>> from graph.analysis import centrality
>>> kg = open_graph()                      # bundled data, validated, in Oxigraph
>>> rows = centrality(kg.actor_graph(), top=3)
>>> [r["id"] for r in rows][0]
'omsk-oblast'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from .errors import InvalidData, ParadiploError, Problem
from .load import Dataset, load_dataset
from .analysis import parse_periods, typology
from .project import Filters, Tie, actor_graph, actors, borders, rollup, ties
from .rdf import dataset_quads, load_store
from .validate import Report, validate

__all__ = ["KnowledgeGraph", "open_graph", "ParadiploError", "InvalidData", "Problem", "Filters"]
__version__ = "0.1.0"


@dataclass
class KnowledgeGraph:
    """A validated dataset and its RDF store; every analysis reads the store."""

    dataset: Dataset
    report: Report
    quads: list[ox.Quad] = field(repr=False)

    @cached_property
    def store(self) -> ox.Store:
        return load_store(self.quads)

    def actor_graph(self, filters: Filters = Filters(), level: str = "actor") -> nx.Graph:
        """The actor–actor network (see :func:`graph.project.actor_graph`)."""
        return actor_graph(self.store, filters, level)

    def ties(self, filters: Filters = Filters()) -> list[Tie]:
        """Agreements, forums and visits with their members (see :func:`graph.project.ties`)."""
        return ties(self.store, filters)

    def graphs_by_period(self, periods: str | list[tuple[int, int]], filters: Filters = Filters(),
                         level: str = "actor") -> dict[str, nx.Graph]:
        """Period label → actor graph of the ties dated in that period."""
        spans = parse_periods(periods) if isinstance(periods, str) else periods
        return {f"{a}-{b}": self.actor_graph(replace(filters, since=a, until=b), level) for a, b in spans}

    def typology(self, filters: Filters = Filters(), periods: str | None = None) -> dict:
        """Transborder / transregional / global ties, with shares by period (Duchacek)."""
        info = actors(self.store)
        return typology(self.ties(filters), info, rollup(self.store, info, "region"), borders(self.store),
                        parse_periods(periods) if periods else None)


def open_graph(data: Path | str | None = None, shacl: bool = False) -> KnowledgeGraph:
    """Load, check and build a data folder (the bundled data by default).

    Raises
    ------
    InvalidData
        With every problem found, when the data cannot be trusted.
    """
    dataset = load_dataset(data)
    report = validate(dataset, shacl=shacl)
    if not report.ok:
        raise InvalidData(report.problems)
    return KnowledgeGraph(dataset, report, dataset_quads(dataset))
