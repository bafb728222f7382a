"""Network analysis: centralities and communities. Pure functions of a graph.

Weights: ``weight`` counts ties (a strength: Louvain, eigenvector, PageRank,
weighted degree); ``distance`` is ``1 / weight`` (a length: betweenness and
closeness), so that actors with many ties between them are *close*.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c"])
>>> nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
>>> [r["id"] for r in centrality(g, metric="betweenness")]
['b', 'a', 'c']
"""

from __future__ import annotations

from typing import Any

import networkx as nx

__all__ = ["METRICS", "centrality", "communities"]

METRICS = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank")
ROUND = 6  # decimals kept, so that outputs are identical across platforms


def _eigenvector(g: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality per connected component, scaled by the component's share of nodes.

    Eigenvector centrality is undefined on a disconnected graph (all weight drains to the
    largest component); per component, scaled by size, small isolated pairs do not outrank
    hubs of the main component.
    """
    out: dict[str, float] = {}
    for comp in sorted(nx.connected_components(g), key=lambda c: sorted(c)):
        sub = g.subgraph(sorted(comp))
        if len(sub) == 1:
            out.update({n: 0.0 for n in sub})
            continue
        values = nx.eigenvector_centrality(sub, weight="weight", max_iter=10_000, tol=1e-10)
        share = len(sub) / len(g)
        out.update({n: abs(v) * share for n, v in values.items()})
    return out


def centrality(g: nx.Graph, metric: str = "degree", top: int | None = None) -> list[dict[str, Any]]:
    """Every metric for every node, ranked by ``metric`` (ties broken by id).

    Parameters
    ----------
    g
        An actor graph with ``weight`` and ``distance`` on its edges.
    metric
        One of :data:`METRICS`; sorts the rows.
    top
        Keep the first ``top`` rows.

    Returns
    -------
    list of dict
        ``rank``, ``id``, ``label``, ``type``, ``country`` and one key per metric.
        ``degree`` is normalised degree centrality; ``strength`` the sum of weights.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    if len(g) == 0:
        return []
    values = {
        "degree": nx.degree_centrality(g),
        "strength": dict(g.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(g, weight="distance", normalized=True),
        "closeness": nx.closeness_centrality(g, distance="distance"),
        "eigenvector": _eigenvector(g),
        "pagerank": nx.pagerank(g, weight="weight"),
    }
    rows = []
    for n in sorted(g.nodes):
        attrs = g.nodes[n]
        row: dict[str, Any] = {"id": n, "label": attrs.get("label", n), "type": attrs.get("type", ""),
                               "country": attrs.get("country", "")}
        for m in METRICS:
            v = values[m][n]
            row[m] = round(float(v), ROUND) if m != "strength" else int(v)
        rows.append(row)
    rows.sort(key=lambda r: (-r[metric], r["id"]))
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
    rows = [{"rank": r.pop("rank"), **r} for r in rows]
    return rows[:top] if top else rows


def communities(g: nx.Graph, seed: int = 42, resolution: float = 1.0) -> dict[str, Any]:
    """Louvain communities (seeded) with their members and the partition's modularity.

    Returns
    -------
    dict
        ``method``, ``seed``, ``modularity`` and ``communities``: a list, largest first,
        of ``{"id": 1, "size": n, "members": [...], "labels": [...], "countries": [...]}``.
    """
    if g.number_of_edges() == 0:
        parts: list[set[str]] = [{n} for n in g.nodes]
        q = 0.0
    else:
        parts = nx.community.louvain_communities(g, weight="weight", seed=seed, resolution=resolution)
        q = nx.community.modularity(g, parts, weight="weight")
    ordered = sorted((sorted(p) for p in parts), key=lambda m: (-len(m), m))
    out = []
    for i, members in enumerate(ordered, start=1):
        countries = sorted({g.nodes[m].get("country", "") for m in members} - {""})
        out.append({"id": i, "size": len(members), "members": members,
                    "labels": [g.nodes[m].get("label", m) for m in members], "countries": countries})
    return {"method": "louvain", "seed": seed, "resolution": resolution,
            "modularity": round(q, ROUND), "communities": out}
