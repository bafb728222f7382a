"""Duchacek's typology of paradiplomatic ties: transborder, transregional, global.

Ties are classified between *units* (actors rolled up to their region), so that a visit of a
governor's administration to a neighbouring akimat counts as a tie between two regions.

Examples
--------
>>> omsk = {"type": "Region", "country": "russia"}
>>> hungary = {"type": "State", "country": "hungary"}
>>> classify_pair(omsk, hungary, adjacent=False)
'global'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from .periods import period_label, period_of

__all__ = ["CROSS_BORDER", "TIE_KINDS", "classify_pair", "typology"]

TIE_KINDS = ("transborder", "transregional", "global", "domestic", "unclassified")
CROSS_BORDER = ("transborder", "transregional", "global")  # the kinds that shares are taken among


def classify_pair(a: dict[str, str], b: dict[str, str], adjacent: bool) -> str:
    """Duchacek's kind of a tie between two units (already rolled up to regions).

    Parameters
    ----------
    a, b : dict
        Each unit's ``type`` (e.g. ``Region``, ``State``, ``InternationalOrganisation``) and
        ``country`` (empty when unknown).
    adjacent : bool
        Whether the two units share a border.

    Returns
    -------
    str
        One of :data:`TIE_KINDS`: ``transborder``: regions of different states that share a
        border; ``transregional``: regions of different states that do not; ``global``: a tie
        with a state or an international organisation abroad; ``domestic``: both in one state;
        ``unclassified``: a country is unknown.

    Examples
    --------
    >>> omsk = {"type": "Region", "country": "russia"}
    >>> pavlodar = {"type": "Region", "country": "kazakhstan"}
    >>> classify_pair(omsk, pavlodar, adjacent=True), classify_pair(omsk, pavlodar, adjacent=False)
    ('transborder', 'transregional')
    """
    if "InternationalOrganisation" in (a.get("type"), b.get("type")):
        return "global"
    ca, cb = a.get("country", ""), b.get("country", "")
    if not ca or not cb:
        return "unclassified"
    if ca == cb:
        return "domestic"
    if a.get("type") != "Region" or b.get("type") != "Region":
        return "global"
    return "transborder" if adjacent else "transregional"


def typology(ties: Iterable[Any], info: dict[str, dict[str, str]], unit: dict[str, str],
             borders: set[frozenset[str]], periods: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """Classify every tie between two units (see :func:`classify_pair`) and give shares.

    Parameters
    ----------
    ties : iterable of graph.project.Tie
        Anything with ``id``, ``relation``, ``years`` and ``pairs()`` (the actor pairs linked).
    info : dict
        Unit id → ``{"type", "country"}``.
    unit : dict
        Actor id → its unit (an actor missing here is its own unit).
    borders : set of frozenset
        Pairs of units that share a border.
    periods : list of (int, int), optional
        Count shares per period (a tie in the period of its earliest year).

    Returns
    -------
    dict
        ``pairs``: one row per tie and unit pair (each tie counts once per pair of distinct
        units it links): ``tie``, ``relation``, ``a``, ``b``, ``kind``, ``year``, ``period``.
        ``shares``: per period (``all`` without periods), the count of each kind and the
        share of each of :data:`CROSS_BORDER` among them (``None`` when there are none).

    Examples
    --------
    >>> from types import SimpleNamespace as Tie
    >>> info = {"omsk": {"type": "Region", "country": "russia"},
    ...         "pavlodar": {"type": "Region", "country": "kazakhstan"}}
    >>> tie = Tie(id="t1", relation="visit", years={2021}, pairs=lambda: [("omsk-govt", "pavlodar")])
    >>> result = typology([tie], info, {"omsk-govt": "omsk"}, {frozenset({"omsk", "pavlodar"})})
    >>> result["pairs"][0]["kind"], result["shares"][0]["transborder share"]
    ('transborder', 1.0)
    """
    rows = _classified_pairs(ties, info, unit, borders, periods)
    labels = [period_label(p) for p in periods] if periods else ["all"]
    return {"pairs": rows, "shares": [_shares(rows, label) for label in labels]}


def _classified_pairs(ties: Iterable[Any], info: dict[str, dict[str, str]], unit: dict[str, str],
                      borders: set[frozenset[str]], periods: list[tuple[int, int]] | None) -> list[dict[str, Any]]:
    """One row per tie and pair of distinct units it links, with the pair's kind and period."""
    rows = []
    for tie in ties:
        pairs = sorted({tuple(sorted((unit.get(a, a), unit.get(b, b)))) for a, b in tie.pairs()})
        for ua, ub in pairs:
            if ua == ub:
                continue
            kind = classify_pair(info.get(ua, {}), info.get(ub, {}), frozenset((ua, ub)) in borders)
            period = period_of(tie.years, periods) if periods else "all"
            rows.append({"tie": tie.id, "relation": tie.relation, "a": ua, "b": ub, "kind": kind,
                         "year": min(tie.years) if tie.years else None, "period": period})
    return rows


def _shares(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Count of each kind in period ``label``, and each cross-border kind's share (4 decimals)."""
    c = Counter(r["kind"] for r in rows if r["period"] == label)
    cross = sum(c[k] for k in CROSS_BORDER)
    row: dict[str, Any] = {"period": label}
    for k in TIE_KINDS:
        row[k] = c[k]
    for k in CROSS_BORDER:
        row[f"{k} share"] = round(c[k] / cross, 4) if cross else None
    return row
