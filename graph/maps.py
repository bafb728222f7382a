"""Assembling a map: which actors, their metrics, colours and notes; :mod:`graph.render`
writes the HTML.

Examples
--------
>>> from graph import open_graph
>>> page = map_page(open_graph(), color_by="community")
>>> page.startswith("<!DOCTYPE html>") or page.startswith("<html>")
True
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from typing import Any


from .analysis import centrality, communities, span
from .errors import ParadiploError
from .find import search_index
from .project import Filters, actors, geo_anchors, record_details, rollup, sector_tops
from .records import PartialDate
from .provenance import attestations, claims_by_source
from .render import MAX_NODES, map_html
from .lazy import lazy

nx = lazy("networkx")

__all__ = ["map_page", "click_details", "color_categories", "tie_span"]


def _ego(g: nx.Graph, focus: str, depth: int) -> nx.Graph:
    if focus not in g:
        close = difflib.get_close_matches(focus, list(g.nodes), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ParadiploError(f"--focus {focus!r} is not an actor of this network{hint}")
    return nx.ego_graph(g, focus, radius=depth)


def color_categories(store: Any, g: nx.Graph, color_by: str, seed: int) -> dict[str, str] | None:
    """Actor → colour category for community or sector colouring (``None``: by attribute)."""
    if color_by == "community":
        parts = communities(g, seed=seed)["communities"]
        return {m: f"community {c['id']}" for c in parts for m in c["members"]}
    if color_by != "sector":
        return None
    tops = sector_tops(store)
    categories = {}
    for n in g.nodes:  # each actor's most frequent top sector
        count = Counter(tops.get(s, s) for _, _, e in g.edges(n, data=True) for s in e["sectors"].split())
        categories[n] = min(count, key=lambda k: (-count[k], k)) if count else ""
    return categories


def _tie_notes(g: nx.Graph, details: dict[str, dict]) -> dict[str, str]:
    notes = {}
    for tie_id in sorted({t for _, _, e in g.edges(data=True) for t in e["evidence"].split()}):
        d = details.get(tie_id, {})
        notes[tie_id] = (f"{d.get('label') or tie_id} ({', '.join(d.get('dates', [])) or 'undated'}; "
                         f"sectors: {', '.join(d.get('sectors', [])) or '—'}; "
                         f"sources: {', '.join(d.get('sources', [])) or '—'})")
    return notes


def tie_span(dates: list[str]) -> list[int | None] | None:
    """The years a tie's EDTF ``dates`` can fall in, ``[first, last]`` over all of them
    (``None`` for an open end); ``None`` for an undated tie. The year slider reads it.

    Examples
    --------
    >>> tie_span(["2007", "2015-03-16"]), tie_span(["2014~"]), tie_span(["../2010"]), tie_span([])
    ([2007, 2015], [2013, 2015], [None, 2010], None)
    """
    bounds = span(PartialDate.parse(d) for d in dates)
    if bounds is None:
        return None
    first, last = bounds
    return [None if first == dt.date.min else first.year, None if last == dt.date.max else last.year]


def click_details(store: Any, g: nx.Graph, details: dict[str, dict],
                  anchors: dict[str, tuple[float, float, str]] | None = None) -> dict[str, dict]:
    """What clicking shows: per tie record its label, dates, sectors and evidence (source,
    locator, verbatim quote); per actor what each source's graph states of it, its evidence
    and the rule that placed it on the geo map. A tie's ``span`` (:func:`tie_span`) drives the
    year slider."""
    tie_ids = sorted({t for _, _, e in g.edges(data=True) for t in e["evidence"].split()})
    actor_ids = sorted(g.nodes)
    evidence = attestations(store, tie_ids + actor_ids)
    ties = {t: {"label": details.get(t, {}).get("label") or t, "dates": details.get(t, {}).get("dates", []),
                "sectors": details.get(t, {}).get("sectors", []), "evidence": evidence.get(t, []),
                "span": tie_span(details.get(t, {}).get("dates", []))}
            for t in tie_ids}
    claims = claims_by_source(store, actor_ids)
    actors = {a: {"claims": claims.get(a, {}), "evidence": evidence.get(a, []),
                  "placed": anchors[a][2] if anchors and a in anchors else ""} for a in actor_ids}
    return {"ties": ties, "actors": actors}


def _names(store: Any, g: nx.Graph, level: str) -> dict[str, Any]:
    """The search box's name index (:func:`graph.find.search_index`): every actor drawn, or rolled
    up into a node drawn (a city into its region), under that node."""
    unit = rollup(store, actors(store), level)
    return search_index(store, under={a: u for a, u in sorted(unit.items()) if u in g})


def map_page(kg: Any, filters: Filters = Filters(), level: str = "actor", color_by: str = "country",
             size_by: str = "degree", layout: str = "force", seed: int = 42, focus: str | None = None,
             depth: int = 1, title: str = "paradiplo map", caption: str = "", max_nodes: int | None = None,
             graph: nx.Graph | None = None) -> str:
    """A self-contained HTML map of a knowledge graph's actor network (see :func:`graph.render.map_html`).

    ``focus``/``depth`` keep the ego network of one actor; colours by country, type,
    community (Louvain, ``seed``) or sector (each actor's most frequent top sector). ``graph``:
    the actor graph under ``filters`` and ``level``, when the caller has it (not built again).
    """
    g = graph if graph is not None else kg.actor_graph(filters, level)
    if focus is not None:
        g = _ego(g, focus, depth)
    rows = centrality(g, metric=size_by, metrics=(size_by, "degree", "pagerank"))
    metrics = {r["id"]: r for r in rows}
    details = record_details(kg.store)
    notes = {n: [f"degree {m['degree']}, pagerank {m['pagerank']}, {size_by} {m[size_by]}",
                 "sources: " + (", ".join(details.get(n, {}).get("sources", [])) or "general knowledge")]
             for n, m in metrics.items()}
    anchors = geo_anchors(kg.store, sorted(g.nodes)) if layout == "geo" else None
    return map_html(g, title=title, color_by=color_by, size_by={n: m[size_by] for n, m in metrics.items()},
                    size_label=size_by, categories=color_categories(kg.store, g, color_by, seed), layout=layout,
                    anchors=anchors, node_notes=notes, tie_notes=_tie_notes(g, details), caption=caption,
                    seed=seed, max_nodes=max_nodes or MAX_NODES,
                    details=click_details(kg.store, g, details, anchors), names=_names(kg.store, g, level))
