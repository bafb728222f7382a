"""Time: periods given on the command line, the period a tie falls in, and a yearly timeline.

A period is a pair of years ``(start, end)``, both included; its label is ``"start-end"``.
Dates are EDTF (:class:`graph.records.PartialDate`): a tie lies *certainly* in a period when
every date its sources give, with its whole span (``2024~`` is 2023–2025, ``2022/2025`` the
four years), lies inside the period; it is *uncertain* there when it only overlaps it, and
*undated* when no source dates it. Every period analysis reports all three.

Examples
--------
>>> from graph.records import PartialDate as D
>>> periods = parse_periods("1991-2013,2014-2026")
>>> [period_label(p) for p in periods], dating([D.parse("2019"), D.parse("2015")], periods)
(['1991-2013', '2014-2026'], ('certain', ['2014-2026']))
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

__all__ = ["TIMELINE_COLUMNS", "parse_periods", "period_label", "span", "within", "dating", "period_counts", "timeline"]

#: The columns of :func:`timeline`, in order.
TIMELINE_COLUMNS = ["year", "agreement", "forum", "visit", "total", "uncertain", "planned"]


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


def span(dates: Iterable[Any]) -> tuple[dt.date, dt.date] | None:
    """The span all of ``dates`` cover (their earliest first day to their latest last day);
    ``None`` when there is no date. Open ends are ``date.min`` / ``date.max``.

    Examples
    --------
    >>> from graph.records import PartialDate as D
    >>> span([D.parse("2007"), D.parse("2015-03-16")]), span([])
    ((datetime.date(2007, 1, 1), datetime.date(2015, 3, 16)), None)
    """
    ds = list(dates)
    if not ds:
        return None
    return min(d.first_day() for d in ds), max(d.last_day() for d in ds)


def _days(period: tuple[int, int]) -> tuple[dt.date, dt.date]:
    return dt.date(max(period[0], 1), 1, 1), dt.date(min(period[1], 9999), 12, 31)


def within(dates: Iterable[Any], period: tuple[int, int]) -> bool:
    """Whether ``dates`` (with ``first_day()`` and ``last_day()``, e.g. EDTF dates) all lie
    inside ``period``, from 1 January of its first year to 31 December of its last.

    Examples
    --------
    >>> from graph.records import PartialDate as D
    >>> within([D.parse("2015-03-16")], (2014, 2021)), within([D.parse("2014~")], (2014, 2021))
    (True, False)
    """
    bounds = span(dates)
    start, end = _days(period)
    return bounds is not None and start <= bounds[0] and bounds[1] <= end


def dating(dates: Iterable[Any], periods: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """How a tie's dates place it among ``periods``.

    Parameters
    ----------
    dates : iterable
        The dates sources give for the tie (anything with ``first_day()`` and ``last_day()``,
        e.g. :class:`graph.records.PartialDate`); several when sources disagree.
    periods : list of (int, int)
        As returned by :func:`parse_periods`.

    Returns
    -------
    (str, list of str)
        ``("certain", [label])`` when every date lies inside one period; ``("uncertain",
        labels)`` with the periods the dates overlap without lying inside one (an EDTF
        ``2013~`` across a boundary, or two sources' dates in two periods); ``("undated", [])``
        without a date; ``("outside", [])`` when no period is touched.

    Examples
    --------
    >>> from graph.records import PartialDate as D
    >>> ps = [(1991, 2013), (2014, 2021)]
    >>> dating([D.parse("2015")], ps), dating([D.parse("2007"), D.parse("2015")], ps)
    (('certain', ['2014-2021']), ('uncertain', ['1991-2013', '2014-2021']))
    >>> dating([], ps), dating([D.parse("1980")], ps)
    (('undated', []), ('outside', []))
    """
    bounds = span(dates)
    if bounds is None:
        return "undated", []
    touched = []
    for period in periods:
        start, end = _days(period)
        if start <= bounds[0] and bounds[1] <= end:
            return "certain", [period_label(period)]
        if bounds[0] <= end and start <= bounds[1]:
            touched.append(period_label(period))
    return ("uncertain", touched) if touched else ("outside", [])


def period_counts(ties: Iterable[Any], periods: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Per period, how many ties lie certainly inside it and how many only overlap it; a last
    row ``undated`` counts the ties with no date (in ``certain``).

    Parameters
    ----------
    ties : iterable of graph.project.Tie
        Anything with ``dates``.
    periods : list of (int, int)

    Examples
    --------
    >>> from types import SimpleNamespace as Tie
    >>> from graph.records import PartialDate as D
    >>> period_counts([Tie(dates={D.parse("2013~")}), Tie(dates={D.parse("2015")}), Tie(dates=set())],
    ...               [(1991, 2013), (2014, 2021)])  # doctest: +NORMALIZE_WHITESPACE
    [{'period': '1991-2013', 'certain': 0, 'uncertain': 1},
     {'period': '2014-2021', 'certain': 1, 'uncertain': 1},
     {'period': 'undated', 'certain': 1, 'uncertain': 0}]
    """
    rows = {period_label(p): {"period": period_label(p), "certain": 0, "uncertain": 0} for p in periods}
    undated = 0
    for tie in ties:
        how, labels = dating(tie.dates, periods)
        undated += how == "undated"
        for label in labels:
            rows[label][how] += 1
    return [*rows.values(), {"period": "undated", "certain": undated, "uncertain": 0}]


def timeline(ties: Iterable[Any]) -> list[dict[str, Any]]:
    """Per-year counts of agreements, forums and visits that certainly fall in that year,
    beside the ties dated only vaguely or planned.

    Parameters
    ----------
    ties : iterable of graph.project.Tie
        Anything with ``cls``, ``relation``, ``dates`` (EDTF dates) and ``planned``. Neither forum
        series (their editions are) nor ``dyadic`` relations between two actors are counted.

    Returns
    -------
    list of dict
        One row per year: ``year``; ``agreement``, ``forum``, ``visit`` and ``total`` (every
        relation, including any other), counting the ties all of whose dates lie in that
        calendar year; ``uncertain``: ties whose dates overlap the year without lying in
        one year (an interval, ``2024~``, sources disagreeing; counted in every year they
        overlap, open ends cut at the table's first and last year); ``planned``: ties with
        ``status: planned`` dated in the year (not in ``total``). A last row with ``year``
        ``"undated"`` counts the ties with no date.

    Examples
    --------
    >>> from types import SimpleNamespace as Tie
    >>> from graph.records import PartialDate as D
    >>> for row in timeline([Tie(cls="Memorandum", relation="agreement", dates={D.parse("2015")}, planned=False),
    ...                      Tie(cls="Forum", relation="forum", dates={D.parse("2015/2016")}, planned=False),
    ...                      Tie(cls="Visit", relation="visit", dates=set(), planned=False)]):
    ...     print(row)
    {'year': 2015, 'agreement': 1, 'forum': 0, 'visit': 0, 'total': 1, 'uncertain': 1, 'planned': 0}
    {'year': 2016, 'agreement': 0, 'forum': 0, 'visit': 0, 'total': 0, 'uncertain': 1, 'planned': 0}
    {'year': 'undated', 'agreement': 0, 'forum': 0, 'visit': 1, 'total': 1, 'uncertain': 0, 'planned': 0}
    """
    certain: dict[int, Counter[str]] = defaultdict(Counter)
    planned: Counter[int] = Counter()
    vague: list[tuple[dt.date, dt.date]] = []
    undated: Counter[str] = Counter()
    for tie in ties:
        if tie.cls == "ForumSeries" or getattr(tie, "dyadic", False):  # a relation between actors is no event
            continue
        bounds = span(tie.dates)
        if bounds is None:
            undated[tie.relation] += 1
        elif bounds[0].year != bounds[1].year:
            vague.append(bounds)
        elif tie.planned:
            planned[bounds[0].year] += 1
        else:
            certain[bounds[0].year][tie.relation] += 1
    years = set(certain) | set(planned) | {y for a, b in vague for y in (a.year, b.year) if 1 < y < 9999}
    out = []
    for year in range(min(years), max(years) + 1) if years else ():
        c = certain[year]
        overlapping = sum(a.year <= year <= b.year for a, b in vague)
        if c or overlapping or planned[year]:
            out.append({"year": year, "agreement": c["agreement"], "forum": c["forum"], "visit": c["visit"],
                        "total": sum(c.values()), "uncertain": overlapping, "planned": planned[year]})
    out.append({"year": "undated", "agreement": undated["agreement"], "forum": undated["forum"],
                "visit": undated["visit"], "total": sum(undated.values()), "uncertain": 0, "planned": 0})
    return out
