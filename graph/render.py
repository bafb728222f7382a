"""pyvis maps as one self-contained, UTF-8 HTML file.

vis-network is inlined from the installed pyvis package (``cdn_resources="in_line"``);
the Bootstrap link that pyvis' template adds in every mode is removed, and pyvis'
``innerHTML`` popup (switched on when a title contains ``href``) is never used:
vis-network shows string titles as text, so text from the data cannot run.
The legend, the controls and the explorer script come from ``graph/templates``
(``map_controls.html.j2``, ``map_explorer.html.j2``, ``map_explorer.js.j2``).
Nodes and edges are handed to pyvis in bulk (its ``add_node``/``add_edge`` check
for duplicates in lists, which is quadratic), so building a page is linear.

Examples
--------
>>> import networkx as nx
>>> g = nx.Graph(); g.add_edge("a", "b", weight=1, relations="agreement", evidence="x")
>>> html = map_html(g, title="demo")
>>> "cdn." in html, "vis.Network" in html
(False, True)
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any

from .geo import border_lines, graticule, project
from .lazy import lazy

nx = lazy("networkx")
templates = lazy("graph.templates")  # Jinja2: only when a page is rendered

__all__ = ["map_html", "COLOR_BY", "LAYOUTS", "PALETTE", "OTHER", "EDGE_COLORS", "edge_colour", "MAX_NODES", "natural_key", "induced",
           "geo_positions", "spread", "legend_rows", "category_colours"]

COLOR_BY = ("country", "type", "community", "sector")
LAYOUTS = ("force", "geo")
MAX_NODES = 2000
#: Okabe & Ito's colour-blind-safe qualitative palette (2008); the eight largest categories
#: get its colours, the rest (and unknown) share grey as "other".
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000"]
OTHER = "#BBBBBB"
#: Tie colours, also from Okabe–Ito (forums are dashed too); ``relation``: the relations an actor's
#: record states (supplies, operates_in, member_of, ...: :data:`graph.project.LINKS`).
EDGE_COLORS = {"agreement": "#0072B2", "forum": "#009E73", "visit": "#D55E00", "project": "#CC79A7",
               "relation": "#E69F00", "mixed": "#777777"}


def edge_colour(relations: list[str]) -> str:
    """An edge's colour: its kind of tie's, ``relation`` for any relation an actor's record states,
    ``mixed`` for an edge of several kinds.

    >>> edge_colour(["supplies", "member_of"]) == EDGE_COLORS["relation"], edge_colour(["forum", "visit"])
    (True, '#777777')
    """
    kinds = {r if r in EDGE_COLORS else "relation" for r in relations}
    return EDGE_COLORS[kinds.pop() if len(kinds) == 1 else "mixed"]


@lru_cache(maxsize=1)
def _safe_network() -> type:
    """pyvis' Network, never switching to the ``innerHTML`` tooltip popup (pyvis, which imports
    networkx and IPython, is imported here: only a map needs it)."""
    from pyvis.network import Network

    class SafeNetwork(Network):
        def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
            nodes, edges, heading, height, width, options = self.get_network_data()
            template = self.templateEnv.get_template(self.path)
            return template.render(height=height, width=width, nodes=nodes, edges=edges, heading=heading,
                                   options=options, physics_enabled=self.options.get("physics", {}).get("enabled", True),
                                   use_DOT=False, dot_lang=None, widget=False, bgcolor=self.bgcolor,
                                   conf=False, tooltip_link=False, neighborhood_highlight=False,
                                   select_menu=False, filter_menu=False, notebook=False, cdn_resources="in_line")

    return SafeNetwork


def _strip_remote(page: str) -> str:
    """Remove pyvis' Bootstrap ``<link>``/``<script src>`` and its commented-out local links."""
    page = re.sub(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*/?>", "", page, flags=re.S)
    page = re.sub(r"<script\b[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", "", page, flags=re.S)
    page = re.sub(r"<!--(?:(?!-->).)*node_modules(?:(?!-->).)*-->", "", page, flags=re.S)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    return page


def category_colours(categories: dict[str, str]) -> dict[str, str]:
    """Category → colour: the largest categories first, ties by name; the tail shares grey."""
    counts = Counter(categories.values())
    ordered = sorted(counts, key=lambda k: (k == "", -counts[k], natural_key(k)))
    return {k: (PALETTE[i] if i < len(PALETTE) and k else OTHER) for i, k in enumerate(ordered)}


def natural_key(text: str) -> list:
    """Sort key reading digit runs as numbers: ``community 2`` before ``community 10``.

    >>> sorted(["community 10", "community 9", "community 1"], key=natural_key)
    ['community 1', 'community 9', 'community 10']
    """
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def legend_rows(categories: dict[str, str], colours: dict[str, str]) -> list[dict[str, Any]]:
    """Legend rows: the coloured categories in natural order, then one grey row for the rest."""
    counts = Counter(categories.values())
    rows = [{"label": k, "colour": c, "count": counts[k]}
            for k, c in sorted(colours.items(), key=lambda kc: natural_key(kc[0])) if c != OTHER]
    rest = sorted((k for k, c in colours.items() if c == OTHER), key=lambda k: (k == "", natural_key(k)))
    if rest:
        names = [k or "unknown" for k in rest]
        label = names[0] if len(names) == 1 else f"other ({', '.join(names[:4])}{', …' if len(names) > 4 else ''})"
        rows.append({"label": label, "colour": OTHER, "count": sum(counts[k] for k in rest)})
    return rows


def map_html(g: nx.Graph, title: str = "paradiplo", color_by: str = "country",
             size_by: dict[str, float] | None = None, size_label: str = "degree",
             categories: dict[str, str] | None = None, layout: str = "force",
             anchors: dict[str, tuple[float, float, str]] | None = None,
             node_notes: dict[str, list[str]] | None = None, tie_notes: dict[str, str] | None = None,
             caption: str = "", max_nodes: int = MAX_NODES, seed: int = 42,
             details: dict[str, dict] | None = None, names: dict[str, Any] | None = None) -> str:
    """The network as one self-contained HTML page with a legend and explorer controls.

    Parameters
    ----------
    g
        An actor graph from :func:`graph.project.actor_graph`.
    color_by
        The name of the colouring, shown in the legend; ``categories`` maps node → category
        (for ``country`` and ``type`` it is read from the nodes when not given).
    size_by
        Node → value (a centrality); sizes scale from 10 to 45 px, largest value largest.
    layout
        ``force`` (physics, seeded) or ``geo`` (fixed at ``anchors``: node → (lat, lon, rule),
        over country borders and a graticule; see :mod:`graph.geo`).
    node_notes, tie_notes
        Extra tooltip lines per node (metrics, sources) and per tie id (date, sectors, sources).
    details
        What a click shows: ``{"ties": {tie id: {...}}, "actors": {actor id: {...}}}``
        (see :func:`graph.maps.map_page`); written into the page as JSON, shown as text.
    names
        The name index the search box looks names up in (:func:`graph.find.search_index`);
        without it the box matches labels and ids as typed.
    max_nodes
        Above this many nodes only the ``max_nodes`` largest by ``size_by`` are kept, and
        the page says so.
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    size_by = size_by or {}
    g, notices = _largest(g, size_by, size_label, max_nodes)
    if categories is None:
        categories = {n: g.nodes[n].get(color_by, "") for n in g.nodes} if color_by in ("country", "type") else {}
    categories = {n: categories.get(n, "") for n in g.nodes}
    colours = category_colours(categories)
    values = [size_by.get(n, 0) for n in g.nodes]
    low, high = (min(values), max(values)) if values else (0, 0)
    nodes = _node_list(g, color_by, categories, colours, size_by, (low, high), node_notes or {})
    geo = None
    if layout == "geo":
        geo, unplaced = _place(nodes, anchors or {})
        if unplaced:
            notices.append(f"{unplaced} actors with no coordinates and no place to take them from are lined "
                           "up below the map.")
    page = _strip_remote(_network(nodes, _edge_list(g, tie_notes or {}), layout, seed).generate_html())
    header = templates.render("map_controls.html.j2", title=title, caption=caption, notices=notices, color_by=color_by,
                    legend=legend_rows(categories, colours), edge_colours=EDGE_COLORS, size_label=size_label,
                    low=low, high=high, geo=layout == "geo")
    page = page.replace("<body>", "<body>\n" + header, 1)
    script = templates.render("map_explorer.html.j2", geo=geo, details=details or {"ties": {}, "actors": {}}, names=names)
    return page.replace("</body>", script + "\n</body>", 1)


def _largest(g: nx.Graph, size_by: dict[str, float], size_label: str, max_nodes: int) -> tuple[nx.Graph, list[str]]:
    """The ``max_nodes`` largest nodes by ``size_by`` (all when fewer) and the notice saying so."""
    if g.number_of_nodes() <= max_nodes:
        return g, []
    keep = sorted(g.nodes, key=lambda n: (-size_by.get(n, 0), n))[:max_nodes]
    return induced(g, keep), [f"Showing the {max_nodes} actors with the highest {size_label} of "
                                      f"{g.number_of_nodes()}; narrow the map with filters, --focus or --level."]


def induced(g: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph of ``g`` on ``nodes`` as a new graph, built in sorted order: nodes sorted, each
    edge (smaller, larger) and the edges sorted. (A NetworkX subgraph view of fewer than half the
    nodes iterates them as a set: its edges' order and direction changed with ``PYTHONHASHSEED``.)"""
    sub = nx.Graph(**g.graph)
    sub.add_nodes_from((n, g.nodes[n]) for n in sorted(nodes))
    sub.add_edges_from((u, v, g.edges[u, v]) for u, v in sorted(tuple(sorted(e)) for e in g.subgraph(nodes).edges))
    return sub


def _node_list(g: nx.Graph, color_by: str, categories: dict[str, str], colours: dict[str, str],
               size_by: dict[str, float], span: tuple[float, float],
               node_notes: dict[str, list[str]]) -> list[dict[str, Any]]:
    """vis-network nodes in sorted order: label, tooltip text, colour, size."""
    low, high = span
    nodes: list[dict[str, Any]] = []
    for n in sorted(g.nodes):
        a = g.nodes[n]
        lines = [a.get("label", n)]
        if a.get("label_orig"):
            lines.append(a["label_orig"])
        lines += [f"type: {a.get('type') or 'unknown'}", f"country: {a.get('country') or 'unknown'}",
                  f"{color_by}: {categories[n] or 'unknown'}", f"id: {n}"]
        lines += node_notes.get(n, [])
        size = 10 + 35 * ((size_by.get(n, 0) - low) / (high - low)) if high > low else 18
        label = a.get("label", n)
        nodes.append({"id": n, "label": label if len(label) <= 40 else label[:39] + "…",
                      "title": "\n".join(lines),
                      "color": colours[categories[n]], "size": round(size, 2), "shape": "dot",
                      "category": categories[n]})
    return nodes


def _place(nodes: list[dict[str, Any]], anchors: dict[str, tuple[float, float, str]]) -> tuple[dict, int]:
    """Pin every node where :func:`geo_positions` puts it and say in its tooltip which rule
    placed it; returns what is drawn under the network (borders, graticule) and how many
    nodes had no place."""
    positions = geo_positions([(n["id"], n["label"], n["size"]) for n in nodes],
                              {k: v[:2] for k, v in anchors.items()})
    for node in nodes:
        x, y, anchor = positions[node["id"]]
        node.update(x=x, y=y, fixed=True, physics=False, anchor=anchor)
        rule = anchors[node["id"]][2] if node["id"] in anchors else "no coordinates: lined up below the map"
        node["title"] += f"\nplaced: {rule}"
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    dx, dy = (max(xs) - min(xs)) / 2 + 300, (max(ys) - min(ys)) / 2 + 300
    box = (min(xs) - dx, min(ys) - dy, max(xs) + dx, max(ys) + dy)
    return {"borders": border_lines(box), "graticule": graticule(box)}, sum(n not in anchors for n in positions)


def geo_positions(items: list[tuple[str, str, float]], anchors: dict[str, tuple[float, float]],
                  font: float = 14.0) -> dict[str, tuple[float, float, list[float] | None]]:
    """Where the geo layout draws each node: ``(x, y, anchor)`` in map pixels.

    ``items`` are ``(id, label, radius)``; ``anchors`` node → (lat, lon), projected with
    :func:`graph.geo.project`; nodes without one start in a row below the others. Labels are
    then kept apart by :func:`spread`.
    """
    return spread(items, {n: project(*anchors[n]) for n, _, _ in items if n in anchors}, font)


def spread(items: list[tuple[str, str, float]], points: dict[str, tuple[float, float]],
           font: float = 14.0) -> dict[str, tuple[float, float, list[float] | None]]:
    """Positions ``(x, y, anchor)`` that keep nodes and their labels from overlapping.

    Each node of ``items`` (``(id, label, radius)``), the largest first, takes the first point
    of a spiral around its point in ``points`` (nodes without one start below the others)
    where its dot and its label (about ``0.6 × font`` px per character, below the dot)
    overlap no box placed before it. ``anchor`` is the node's point when it was moved off it
    (the map draws a leader line there), else ``None``. Deterministic.
    """
    below = (min((p[0] for p in points.values()), default=0.0),
             max((p[1] for p in points.values()), default=0.0) + 250)
    grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = defaultdict(list)
    out = {}
    for n, label, radius in sorted(items, key=lambda i: (-i[2], i[0])):
        ax, ay = points.get(n, below)
        half = max(len(label) * 0.3 * font, radius) + 3
        for dx, dy in _spiral():
            box = (ax + dx - half, ay + dy - radius - 3, ax + dx + half, ay + dy + radius + 6 + 1.3 * font)
            if not _collides(box, grid):
                break
        for cell in _cells(box):
            grid[cell].append(box)
        moved = n in points and (dx, dy) != (0.0, 0.0)
        out[n] = (round(ax + dx, 1) + 0.0, round(ay + dy, 1) + 0.0,
                  [round(ax, 1) + 0.0, round(ay, 1) + 0.0] if moved else None)
    return out


@lru_cache(maxsize=1)
def _spiral() -> list[tuple[float, float]]:
    """Offsets tried around an anchor: the anchor, then rings 24 px apart, starting below it
    (19,000 of them: made on first use, not when the module is imported)."""
    return [(0.0, 0.0)] + [(round(24 * k * math.sin(2 * math.pi * j / (6 * k)), 3),
                            round(24 * k * math.cos(2 * math.pi * j / (6 * k)), 3))
                           for k in range(1, 80) for j in range(6 * k)]
_CELL = 200.0


def _cells(box: tuple[float, float, float, float]) -> list[tuple[int, int]]:
    return [(i, j) for i in range(math.floor(box[0] / _CELL), math.floor(box[2] / _CELL) + 1)
            for j in range(math.floor(box[1] / _CELL), math.floor(box[3] / _CELL) + 1)]


def _collides(box: tuple[float, float, float, float], grid: dict) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3]
               for cell in _cells(box) for o in grid.get(cell, ()))


def _edge_list(g: nx.Graph, tie_notes: dict[str, str]) -> list[dict[str, Any]]:
    """vis-network edges in sorted order: width, tooltip text, colour, and what the filters read."""
    edges = []
    for u, v in sorted(g.edges):
        e = g.edges[u, v]
        rels = e.get("relations", "").split()
        tie_lines = [tie_notes.get(t, t) for t in e.get("evidence", "").split()]
        tooltip = (f"{g.nodes[u].get('label', u)} — {g.nodes[v].get('label', v)}\n"
                   f"{e.get('weight', 1)} tie(s): {', '.join(rels)}\n" + "\n".join(f"• {t}" for t in tie_lines))
        if e.get("visits"):
            tooltip += "\nvisits: " + e["visits"]
        edges.append({"from": u, "to": v, "value": e.get("weight", 1), "title": tooltip,
                      "color": edge_colour(rels),
                      "dashes": rels == ["forum"], "sectors": e.get("sectors", "").split(),
                      "years": [int(y) for y in e.get("years", "").split()], "relations": rels,
                      "ties": e.get("evidence", "").split()})
    return edges


def _network(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], layout: str, seed: int) -> Any:
    """The pyvis network with its vis-network options (lighter settings above 300 nodes)."""
    net = _safe_network()(height="82vh", width="100%", directed=False, cdn_resources="in_line")
    net.nodes, net.edges = nodes, edges  # bulk: pyvis' add_node/add_edge are quadratic
    net.node_ids = [n["id"] for n in nodes]
    big = len(nodes) > 300
    net.options = {
        "physics": {"enabled": layout == "force", "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -50, "springLength": 100, "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "iterations": 150 if big else 400, "updateInterval": 50,
                                      "fit": True},
                    "minVelocity": 1.5 if big else 0.75, "timestep": 0.5},
        "layout": {"randomSeed": seed, "improvedLayout": not big},
        "interaction": {"hover": True, "tooltipDelay": 100, "hideEdgesOnDrag": big},
        "nodes": {"font": {"size": 12 if big else 14}},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 8}},
    }
    return net
