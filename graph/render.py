"""pyvis maps as one self-contained, UTF-8 HTML file.

vis-network is inlined from the installed pyvis package (``cdn_resources="in_line"``);
the Bootstrap link that pyvis' template adds in every mode is removed, and pyvis'
``innerHTML`` popup (switched on when a title contains ``href``) is never used:
vis-network shows string titles as text, so text from the data cannot run.
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

import html as htmllib
import json
import math
import re
from collections import Counter
from typing import Any

import networkx as nx
from pyvis.network import Network

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
    anchors = anchors or {}
    placed: dict[str, list[str]] = {}
    for n in sorted(g.nodes):
        if n in anchors:
            placed.setdefault(f"{anchors[n][0]:.4f},{anchors[n][1]:.4f}", []).append(n)
    nodes: list[dict[str, Any]] = []
    unplaced = 0
    for n in sorted(g.nodes):
        a = g.nodes[n]
        lines = [a.get("label", n)]
        if a.get("label_orig"):
            lines.append(a["label_orig"])
        lines += [f"type: {a.get('type') or 'unknown'}", f"country: {a.get('country') or 'unknown'}",
                  f"{color_by}: {categories[n] or 'unknown'}", f"id: {n}"]
        lines += (node_notes or {}).get(n, [])
        size = 10 + 35 * ((size_by.get(n, 0) - low) / (high - low)) if high > low else 18
        label = a.get("label", n)
        node: dict[str, Any] = {"id": n, "label": label if len(label) <= 40 else label[:39] + "…",
                                "title": "\n".join(lines),
                                "color": colours[categories[n]], "size": round(size, 2), "shape": "dot",
                                "category": categories[n]}
        if layout == "geo":
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
        nodes.append(node)
    if unplaced:
        notices.append(f"{unplaced} actors without coordinates (or a region with coordinates) are lined "
                       "up below the map.")
    edges = []
    for u, v in sorted(g.edges):
        e = g.edges[u, v]
        rels = e.get("relations", "").split()
        tie_lines = [(tie_notes or {}).get(t, t) for t in e.get("evidence", "").split()]
        tooltip = (f"{g.nodes[u].get('label', u)} — {g.nodes[v].get('label', v)}\n"
                   f"{e.get('weight', 1)} tie(s): {', '.join(rels)}\n" + "\n".join(f"• {t}" for t in tie_lines))
        if e.get("visits"):
            tooltip += "\nvisits: " + e["visits"]
        edges.append({"from": u, "to": v, "value": e.get("weight", 1), "title": tooltip,
                      "color": EDGE_COLORS[rels[0] if len(rels) == 1 else "mixed"],
                      "dashes": rels == ["forum"], "sectors": e.get("sectors", "").split(),
                      "years": [int(y) for y in e.get("years", "").split()], "relations": rels})
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
    view = ""
    if layout == "geo":  # open on the Russia–Kazakhstan borderland; Reset shows everything
        x0, y0 = _geo(57.0, 47.0)
        x1, y1 = _geo(41.0, 88.0)
        view = f"<script>window.pdGeoView = {json.dumps({'x0': round(x0), 'y0': round(y0), 'x1': round(x1), 'y1': round(y1)})};</script>"
    page = _strip_remote(net.generate_html())
    page = page.replace("<body>", "<body>\n" + _header(title, caption, color_by, colours, categories,
                                                        size_label, low, high, notices), 1)
    return page.replace("</body>", view + _explorer_script() + "\n</body>", 1)


def _header(title: str, caption: str, color_by: str, colours: dict[str, str], categories: dict[str, str],
            size_label: str, low: float, high: float, notices: list[str]) -> str:
    counts = Counter(categories.values())
    esc = htmllib.escape
    legend = " ".join(f'<span class="key"><span style="color:{c}">&#9679;</span> {esc(k or "unknown")} '
                      f"({counts[k]})</span>" for k, c in colours.items())
    edge_keys = " ".join(f'<span class="key"><span style="color:{c}">&#9644;</span> {esc(r)}</span>'
                         for r, c in EDGE_COLORS.items())
    notes = "".join(f'<p class="notice">{esc(n)}</p>' for n in notices)
    return f"""<style>
#paradiplo-header{{font-family:sans-serif;margin:6px 10px;font-size:14px}}
#paradiplo-header h1{{font-size:1.3em;margin:0 0 2px}} #paradiplo-header p{{margin:2px 0}}
#paradiplo-header .key{{margin-right:.8em;white-space:nowrap}} #paradiplo-header .notice{{color:#a15c00}}
#paradiplo-controls input,#paradiplo-controls select{{margin-right:.6em}}
div.vis-tooltip{{white-space:pre-wrap;max-width:480px;font-family:sans-serif;font-size:12px}}
</style>
<header id="paradiplo-header">
<h1>{esc(title)}</h1>
<p>{esc(caption)}</p>{notes}
<p id="legend"><strong>colour: {esc(color_by)}</strong> {legend}</p>
<p><strong>size: {esc(size_label)}</strong> ({low:.3g} smallest – {high:.3g} largest) &nbsp;
<strong>edges</strong> (width: number of ties; dashed: forums only): {edge_keys}</p>
<p id="paradiplo-controls"><label>Find <input id="pd-search" list="pd-names" placeholder="actor name or id"></label>
<datalist id="pd-names"></datalist>
<label>Sector <select id="pd-sector"><option value="">all</option></select></label>
<label>From <input id="pd-from" type="number" style="width:5em"></label>
<label>to <input id="pd-to" type="number" style="width:5em"></label>
<button id="pd-reset" type="button">Reset</button> <span id="pd-status"></span></p>
</header>"""


def _explorer_script() -> str:
    """Search, neighbourhood highlight, sector and period filters (text only, no innerHTML)."""
    return """<script>
(function () {
  if (typeof network === "undefined") return;
  window.paradiploSettledMs = null;  // time from page start until the layout settled
  network.once("stabilizationIterationsDone", function () { window.paradiploSettledMs = performance.now(); });
  if (!network.physics.options.enabled) window.paradiploSettledMs = performance.now();
  if (window.pdGeoView) {
    var v = window.pdGeoView, box = document.getElementById("mynetwork");
    var scale = 0.95 * Math.min(box.clientWidth / (v.x1 - v.x0), box.clientHeight / (v.y1 - v.y0));
    network.moveTo({position: {x: (v.x0 + v.x1) / 2, y: (v.y0 + v.y1) / 2}, scale: scale});
  }
  var allNodes = nodes.get(), allEdges = edges.get();
  var base = {};
  allNodes.forEach(function (n) { base[n.id] = n.color; });
  var names = document.getElementById("pd-names"), sectorSel = document.getElementById("pd-sector");
  allNodes.forEach(function (n) { var o = document.createElement("option"); o.value = n.label; names.appendChild(o); });
  var sectors = {}, years = [];
  allEdges.forEach(function (e) { (e.sectors || []).forEach(function (s) { sectors[s] = 1; });
                                  (e.years || []).forEach(function (y) { years.push(y); }); });
  Object.keys(sectors).sort().forEach(function (s) { var o = document.createElement("option"); o.value = s; o.textContent = s; sectorSel.appendChild(o); });
  if (years.length) { document.getElementById("pd-from").placeholder = Math.min.apply(null, years);
                      document.getElementById("pd-to").placeholder = Math.max.apply(null, years); }
  function status(text) { document.getElementById("pd-status").textContent = text; }
  function highlight(id) {
    var keep = {}; keep[id] = 1;
    network.getConnectedNodes(id).forEach(function (m) { keep[m] = 1; });
    nodes.update(allNodes.map(function (n) { return {id: n.id, color: keep[n.id] ? base[n.id] : "#e6e6e6"}; }));
    status(nodes.get(id).label + ": " + (Object.keys(keep).length - 1) + " neighbours");
  }
  function clearHighlight() { nodes.update(allNodes.map(function (n) { return {id: n.id, color: base[n.id]}; })); status(""); }
  network.on("click", function (p) { if (p.nodes.length) highlight(p.nodes[0]); else clearHighlight(); });
  document.getElementById("pd-search").addEventListener("change", function (ev) {
    var q = ev.target.value.trim().toLowerCase();
    var hit = allNodes.filter(function (n) { return n.label.toLowerCase() === q || n.id === q; })[0]
           || allNodes.filter(function (n) { return n.label.toLowerCase().indexOf(q) >= 0; })[0];
    if (!hit) { status("no actor matches"); return; }
    network.selectNodes([hit.id]); network.focus(hit.id, {scale: 1.2, animation: false}); highlight(hit.id);
  });
  function applyFilters() {
    var sector = sectorSel.value, from = parseInt(document.getElementById("pd-from").value, 10),
        to = parseInt(document.getElementById("pd-to").value, 10), shown = {}, count = 0;
    edges.update(allEdges.map(function (e) {
      var ok = (!sector || (e.sectors || []).indexOf(sector) >= 0) &&
               ((isNaN(from) && isNaN(to)) || (e.years || []).some(function (y) {
                  return (isNaN(from) || y >= from) && (isNaN(to) || y <= to); }));
      if (ok) { shown[e.from] = 1; shown[e.to] = 1; count++; }
      return {id: e.id, hidden: !ok};
    }));
    var filtering = sector || !isNaN(from) || !isNaN(to);
    nodes.update(allNodes.map(function (n) { return {id: n.id, hidden: filtering && !shown[n.id]}; }));
    status(filtering ? count + " ties shown" : "");
  }
  sectorSel.addEventListener("change", applyFilters);
  document.getElementById("pd-from").addEventListener("change", applyFilters);
  document.getElementById("pd-to").addEventListener("change", applyFilters);
  document.getElementById("pd-reset").addEventListener("click", function () {
    sectorSel.value = ""; document.getElementById("pd-from").value = ""; document.getElementById("pd-to").value = "";
    document.getElementById("pd-search").value = ""; applyFilters(); clearHighlight(); network.fit();
  });
  window.paradiploReady = true;
})();
</script>"""
