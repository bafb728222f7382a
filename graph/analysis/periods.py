"""Time: periods given on the command line, the period a tie falls in, and a yearly timeline.

A period is a pair of years ``(start, end)``, both included; its label is ``"start-end"``.

Examples
--------
>>> periods = parse_periods("1991-2013,2014-2026")
>>> [period_label(p) for p in periods], period_of([2019, 2015], periods)
(['1991-2013', '2014-2026'], '2014-2026')
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

__all__ = ["parse_periods", "period_label", "period_of", "timeline"]


def parse_periods(text: str) -> list[tuple[int, int]]:
    """Periods written as ``YEAR`` or ``YEAR-YEAR``, comma-separated, in the order given.

    Parameters
    ----------
    text : str
        For example ``"1991-2013,2014-2021,2022-2026"``; an en dash works as well as a hyphen,
        and a single year is a period of one year.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` per period, in the order written.

    Raises
    ------
    ValueError
        A part is not a year or a range of years, a period ends before it starts, two
        periods overlap, or no period is given.

    Examples
    --------
    >>> parse_periods("1991-2013, 2014-2021,2022")
    [(1991, 2013), (2014, 2021), (2022, 2022)]
    """
    periods = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", part)
        if not match:
            raise ValueError(f"period {part!r} is not YEAR or YEAR-YEAR")
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        if end < start:
            raise ValueError(f"period {part!r} ends before it starts")
        periods.append((start, end))
    if not periods:
        raise ValueError("no period given; write e.g. 1991-2013,2014-2021,2022-2026")
    ordered = sorted(periods)
    for (a0, a1), (b0, b1) in itertools.pairwise(ordered):
        if b0 <= a1:
            raise ValueError(f"periods {a0}-{a1} and {b0}-{b1} overlap")
    return periods


def period_label(period: tuple[int, int]) -> str:
    """The label of a period, ``"start-end"`` (also for a single year).

    Examples
    --------
    >>> period_label((2014, 2021)), period_label((2022, 2022))
    ('2014-2021', '2022-2022')
    """
    start, end = period
    return f"{start}-{end}"


def period_of(years: Iterable[int], periods: list[tuple[int, int]]) -> str | None:
    """Label of the period holding the earliest of ``years``.

    Parameters
    ----------
    years : iterable of int
        The years a tie is dated to (by one source or several).
    periods : list of (int, int)
        As returned by :func:`parse_periods`.

    Returns
    -------
    str or None
        The period's label, or ``None`` when there is no year or the earliest year is in no
        period (later years are not looked at).

    Examples
    --------
    >>> period_of([2021, 2007], [(1991, 2013), (2014, 2026)])
    '1991-2013'
    >>> period_of([1980, 2000], [(1991, 2013)]) is None
    True
    """
    ys = sorted(years)
    if not ys:
        return None
    for period in periods:
        if period[0] <= ys[0] <= period[1]:
            return period_label(period)
    return None


def timeline(ties: Iterable[Any]) -> list[dict[str, Any]]:
    """Per-year counts of agreements, forums and visits, each tie at its earliest year.

    Parameters
    ----------
    ties : iterable of graph.project.Tie
        Anything with ``cls``, ``relation`` and ``years``. Forum series are not counted
        (their editions are).

    Returns
    -------
    list of dict
        ``year``, ``agreement``, ``forum``, ``visit`` and ``total`` (every relation,
        including any other), by year; undated ties in a last row with ``year`` ``None``.

    Examples
    --------
    >>> from types import SimpleNamespace as Tie
    >>> timeline([Tie(cls="Memorandum", relation="agreement", years=[2015, 2007]),
    ...           Tie(cls="Visit", relation="visit", years=[])])
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'year': 2007, 'agreement': 1, 'forum': 0, 'visit': 0, 'total': 1},
     {'year': None, 'agreement': 0, 'forum': 0, 'visit': 1, 'total': 1}]
    """
    counts: dict[int | None, Counter[str]] = defaultdict(Counter)
    for tie in ties:
        if tie.cls == "ForumSeries":
            continue
        year = min(tie.years) if tie.years else None
        counts[year][tie.relation] += 1
    out = []
    for year in sorted(counts, key=lambda y: (y is None, y or 0)):
        c = counts[year]
        out.append({"year": year, "agreement": c["agreement"], "forum": c["forum"], "visit": c["visit"],
                    "total": sum(c.values())})
    return out
