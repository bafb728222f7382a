"""Maps: one self-contained UTF-8 file; data text is never run as HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx

from cli import cli
from graph.render import map_html

from .conftest import SMALL


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"(https?:)?//", value):
                self.remote.append(f"<{tag} {name}={value}>")


def _nodes(page: str) -> list[dict]:
    match = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, flags=re.S)
    assert match, "no node data in the page"
    return json.loads(match.group(1))


def test_map_is_self_contained_with_no_remote_reference(runner, tmp_path, small_kg):
    target = tmp_path / "map.html"
    result = runner.invoke(cli, ["map", "--data", str(SMALL), "-o", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(page)
    assert refs.remote == []
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap" not in page.lower()
    assert "vis.Network" in page and "<script src" not in page
    assert len(_nodes(page)) == small_kg.actor_graph().number_of_nodes()


def test_map_labels_keep_cyrillic(tmp_path, small_kg):
    nodes = {n["id"]: n for n in _nodes(map_html(small_kg.actor_graph()))}
    assert "Павлодар облысы" in nodes["pavlodar-oblast"]["title"] or "Павлодарская" in nodes["pavlodar-oblast"]["title"]


def test_hostile_labels_never_switch_pyvis_to_its_html_popup():
    g = nx.Graph()
    g.add_node("x", label='<img src=x onerror="alert(1)"> href', type="NGO", country="")
    g.add_node("y", label="y")
    g.add_edge("x", "y", weight=1, relations="forum", evidence="e")
    page = map_html(g, title="<script>alert(2)</script>")
    assert "popup.innerHTML" not in page  # pyvis' innerHTML tooltip path is not in the page
    assert "<script>alert(2)</script>" not in page and "&lt;script&gt;alert(2)" in page
    assert '<img src=x onerror' not in page.replace("\\u003c", "<").split("nodes = new vis.DataSet")[0]


def test_geo_layout_pins_nodes_at_their_coordinates_or_their_regions(small_kg):
    nodes = {n["id"]: n for n in _nodes(small_kg.map(layout="geo"))}
    omsk, pavlodar, government = nodes["omsk-oblast"], nodes["pavlodar-oblast"], nodes["omsk-oblast-government"]
    assert omsk["fixed"] is True and omsk["physics"] is False
    assert omsk["x"] < pavlodar["x"] and omsk["y"] < pavlodar["y"]   # Omsk is west and north of Pavlodar
    assert abs(government["x"] - omsk["x"]) < 80 and abs(government["y"] - omsk["y"]) < 80  # on a ring round its region


def test_big_graphs_keep_the_largest_nodes_and_say_so():
    g = nx.star_graph(30)
    nx.set_edge_attributes(g, 1, "weight")
    g = nx.relabel_nodes(g, {n: f"n{n:02d}" for n in g})
    nx.set_edge_attributes(g, "agreement", "relations")
    page = map_html(g, size_by={n: (100 if n == "n00" else int(n[1:])) for n in g}, max_nodes=5)
    assert sorted(n["id"] for n in _nodes(page)) == ["n00", "n27", "n28", "n29", "n30"]
    assert "Showing the 5 actors with the highest degree of 31" in page


def test_focus_keeps_the_ego_network(small_kg):
    ids = {n["id"] for n in _nodes(small_kg.map(focus="north-kazakhstan-oblast", depth=1))}
    assert ids == {"north-kazakhstan-oblast", "omsk-oblast", "pavlodar-oblast"}


def test_color_by_sector_uses_top_sectors_and_the_legend_explains_it(small_kg):
    page = small_kg.map(color_by="sector")
    nodes = {n["id"]: n for n in _nodes(page)}
    assert nodes["north-kazakhstan-oblast"]["category"] in ("economy", "humanitarian")
    assert "colour: sector" in page and "size: degree" in page


def test_edge_tooltips_name_the_ties_with_dates_sectors_and_sources(small_kg):
    page = small_kg.map()
    match = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, flags=re.S)
    edges = {(e["from"], e["to"]): e for e in json.loads(match.group(1))}
    title = edges[("omsk-oblast", "pavlodar-oblast-akimat")]["title"]
    assert "Omsk–Pavlodar agreement (2007, 2015-03-16; sectors: trade; sources: paper-a, paper-b)" in title
    assert "Pavlodar delegation visits Omsk (2021-06" in title
