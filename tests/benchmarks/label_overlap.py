"""Label collisions on the bundled maps, measured in headless Chromium: how many pairs of
node label boxes overlap once the layout has settled, and how many nodes the opening view
leaves outside the canvas.

Run: python tests/benchmarks/label_overlap.py [--data DIR]
Not part of the test run (it prints a table; nothing is asserted).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from graph import open_graph  # noqa: E402
from tests.benchmarks.map_scale import headless_chromium  # noqa: E402

#: Overlapping pairs of label boxes (vis-network's own measure of each drawn label), and the
#: nodes whose centre the opening view leaves outside the canvas.
MEASURE = """
const ids = network.body.nodeIndices, boxes = [];
ids.forEach(id => { const l = network.body.nodes[id].labelModule.size;
                    if (l && l.width > 0) boxes.push([l.left, l.top, l.left + l.width, l.top + l.height]); });
let overlaps = 0;
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i], b = boxes[j];
  if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) overlaps++; }
const c = document.querySelector('#mynetwork canvas').getBoundingClientRect();
const outside = ids.filter(id => { const p = network.canvasToDOM(network.getPosition(id));
                                   return p.x < 0 || p.y < 0 || p.x > c.width || p.y > c.height; }).length;
return [ids.length, boxes.length, overlaps, outside];"""


def measure(page: Path) -> list[int]:
    driver = headless_chromium()
    try:
        driver.get(page.as_uri())
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not driver.execute_script(
                "return window.paradiploSettledMs && (!network.physics.options.enabled || window.paradiploLabelsSeparated)"):
            time.sleep(0.2)
        time.sleep(1.0)
        return driver.execute_script(MEASURE)
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None)
    args = parser.parse_args()
    kg = open_graph(args.data) if args.data else open_graph()
    print(f"{'map':<22}{'nodes':>7}{'labels':>8}{'overlapping pairs':>19}{'outside view':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for layout, level in (("force", "actor"), ("geo", "actor"), ("geo", "region")):
            page = Path(tmp) / f"{layout}-{level}.html"
            page.write_text(kg.map(layout=layout, level=level), encoding="utf-8")
            nodes, labels, overlaps, outside = measure(page)
            print(f"{layout + ' / ' + level:<22}{nodes:>7}{labels:>8}{overlaps:>19}{outside:>14}")


if __name__ == "__main__":
    main()
