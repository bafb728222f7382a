"""Network analysis: centralities, communities, periods and typology. Pure functions of a graph."""

from .centrality import *  # noqa: F401,F403
from .centrality import __all__, _betweenness_igraph, _closeness_igraph  # noqa: F401
