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
from collections import Counter
from typing import Any

import networkx as nx
from pyvis.network import Network

from .templates import render

__all__ = ["map_html", "COLOR_BY", "LAYOUTS", "PALETTE", "EDGE_COLORS", "MAX_NODES"]

COLOR_BY = ("country", "type", "community", "sector")
LAYOUTS = ("force", "geo")
MAX_NODES = 2000
#: A qualitative palette (Tableau 10, then Tableau 20's light tones); categories are given
#: colours in order of size, the rest share grey.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94"]
OTHER = "#d0d0d0"
EDGE_COLORS = {"agreement": "#1f77b4", "forum": "#2ca02c", "visit": "#d62728", "mixed": "#7f7f7f"}


class _SafeNetwork(Network):
    """pyvis Network that never switches to the ``innerHTML`` tooltip popup."""

    def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
        nodes, edges, heading, height, width, options = self.get_network_data()
        template = self.templateEnv.get_template(self.path)
        return template.render(height=height, width=width, nodes=nodes, edges=edges, heading=heading,
                               options=options, physics_enabled=self.options.get("physics", {}).get("enabled", True),
                               use_DOT=False, dot_lang=None, widget=False, bgcolor=self.bgcolor,
                               conf=False, tooltip_link=False, neighborhood_highlight=False,
                               select_menu=False, filter_menu=False, notebook=False, cdn_resources="in_line")


def _strip_remote(page: str) -> str:
    """Remove pyvis' Bootstrap ``<link>``/``<script src>`` and its commented-out local links."""
    page = re.sub(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*/?>", "", page, flags=re.S)
    page = re.sub(r"<script\b[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", "", page, flags=re.S)
    page = re.sub(r"<!--(?:(?!-->).)*node_modules(?:(?!-->).)*-->", "", page, flags=re.S)
    page = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", page)
    return page


def _colours(categories: dict[str, str]) -> dict[str, str]:
    """Category → colour: the largest categories first, ties by name; the tail shares grey."""
    counts = Counter(categories.values())
    ordered = sorted(counts, key=lambda k: (k == "", -counts[k], k))
    return {k: (PALETTE[i] if i < len(PALETTE) and k else OTHER) for i, k in enumerate(ordered)}


def _geo(lat: float, lon: float) -> tuple[float, float]:
    """A fixed equirectangular projection centred on 50°N, 70°E (pixels)."""
    scale = 60.0
    return (lon - 70.0) * scale * math.cos(math.radians(50.0)), -(lat - 50.0) * scale


def _ring(i: int, n: int, radius: float = 28.0) -> tuple[float, float]:
    angle = 2 * math.pi * i / max(n, 1)
    return radius * math.cos(angle), radius * math.sin(angle)


def map_html(g: nx.Graph, title: str = "paradiplo", color_by: str = "country",
             size_by: dict[str, float] | None = None, size_label: str = "degree",
             categories: dict[str, str] | None = None, layout: str = "force",
             anchors: dict[str, tuple[float, float]] | None = None,
             node_notes: dict[str, list[str]] | None = None, tie_notes: dict[str, str] | None = None,
             caption: str = "", max_nodes: int = MAX_NODES, seed: int = 42) -> str:
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
        ``force`` (physics, seeded) or ``geo`` (fixed at ``anchors``: node → (lat, lon)).
    node_notes, tie_notes
        Extra tooltip lines per node (metrics, sources) and per tie id (date, sectors, sources).
    max_nodes
        Above this many nodes only the ``max_nodes`` largest by ``size_by`` are kept, and
        the page says so.
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    size_by = size_by or {}
    notices = []
    if g.number_of_nodes() > max_nodes:
        keep = sorted(g.nodes, key=lambda n: (-size_by.get(n, 0), n))[:max_nodes]
        notices.append(f"Showing the {max_nodes} actors with the highest {size_label} of "
                       f"{g.number_of_nodes()}; narrow the map with filters, --focus or --level.")
        g = g.subgraph(sorted(keep))
    if categories is None:
        categories = {n: g.nodes[n].get(color_by, "") for n in g.nodes} if color_by in ("country", "type") else {}
    categories = {n: categories.get(n, "") for n in g.nodes}
    colours = _colours(categories)
    values = [size_by.get(n, 0) for n in g.nodes]
    low, high = (min(values), max(values)) if values else (0, 0)
    nodes = _node_list(g, color_by, categories, colours, size_by, (low, high), node_notes or {})
    if layout == "geo" and (unplaced := _place(nodes, anchors or {})):
        notices.append(f"{unplaced} actors without coordinates (or a region with coordinates) are lined "
                       "up below the map.")
    page = _strip_remote(_network(nodes, _edge_list(g, tie_notes or {}), layout, seed).generate_html())
    counts = Counter(categories.values())
    header = render("map_controls.html.j2", title=title, caption=caption, notices=notices, color_by=color_by,
                    legend=[{"label": k or "unknown", "colour": c, "count": counts[k]} for k, c in colours.items()],
                    edge_colours=EDGE_COLORS, size_label=size_label, low=low, high=high)
    page = page.replace("<body>", "<body>\n" + header, 1)
    script = render("map_explorer.html.j2", view=_geo_view() if layout == "geo" else None)
    return page.replace("</body>", script + "\n</body>", 1)


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


def _place(nodes: list[dict[str, Any]], anchors: dict[str, tuple[float, float]]) -> int:
    """Pin every node at its anchor (actors sharing a place on a ring round it), the others in
    rows below the map; returns how many had no anchor."""
    placed: dict[str, list[str]] = {}
    for n in sorted(node["id"] for node in nodes):
        if n in anchors:
            placed.setdefault(f"{anchors[n][0]:.4f},{anchors[n][1]:.4f}", []).append(n)
    unplaced = 0
    for node in nodes:
        n = node["id"]
        if n in anchors:
            lat, lon = anchors[n]
            group = placed[f"{lat:.4f},{lon:.4f}"]
            x, y = _geo(lat, lon)
            if len(group) > 1:  # actors sharing a place sit on a small ring around it
                dx, dy = _ring(group.index(n), len(group), radius=18 + 7 * len(group))
                x, y = x + dx, y + dy
            node.update(x=round(x, 1), y=round(y, 1), fixed=True, physics=False)
        else:
            unplaced += 1
            node.update(x=round(-900 + 40 * (unplaced % 40), 1), y=round(900 + 40 * (unplaced // 40), 1),
                        fixed=True, physics=False)
    return unplaced


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
                      "color": EDGE_COLORS[rels[0] if len(rels) == 1 else "mixed"],
                      "dashes": rels == ["forum"], "sectors": e.get("sectors", "").split(),
                      "years": [int(y) for y in e.get("years", "").split()], "relations": rels})
    return edges


def _network(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], layout: str, seed: int) -> _SafeNetwork:
    """The pyvis network with its vis-network options (lighter settings above 300 nodes)."""
    net = _SafeNetwork(height="82vh", width="100%", directed=False, cdn_resources="in_line")
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


def _geo_view() -> dict[str, int]:
    """The box the geo map opens on: the Russia–Kazakhstan borderland (Reset shows everything)."""
    x0, y0 = _geo(57.0, 47.0)
    x1, y1 = _geo(41.0, 88.0)
    return {"x0": round(x0), "y0": round(y0), "x1": round(x1), "y1": round(y1)}
