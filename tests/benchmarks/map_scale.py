"""How maps scale: HTML build time by size (linear?) and the time a force layout takes to
settle in headless Chromium.

Run: python tests/benchmarks/map_scale.py [--sizes 1000,2000,5000] [--browser 2000]
Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from graph.analysis import centrality  # noqa: E402
from graph.render import map_html  # noqa: E402


def synthetic(n: int, seed: int = 1) -> nx.Graph:
    """A heavy-tailed actor graph with the attributes an actor graph has."""
    rng = random.Random(seed)
    base = nx.barabasi_albert_graph(n, 2, seed=seed)
    g = nx.Graph()
    countries = ["russia", "kazakhstan", "belarus", "uzbekistan", "kyrgyzstan", "china", "armenia"]
    for i in sorted(base.nodes):
        g.add_node(f"a{i:05d}", label=f"Actor {i} Актор", label_orig="", type=rng.choice(["Region", "City", "Company"]),
                   country=rng.choice(countries), lat="", lon="")
    for u, v in sorted(base.edges):
        w = rng.randint(1, 4)
        g.add_edge(f"a{u:05d}", f"a{v:05d}", weight=w, distance=1 / w, relations=rng.choice(["agreement", "forum", "visit"]),
                   evidence=f"t{u}-{v}", visits="", sectors=rng.choice(["trade", "education", "energy"]),
                   years=str(rng.randint(1991, 2026)))
    return g


def headless_chromium():
    """Debian's Chromium, headless, 1400×1000, with no network (the benchmarks' browser)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                 "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def settle_seconds(page: Path) -> float:
    driver = headless_chromium()
    try:
        driver.get(page.as_uri())
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            ms = driver.execute_script("return window.paradiploSettledMs")
            if ms:
                return ms / 1000
            time.sleep(0.2)
        raise TimeoutError("layout did not settle in 300 s")
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,2000,5000")
    parser.add_argument("--browser", type=int, default=2000, help="settle time for a map of this size (0: skip)")
    args = parser.parse_args()
    print(f"{'nodes':>6} {'edges':>6} {'build s':>8} {'KB':>8}")
    for n in [int(x) for x in args.sizes.split(",")]:
        g = synthetic(n)
        sizes = {r["id"]: r["degree"] for r in centrality(g, "degree")}
        t = time.perf_counter()
        page = map_html(g, size_by=sizes, max_nodes=max(n, 2000))
        print(f"{n:>6} {g.number_of_edges():>6} {time.perf_counter() - t:>8.2f} {len(page) // 1024:>8}")
    if args.browser:
        g = synthetic(args.browser)
        path = Path(tempfile.mkdtemp()) / "map.html"
        path.write_text(map_html(g, size_by={r["id"]: r["degree"] for r in centrality(g, "degree")}), encoding="utf-8")
        print(f"force layout of {args.browser} nodes settled in Chromium after {settle_seconds(path):.1f} s "
              "(from page start, including parsing vis-network)")


if __name__ == "__main__":
    main()
