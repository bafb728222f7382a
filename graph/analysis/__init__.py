"""Network analysis: pure functions of a NetworkX graph (or of ties), one module per job.

- :mod:`~graph.analysis.centrality`: one function per metric (``{node: value}``),
  :func:`rank_rows` and :func:`centrality` (the ranked rows), :func:`centrality_by_period`;
- :mod:`~graph.analysis.communities`: Louvain, Leiden, label propagation, greedy modularity;
- :mod:`~graph.analysis.periods`: :func:`parse_periods`, :func:`dating` (certain / uncertain / undated),
  :func:`period_counts`, :func:`timeline`;
- :mod:`~graph.analysis.typology`: Duchacek's typology (:func:`classify_pair`, :func:`typology`);
- :mod:`~graph.analysis.robustness`: leave-one-source-out rankings (:func:`robustness`).

Every name is importable from here. Three modules share their name with a function
(``centrality``, ``communities``, ``typology``): ``graph.analysis.centrality`` is the function;
reach a module with ``from graph.analysis.centrality import rank_rows``. Nothing here imports
from the rest of :mod:`graph` (store, maps, report) or from the CLI.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c"])
>>> nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
>>> [r["id"] for r in centrality(g, metric="betweenness")]
['b', 'a', 'c']
"""

from .centrality import (
    METRICS,
    ROUND,
    WHOLE,
    betweenness,
    centrality,
    centrality_by_period,
    closeness,
    degree,
    eigenvector,
    pagerank,
    rank_rows,
    strength,
)
from .centrality import _betweenness_igraph as _betweenness_igraph  # private (tests)
from .centrality import _closeness_igraph as _closeness_igraph
from .communities import COMMUNITY_METHODS, communities, partition
from .periods import TIMELINE_COLUMNS, dating, parse_periods, period_counts, period_label, span, timeline, within
from .robustness import first_count, robustness
from .typology import CROSS_BORDER, PAIR_COLUMNS, TIE_KINDS, classify_pair, typology

__all__ = [
    "COMMUNITY_METHODS", "CROSS_BORDER", "METRICS", "PAIR_COLUMNS", "ROUND", "TIE_KINDS", "TIMELINE_COLUMNS", "WHOLE",
    "betweenness",
    "centrality", "centrality_by_period", "classify_pair", "closeness", "communities", "dating", "degree",
    "eigenvector", "first_count", "pagerank", "parse_periods", "partition", "period_counts", "period_label",
    "rank_rows", "robustness", "span", "strength", "timeline", "typology", "within",
]
