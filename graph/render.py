"""pyvis maps as one self-contained, UTF-8 HTML file.

vis-network is inlined from the installed pyvis package (``cdn_resources="in_line"``);
the Bootstrap link that pyvis' template adds in every mode is removed, and pyvis'
``innerHTML`` popup (switched on when a title contains ``href``) is never used,
so that tooltip text from the data is shown as text, not run as HTML.

Examples
--------
>>> import networkx as nx
>>> g = nx.Graph(); g.add_edge("a", "b", weight=1, relations="agreement", evidence="x")
>>> html = map_html(g, title="demo")
>>> "cdn." in html, "vis.Network" in html
(False, True)
"""

from __future__ import annotations

import colorsys
import hashlib
import html as htmllib
import json
import re
from typing import Any

import networkx as nx
from pyvis.network import Network

__all__ = ["map_html", "COLOR_BY", "LAYOUTS"]

COLOR_BY = ("country", "type", "community")
LAYOUTS = ("force", "geo")
_EDGE_COLORS = {"agreement": "#1f77b4", "forum": "#2ca02c", "visit": "#d62728"}


class _SafeNetwork(Network):
    """pyvis Network that never switches to the ``innerHTML`` tooltip popup."""

    def generate_html(self, name: str = "index.html", local: bool = True, notebook: bool = False) -> str:
        nodes, edges, heading, height, width, options = self.get_network_data()
        physics = self.options.get("physics", {}).get("enabled", True) if isinstance(self.options, dict) \
            else self.options.physics.enabled
        template = self.templateEnv.get_template(self.path)
        return template.render(height=height, width=width, nodes=nodes, edges=edges, heading=heading,
                               options=options, physics_enabled=physics, use_DOT=self.use_DOT,
                               dot_lang=self.dot_lang, widget=self.widget, bgcolor=self.bgcolor,
                               conf=self.conf, tooltip_link=False,
                               neighborhood_highlight=self.neighborhood_highlight,
                               select_menu=self.select_menu, filter_menu=self.filter_menu,
                               notebook=False, cdn_resources="in_line")


def _color(key: str) -> str:
    """A stable colour for a category, the same on every run and machine."""
    if not key:
        return "#9e9e9e"
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    r, g, b = colorsys.hls_to_rgb(h, 0.5, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _strip_remote(html: str) -> str:
    """Remove every ``<link>``/``<script src>`` that points off the page (pyvis' Bootstrap)."""
    html = re.sub(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*/?>", "", html, flags=re.S)
    html = re.sub(r"<script\b[^>]*src=\"https?://[^\"]*\"[^>]*>\s*</script>", "", html, flags=re.S)
    html = re.sub(r"<!--(?:(?!-->).)*node_modules(?:(?!-->).)*-->", "", html, flags=re.S)
    html = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>", "", html)
    return html


def _geo_positions(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """Equirectangular x/y (pixels) for nodes with coordinates, scaled at the region's latitude."""
    pos = {}
    for n, a in g.nodes(data=True):
        if a.get("lat") and a.get("lon"):
            pos[n] = (float(a["lon"]), float(a["lat"]))
    return {n: (lon * 40.0 * 0.6, -lat * 40.0) for n, (lon, lat) in pos.items()}


def map_html(g: nx.Graph, title: str = "paradiplo", color_by: str = "country",
             size_by: dict[str, float] | None = None, communities: dict[str, int] | None = None,
             layout: str = "force", caption: str = "") -> str:
    """The network as one self-contained HTML page.

    Parameters
    ----------
    g
        An actor graph from :func:`graph.project.actor_graph`.
    color_by
        ``country``, ``type`` or ``community`` (then ``communities`` maps node → community).
    size_by
        Node → value (e.g. a centrality); sizes are scaled to 10–45 px.
    layout
        ``force`` (physics) or ``geo`` (fixed at coordinates; nodes without them float).
    caption
        A line shown under the title (filters, command that made the map).
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    net = _SafeNetwork(height="85vh", width="100%", directed=False, cdn_resources="in_line",
                       select_menu=False, filter_menu=False, neighborhood_highlight=False)
    size_by = size_by or {}
    top = max(size_by.values(), default=0) or 1
    pos = _geo_positions(g) if layout == "geo" else {}
    legend: dict[str, str] = {}
    for n in sorted(g.nodes):
        a = g.nodes[n]
        key = {"country": a.get("country", ""), "type": a.get("type", ""),
               "community": str((communities or {}).get(n, ""))}[color_by]
        color = _color(key)
        legend[key or "unknown"] = color
        tooltip = "\n".join(x for x in [
            a.get("label", n), a.get("label_orig", ""), f"type: {a.get('type', '')}",
            f"country: {a.get('country', '') or 'unknown'}", f"id: {n}",
            f"{'size: %.3f' % size_by[n]}" if n in size_by else ""] if x)
        opts: dict[str, Any] = {"title": tooltip, "color": color,
                                "size": 10 + 35 * (size_by.get(n, 0) / top)}
        if n in pos:
            opts.update(x=pos[n][0], y=pos[n][1], fixed=True, physics=False)
        net.add_node(n, label=a.get("label", n), **opts)
    for u, v in sorted(g.edges):
        e = g.edges[u, v]
        rels = e.get("relations", "").split()
        tooltip = f"{g.nodes[u].get('label', u)} — {g.nodes[v].get('label', v)}\n" \
                  f"ties: {e.get('weight', 1)} ({', '.join(rels)})\nevidence: {e.get('evidence', '')}"
        net.add_edge(u, v, value=e.get("weight", 1), title=tooltip,
                     color=_EDGE_COLORS.get(rels[0], "#999999") if len(rels) == 1 else "#7f7f7f",
                     dashes=rels == ["forum"])
    physics = layout == "force"
    net.set_options(json.dumps({
        "physics": {"enabled": physics, "solver": "forceAtlas2Based",
                    "stabilization": {"enabled": True, "iterations": 300, "fit": True},
                    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120}},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "nodes": {"shape": "dot", "font": {"size": 14}},
        "edges": {"smooth": False, "scaling": {"min": 1, "max": 8}},
    }))
    page = _strip_remote(net.generate_html())
    header = (f'<header style="font-family:sans-serif;margin:8px">'
              f"<h1 style=\"font-size:1.3em;margin:0\">{htmllib.escape(title)}</h1>"
              f'<p style="margin:2px 0;color:#555">{htmllib.escape(caption)}</p>'
              f'<p id="legend" style="margin:2px 0">'
              + " ".join(f'<span style="color:{c}">&#9679;</span> {htmllib.escape(k)}'
                         for k, c in sorted(legend.items()))
              + " &nbsp;|&nbsp; edges: "
              + " ".join(f'<span style="color:{c}">&#9644;</span> {r}' for r, c in _EDGE_COLORS.items())
              + " (dashed: forum only; grey: several kinds)</p></header>")
    page = page.replace("<body>", "<body>\n" + header, 1)
    return page
