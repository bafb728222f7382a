"""Maps in a real browser: Debian's headless Chromium, network cut off.

Chromium and ChromeDriver are installed by .ci/run; on a machine without them these tests
are skipped with that reason, except under ``CI=true``, where their absence is a failure.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

from graph.render import map_html

from .conftest import requires, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = requires(Path(CHROMIUM).exists() and Path(DRIVER).exists(),
                      "Chromium is not installed: as root, apt-get install chromium chromium-driver (.ci/run does)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                                                                 "downloadThroughput": 0, "uploadThroughput": 0})
    yield driver
    driver.quit()


def _open(browser, path: Path, fit: bool = True) -> None:
    browser.get_log("browser")  # drop earlier messages
    browser.get(path.as_uri())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if browser.execute_script("return window.paradiploReady === true && typeof network !== 'undefined'"):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the map did not initialise within 60 s")
    if not fit:  # as the user sees it on opening: wait until the layout has settled
        while time.monotonic() < deadline and not browser.execute_script("return window.paradiploSettledMs"):
            time.sleep(0.2)
        time.sleep(0.5)
        return
    browser.execute_script("network.stopSimulation(); network.fit();")
    time.sleep(0.5)


def _painted_pixels(browser) -> int:
    return browser.execute_script("""
        const c = document.querySelector('#mynetwork canvas'); const ctx = c.getContext('2d');
        const d = ctx.getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) n++; }
        return n;""")


def _errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_bundled_map_draws_every_node_offline_without_errors(browser, kg, tmp_path, layout):
    page = tmp_path / f"{layout}.html"
    page.write_text(kg.map(layout=layout, level="region" if layout == "geo" else "actor"), encoding="utf-8")
    expected = kg.actor_graph(level="region" if layout == "geo" else "actor").number_of_nodes()
    _open(browser, page)
    assert browser.execute_script("return network.body.nodeIndices.length") == expected
    assert _painted_pixels(browser) > 5000
    assert _errors(browser) == []


def test_hostile_label_shows_as_text_and_runs_nothing(browser, tmp_path):
    g = nx.Graph()
    hostile = '<img src=x onerror="window.__pwned=1"> <a href="javascript:window.__pwned=2">x</a>'
    g.add_node("evil", label=hostile, type="NGO", country="")
    g.add_node("good", label="Омская область", type="Region", country="russia")
    g.add_edge("evil", "good", weight=1, relations="forum", evidence="e-1", sectors="", years="")
    page = tmp_path / "hostile.html"
    page.write_text(map_html(g, title='<script>window.__pwned=3</script>'), encoding="utf-8")
    _open(browser, page)
    from selenium.webdriver import ActionChains

    canvas = browser.find_element("css selector", "#mynetwork canvas")
    x, y = browser.execute_script("""const p = network.canvasToDOM(network.getPosition('evil'));
                                     return [p.x, p.y];""")
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                      int(y - size["height"] / 2)).perform()
    time.sleep(1.0)
    tooltip = browser.execute_script("""const t = document.querySelector('div.vis-tooltip');
        return t && t.style.visibility !== 'hidden' ? [t.textContent, t.querySelectorAll('img,a,script').length] : null;""")
    assert tooltip is not None, "hovering the node showed no tooltip"
    assert hostile in tooltip[0] and tooltip[1] == 0
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert _errors(browser) == []


def test_search_highlights_the_neighbourhood_and_filters_hide_ties(browser, small_kg, tmp_path):
    page = tmp_path / "small.html"
    page.write_text(small_kg.map(), encoding="utf-8")
    _open(browser, page)
    search = browser.find_element("id", "pd-search")
    search.send_keys("North Kazakhstan Oblast")
    browser.execute_script("arguments[0].dispatchEvent(new Event('change'))", search)
    status = browser.find_element("id", "pd-status").text
    assert status == "North Kazakhstan Oblast: 2 neighbours"
    greyed = browser.execute_script("return nodes.get().filter(n => n.color === '#e6e6e6').map(n => n.id).sort()")
    assert greyed == ["omsk-oblast-government", "pavlodar-oblast-akimat"]
    browser.execute_script("""const s = document.getElementById('pd-sector'); s.value = 'education';
                              s.dispatchEvent(new Event('change'));""")
    visible = browser.execute_script("return edges.get().filter(e => !e.hidden).map(e => [e.from, e.to])")
    assert visible == [["north-kazakhstan-oblast", "omsk-oblast"]]
    browser.execute_script("""const s = document.getElementById('pd-sector'); s.value = '';
                              s.dispatchEvent(new Event('change'));
                              const f = document.getElementById('pd-from'); f.value = '2020';
                              f.dispatchEvent(new Event('change'));""")
    visible = browser.execute_script("return edges.get().filter(e => !e.hidden).map(e => [e.from, e.to])")
    assert visible == [["omsk-oblast", "pavlodar-oblast-akimat"]]
    assert _errors(browser) == []


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_the_opening_view_contains_every_node(browser, kg, tmp_path, layout):
    page = tmp_path / f"open-{layout}.html"
    page.write_text(kg.map(layout=layout), encoding="utf-8")
    _open(browser, page, fit=False)
    outside = browser.execute_script("""
        const c = document.querySelector('#mynetwork canvas').getBoundingClientRect();
        return network.body.nodeIndices.filter(id => { const p = network.canvasToDOM(network.getPosition(id));
            return p.x < 0 || p.y < 0 || p.x > c.width || p.y > c.height; });""")
    assert outside == []
    assert browser.execute_script("return network.body.nodeIndices.length") == kg.actor_graph().number_of_nodes()


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_no_two_labels_overlap_on_the_bundled_maps(browser, kg, tmp_path, layout):
    """Label boxes as vis-network measures them once drawn: no pair overlaps (before this work the
    geo map had 8 overlapping pairs, piled up around Omsk and Astana, and the force map 2)."""
    page = tmp_path / f"labels-{layout}.html"
    page.write_text(kg.map(layout=layout), encoding="utf-8")
    _open(browser, page, fit=False)
    deadline = time.monotonic() + 30
    while layout == "force" and not browser.execute_script("return window.paradiploLabelsSeparated === true"):
        assert time.monotonic() < deadline, "labels were not separated within 30 s"
        time.sleep(0.2)
    overlaps = browser.execute_script("""
        const ids = network.body.nodeIndices, out = [];
        for (const a of ids) for (const b of ids) {
          if (a >= b) continue;
          const p = network.body.nodes[a].labelModule.size, q = network.body.nodes[b].labelModule.size;
          if (p.left < q.left + q.width && q.left < p.left + p.width && p.top < q.top + q.height && q.top < p.top + p.height)
            out.push([a, b]); }
        return out;""")
    assert overlaps == []


_GREY_NEAR = """
const [x, y, want] = arguments, c = document.querySelector('#mynetwork canvas'), r = c.width / c.clientWidth;
const d = c.getContext('2d').getImageData(Math.round(x * r) - 3, Math.round(y * r) - 3, 7, 7).data;
for (let i = 0; i < d.length; i += 4) {
  const [R, G, B, A] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
  if (want === 'grey' && A > 100 && Math.max(R, G, B) < 200 && Math.max(R, G, B) - Math.min(R, G, B) < 25) return true;
  if (want !== 'grey' && A > 100 && Math.abs(R - want[0]) < 30 && Math.abs(G - want[1]) < 30 && Math.abs(B - want[2]) < 30) return true;
}
return false;"""


def test_borders_are_drawn_and_stay_aligned_with_nodes_at_known_coordinates(browser, tmp_path):
    """Omsk and Pavlodar at their coordinates; a vertex of the vendored Kazakhstan–Russia border
    between them is painted grey where the projection puts it, after panning and zooming too."""
    from graph.geo import border_lines, project

    omsk, pavlodar = (54.9885, 73.3242), (52.2873, 76.9674)
    g = nx.Graph()
    g.add_node("omsk", label="Omsk", type="City", country="russia")
    g.add_node("pavlodar", label="Pavlodar", type="City", country="kazakhstan")
    page = tmp_path / "borders.html"
    page.write_text(map_html(g, layout="geo", anchors={"omsk": (*omsk, "own"), "pavlodar": (*pavlodar, "own")}),
                    encoding="utf-8")
    (ox, oy), (px, py) = project(*omsk), project(*pavlodar)
    vertices = [(line[i], line[i + 1]) for line in border_lines((ox - 300, oy - 300, px + 300, py + 300))
                for i in range(0, len(line), 2)]
    far = [v for v in vertices if min(abs(v[0] - a) + abs(v[1] - b) for a, b in ((ox, oy), (px, py))) > 150]
    vertex = min(far, key=lambda v: abs(v[0] - (ox + px) / 2) + abs(v[1] - (oy + py) / 2))
    _open(browser, page, fit=False)
    assert browser.execute_script("return network.getPosition('omsk')") == pytest.approx({"x": ox, "y": oy}, abs=1)  # vis-network keeps whole pixels
    for position, scale in ((None, None), ({"x": vertex[0] + 60, "y": vertex[1] - 40}, 2.0),
                            ({"x": (ox + px) / 2, "y": (oy + py) / 2}, 0.6)):
        if position:
            browser.execute_script("network.moveTo({position: arguments[0], scale: arguments[1]});", position, scale)
            time.sleep(0.5)
        vx, vy = browser.execute_script("const p = network.canvasToDOM({x: arguments[0], y: arguments[1]});"
                                        "return [p.x, p.y];", *vertex)
        nx_, ny = browser.execute_script("const p = network.canvasToDOM(network.getPosition('omsk')); return [p.x, p.y];")
        assert browser.execute_script(_GREY_NEAR, vx, vy, "grey"), f"no border at {vertex} (view {position}, {scale})"
        colour = browser.execute_script("return nodes.get('omsk').color")
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        assert browser.execute_script(_GREY_NEAR, nx_, ny, rgb), "the Omsk node is not where its coordinates are"
    assert _errors(browser) == []


def _click_edge(browser, a: str, b: str) -> None:
    """Click the middle of the tie a–b as a user would."""
    from selenium.webdriver import ActionChains

    canvas = browser.find_element("css selector", "#mynetwork canvas")
    x, y = browser.execute_script("""const p = network.getPositions([arguments[0], arguments[1]]);
        const m = network.canvasToDOM({x: (p[arguments[0]].x + p[arguments[1]].x) / 2,
                                       y: (p[arguments[0]].y + p[arguments[1]].y) / 2});
        return [m.x, m.y];""", a, b)
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - size["width"] / 2),
                                                      int(y - size["height"] / 2)).click().perform()
    time.sleep(0.5)


def test_clicking_a_tie_lists_its_records_with_their_verbatim_quotes(browser, small_kg, tmp_path):
    page = tmp_path / "click.html"
    page.write_text(small_kg.map(layout="geo"), encoding="utf-8")
    _open(browser, page)
    _click_edge(browser, "omsk-oblast", "pavlodar-oblast-akimat")
    panel = browser.find_element("id", "pd-details")
    assert panel.is_displayed()
    text = panel.text
    details = small_kg.map(layout="geo").split("window.pdDetails = ", 1)[1].split(";</script>", 1)[0]
    import json

    ties = json.loads(details)["ties"]
    assert "Omsk–Pavlodar agreement" in text and "2007, 2015-03-16" in text
    quotes = [e["quote"] for t in ties.values() if t["label"] == "Omsk–Pavlodar agreement" for e in t["evidence"]]
    assert len(quotes) == 2 and all(q in text for q in quotes)
    assert _errors(browser) == []


def test_hostile_text_in_the_click_panel_is_shown_literally(browser, tmp_path):
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    g = nx.Graph()
    g.add_node("a", label="A " + hostile, type="NGO", country="")
    g.add_node("b", label="B", type="City", country="")
    g.add_edge("a", "b", weight=1, relations="agreement", evidence="t1", sectors="", years="")
    details = {"ties": {"t1": {"label": hostile, "dates": [hostile], "sectors": [hostile],
                               "evidence": [{"source": hostile, "locator": hostile, "quote": hostile}]}},
               "actors": {"a": {"claims": {hostile: [[hostile, hostile]]}, "evidence": [], "placed": hostile}}}
    page = tmp_path / "hostile-panel.html"
    page.write_text(map_html(g, details=details), encoding="utf-8")
    _open(browser, page)
    _click_edge(browser, "a", "b")
    panel = browser.find_element("id", "pd-details")
    assert panel.text.count(hostile) >= 3   # label, source line and quote, each literally
    browser.execute_script("network.selectNodes([]);")
    x, y = browser.execute_script("const p = network.canvasToDOM(network.getPosition('a')); return [p.x, p.y];")
    from selenium.webdriver import ActionChains

    canvas = browser.find_element("css selector", "#mynetwork canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, int(x - canvas.size["width"] / 2),
                                                      int(y - canvas.size["height"] / 2)).click().perform()
    time.sleep(0.5)
    assert hostile + ": " + hostile in panel.text and "according to " + hostile in panel.text
    assert browser.execute_script("return document.querySelectorAll('#pd-details img, #pd-details script').length") == 0
    assert browser.execute_script("return window.__pwned === undefined")
    assert _errors(browser) == []


@pytest.fixture
def query_page(browser):
    """``paradiplo serve`` on loopback and the browser allowed to reach it; the port."""
    with serving() as (port, _):
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                                     "downloadThroughput": -1, "uploadThroughput": -1})
        try:
            browser.get_log("browser")
            browser.get(f"http://127.0.0.1:{port}/")
            yield port
        finally:
            browser.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                                                                         "downloadThroughput": 0, "uploadThroughput": 0})


def _submit_and_wait(browser) -> None:
    browser.find_element("css selector", "button[type=submit]").click()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "rows" not in browser.find_element("id", "status").text:
        time.sleep(0.2)


def test_endpoint_query_page_runs_a_bundled_query_offline(browser, query_page, kg):
    from selenium.webdriver.support.ui import Select

    from graph.queries import find_query
    from graph.sparql import run_query

    Select(browser.find_element("id", "bundled")).select_by_value("forum-editions")
    _submit_and_wait(browser)
    expected = len(run_query(kg.store, find_query("forum-editions").text).rows)
    assert browser.find_element("id", "status").text == f"{expected} rows"
    assert len(browser.find_elements("css selector", "#results tr")) == expected + 1
    assert _errors(browser) == []


def test_query_page_shows_hostile_results_as_text(browser, query_page):
    """Data text reaches the query page only as text: a hostile literal in a result runs nothing."""
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    box = browser.find_element("css selector", "textarea")
    box.clear()
    box.send_keys(f"SELECT ?x WHERE {{ BIND('{hostile}' AS ?x) }}")
    _submit_and_wait(browser)
    cells = [c.text for c in browser.find_elements("css selector", "#results td")]
    assert cells == [hostile]
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.execute_script("return document.querySelectorAll('#results img, #results script').length") == 0


@pytest.fixture(scope="module")
def published(kg, tmp_path_factory) -> Path:
    from graph.publish import write_site

    folder = tmp_path_factory.mktemp("published") / "site"
    write_site(kg, folder)
    return folder


def test_published_actor_page_shows_its_quotes_offline(browser, kg, published):
    browser.get_log("browser")
    browser.get((published / "id" / "omsk-oblast.html").as_uri())
    quotes = browser.execute_script("return [...document.querySelectorAll('blockquote')].map(q => q.textContent)")
    expected = {row["q"].value for row in kg.store.query(
        "SELECT DISTINCT ?q WHERE { <https://w3id.org/paradiplo/id/omsk-oblast> "
        "<https://w3id.org/paradiplo/ontology#evidence>/<https://w3id.org/paradiplo/ontology#quote> ?q }")}
    assert expected and set(quotes) == expected
    assert browser.execute_script("return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                                  ".textContent)['@graph'].length") > 1
    assert _errors(browser) == []


def test_published_index_searches_offline_in_any_language(browser, published):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")
    browser.get((published / "index.html").as_uri())
    box = browser.find_element(By.ID, "q")
    box.send_keys("Омская")
    hits = browser.execute_script("return [...document.querySelectorAll('#hits a')].map(a => [a.textContent, a.getAttribute('href')])")
    assert ["Omsk Oblast", "id/omsk-oblast.html"] in hits
    assert all("омск" in (published / href).read_text(encoding="utf-8").lower() for _, href in hits)
    browser.find_element(By.CSS_SELECTOR, "#hits a[href='id/omsk-oblast.html']").click()
    assert browser.current_url.endswith("/id/omsk-oblast.html") and "Omsk Oblast" in browser.title


def _time_map(browser, tmp_path) -> None:
    """Five actors; ties dated 2005, 2018, 2013–2015 (uncertain, as EDTF 2014~), undated, and
    one edge bundling the 2005 and 2018 ties."""
    g = nx.Graph()
    for n in "abcde":
        g.add_node(n, label=n.upper(), type="City", country="")
    spans = {"early": [2005, 2005], "late": [2018, 2018], "vague": [2013, 2015], "nodate": None}
    for u, v, ties in (("a", "b", "early"), ("a", "c", "late"), ("b", "c", "vague"), ("c", "d", "nodate"),
                       ("d", "e", "early late")):
        g.add_edge(u, v, weight=len(ties.split()), relations="agreement", evidence=ties, sectors="", years="")
    details = {"ties": {t: {"label": t, "dates": [], "sectors": [], "evidence": [], "span": s}
                        for t, s in spans.items()}, "actors": {}}
    page = tmp_path / "time.html"
    page.write_text(map_html(g, details=details), encoding="utf-8")
    _open(browser, page)


def _at_year(browser, year) -> dict:
    """Move the slider to ``year`` (``None``: its top step, all years) as a user would; return
    the visible edges as 'u-v' → [look, width value]."""
    browser.execute_script("""const s = document.getElementById('pd-year');
        s.value = arguments[0] === null ? s.max : arguments[0]; s.dispatchEvent(new Event('input'));""", year)
    return {f"{e['from']}-{e['to']}": [e["timeState"], e["value"]] for e in browser.execute_script(
        "return edges.get().filter(e => !e.hidden)")}


def test_the_year_slider_hides_and_shows_ties_by_their_dates(browser, tmp_path):
    _time_map(browser, tmp_path)
    slider = browser.find_element("id", "pd-year")
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == ("2005", "2019")  # 2019: all years
    assert set(_at_year(browser, None)) == {"a-b", "a-c", "b-c", "c-d", "d-e"}
    assert _at_year(browser, 2010) == {"a-b": ["certain", 1], "c-d": ["undated", 1], "d-e": ["certain", 1]}
    assert browser.find_element("id", "pd-year-label").text == "up to 2010"
    assert "1 dated by then, 0 uncertain (faded), 1 undated" in browser.find_element("id", "pd-time-counts").text
    shown = _at_year(browser, 2014)   # the 2013–2015 tie has begun but may not be done: faded
    assert shown["b-c"] == ["uncertain", 1] and "a-c" not in shown
    assert browser.execute_script("return edges.get('%s').color.opacity" % browser.execute_script(
        "return edges.get().filter(e => e.from === 'b' && e.to === 'c')[0].id")) == 0.3
    shown = _at_year(browser, 2018)   # the 2018 tie appears; the bundled edge counts both its ties
    assert shown["a-c"] == ["certain", 1] and shown["b-c"] == ["certain", 1] and shown["d-e"] == ["certain", 2]
    assert "a-c" not in _at_year(browser, 2017)   # and hides again going back
    browser.execute_script("const u = document.getElementById('pd-undated'); u.click();")
    assert "c-d" not in _at_year(browser, 2017)
    assert "c-d" not in _at_year(browser, None)   # the checkbox holds for all years too
    browser.execute_script("document.getElementById('pd-undated').click();")
    assert _at_year(browser, 2017)["c-d"] == ["undated", 1]
    _at_year(browser, None)
    browser.find_element("id", "pd-play").click()   # play from "all years" starts at the first year
    assert slider.get_attribute("value") == "2005" and browser.find_element("id", "pd-play").text == "■ stop"
    browser.find_element("id", "pd-play").click()
    assert browser.find_element("id", "pd-play").text == "▶ play"
    assert _errors(browser) == []


def test_published_actor_page_draws_its_ego_map_offline(browser, kg, published):
    from graph.rdf import ID

    browser.get_log("browser")
    browser.get((published / "id" / "omsk-oblast.html").as_uri())
    nodes = browser.execute_script("""return [...document.querySelectorAll('svg.ego-map a.ego-node')].map(a => {
        const r = a.querySelector('circle').getBoundingClientRect();
        return [a.getAttribute('href'), a.querySelector('text').textContent, r.width > 0 && r.height > 0]; });""")
    written = (published / "id" / "omsk-oblast.html").read_text(encoding="utf-8")
    assert len(nodes) == written.count('class="ego-node"') > 10 and all(shown for _, _, shown in nodes)
    tied = {row["o"].value[len(ID):] for row in kg.store.query(
        f"SELECT DISTINCT ?o WHERE {{ {{ <{ID}omsk-oblast> ?p ?o }} UNION {{ ?o ?p <{ID}omsk-oblast> }} }}")
        if row["o"].value.startswith(ID)}
    for href, _, _ in nodes:
        assert href.startswith("../id/") and href[6:-5] in tied and (published / "id" / href[6:]).exists()
    assert browser.execute_script("return document.querySelectorAll('blockquote').length") > 0
    browser.find_element("css selector", "svg.ego-map a.ego-node").click()  # a node opens its record's page
    assert browser.current_url.endswith(nodes[0][0][2:])
    assert _errors(browser) == []


def _search(browser, typed: str) -> list[str]:
    """Type into the map's search box; the nodes selected."""
    search = browser.find_element("id", "pd-search")
    search.clear()
    search.send_keys(typed)
    browser.execute_script("arguments[0].dispatchEvent(new Event('change'))", search)
    return browser.execute_script("return network.getSelectedNodes()")


@pytest.mark.parametrize("typed, node, level", [
    ("Омской области", "omsk-oblast", "actor"), ("Павлодаре", "pavlodar", "actor"),
    ("Семипалатинской области", "semipalatinsk-oblast", "region"),
    ("Правительства Омской области", "omsk-oblast", "region"),  # the government, drawn as its region
])
def test_the_map_search_box_finds_inflected_names(browser, kg, tmp_path, typed, node, level):
    page = tmp_path / "map.html"
    page.write_text(kg.map(level=level), encoding="utf-8")
    _open(browser, page)
    assert _search(browser, typed) == [node]
    label = browser.execute_script("return nodes.get(arguments[0]).label", node)
    assert browser.find_element("id", "pd-status").text.startswith(label + ":")
    assert _errors(browser) == []


def test_the_map_search_box_finds_an_old_name(browser, kg, tmp_path):
    """Astana has no tie in the bundled data: drawn on a map, its old name Nur-Sultan finds it."""
    from graph.find import search_index

    g = kg.actor_graph()
    g.add_node("astana", label="Astana", type="City", country="kazakhstan")
    page = tmp_path / "map.html"
    page.write_text(map_html(g, names=search_index(kg.store, g.nodes)), encoding="utf-8")
    _open(browser, page)
    assert _search(browser, "Nur-Sultan") == ["astana"]
    assert _search(browser, "Целинограде") == ["astana"]
    assert _errors(browser) == []


def test_the_map_script_looks_names_up_as_the_python_index_does(browser, kg, tmp_path):
    import json
    import re

    from graph.find import index_lookup

    page = tmp_path / "map.html"
    page.write_text(kg.map(), encoding="utf-8")
    index = json.loads(re.search(r"window\.pdNames = (.*?);</script>", page.read_text(encoding="utf-8")).group(1))
    _open(browser, page)
    texts = ["Омской области", "Павлодаре", "Nur-Sultan", "Нур-Султане", "павлодарской", "ОМСК", "Ёлкино",
             "Правительства Омской области", "Kazakhstan", "казахстана", "Astana, Nur-Sultan", ""]
    for text in texts:
        assert browser.execute_script("return paradiploLookup(window.pdNames, arguments[0])", text) == \
            index_lookup(index, text), text


def test_query_page_inserts_the_iri_of_an_actor_found_by_an_inflected_name(browser, query_page):
    box = browser.find_element("css selector", "textarea")
    box.clear()
    box.send_keys("SELECT * WHERE { ?s ?p  }")
    browser.execute_script("arguments[0].setSelectionRange(23, 23)", box)
    browser.find_element("id", "actor").send_keys("Омской области")
    buttons = browser.find_elements("css selector", "#actors button")
    assert buttons and buttons[0].get_attribute("data-id") == "omsk-oblast"
    buttons[0].click()
    assert box.get_attribute("value") == "SELECT * WHERE { ?s ?p <https://w3id.org/paradiplo/id/omsk-oblast> }"
    browser.find_element("id", "actor").clear()
    browser.find_element("id", "actor").send_keys("Nur-Sultan")
    assert [b.get_attribute("data-id") for b in browser.find_elements("css selector", "#actors button")] == ["astana"]
    assert _errors(browser) == []
