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

import math
import random
import re
from collections import Counter, defaultdict
from typing import Any, Iterable

import networkx as nx

__all__ = ["METRICS", "COMMUNITY_METHODS", "TIE_KINDS", "centrality", "communities", "parse_periods",
           "period_of", "centrality_by_period", "timeline", "classify_pair", "typology"]

METRICS = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank")
ROUND = 6  # decimals kept, so that outputs are identical across platforms


def _to_igraph(g: nx.Graph, attribute: str, default: float = 1.0) -> tuple[list[str], Any, list[float] | None]:
    """``g`` as an igraph Graph (vertices in sorted id order), with one edge attribute as a list."""
    import igraph as ig

    nodes = sorted(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = sorted(g.edges)
    h = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in edges], directed=g.is_directed())
    return nodes, h, ([g.edges[u, v].get(attribute, default) for u, v in edges] if edges else None)


def _eigenvector(g: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality (weights as strengths) per connected component, unit length in
    each, scaled by the component's share of nodes; computed by igraph (ARPACK, started from
    the degrees, so the same on every run).

    Eigenvector centrality is undefined on a disconnected graph (all weight drains to the
    largest component); per component, scaled by size, small isolated pairs do not outrank
    hubs of the main component.
    """
    out: dict[str, float] = {}
    for comp in sorted(nx.connected_components(g), key=lambda c: sorted(c)):
        if len(comp) == 1:
            out[next(iter(comp))] = 0.0
            continue
        nodes, h, weights = _to_igraph(g.subgraph(comp), "weight")
        values = h.eigenvector_centrality(weights=weights)
        norm = math.sqrt(sum(v * v for v in values)) or 1.0
        share = len(nodes) / len(g)
        out.update({v: abs(values[i]) / norm * share for i, v in enumerate(nodes)})
    return out


def _betweenness_igraph(g: nx.Graph) -> dict[str, float]:
    """Exact betweenness with ``distance`` as edge length, normalised as NetworkX does.

    igraph's C implementation gives the same values as ``nx.betweenness_centrality`` (a test
    checks it) far faster on large graphs.
    """
    nodes, h, distances = _to_igraph(g, "distance")
    n = len(nodes)
    if n < 3:
        return {v: 0.0 for v in nodes}
    raw = h.betweenness(weights=distances)
    scale = 1 / ((n - 1) * (n - 2)) if g.is_directed() else 2 / ((n - 1) * (n - 2))
    return {v: raw[i] * scale for i, v in enumerate(nodes)}


def _closeness_igraph(g: nx.Graph) -> dict[str, float]:
    """Closeness with ``distance`` as edge length, as ``nx.closeness_centrality`` computes it
    (Wasserman–Faust scaling for graphs in several components), through igraph."""
    nodes, h, distances = _to_igraph(g, "distance")
    n = len(nodes)
    if n < 2:
        return {v: 0.0 for v in nodes}
    raw = h.closeness(weights=distances, normalized=True)
    sizes = {i: len(c) for c in h.connected_components() for i in c}
    return {v: (0.0 if raw[i] != raw[i] else raw[i] * (sizes[i] - 1) / (n - 1)) for i, v in enumerate(nodes)}


def centrality(g: nx.Graph, metric: str = "degree", top: int | None = None, sample: int | None = None,
               seed: int = 42, backend: str | None = None,
               metrics: tuple[str, ...] = METRICS) -> list[dict[str, Any]]:
    """Every metric for every node, ranked by ``metric`` (ties broken by id).

    Parameters
    ----------
    g
        An actor graph with ``weight`` and ``distance`` on its edges.
    metric
        One of :data:`METRICS`; sorts the rows.
    top
        Keep the first ``top`` rows.
    sample
        Approximate betweenness from ``sample`` seeded source nodes (Brandes–Pich), for
        large graphs; exact when ``None`` or not smaller than the graph.
    backend
        A NetworkX backend for betweenness and closeness (e.g. ``parallel`` with nx-parallel).
    metrics
        Which metrics to compute (``metric`` is always among them); all by default.

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
    dispatch = {"backend": backend} if backend else {}
    k = sample if sample is not None and sample < len(g) else None
    compute = {
        "degree": lambda: nx.degree_centrality(g),
        "strength": lambda: dict(g.degree(weight="weight")),
        "betweenness": lambda: (nx.betweenness_centrality(g, k=k, seed=seed if k else None, weight="distance",
                                                          normalized=True, **dispatch)
                                if k or backend else _betweenness_igraph(g)),
        "closeness": lambda: (nx.closeness_centrality(g, distance="distance", **dispatch) if backend
                              else _closeness_igraph(g)),
        "eigenvector": lambda: _eigenvector(g),
        "pagerank": lambda: nx.pagerank(g, weight="weight"),
    }
    wanted = [m for m in METRICS if m in metrics or m == metric]
    values = {m: compute[m]() for m in wanted}
    rows = []
    for n in sorted(g.nodes):
        attrs = g.nodes[n]
        row: dict[str, Any] = {"id": n, "label": attrs.get("label", n), "type": attrs.get("type", ""),
                               "country": attrs.get("country", "")}
        for m in wanted:
            v = values[m][n]
            row[m] = round(float(v), ROUND) if m != "strength" else int(v)
        rows.append(row)
    rows.sort(key=lambda r: (-r[metric], r["id"]))
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
    rows = [{"rank": r.pop("rank"), **r} for r in rows]
    return rows[:top] if top else rows


COMMUNITY_METHODS = ("louvain", "leiden", "label-propagation", "greedy-modularity")


def _leiden(g: nx.Graph, seed: int, resolution: float) -> list[set[str]]:
    import igraph as ig

    nodes, h, weights = _to_igraph(g, "weight")
    h.es["weight"] = weights or []
    ig.set_random_number_generator(random.Random(seed))
    try:
        parts = h.community_leiden(objective_function="modularity", weights="weight",
                                   resolution=resolution, n_iterations=-1)
    finally:
        ig.set_random_number_generator(random)  # igraph's default: the random module
    return [{nodes[i] for i in part} for part in parts]


def communities(g: nx.Graph, seed: int = 42, resolution: float = 1.0,
                method: str = "louvain") -> dict[str, Any]:
    """Communities with their members, countries, dominant sectors and the modularity.

    Parameters
    ----------
    method
        ``louvain`` (NetworkX, seeded), ``leiden`` (igraph, seeded), ``label-propagation``
        (NetworkX asynchronous, seeded) or ``greedy-modularity`` (Clauset–Newman–Moore).

    Returns
    -------
    dict
        ``method``, ``seed``, ``modularity`` and ``communities``: a list, largest first, of
        ``{"id", "size", "members", "labels", "countries", "sectors"}``; ``sectors`` are the
        three sectors most often behind ties inside the community.
    """
    if method not in COMMUNITY_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(COMMUNITY_METHODS)}")
    if g.number_of_edges() == 0:
        parts: list[set[str]] = [{n} for n in g.nodes]
        q = 0.0
    else:
        if method == "louvain":
            parts = nx.community.louvain_communities(g, weight="weight", seed=seed, resolution=resolution)
        elif method == "leiden":
            parts = _leiden(g, seed, resolution)
        elif method == "label-propagation":
            parts = list(nx.community.asyn_lpa_communities(g, weight="weight", seed=seed))
        else:
            parts = nx.community.greedy_modularity_communities(g, weight="weight", resolution=resolution)
        q = nx.community.modularity(g, parts, weight="weight", resolution=resolution)
    ordered = sorted((sorted(p) for p in parts), key=lambda m: (-len(m), m))
    out = []
    for i, members in enumerate(ordered, start=1):
        sectors: Counter[str] = Counter()
        for u, v, data in g.subgraph(members).edges(data=True):
            sectors.update(data.get("sectors", "").split())
        countries = sorted({g.nodes[m].get("country", "") for m in members} - {""})
        out.append({"id": i, "size": len(members), "members": members,
                    "labels": [g.nodes[m].get("label", m) for m in members], "countries": countries,
                    "sectors": [s for s, _ in sorted(sectors.items(), key=lambda x: (-x[1], x[0]))[:3]]})
    return {"method": method, "seed": seed, "resolution": resolution,
            "modularity": round(q, ROUND), "communities": out}


# ------------------------------------------------------------------ time

def parse_periods(text: str) -> list[tuple[int, int]]:
    """``"1991-2013,2014-2021,2022-2026"`` → ``[(1991, 2013), (2014, 2021), (2022, 2026)]``.

    >>> parse_periods("1991-2013, 2014-2021,2022")
    [(1991, 2013), (2014, 2021), (2022, 2022)]
    """
    periods = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", part)
        if not match:
            raise ValueError(f"period {part!r} is not YEAR or YEAR-YEAR")
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        if end < start:
            raise ValueError(f"period {part!r} ends before it starts")
        periods.append((start, end))
    if not periods:
        raise ValueError("no period given; write e.g. 1991-2013,2014-2021,2022-2026")
    ordered = sorted(periods)
    for (a0, a1), (b0, b1) in zip(ordered, ordered[1:]):
        if b0 <= a1:
            raise ValueError(f"periods {a0}-{a1} and {b0}-{b1} overlap")
    return periods


def period_of(years: Iterable[int], periods: list[tuple[int, int]]) -> str | None:
    """Label (``"2014-2021"``) of the period holding the earliest year, if any."""
    ys = sorted(years)
    if not ys:
        return None
    for start, end in periods:
        if start <= ys[0] <= end:
            return f"{start}-{end}"
    return None


def centrality_by_period(graphs: dict[str, nx.Graph], metric: str = "degree") -> list[dict[str, Any]]:
    """Rank of every actor in each period's graph, and how the rank changed.

    Parameters
    ----------
    graphs
        Period label → actor graph of the ties in that period (in period order).

    Returns
    -------
    list of dict
        One row per actor: ``id``, ``label``, then per period ``<period>`` (the metric) and
        ``rank <period>`` (``None`` when absent), and ``change`` (first to last period in which
        the actor appears: positive means it rose). Sorted by the last period's rank.
    """
    labels = list(graphs)
    ranks: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for label, g in graphs.items():
        for row in centrality(g, metric=metric):
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


def timeline(ties: Iterable[Any]) -> list[dict[str, Any]]:
    """Per-year counts of agreements, forums and visits (each at its earliest year).

    ``ties`` are :class:`graph.project.Tie` objects; forum series are not counted (their
    editions are); undated ones are counted in a final row with ``year`` ``None``.
    """
    counts: dict[int | None, Counter[str]] = defaultdict(Counter)
    for tie in ties:
        if tie.cls == "ForumSeries":
            continue
        year = min(tie.years) if tie.years else None
        counts[year][tie.relation] += 1
    out = []
    for year in sorted(counts, key=lambda y: (y is None, y or 0)):
        c = counts[year]
        out.append({"year": year, "agreement": c["agreement"], "forum": c["forum"], "visit": c["visit"],
                    "total": sum(c.values())})
    return out


# ------------------------------------------------------------------ typology

TIE_KINDS = ("transborder", "transregional", "global", "domestic", "unclassified")


def classify_pair(a: dict[str, str], b: dict[str, str], adjacent: bool) -> str:
    """Duchacek's typology for a tie between two units (already rolled up to regions).

    ``transborder``: regions of different states that share a border; ``transregional``:
    regions of different states that do not; ``global``: a tie with a state or an
    international organisation abroad; ``domestic``: both in one state; ``unclassified``:
    a country is unknown.

    >>> omsk = {"type": "Region", "country": "russia"}
    >>> pavlodar = {"type": "Region", "country": "kazakhstan"}
    >>> classify_pair(omsk, pavlodar, adjacent=True), classify_pair(omsk, pavlodar, adjacent=False)
    ('transborder', 'transregional')
    """
    if "InternationalOrganisation" in (a.get("type"), b.get("type")):
        return "global"
    ca, cb = a.get("country", ""), b.get("country", "")
    if not ca or not cb:
        return "unclassified"
    if ca == cb:
        return "domestic"
    if a.get("type") != "Region" or b.get("type") != "Region":
        return "global"
    return "transborder" if adjacent else "transregional"


def typology(ties: Iterable[Any], info: dict[str, dict[str, str]], unit: dict[str, str],
             borders: set[frozenset[str]], periods: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """Classify every tie between two units (see :func:`classify_pair`) and give shares.

    Each tie counts once per pair of units it links. Returns ``pairs`` (one row per tie and
    unit pair) and ``shares``: per period (``all`` without periods), the count and share
    of each kind among the cross-border kinds (transborder, transregional, global).
    """
    rows = []
    for tie in ties:
        pairs = sorted({tuple(sorted((unit.get(a, a), unit.get(b, b)))) for a, b in tie.pairs()})
        for ua, ub in pairs:
            if ua == ub:
                continue
            kind = classify_pair(info.get(ua, {}), info.get(ub, {}), frozenset((ua, ub)) in borders)
            period = period_of(tie.years, periods) if periods else "all"
            rows.append({"tie": tie.id, "relation": tie.relation, "a": ua, "b": ub, "kind": kind,
                         "year": min(tie.years) if tie.years else None, "period": period})
    labels = [f"{a}-{b}" for a, b in periods] if periods else ["all"]
    shares = []
    for label in labels:
        c = Counter(r["kind"] for r in rows if r["period"] == label)
        cross = sum(c[k] for k in ("transborder", "transregional", "global"))
        row: dict[str, Any] = {"period": label}
        for k in TIE_KINDS:
            row[k] = c[k]
        for k in ("transborder", "transregional", "global"):
            row[f"{k} share"] = round(c[k] / cross, 4) if cross else None
        shares.append(row)
    return {"pairs": rows, "shares": shares}
