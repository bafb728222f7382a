"""A static figure of the actor network for print: SVG, PDF or PNG, drawn with matplotlib.

The same network as the HTML map (same filters, colours, sizes and, for the geo layout, the
same projection, borders, graticule and label placement), with a legend and a caption that
names the data, the filters and the command. Deterministic: the same data, options and seed
give byte-identical files (no dates in the metadata, fixed SVG ids, seeded force layout).
Labels stay text in the SVG (``svg.fonttype: none``), so they can be searched and edited.

Examples
--------
>>> from graph import open_graph
>>> svg = figure(open_graph(), "svg", caption="demo").decode("utf-8")
>>> svg.startswith("<?xml") and "Omsk Oblast" in svg
True
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .analysis import centrality
from .geo import border_lines, graticule
from .maps import color_categories
from .project import Filters, geo_anchors
from .render import (EDGE_COLORS, LAYOUTS, MAX_NODES, edge_colour, category_colours, geo_positions, induced, legend_rows,
                     spread)

__all__ = ["figure", "FORMATS"]

FORMATS = ("svg", "pdf", "png")
_METADATA = {"svg": {"Date": None, "Creator": "paradiplo"}, "pdf": {"CreationDate": None, "Creator": "paradiplo"},
             "png": {"Software": "paradiplo"}}
_FONT = 14.0  # label size in layout pixels, as on the HTML map


def figure(kg: Any, fmt: str = "svg", filters: Filters = Filters(), level: str = "actor",
           color_by: str = "country", size_by: str = "degree", layout: str = "force", seed: int = 42,
           caption: str = "", max_nodes: int = MAX_NODES, graph: nx.Graph | None = None) -> bytes:
    """The actor network as a static figure (``fmt``: svg, pdf or png), as bytes.

    Parameters
    ----------
    kg
        A :class:`graph.store.KnowledgeGraph`.
    layout
        ``force`` (NetworkX spring layout, seeded) or ``geo`` (the map's projection over
        country borders and a graticule, see :mod:`graph.geo`).
    caption
        Text under the figure: which data, filters and command made it.
    max_nodes
        Above this many actors only the ``max_nodes`` largest by ``size_by`` are drawn (as on
        the HTML map, :data:`graph.render.MAX_NODES`), and the caption says so; colours are
        those of the whole network (communities found on all of it).
    graph
        The actor graph under ``filters`` and ``level`` when the caller has built it already
        (the report does), so that it is not built again.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    whole = graph if graph is not None else kg.actor_graph(filters, level)
    values = {r["id"]: r[size_by] for r in centrality(whole, metric=size_by, metrics=(size_by,))}
    g = _largest(whole, values, max_nodes)
    if g is not whole:
        caption = (f"Showing the {max_nodes} actors with the highest {size_by} of {whole.number_of_nodes()} "
                   f"(the figure's limit). {caption}")
        values = {n: values[n] for n in g}
    low, high = min(values.values(), default=0), max(values.values(), default=0)
    radius = {n: 10 + 35 * (values[n] - low) / (high - low) if high > low else 18.0 for n in g}
    labels = {n: _short(g.nodes[n].get("label", n)) for n in g}
    items = [(n, labels[n], radius[n] / 2) for n in sorted(g)]
    if layout == "geo":
        anchors = geo_anchors(kg.store, sorted(g))
        positions = geo_positions(items, {k: v[:2] for k, v in anchors.items()}, _FONT)
    else:
        positions = {n: (x, y, None) for n, (x, y, _) in spread(items, _force(g, seed), _FONT).items()}
    categories = color_categories(kg.store, whole, color_by, seed) or {n: g.nodes[n].get(color_by, "") for n in g}
    categories = {n: categories.get(n, "") for n in g}
    colours = category_colours(categories)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paradiplo", "font.family": "DejaVu Sans",
                                "pdf.fonttype": 42}):
        fig = _draw(g, positions, radius, labels, {n: colours[categories[n]] for n in g}, layout == "geo")
        _legend(fig, legend_rows(categories, colours), color_by, size_by, caption)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata=_METADATA[fmt], dpi=200)
    return out.getvalue()


def _largest(g: nx.Graph, values: dict[str, float], max_nodes: int) -> nx.Graph:
    """``g`` itself when it has at most ``max_nodes`` nodes, else the subgraph of the ``max_nodes``
    largest by ``values`` (ties broken by id), built in sorted order."""
    if g.number_of_nodes() <= max_nodes:
        return g
    return induced(g, sorted(sorted(g.nodes), key=lambda n: (-values[n], n))[:max_nodes])


def _short(label: str) -> str:
    return label if len(label) <= 40 else label[:39] + "…"


def _force(g: nx.Graph, seed: int) -> dict[str, tuple[float, float]]:
    """A seeded spring layout, scaled to about 140 px per node across."""
    if g.number_of_nodes() == 0:
        return {}
    pos = nx.spring_layout(g, seed=seed, weight="weight", k=2.5 / max(g.number_of_nodes(), 1) ** 0.5)
    size = 140 * max(g.number_of_nodes(), 4) ** 0.5
    return {n: (round(float(x) * size, 3), round(float(-y) * size, 3)) for n, (x, y) in sorted(pos.items())}


def _draw(g: nx.Graph, positions: dict, radius: dict[str, float], labels: dict[str, str],
          colour: dict[str, str], geo: bool) -> Figure:
    """Borders and graticule (geo), ties, leader lines, nodes and labels, in layout pixels."""
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    margin = (220, 160) if geo else (120, 60)   # a geo figure shows the country around its nodes
    box = (min(xs) - margin[0], min(ys) - margin[1], max(xs) + margin[0], max(ys) + margin[1])
    width = max(box[2] - box[0], 1.0)
    inches = min(max(width / 150, 7.0), 14.0)
    fig = Figure(figsize=(inches, inches * (box[3] - box[1]) / width + 1.3))
    ax = fig.add_axes((0, 1.3 / fig.get_figheight(), 1, 1 - 1.3 / fig.get_figheight()))
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[3], box[1])   # y grows downwards, as on the map
    ax.set_aspect("equal")
    ax.axis("off")
    points = 72 * inches / width  # typographic points per layout pixel
    if geo:
        for line in graticule(box):
            (x0, y0, x1, y1) = line["points"]
            ax.plot([x0, x1], [y0, y1], color="#e4e4e4", lw=0.5, zorder=0)
            ax.annotate(line["label"], (x0, y0), xytext=(2, -8 if line["kind"] == "meridian" else 2),
                        textcoords="offset points", fontsize=6, color="#9a9a9a")
        lines = [list(zip(b[0::2], b[1::2])) for b in border_lines(box)]
        ax.add_collection(LineCollection(lines, colors="#8c8c8c", linewidths=0.6, zorder=1, gid="borders"))
    for u, v in sorted(g.edges):
        e = g.edges[u, v]
        rels = e.get("relations", "").split()
        (x0, y0, _), (x1, y1, _) = positions[u], positions[v]
        ax.plot([x0, x1], [y0, y1], color=edge_colour(rels), alpha=0.7,
                lw=0.6 + 0.5 * min(e.get("weight", 1), 6), ls="--" if rels == ["forum"] else "-", zorder=2)
    for n in sorted(g):
        x, y, anchor = positions[n]
        if anchor:
            ax.plot([anchor[0], x], [anchor[1], y], color="#555555", lw=0.4, zorder=3)
            ax.plot([anchor[0]], [anchor[1]], "o", color="#555555", ms=1.5, zorder=3)
        ax.plot([x], [y], "o", color=colour[n], ms=2 * radius[n] / 2 * points, mec="white", mew=0.4, zorder=4)
        ax.text(x, y + radius[n] / 2 + 3, labels[n], ha="center", va="top", fontsize=_FONT * points * 0.75,
                zorder=5)
    return fig


def _legend(fig: Figure, rows: list[dict], color_by: str, size_by: str, caption: str) -> None:
    """Colour key, tie key and size note in one legend under the network; the caption below."""
    handles = [Line2D([], [], marker="o", ls="", color=r["colour"], label=f"{r['label']} ({r['count']})")
               for r in rows]
    handles += [Line2D([], [], color=c, ls="--" if k == "forum" else "-", label=f"tie: {k}")
                for k, c in EDGE_COLORS.items()]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.5 / fig.get_figheight()),
               ncol=min(len(handles), 6), fontsize=6.5, frameon=False,
               title=f"colour: {color_by}; size: {size_by}; width: number of ties", title_fontsize=7,
               alignment="left")
    fig.text(0.01, 0.15 / fig.get_figheight(), caption, fontsize=6.5, ha="left", va="bottom", wrap=True)
