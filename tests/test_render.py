"""Maps: one self-contained UTF-8 file; data text is never run as HTML."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import networkx as nx

from cli import cli
from graph.maps import tie_span
from graph.project import geo_anchors
from graph.render import OTHER, PALETTE, geo_positions, map_html

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
    # the government sits where the region it governs is; moved off that point so labels do not
    # collide, it keeps the point as its anchor (a leader line) and says which rule placed it
    assert government["anchor"] == [omsk["x"], omsk["y"]]
    assert abs(government["x"] - omsk["x"]) < 150 and abs(government["y"] - omsk["y"]) < 150
    assert omsk["anchor"] is None and "placed: own coordinates" in omsk["title"]
    assert "placed: governs Omsk Oblast" in government["title"]


def test_bundled_geo_places_actors_by_their_own_place_first(kg):
    """Own coordinates, else located_in, else governs / part_of, else the country's capital."""
    from graph.geo import project

    anchors = geo_anchors(kg.store, ["almaty-akimat", "al-farabi-kazakh-national-university", "putin-v-v",
                                     "kaznu-omsk-branch", "omsk"])
    almaty = (43.2389, 76.8897)
    assert anchors["omsk"][2] == "own coordinates"
    assert anchors["almaty-akimat"] == (*almaty, "governs Almaty")
    assert anchors["al-farabi-kazakh-national-university"] == (*almaty, "located in Almaty")
    assert anchors["kaznu-omsk-branch"][2] == "located in Omsk"   # its own city, not its parent's Almaty
    assert anchors["putin-v-v"][2] == "capital of its country, Russia"
    nodes = {n["id"]: n for n in _nodes(kg.map(layout="geo"))}
    x, y = project(*almaty)
    for actor in ("almaty-akimat", "al-farabi-kazakh-national-university"):
        ax, ay = nodes[actor]["anchor"] or (nodes[actor]["x"], nodes[actor]["y"])
        assert (round(ax), round(ay)) == (round(x), round(y)), actor


def test_geo_positions_keep_label_boxes_apart():
    """Ten actors at one point: each label box, as geo_positions estimates it, overlaps no other."""
    items = [(f"a{i}", f"Actor number {i} of a crowded city", 12.0) for i in range(10)]
    positions = geo_positions(items, {n: (55.0, 73.0) for n, _, _ in items})
    boxes = [(x - 0.3 * 14 * len(label), y, x + 0.3 * 14 * len(label), y + 30)
             for (n, label, _), (x, y, _) in zip(items, (positions[n] for n, _, _ in items))]
    assert all(not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
               for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert sum(p[2] is None for p in positions.values()) == 1   # one keeps the point; the rest point to it


def test_geo_map_draws_borders_and_a_graticule_from_the_vendored_extract(small_kg):
    page = small_kg.map(layout="geo")
    geo = json.loads(re.search(r"window\.pdGeo = (\{.*?\});</script>", page).group(1))
    assert len(geo["borders"]) > 10 and {"50°N", "70°E"} <= {g["label"] for g in geo["graticule"]}
    assert "Natural Earth" in page and "equirectangular" in page
    assert "window.pdGeo = " not in small_kg.map()   # the force layout has no borders


def test_legend_is_in_natural_order_with_colour_blind_safe_colours_and_grey_beyond():
    g = nx.Graph()
    for i in range(1, 13):  # community i has 13 - i members
        for j in range(13 - i):
            g.add_node(f"c{i}-{j}", label=f"c{i}-{j}")
    categories = {n: f"community {n[1:].split('-')[0]}" for n in g}
    page = map_html(g, color_by="community", categories=categories)
    legend = re.search(r'<p id="legend">(.*?)</p>', page, flags=re.S).group(1)
    shown = re.findall(r"(community \d+) \(", legend)
    assert shown == [f"community {i}" for i in range(1, 9)]   # 1…8 in order, not 1, 10, 11, 12, 2…
    assert "other (community 9, community 10, community 11, community 12) (10)" in legend
    colours = {n["category"]: n["color"] for n in _nodes(page)}
    assert [colours[f"community {i}"] for i in range(1, 9)] == PALETTE
    assert {colours[f"community {i}"] for i in range(9, 13)} == {OTHER}


def test_clicks_have_every_record_and_quote_behind_a_tie_and_claims_per_source(small_kg):
    page = small_kg.map()
    details = json.loads(re.search(r"window\.pdDetails = (\{.*?\});</script>", page, flags=re.S).group(1))
    edges = {(e["from"], e["to"]): e for e in json.loads(re.search(r"edges = new vis\.DataSet\((\[.*?\])\);",
                                                                     page, flags=re.S).group(1))}
    tie = edges[("omsk-oblast", "pavlodar-oblast-akimat")]
    records = [details["ties"][t] for t in tie["ties"]]
    agreement = next(r for r in records if r["label"] == "Omsk–Pavlodar agreement")
    assert agreement["dates"] == ["2007", "2015-03-16"] and agreement["sectors"] == ["trade"]
    assert agreement["span"] == [2007, 2015]   # the year slider's data: first and last year over all dates
    assert {e["source"] for e in agreement["evidence"]} == {"paper-a", "paper-b"}
    assert all(e["quote"] for r in records for e in r["evidence"])
    claims = details["actors"]["omsk-oblast-government"]["claims"]
    assert ["governs", "omsk-oblast"] in claims["paper-a"]


def test_a_ties_span_covers_every_reading_of_its_edtf_dates():
    assert tie_span(["2019-11-07"]) == [2019, 2019]
    assert tie_span(["2014~"]) == [2013, 2015]            # approximate: a year either side
    assert tie_span(["2010/2012", "2011-05"]) == [2010, 2012]
    assert tie_span(["2019-21"]) == [2019, 2019]          # a season
    assert tie_span(["../2010"]) == [None, 2010] and tie_span(["2016/.."]) == [2016, None]  # open ends
    assert tie_span([]) is None                           # undated


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
