"""Communities of actors: Louvain, Leiden, label propagation, greedy modularity.

Every method is seeded (or deterministic) and partitions a graph built in sorted order, so
the same data give the same communities on every run and platform. ``weight`` counts ties.

Examples
--------
>>> import networkx as nx
>>> g = nx.barbell_graph(3, 0)  # two triangles joined by one edge
>>> nx.set_edge_attributes(g, 1, "weight")
>>> sorted(sorted(p) for p in partition(g, method="leiden", seed=1))
[[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

from collections import Counter
from typing import Any


from ._igraph import seeded, to_igraph
from .centrality import ROUND
from ..lazy import lazy

nx = lazy("networkx")

__all__ = ["COMMUNITY_METHODS", "communities", "partition"]

COMMUNITY_METHODS = ("louvain", "leiden", "label-propagation", "greedy-modularity")


def _leiden(g: nx.Graph, seed: int, resolution: float) -> list[set[str]]:
    """Leiden (igraph, modularity, iterated until stable), seeded; igraph's generator restored."""
    nodes, h, weights = to_igraph(g, "weight")
    h.es["weight"] = weights or []
    with seeded(seed):
        parts = h.community_leiden(objective_function="modularity", weights="weight",
                                   resolution=resolution, n_iterations=-1)
    return [{nodes[i] for i in part} for part in parts]


def partition(g: nx.Graph, method: str = "louvain", seed: int = 42, resolution: float = 1.0) -> list[set[str]]:
    """The communities found by ``method``, as sets of nodes (in no particular order).

    Parameters
    ----------
    g : networkx.Graph
        An actor graph with ``weight`` on its edges.
    method : str
        One of :data:`COMMUNITY_METHODS`: ``louvain`` (NetworkX, seeded), ``leiden`` (igraph,
        seeded), ``label-propagation`` (NetworkX asynchronous, seeded) or
        ``greedy-modularity`` (Clauset–Newman–Moore; ignores ``seed``).
    seed : int
        Seed of the method's random choices.
    resolution : float
        Modularity resolution (label propagation ignores it): above 1, smaller communities.

    Returns
    -------
    list of set
        Every node in exactly one set; a graph without edges gives one set per node.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("c", "d")])
    >>> nx.set_edge_attributes(g, 1, "weight")
    >>> sorted(sorted(p) for p in partition(g))
    [['a', 'b'], ['c', 'd']]
    """
    if method not in COMMUNITY_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(COMMUNITY_METHODS)}")
    if g.number_of_edges() == 0:
        return [{n} for n in g.nodes]
    if method == "louvain":
        return nx.community.louvain_communities(g, weight="weight", seed=seed, resolution=resolution)
    if method == "leiden":
        return _leiden(g, seed, resolution)
    if method == "label-propagation":
        return list(nx.community.asyn_lpa_communities(g, weight="weight", seed=seed))
    return nx.community.greedy_modularity_communities(g, weight="weight", resolution=resolution)


def communities(g: nx.Graph, seed: int = 42, resolution: float = 1.0,
                method: str = "louvain") -> dict[str, Any]:
    """Communities with their members, countries, dominant sectors and the modularity.

    Parameters
    ----------
    g : networkx.Graph
        An actor graph: ``weight`` and ``sectors`` (space-separated) on its edges, ``label``
        and ``country`` on its nodes.
    seed, resolution, method
        As for :func:`partition`.

    Returns
    -------
    dict
        ``method``, ``seed``, ``resolution``, ``modularity`` (6 decimals; 0 without edges)
        and ``communities``: a list, largest first (then by members), of ``{"id", "size",
        "members", "labels", "countries", "sectors"}``; members are sorted, and ``sectors``
        are the three sectors most often behind ties inside the community.

    Examples
    --------
    >>> g = nx.barbell_graph(3, 0)
    >>> nx.set_edge_attributes(g, 1, "weight")
    >>> result = communities(g, seed=1)
    >>> [c["members"] for c in result["communities"]], result["modularity"]
    ([[0, 1, 2], [3, 4, 5]], 0.357143)
    """
    parts = partition(g, method=method, seed=seed, resolution=resolution)
    q = nx.community.modularity(g, parts, weight="weight", resolution=resolution) if g.number_of_edges() else 0.0
    ordered = sorted((sorted(p) for p in parts), key=lambda m: (-len(m), m))
    return {"method": method, "seed": seed, "resolution": resolution, "modularity": round(q, ROUND),
            "communities": [_describe(g, members, i) for i, members in enumerate(ordered, start=1)]}


def _describe(g: nx.Graph, members: list[str], number: int) -> dict[str, Any]:
    """One community's row: members with labels, their countries, its three main sectors."""
    sectors: Counter[str] = Counter()
    for _, _, data in g.subgraph(members).edges(data=True):
        sectors.update(data.get("sectors", "").split())
    countries = sorted({g.nodes[m].get("country", "") for m in members} - {""})
    return {"id": number, "size": len(members), "members": members,
            "labels": [g.nodes[m].get("label", m) for m in members], "countries": countries,
            "sectors": [s for s, _ in sorted(sectors.items(), key=lambda x: (-x[1], x[0]))[:3]]}
