"""Leave-one-source-out robustness of a centrality ranking.

Does "Omsk is the hub" survive leaving one paper out? Given the network built from every
source and one network per source left out, :func:`robustness` compares each run's
ranking with the full one: how many of the full top N stay in the run's top N, Kendall's
tau on the actors ranked in both, and, for each actor of the full top N, its rank in every
run and the range of those ranks. Building the graphs is the caller's job (see
:func:`graph.project.leave_one_out`); this module only reads graphs.

Examples
--------
>>> import networkx as nx
>>> def net(edges):
...     g = nx.Graph(edges)
...     nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
...     return g
>>> full = net([("omsk", "pavlodar"), ("omsk", "astana"), ("omsk", "kostanay"), ("pavlodar", "astana")])
>>> runs = {"paper-a": net([("omsk", "pavlodar"), ("omsk", "astana")]),
...         "paper-b": net([("pavlodar", "astana"), ("omsk", "kostanay")])}
>>> result = robustness(full, runs, metric="degree", top=2)
>>> [(r["left_out"], r["overlap"], r["first"]) for r in result["runs"]]
[('paper-a', 2, 'omsk'), ('paper-b', 1, 'astana')]
>>> [(a["id"], a["min_rank"], a["max_rank"]) for a in result["actors"]]
[('omsk', 1, 3), ('astana', 1, 2)]
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping

from .centrality import METRICS, ROUND, centrality
from ..lazy import lazy

nx = lazy("networkx")

__all__ = ["robustness", "first_count"]


def _ranking(g: nx.Graph, metric: str) -> list[dict[str, Any]]:
    """Rows of ``g`` ranked by ``metric`` alone (ties broken by id)."""
    return centrality(g, metric=metric, metrics=(metric,))


def _tau(full: dict[str, float], run: dict[str, float]) -> tuple[float | None, int]:
    """Kendall's tau-b between two {actor: value} on the actors in both, and how many those are;
    ``None`` when it is undefined (fewer than two actors, or a constant side)."""
    common = sorted(set(full) & set(run))
    if len(common) < 2:
        return None, len(common)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from scipy.stats import kendalltau  # more than a second to import: only here

        tau = kendalltau([full[a] for a in common], [run[a] for a in common]).statistic
    return (None if tau is None or math.isnan(tau) else round(float(tau), ROUND)), len(common)


def robustness(full: nx.Graph, left_out: Mapping[str, nx.Graph], metric: str = "degree",
               top: int = 10) -> dict[str, Any]:
    """Compare the ranking of ``full`` with the ranking of each leave-one-out graph.

    Parameters
    ----------
    full : networkx.Graph
        The network from every source (``weight`` and ``distance`` on its edges).
    left_out : mapping
        Source id → the network without that source's ties; runs are reported in this order.
    metric : str
        One of :data:`graph.analysis.METRICS`.
    top : int
        How many of the full ranking's first actors are followed.

    Returns
    -------
    dict
        ``metric``, ``top``, ``runs`` and ``actors``. Each run: ``left_out``, ``actors`` and
        ``ties`` (the graph's size), ``overlap`` (how many of the full top ``top`` are in the
        run's top ``top``), ``kendall_tau`` (tau-b on the metric's values of the actors in both
        graphs; ``None`` when undefined), ``compared`` (how many those are), ``first`` (the
        run's first actor, ``None`` for an empty graph). Each actor of the full top ``top``:
        ``rank``, ``id``, ``label``, the metric's value, ``min_rank`` and ``max_rank`` over the
        runs where it has a rank (``None`` if none), ``absent`` (in how many runs it has no
        tie), then ``without <source>``: its rank in that run (``None`` when absent).

    Examples
    --------
    >>> g = nx.star_graph(["hub", "a", "b"])
    >>> nx.set_edge_attributes(g, 1, "weight"); nx.set_edge_attributes(g, 1.0, "distance")
    >>> r = robustness(g, {"p": g}, top=1)
    >>> r["runs"][0]["overlap"], r["actors"][0]["max_rank"]
    (1, 1)
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    if top < 1:
        raise ValueError("top must be at least 1")
    base = _ranking(full, metric)
    followed = base[:top]
    head = {r["id"] for r in followed}
    values = {r["id"]: r[metric] for r in base}
    runs, ranks = [], {}
    for source, g in left_out.items():
        rows = _ranking(g, metric)
        ranks[source] = {r["id"]: r["rank"] for r in rows}
        tau, compared = _tau(values, {r["id"]: r[metric] for r in rows})
        runs.append({"left_out": source, "actors": g.number_of_nodes(), "ties": g.number_of_edges(),
                     "overlap": len(head & {r["id"] for r in rows[:top]}), "kendall_tau": tau,
                     "compared": compared, "first": rows[0]["id"] if rows else None})
    return {"metric": metric, "top": top, "runs": runs, "actors": [_actor_row(r, metric, ranks) for r in followed]}


def _actor_row(row: dict[str, Any], metric: str, ranks: dict[str, dict[str, int]]) -> dict[str, Any]:
    """One actor of the full top N: its rank and value, its rank range over the runs and its
    rank in each run (``None`` where it has no tie)."""
    seen = [by_id.get(row["id"]) for by_id in ranks.values()]
    present = [k for k in seen if k is not None]
    out = {"rank": row["rank"], "id": row["id"], "label": row["label"], metric: row[metric],
           "min_rank": min(present) if present else None, "max_rank": max(present) if present else None,
           "absent": len(seen) - len(present)}
    out.update({f"without {s}": k for s, k in zip(ranks, seen)})
    return out


def first_count(result: Mapping[str, Any]) -> tuple[str | None, int, int]:
    """The full ranking's first actor, in how many runs it is still first, and how many runs.

    >>> first_count({"actors": [{"id": "omsk"}], "runs": [{"first": "omsk"}, {"first": "astana"}]})
    ('omsk', 1, 2)
    """
    leader = result["actors"][0]["id"] if result["actors"] else None
    return leader, sum(1 for r in result["runs"] if leader is not None and r["first"] == leader), len(result["runs"])
