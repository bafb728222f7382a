"""The Jinja2 templates: each one is used and renders with every name defined, and text from
the data is escaped in each page (map header, report index, timeline SVG, query page,
reconciliation preview)."""

from __future__ import annotations

import types
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import networkx as nx
import pytest

import graph.server
from graph import templates
from graph.publish import site_files
from graph.reconcile import Entity
from graph.render import map_html
from graph.report import _index, timeline_svg
from graph.server import _page

HOSTILE = '<script>alert("x")</script>&<img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert("


class _Elements(HTMLParser):
    """Collects start tags and ``on*`` attributes: injected markup would show up here."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


def _elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


def _hostile_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("a", label=HOSTILE, type=HOSTILE, country=HOSTILE)
    g.add_node("b", label="b", type="NGO", country="KZ")
    g.add_edge("a", "b", weight=1, relations="forum", evidence="t", years="2015", sectors=HOSTILE)
    return g


def _map_page() -> str:
    return map_html(_hostile_graph(), title=HOSTILE, caption=HOSTILE, size_label=HOSTILE, layout="geo",
                    max_nodes=1, size_by={"a": 1, "b": 0})


def _report_index() -> str:
    rows = [{"year": 2015, "agreement": 1, "forum": 2, "visit": 0, "total": 3},
            {"year": "undated", "agreement": 1, "forum": 0, "visit": 0, "total": 1, "uncertain": 0, "planned": 0}]
    comms = {"modularity": 0.5, "communities": [{"id": 0, "size": 1, "countries": [HOSTILE], "sectors": [HOSTILE],
                                                 "labels": [HOSTILE]}]}
    disagreements = [{"record": HOSTILE, "field": HOSTILE, "property": HOSTILE,
                      "claims": [{"value": HOSTILE, "sources": [HOSTILE]}]}]
    ranks = [{"rank": 1, "id": HOSTILE, "label": HOSTILE, "country": HOSTILE}]
    by_period = [{"id": HOSTILE, "label": HOSTILE, HOSTILE: HOSTILE}]
    robust = {"metric": "degree", "top": 1, "runs": [{"left_out": HOSTILE, "first": HOSTILE}],
              "actors": [{"rank": 1, "id": HOSTILE, "label": HOSTILE, HOSTILE: HOSTILE}]}
    return _index({HOSTILE: HOSTILE}, ranks, comms, disagreements, rows, by_period, [{HOSTILE: HOSTILE}],
                  2, 1, 42, "1991-2013", robust)


def _query_page(monkeypatch) -> str:
    query = types.SimpleNamespace(name=HOSTILE, description=HOSTILE, text=HOSTILE + " </script>")
    monkeypatch.setattr(graph.server, "bundled_queries", lambda: [query])
    hostile_index = {"names": [["x", HOSTILE, [[HOSTILE]]]], "forms": {HOSTILE: [HOSTILE]}}
    monkeypatch.setattr(graph.server, "search_index", lambda store: hostile_index)
    return _page(None)


def _preview_card() -> str:
    entity = Entity(HOSTILE, HOSTILE, (HOSTILE, "b"), HOSTILE, "kazakhstan", HOSTILE)
    return templates.render("reconcile_preview.html.j2", entity=entity, country=HOSTILE, iri=HOSTILE)


def test_every_template_in_the_folder_is_used_and_renders(monkeypatch, small_kg):
    """Rendering each page loads every template; StrictUndefined would fail on a missing name."""
    assert templates.ENVIRONMENT.undefined is jinja2.StrictUndefined
    folder = Path(templates.__file__).parent
    assert set(templates.TEMPLATES) == {p.name for p in folder.glob("*.j2")}
    used: list[str] = []
    get_template = templates.ENVIRONMENT.get_template
    monkeypatch.setattr(templates.ENVIRONMENT, "get_template",
                        lambda name, *args, **kw: used.append(name) or get_template(name, *args, **kw))
    _map_page(), _report_index(), _query_page(monkeypatch), timeline_svg([]), _preview_card()
    site_files(small_kg)  # the site's record, index and ontology pages (escaping: tests/test_publish.py)
    assert set(used) == set(templates.TEMPLATES)


@pytest.mark.parametrize("name", templates.TEMPLATES)
def test_a_missing_name_is_an_error_not_an_empty_string(name):
    if name in ("map_explorer.js.j2", "name_lookup.js.j2"):  # plain scripts, no names
        assert templates.render(name).startswith(("(function () {", "// paradiploLookup"))
        return
    if name == "publish_parts.html.j2":  # macros only, imported by the site's pages
        assert templates.render(name) == ""
        return
    with pytest.raises(jinja2.UndefinedError):
        templates.render(name)


def test_hostile_text_is_escaped_in_the_map_header():
    page = _map_page()
    header = page[page.index('<header id="paradiplo-header">'):page.index("</header>")]
    assert HOSTILE not in header and header.count(ESCAPED) == 5  # title, caption, notice, legend, size label
    assert _elements(header).handlers == [] and "script" not in _elements(header).tags
    assert "Showing the 1 actors" in header


def test_hostile_text_is_escaped_in_the_report_index():
    page = _report_index()
    assert HOSTILE not in page and ESCAPED in page
    elements = _elements(page)
    assert elements.handlers == [] and "script" not in elements.tags
    assert elements.tags.count("img") == 1 and '<img src="figure.svg"' in page   # the figure, nothing injected
    assert elements.tags.count("table") == 8 and "svg" in elements.tags


def test_hostile_text_is_escaped_in_the_query_page(monkeypatch):
    page = _query_page(monkeypatch)
    elements = _elements(page)
    assert elements.handlers == [] and "img" not in elements.tags and elements.tags.count("script") == 3
    assert f'<option value="{HOSTILE}">' not in page and ESCAPED in page
    for script in ("queries", "names"):
        data = page[page.index(f'<script id="{script}"'):].split("</script>")[0]
        assert "<" not in data.split(">", 1)[1]  # the JSON cannot close its element


def test_hostile_text_is_escaped_in_the_reconciliation_preview():
    page = _preview_card()
    elements = _elements(page)
    assert HOSTILE not in page and page.count(ESCAPED) == 7  # title, link, heading, type, country, labels, id
    assert elements.handlers == [] and "script" not in elements.tags and "img" not in elements.tags


def test_timeline_svg_is_well_formed_xml():
    rows = [{"year": y, "agreement": y % 3, "forum": 1, "visit": y % 2, "total": y % 3 + 1 + y % 2}
            for y in range(1991, 2024)] + [{"year": "undated", "agreement": 2, "forum": 0, "visit": 0, "total": 2,
                                            "uncertain": 0, "planned": 0}]
    svg, note = timeline_svg(rows).split("</svg>")
    root = ET.fromstring(svg + "</svg>")
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == sum(bool(r[k]) for r in rows[:-1]
                                                                           for k in ("agreement", "forum", "visit")) + 3
    assert note == "<p>2 undated agreements, forums or visits are not drawn.</p>"
    assert timeline_svg([]) == "<p>No dated agreements, forums or visits.</p>"
    rows[0].update(uncertain=1, planned=2)
    notes = timeline_svg(rows).split("</svg>")[1]
    assert "not drawn; timeline.csv counts them under <em>uncertain</em>" in notes and "<p>2 planned" in notes
