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


def test_geo_layout_pins_nodes_with_coordinates(small_kg):
    nodes = {n["id"]: n for n in _nodes(map_html(small_kg.actor_graph(), layout="geo"))}
    assert nodes["omsk-oblast"]["fixed"] is True
    assert nodes["omsk-oblast"]["x"] < nodes["pavlodar-oblast"]["x"]   # Omsk is west of Pavlodar
    assert nodes["omsk-oblast"]["y"] < nodes["pavlodar-oblast"]["y"]   # and north of it
    assert "x" not in nodes["omsk-oblast-government"]
