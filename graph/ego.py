"""The small ego map of a published record page: the record in the middle, the records it is
tied to (in either direction, by any statement of any source) on a circle around it, each a
link to its page. One inline SVG drawn at publish time: no script, no network, the same bytes
for the same data.

Labels run outward along each spoke (on the left half turned to read left to right), so up to
:data:`MAX_NEIGHBOURS` of them never overlap; a record tied to more shows those with the most
statements and says how many are left out (the page's tables list them all).

Examples
--------
>>> svg = ego_svg("Omsk Oblast", [{"text": "Russia", "href": "russia.html", "kind": "Actor", "props": ["part of"]}])
>>> svg.count('class="ego-node"'), 'href="russia.html"' in svg
(1, True)
"""

from __future__ import annotations

import math
from typing import Any

from .render import PALETTE
from .templates import render

__all__ = ["ego_svg", "MAX_NEIGHBOURS", "KIND_COLOURS"]

#: neighbours drawn at most (labels 12 px high on a 140 px circle stay apart up to ~70)
MAX_NEIGHBOURS = 40
#: colour of each kind of record (Okabe–Ito, as the network map)
KIND_COLOURS = {"Actor": PALETTE[0], "Agreement": PALETTE[3], "Forum": PALETTE[2], "Observation": PALETTE[5],
                "Sector": PALETTE[1], "Source": PALETTE[4], "Project": PALETTE[6], "Claim": PALETTE[7]}
_OTHER = "#999999"
_RADIUS = 140.0
_LABEL = 26  # characters of a label shown at most


def _short(text: str) -> str:
    return text if len(text) <= _LABEL else text[:_LABEL - 1] + "…"


def ego_svg(title: str, neighbours: list[dict[str, Any]], more: int = 0) -> str:
    """The ego map (SVG markup) of a record called ``title``.

    Parameters
    ----------
    title
        The record's label, drawn in the middle.
    neighbours
        The records tied to it, in the order they go round the circle (clockwise from the top):
        each ``{"text": label, "href": link or "", "kind": top class, "props": [property labels]}``;
        at most :data:`MAX_NEIGHBOURS` (the caller chooses which).
    more
        How many more records are tied to it but not drawn (said under the map).
    """
    n = len(neighbours)
    nodes = []
    for i, nb in enumerate(neighbours):
        angle = 2 * math.pi * i / n - math.pi / 2 if n else 0.0
        x, y = _RADIUS * math.cos(angle), _RADIUS * math.sin(angle)
        degrees = math.degrees(angle)
        left = math.cos(angle) < -1e-9
        nodes.append({**nb, "label": _short(nb["text"]), "x": _r(x), "y": _r(y),
                      "rotate": _r(degrees + 180 if left else degrees), "anchor": "end" if left else "start",
                      "dx": -11 if left else 11, "colour": KIND_COLOURS.get(nb["kind"], _OTHER),
                      "width": min(1 + len(nb["props"]), 5)})
    kinds = sorted({nb["kind"] for nb in neighbours})
    return render("publish_ego.html.j2", title=_short(title), full_title=title, nodes=nodes,
                  legend=[{"kind": k, "colour": KIND_COLOURS.get(k, _OTHER)} for k in kinds],
                  size=_RADIUS + 10 + 7 * _LABEL, more=more)


def _r(v: float) -> float:
    """Rounded to 0.1 (no ``-0.0``), so the same data draws the same bytes."""
    return round(v, 1) + 0.0
