"""Duchacek's typology of paradiplomatic ties: transborder, transregional, global.

Paradiplomacy is the foreign activity of *subnational* governments (Duchacek 1990, as
summarised by Rustamova & Calderón Antón 2025, seed 004: "transborder", "transregional —
counterparts in non-contiguous or distant regions", "global — actors and institutions
worldwide"). So a tie is paradiplomatic only when at least one party is subnational: a
Region, District or City, or a body or office-holder that rolls up to one. Both ends are
first rolled up to their first-level unit (see :func:`graph.project.rollup`); then

- **transborder**: the two units are regions of different states that share a border
  with each other (a ``borders`` fact between the two regions themselves);
- **transregional**: regions of different states that do not share a border;
- **global**: a subnational party with a foreign state, a foreign central body or
  office-holder, or an international organisation;
- **domestic**: both ends in one state (not cross-border paradiplomacy);
- **interstate**: no subnational party, only states, central bodies, office-holders and
  international organisations (head of state to head of state, parliament to parliament);
- **non-governmental**: no subnational party, and a company, university, NGO or the like;
  also a company's (or any non-governmental party's) ``supplies``, ``operates_in`` or
  ``joint_venture_of`` tie, whoever the other party is (:data:`ECONOMIC`): trade and
  investment are not paradiplomacy;
- **unclassified**: a country or the foreign partner's region is unknown.

Shares are taken among the three paradiplomatic kinds only (:data:`CROSS_BORDER`).

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

from .periods import dating, period_label

__all__ = ["CROSS_BORDER", "ECONOMIC", "INSTRUMENTS", "PAIR_COLUMNS", "RULES", "TIE_KINDS", "classify", "classify_pair",
           "instrument_of", "typology"]

#: The columns of :func:`typology`'s ``pairs``, in order.
PAIR_COLUMNS = ["tie", "relation", "date", "dating", "period", "a", "b", "region_a", "region_b", "kind", "rule"]

CROSS_BORDER = ("transborder", "transregional", "global")  # the paradiplomatic kinds; shares among these
TIE_KINDS = (*CROSS_BORDER, "domestic", "interstate", "non-governmental", "unclassified")
TERRITORIAL = frozenset({"Region", "District", "City"})
OFFICIAL = frozenset({"State", "ExecutiveBody", "Legislature", "Person", "DiplomaticMission"})
INTERNATIONAL = "InternationalOrganisation"

RULES = {  # rule id → the sentence that decided, as printed in ``typology --pairs``
    "regions-share-a-border": "subnational; regions of two states that share a border",
    "regions-not-adjacent": "subnational; regions of two states that share no border",
    "with-international-organisation": "subnational with an international organisation",
    "with-foreign-central": "subnational with a foreign state or central body",
    "one-state": "both ends in one state",
    "no-subnational-official": "no subnational party; states, central bodies or international organisations",
    "no-subnational-non-governmental": "no subnational party; a non-governmental party",
    "country-unknown": "a country is unknown",
    "partner-region-unknown": "subnational with a foreign organisation placed in no region",
    "economic-relation": "a company's supplies, operations or joint venture: an economic tie, not paradiplomacy",
}
#: Relations between actors that are economic, not paradiplomatic, when a party is not a government
#: (a company, university, NGO): such a tie is ``non-governmental`` whoever the other party is.
ECONOMIC = frozenset({"supplies", "operates_in", "joint_venture_of"})
_KIND_OF_RULE = {"regions-share-a-border": "transborder", "regions-not-adjacent": "transregional",
                 "with-international-organisation": "global", "with-foreign-central": "global",
                 "one-state": "domestic", "no-subnational-official": "interstate",
                 "no-subnational-non-governmental": "non-governmental", "country-unknown": "unclassified",
                 "partner-region-unknown": "unclassified", "economic-relation": "non-governmental"}
_PRECEDENCE = {k: i for i, k in enumerate(TIE_KINDS)}


def _role(actor: dict[str, str], unit: dict[str, str]) -> str:
    """``subnational``, ``central``, ``international``, ``non-governmental`` or ``placed``
    (an organisation rolled up to a region) for one end of a tie."""
    t, ut = actor.get("type") or unit.get("type", ""), unit.get("type", "")
    if t == INTERNATIONAL or ut == INTERNATIONAL:
        return "international"
    if t in TERRITORIAL or (t in OFFICIAL and ut in TERRITORIAL):
        return "subnational"
    if t in OFFICIAL:
        return "central"
    return "placed" if ut in TERRITORIAL else "non-governmental"


INSTRUMENTS = ("paradiplomatic", "national-framework", "external-context", "non-governmental")
NATIONAL = frozenset({"russia", "kazakhstan"})  # whose central acts frame the regions' cooperation
STATE_ACTS = frozenset({"LegalAct", "Convention"})


def instrument_of(cls: str, signatories: Iterable[str], info: dict[str, dict[str, str]],
                  unit: dict[str, str]) -> str:
    """What an agreement-like record is for the analysis, from its signatories and type.

    ``paradiplomatic`` (an instrument): a signatory is subnational or rolls up to a region
    (``unit``: actor → its region, as ``graph.project.rollup`` gives; same roles as the
    typology); ``national-framework``: no such signatory and one of Russia's or
    Kazakhstan's (a federal law, a government order, a treaty between states);
    ``non-governmental``: signed only by companies, NGOs or universities placed in no
    region (UTair and Kazaviaspas); ``external-context``: signed only by third states, their
    office-holders or organisations (a foreign sanctions act, an EU decision). A record
    that names no signatory is a ``national-framework`` when it is a LegalAct or Convention,
    else ``paradiplomatic`` (the papers cite regions' memoranda without printing the
    parties). A record's own ``instrument`` field, and for an unsigned record the instrument
    of the act it ``implements``, come first (see :func:`graph.project.ties`).

    >>> info = {"omsk-oblast": {"type": "Region", "country": "russia"},
    ...         "russia": {"type": "State", "country": "russia"},
    ...         "european-union": {"type": "InternationalOrganisation", "country": ""}}
    >>> unit = {a: a for a in info}
    >>> [instrument_of(c, s, info, unit) for c, s in (("Agreement", ["omsk-oblast", "russia"]),
    ...     ("LegalAct", ["russia"]), ("LegalAct", ["european-union"]), ("Convention", []))]
    ['paradiplomatic', 'national-framework', 'external-context', 'national-framework']
    >>> instrument_of("Agreement", ["utair"], {"utair": {"type": "Company", "country": "russia"}}, {})
    'non-governmental'
    """
    signed = sorted(set(signatories))
    if not signed:
        return "national-framework" if cls in STATE_ACTS else "paradiplomatic"
    roles = {_role(info.get(s, {}), info.get(unit.get(s, s), {})) for s in signed}
    if roles & {"subnational", "placed"}:
        return "paradiplomatic"
    if roles == {"non-governmental"}:
        return "non-governmental"
    if any(info.get(s, {}).get("country", "") in NATIONAL for s in signed):
        return "national-framework"
    return "external-context"


def classify(a: dict[str, str], b: dict[str, str], unit_a: dict[str, str], unit_b: dict[str, str],
             adjacent: bool) -> str:
    """The rule (a key of :data:`RULES`) that decides a tie between actors ``a`` and ``b``.

    Each argument is a ``{"type", "country"}`` dict: the two actors, then the first-level
    units they roll up to (the actor itself when it rolls up to nothing); ``adjacent``: the
    two units share a border.

    Examples
    --------
    >>> city, region = {"type": "City", "country": "russia"}, {"type": "Region", "country": "russia"}
    >>> mogilev = {"type": "Region", "country": "belarus"}
    >>> classify(city, {"type": "City", "country": "belarus"}, region, mogilev, adjacent=False)
    'regions-not-adjacent'
    >>> putin, tokayev = {"type": "Person", "country": "russia"}, {"type": "Person", "country": "kazakhstan"}
    >>> classify(putin, tokayev, {"type": "State", "country": "russia"}, {"type": "State", "country": "kazakhstan"}, False)
    'no-subnational-official'
    """
    ra, rb = _role(a, unit_a), _role(b, unit_b)
    ca = unit_a.get("country") or a.get("country", "")
    cb = unit_b.get("country") or b.get("country", "")
    if "subnational" not in (ra, rb):
        if ca and ca == cb and "international" not in (ra, rb):
            return "one-state"
        if "non-governmental" in (ra, rb) or "placed" in (ra, rb):
            return "no-subnational-non-governmental"
        known = all(r == "international" or c for r, c in ((ra, ca), (rb, cb)))
        return "no-subnational-official" if known else "country-unknown"
    other = rb if ra == "subnational" else ra
    if other == "international":
        return "with-international-organisation"
    if not ca or not cb:
        return "country-unknown"
    if ca == cb:
        return "one-state"
    if other == "central":
        return "with-foreign-central"
    if other == "non-governmental":
        return "partner-region-unknown"
    return "regions-share-a-border" if adjacent else "regions-not-adjacent"


def classify_pair(a: dict[str, str], b: dict[str, str], adjacent: bool) -> str:
    """Duchacek's kind of a tie between two units already rolled up (each its own actor).

    Examples
    --------
    >>> omsk = {"type": "Region", "country": "russia"}
    >>> pavlodar = {"type": "Region", "country": "kazakhstan"}
    >>> classify_pair(omsk, pavlodar, adjacent=True), classify_pair(omsk, pavlodar, adjacent=False)
    ('transborder', 'transregional')
    """
    return _KIND_OF_RULE[classify(a, b, a, b, adjacent)]


def typology(ties: Iterable[Any], info: dict[str, dict[str, str]], unit: dict[str, str],
             borders: set[frozenset[str]], periods: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """Classify every tie (see :func:`classify`) and give the shares of the paradiplomatic kinds.

    Parameters
    ----------
    ties : iterable of graph.project.Tie
        Anything with ``id``, ``relation``, ``dates`` (EDTF) and ``pairs()`` (the actor pairs linked).
    info : dict
        Actor id → ``{"type", "country"}`` (units included).
    unit : dict
        Actor id → its first-level unit (an actor missing here is its own unit).
    borders : set of frozenset
        Pairs of units that share a border.
    periods : list of (int, int), optional
        Count shares per period: a tie counts in a period when its dates lie inside it
        (:func:`graph.analysis.periods.dating`); one that only overlaps a period is counted
        there as ``uncertain``, and undated ties get a last row ``undated``.

    Returns
    -------
    dict
        ``pairs``: one row per tie and pair of distinct units it links: ``tie``,
        ``relation``, ``date`` (the EDTF dates sources give, ``; ``-separated), ``dating``
        (``certain``, ``uncertain``, ``undated`` or ``outside``), ``period`` (the period it lies
        in; for an uncertain tie the periods it overlaps, space-separated), ``a``, ``b`` (the actors), ``region_a``,
        ``region_b`` (their units), ``kind`` and ``rule`` (a key of :data:`RULES`); when several
        actor pairs of one tie fall on one unit pair, the most paradiplomatic one is kept.
        ``shares``: per period (``all`` without periods, every tie), the count of every kind
        among the ties certainly in it and the share of each of :data:`CROSS_BORDER` among
        those three only (``None`` when none), and ``uncertain``: the pairs that only overlap
        the period (in no count); with periods, a last row ``undated`` counts the undated ties.

    Examples
    --------
    >>> from types import SimpleNamespace as Tie
    >>> info = {"omsk": {"type": "Region", "country": "russia"},
    ...         "pavlodar": {"type": "Region", "country": "kazakhstan"}}
    >>> tie = Tie(id="t1", relation="visit", dates=set(), pairs=lambda: [("omsk-govt", "pavlodar")])
    >>> result = typology([tie], info, {"omsk-govt": "omsk"}, {frozenset({"omsk", "pavlodar"})})
    >>> result["pairs"][0]["kind"], result["pairs"][0]["region_a"], result["shares"][0]["transborder share"]
    ('transborder', 'omsk', 1.0)
    """
    rows = _classified_pairs(ties, info, unit, borders, periods)
    labels = [period_label(p) for p in periods] + ["undated"] if periods else ["all"]
    return {"pairs": rows, "shares": [_shares(rows, label) for label in labels]}


def _classified_pairs(ties: Iterable[Any], info: dict[str, dict[str, str]], unit: dict[str, str],
                      borders: set[frozenset[str]], periods: list[tuple[int, int]] | None) -> list[dict[str, Any]]:
    """One row per tie and pair of distinct units it links, with the pair's kind and period."""
    rows = []
    for tie in ties:
        best: dict[tuple[str, str], dict[str, Any]] = {}
        for x, y in sorted(tuple(sorted(p)) for p in tie.pairs()):
            ux, uy = unit.get(x, x), unit.get(y, y)
            if ux == uy:
                continue
            if ux > uy:
                x, y, ux, uy = y, x, uy, ux
            roles = {_role(info.get(x, {}), info.get(ux, {})), _role(info.get(y, {}), info.get(uy, {}))}
            if tie.relation in ECONOMIC and roles & {"placed", "non-governmental"}:
                rule = "economic-relation"
            else:
                rule = classify(info.get(x, {}), info.get(y, {}), info.get(ux, {}), info.get(uy, {}),
                                frozenset((ux, uy)) in borders)
            how, labels = dating(tie.dates, periods) if periods else ("undated" if not tie.dates else "", ["all"])
            row = {"tie": tie.id, "relation": tie.relation, "date": "; ".join(sorted(str(d) for d in tie.dates)),
                   "dating": how or "certain", "period": " ".join(labels) if periods else "all",
                   "a": x, "b": y, "region_a": ux, "region_b": uy, "kind": _KIND_OF_RULE[rule], "rule": rule}
            old = best.get((ux, uy))
            if old is None or _PRECEDENCE[row["kind"]] < _PRECEDENCE[old["kind"]]:
                best[(ux, uy)] = row
        rows += [best[k] for k in sorted(best)]
    return rows


def _shares(rows: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Count of each kind in period ``label``, and each paradiplomatic kind's share among
    the three (4 decimals)."""
    if label == "undated":
        c = Counter(r["kind"] for r in rows if r["dating"] == "undated")
    else:
        c = Counter(r["kind"] for r in rows if r["period"] == label)
    cross = sum(c[k] for k in CROSS_BORDER)
    row: dict[str, Any] = {"period": label}
    for k in TIE_KINDS:
        row[k] = c[k]
    for k in CROSS_BORDER:
        row[f"{k} share"] = round(c[k] / cross, 4) if cross else None
    row["uncertain"] = sum(r["dating"] == "uncertain" and label in r["period"].split() for r in rows)
    return row
