"""Centralities: one function per metric, each returning ``{node: value}`` for every node,
and :func:`rank_rows`, which turns such values into the ranked rows the CLI prints.

Weights: ``weight`` counts ties (a strength: eigenvector, PageRank, weighted degree);
``distance`` is ``1 / weight`` (a length: betweenness and closeness), so that actors with many
ties between them are *close*.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c"])
>>> nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
>>> [r["id"] for r in centrality(g, metric="betweenness")]
['b', 'a', 'c']
>>> rank_rows(g, {"degree": degree(g)}, by="degree", top=1)
[{'rank': 1, 'id': 'b', 'label': 'b', 'type': '', 'country': '', 'degree': 1.0}]
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any


from ._igraph import to_igraph
from ..lazy import lazy

nx = lazy("networkx")

__all__ = [
    "METRICS",
    "betweenness",
    "centrality",
    "centrality_by_period",
    "closeness",
    "degree",
    "eigenvector",
    "pagerank",
    "rank_rows",
    "strength",
]

METRICS = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank")
ROUND = 6  # decimals kept, so that outputs are identical across platforms
WHOLE = ("strength",)  # metrics that count ties: shown as integers, not rounded floats


def degree(g: nx.Graph) -> dict[str, float]:
    """Degree centrality: the share of the other nodes a node is tied to (``weight`` ignored).

    Examples
    --------
    >>> degree(nx.Graph([("a", "b"), ("b", "c")]))
    {'a': 0.5, 'b': 1.0, 'c': 0.5}
    """
    return nx.degree_centrality(g)


def strength(g: nx.Graph) -> dict[str, float]:
    """Strength: the sum of the ``weight`` of a node's edges (its number of ties).

    Examples
    --------
    >>> strength(nx.Graph([("a", "b", {"weight": 2}), ("b", "c", {"weight": 1})]))
    {'a': 2, 'b': 3, 'c': 1}
    """
    return dict(g.degree(weight="weight"))


def betweenness(g: nx.Graph, sample: int | None = None, seed: int = 42,
                backend: str | None = None) -> dict[str, float]:
    """Betweenness centrality with ``distance`` as edge length, normalised.

    Parameters
    ----------
    g : networkx.Graph
        With ``distance`` on its edges.
    sample : int, optional
        Approximate from ``sample`` seeded source nodes (Brandes–Pich), for large graphs;
        exact when ``None`` or not smaller than the graph.
    seed : int
        Seed of the sample.
    backend : str, optional
        A NetworkX backend (e.g. ``parallel`` with nx-parallel); by default exact values
        are computed by igraph.

    Examples
    --------
    >>> g = nx.path_graph(["a", "b", "c"])
    >>> nx.set_edge_attributes(g, 1.0, "distance")
    >>> betweenness(g)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    k = sample if sample is not None and sample < len(g) else None
    if not k and not backend:
        return _betweenness_igraph(g)
    dispatch = {"backend": backend} if backend else {}
    return nx.betweenness_centrality(g, k=k, seed=seed if k else None, weight="distance", normalized=True,
                                     **dispatch)


def _betweenness_igraph(g: nx.Graph) -> dict[str, float]:
    """Exact betweenness with ``distance`` as edge length, normalised as NetworkX does.

    igraph's C implementation gives the same values as ``nx.betweenness_centrality`` (a test
    checks it) far faster on large graphs.
    """
    nodes, h, distances = to_igraph(g, "distance")
    n = len(nodes)
    if n < 3:
        return {v: 0.0 for v in nodes}
    raw = h.betweenness(weights=distances)
    scale = 1 / ((n - 1) * (n - 2)) if g.is_directed() else 2 / ((n - 1) * (n - 2))
    return {v: raw[i] * scale for i, v in enumerate(nodes)}


def closeness(g: nx.Graph, backend: str | None = None) -> dict[str, float]:
    """Closeness centrality with ``distance`` as edge length, as ``nx.closeness_centrality``
    computes it (Wasserman–Faust scaling in a graph of several components; 0 when isolated).

    Parameters
    ----------
    backend : str, optional
        A NetworkX backend; by default computed by igraph.

    Examples
    --------
    >>> g = nx.path_graph(["a", "b", "c"])
    >>> nx.set_edge_attributes(g, 1.0, "distance")
    >>> g.add_node("d")
    >>> closeness(g)
    {'a': 0.444..., 'b': 0.666..., 'c': 0.444..., 'd': 0.0}
    """
    if backend:
        return nx.closeness_centrality(g, distance="distance", backend=backend)
    return _closeness_igraph(g)


def _closeness_igraph(g: nx.Graph) -> dict[str, float]:
    """Closeness with ``distance`` as edge length, as ``nx.closeness_centrality`` computes it
    (Wasserman–Faust scaling for graphs in several components), through igraph."""
    nodes, h, distances = to_igraph(g, "distance")
    n = len(nodes)
    if n < 2:
        return {v: 0.0 for v in nodes}
    raw = h.closeness(weights=distances, normalized=True)
    sizes = {i: len(c) for c in h.connected_components() for i in c}
    return {v: (0.0 if raw[i] != raw[i] else raw[i] * (sizes[i] - 1) / (n - 1)) for i, v in enumerate(nodes)}


def eigenvector(g: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality (``weight`` as strength) per connected component, of unit length
    in each, scaled by the component's share of the nodes; 0 for an isolated node.

    Eigenvector centrality is undefined on a disconnected graph (all weight drains to the
    largest component); per component, scaled by size, small isolated pairs do not outrank
    hubs of the main component. Computed by igraph (ARPACK, started from the degrees, so the
    same on every run).

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])  # a pair and a path of three
    >>> g.add_node("f")
    >>> {v: round(x, 3) for v, x in eigenvector(g).items()}
    {'a': 0.236, 'b': 0.236, 'c': 0.25, 'd': 0.354, 'e': 0.25, 'f': 0.0}
    """
    out: dict[str, float] = {}
    for comp in sorted(nx.connected_components(g), key=lambda c: sorted(c)):
        if len(comp) == 1:
            out[next(iter(comp))] = 0.0
            continue
        nodes, h, weights = to_igraph(g.subgraph(comp), "weight")
        values = h.eigenvector_centrality(weights=weights)
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        share = len(nodes) / len(g)
        out.update({v: abs(values[i]) / norm * share for i, v in enumerate(nodes)})
    return out


def pagerank(g: nx.Graph) -> dict[str, float]:
    """PageRank with ``weight`` as strength (damping 0.85); the values sum to 1.

    Examples
    --------
    >>> {v: round(x, 3) for v, x in pagerank(nx.star_graph(["hub", "a", "b"])).items()}
    {'hub': 0.486, 'a': 0.257, 'b': 0.257}
    """
    return nx.pagerank(g, weight="weight")


def _metric(g: nx.Graph, metric: str, sample: int | None, seed: int, backend: str | None) -> dict[str, float]:
    """The values of one of :data:`METRICS`, with the options that apply to it."""
    if metric == "betweenness":
        return betweenness(g, sample=sample, seed=seed, backend=backend)
    if metric == "closeness":
        return closeness(g, backend=backend)
    return {"degree": degree, "strength": strength, "eigenvector": eigenvector, "pagerank": pagerank}[metric](g)


def rank_rows(g: nx.Graph, values: Mapping[str, Mapping[Any, float]], by: str,
              top: int | None = None) -> list[dict[str, Any]]:
    """One row per node of ``g`` with its values, ranked by ``values[by]`` (ties broken by id).

    Parameters
    ----------
    g : networkx.Graph
        Gives the nodes and their ``label``, ``type`` and ``country``.
    values : mapping
        Metric name → ``{node: value}`` with a value for every node of ``g``; the rows have
        one column per metric, in this order.
    by : str
        The metric to rank by (highest first). Ranks are taken on the values as shown (rounded),
        so values equal to :data:`ROUND` decimals tie and are ordered by id.
    top : int, optional
        Keep the first ``top`` rows.

    Returns
    -------
    list of dict
        ``rank`` (1, 2, … with no shared ranks), ``id``, ``label``, ``type``, ``country``, then
        one key per metric: integers for :data:`WHOLE` metrics, others rounded to
        :data:`ROUND` decimals.

    Examples
    --------
    >>> g = nx.Graph([("b", "a"), ("c", "a")])
    >>> rows = rank_rows(g, {"strength": {"a": 2, "b": 1, "c": 1}}, by="strength")
    >>> [(r["rank"], r["id"], r["strength"]) for r in rows]
    [(1, 'a', 2), (2, 'b', 1), (3, 'c', 1)]
    """
    if by not in values:
        raise ValueError(f"cannot rank by {by!r}: no such values (have {', '.join(values)})")
    rows = []
    for n in sorted(g.nodes):
        attrs = g.nodes[n]
        row: dict[str, Any] = {"rank": 0, "id": n, "label": attrs.get("label", n), "type": attrs.get("type", ""),
                               "country": attrs.get("country", "")}
        for m, by_node in values.items():
            row[m] = int(by_node[n]) if m in WHOLE else round(float(by_node[n]), ROUND)
        rows.append(row)
    rows.sort(key=lambda r: (-r[by], r["id"]))
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
    return rows[:top] if top else rows


def centrality(g: nx.Graph, metric: str = "degree", top: int | None = None, sample: int | None = None,
               seed: int = 42, backend: str | None = None,
               metrics: tuple[str, ...] = METRICS) -> list[dict[str, Any]]:
    """Every metric for every node, ranked by ``metric`` (ties broken by id).

    Parameters
    ----------
    g : networkx.Graph
        An actor graph with ``weight`` and ``distance`` on its edges.
    metric : str
        One of :data:`METRICS`; sorts the rows.
    top : int, optional
        Keep the first ``top`` rows.
    sample, seed : int
        Approximate betweenness from ``sample`` seeded source nodes (see :func:`betweenness`).
    backend : str, optional
        A NetworkX backend for betweenness and closeness (e.g. ``parallel`` with nx-parallel).
    metrics : tuple of str
        Which metrics to compute (``metric`` is always among them); all by default.

    Returns
    -------
    list of dict
        As :func:`rank_rows` gives them, with the metrics in the order of :data:`METRICS`.
        ``degree`` is normalised degree centrality; ``strength`` the sum of weights.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    >>> nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
    >>> centrality(g, metric="closeness", metrics=("degree",), top=2)  # doctest: +NORMALIZE_WHITESPACE
    [{'rank': 1, 'id': 'c', 'label': 'c', 'type': '', 'country': '', 'degree': 1.0, 'closeness': 1.0},
     {'rank': 2, 'id': 'a', 'label': 'a', 'type': '', 'country': '', 'degree': 0.666667, 'closeness': 0.75}]
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    if len(g) == 0:
        return []
    wanted = [m for m in METRICS if m in metrics or m == metric]
    values = {m: _metric(g, m, sample=sample, seed=seed, backend=backend) for m in wanted}
    return rank_rows(g, values, by=metric, top=top)


def centrality_by_period(graphs: dict[str, nx.Graph], metric: str = "degree") -> list[dict[str, Any]]:
    """Rank of every actor in each period's graph, and how the rank changed.

    Parameters
    ----------
    graphs : dict
        Period label → actor graph of the ties in that period (in period order).
    metric : str
        One of :data:`METRICS`.

    Returns
    -------
    list of dict
        One row per actor: ``id``, ``label``, then per period ``<period>`` (the metric) and
        ``rank <period>`` (``None`` when absent), and ``change`` (first to last period in which
        the actor appears: positive means it rose). Sorted by the last period's rank, actors
        absent from it last (by id).

    Examples
    --------
    >>> early, late = nx.Graph([("a", "b")]), nx.Graph([("b", "c"), ("c", "a")])
    >>> rows = centrality_by_period({"1991-2013": early, "2014-2026": late}, "degree")
    >>> [(r["id"], r["rank 1991-2013"], r["rank 2014-2026"], r["change"]) for r in rows]
    [('c', None, 1, None), ('a', 1, 2, -1), ('b', 2, 3, -1)]
    """
    labels = list(graphs)
    ranks: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for label, g in graphs.items():
        for row in centrality(g, metric=metric, metrics=(metric,)):  # only the ranked metric is shown
            ranks[row["id"]][label] = (row["rank"], row[metric])
            names[row["id"]] = row["label"]
    rows = []
    for actor in sorted(ranks):
        row: dict[str, Any] = {"id": actor, "label": names[actor]}
        present = []
        for label in labels:
            rank, value = ranks[actor].get(label, (None, None))
            row[label] = value
            row[f"rank {label}"] = rank
            if rank is not None:
                present.append(rank)
        row["change"] = present[0] - present[-1] if len(present) > 1 else None
        rows.append(row)
    big = 10 ** 9
    last = labels[-1] if labels else ""
    rows.sort(key=lambda r: (r.get(f"rank {last}") or big, r["id"]))
    return rows
