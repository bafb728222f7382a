"""The geo layout's projection and what is drawn under the network: country borders and a graticule.

Borders come from ``geodata/countries-50m.json``, the Natural Earth 1:50m countries (public
domain) as TopoJSON, vendored unchanged from the npm package ``world-atlas`` 2.0.2 (ISC
licence, ``geodata/LICENSE-world-atlas``; see the README). Nothing is fetched at run time:
the arcs that reach the map's box are projected here and written into the page.

The projection is fixed: equirectangular, centred on 50°N, 70°E, 60 px per degree of
latitude and 60·cos 50° px per degree of longitude (true distances along the 50th parallel),
with y growing southwards as on a screen.

Examples
--------
>>> project(50.0, 70.0)
(0.0, 0.0)
>>> x, y = project(43.2389, 76.8897)   # Almaty: east and south of the centre
>>> x > 0 and y > 0
True
>>> lines = border_lines((-600.0, -600.0, 600.0, 600.0))   # around 50°N 70°E: Kazakhstan's borders
>>> len(lines) > 10 and all(len(line) % 2 == 0 for line in lines)
True
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

__all__ = ["BORDERS", "project", "border_lines", "graticule"]

BORDERS = Path(__file__).with_name("geodata") / "countries-50m.json"
_SCALE = 60.0
_CENTRE = (50.0, 70.0)
_COS = math.cos(math.radians(_CENTRE[0]))

Box = tuple[float, float, float, float]


def project(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in degrees → (x, y) in the map's pixels (see the module docstring)."""
    return (round((lon - _CENTRE[1]) * _SCALE * _COS, 6) + 0.0,
            round(-(lat - _CENTRE[0]) * _SCALE, 6) + 0.0)


@lru_cache(maxsize=1)
def _arcs() -> tuple[tuple[list[float], list[float], float, float, float, float], ...]:
    """Every arc of the vendored topology, decoded (delta-encoded, quantised) to longitudes and
    latitudes, with its bounding box (lon0, lon1, lat0, lat1)."""
    topology = json.loads(BORDERS.read_text(encoding="utf-8"))
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        lons = [q * kx + tx for q in accumulate(p[0] for p in arc)]
        lats = [q * ky + ty for q in accumulate(p[1] for p in arc)]
        arcs.append((lons, lats, min(lons), max(lons), min(lats), max(lats)))
    return tuple(arcs)


def border_lines(box: Box, tolerance: float = 1.5) -> list[list[float]]:
    """Borders and coasts that reach ``box`` (x0, y0, x1, y1 in map pixels), as flat lists
    ``[x0, y0, x1, y1, …]`` rounded to 0.1 px; points closer than ``tolerance`` px to the
    last kept one are dropped (each arc keeps its ends)."""
    (west, north), (east, south) = _unproject(box[0], box[1]), _unproject(box[2], box[3])
    lines = []
    for lons, lats, lon0, lon1, lat0, lat1 in _arcs():
        if lon1 < west or lon0 > east or lat1 < south or lat0 > north:
            continue
        points = [project(lat, lon) for lon, lat in zip(lons, lats)]
        kept = [points[0]]
        for p in points[1:-1]:
            if abs(p[0] - kept[-1][0]) + abs(p[1] - kept[-1][1]) >= tolerance:
                kept.append(p)
        kept.append(points[-1])
        lines.append([round(c, 1) + 0.0 for p in kept for c in p])
    return lines


def _unproject(x: float, y: float) -> tuple[float, float]:
    """Map pixels → (lon, lat), the inverse of :func:`project`."""
    return x / (_SCALE * _COS) + _CENTRE[1], -y / _SCALE + _CENTRE[0]


def graticule(box: Box, step: int = 10) -> list[dict]:
    """Parallels and meridians every ``step`` degrees across ``box``: ``label`` (``50°N``,
    ``70°E``), ``kind`` and the two ends ``[x0, y0, x1, y1]``."""
    x0, y0, x1, y1 = box
    lines = []
    for lat in range(-90 + step, 90, step):
        y = project(lat, 0)[1]
        if y0 <= y <= y1:
            label = f"{abs(lat)}°{'N' if lat >= 0 else 'S'}"
            lines.append({"label": label, "kind": "parallel", "points": [x0, y, x1, y]})
    for lon in range(-180, 180, step):
        x = project(0, lon)[0]
        if x0 <= x <= x1:
            label = f"{abs(lon)}°{'E' if lon >= 0 else 'W'}"
            lines.append({"label": label, "kind": "meridian", "points": [x, y0, x, y1]})
    return lines
