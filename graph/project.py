"""RDF → NetworkX: the actor–actor network, read from the store with SPARQL.

Two actors are tied when they co-sign an agreement (``agreement``), take part
in the same forum or event (``forum``: hosts and participants) or project
(``project``: participants), or when one's delegation visits the other (``visit``:
visitors → hosts); founders, proposers and leaders of such a record, and members of a
forum, take part in its tie. A relation an actor's record states of another actor
(:data:`LINKS`: ``supplies``, ``operates_in``, ``member_of``, ...) is a tie of its own,
named after its field, its evidence that record. Each edge keeps
``weight`` (number of ties, a strength), ``distance`` (``1 / weight``, for
shortest paths and betweenness), its ``relations`` and its ``evidence`` (the
agreement and event ids). Nodes and edges are added in sorted order, so seeded
algorithms give the same answer on every run.

Which papers count (``Filters.sources``, ``Filters.exclude_sources``; the CLI's
``--source`` and ``--exclude-source``): every paper has its own named graph, and
a tie, as a set of papers sees it, is what *their* graphs state of it: its
members (signatories, hosts, participants, visitors), its dates and its sectors.
Under a source filter a tie counts only when an admitted paper states at least
one of its members; ``--exclude-source S`` thus keeps a tie that another paper
also states (with that paper's members and dates). The general-knowledge graph
(coordinates, borders, hierarchy) never makes a tie under a source filter, and
actors' descriptions (labels, types, roll-up) are read from every graph.

Examples
--------
>>> from graph import open_graph
>>> g = actor_graph(open_graph().store)
>>> g.has_edge("omsk-oblast", "pavlodar-oblast")
True
"""

from __future__ import annotations

import contextvars
import itertools
from collections import ChainMap, defaultdict
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache

import pyoxigraph as ox

from .analysis.periods import within
from .analysis.typology import instrument_of
from .rdf import GRAPH, ID, ONTOLOGY_GRAPH, PD, PREFIXES
from .records import FIELDS, GENERAL_KNOWLEDGE, PartialDate
from .lazy import lazy

nx = lazy("networkx")

__all__ = ["Filters", "Tie", "instrument_of", "UnknownSource", "papers", "source_graphs", "ties", "reference_only", "leave_one_out", "paper_sizes", "actors", "rollup", "borders", "actor_graph", "bipartite_graph",
           "record_details", "sector_tops", "geo_anchors",
           "same_answers", "EVENTS", "RELATIONS", "LINKS", "LEVELS", "PROJECTIONS"]

#: Relations stated on an actor's record that tie it to each actor they name (fields of
#: :data:`graph.records.FIELDS`); ``founded_by``, ``proposed_by`` and ``led_by`` on an agreement,
#: forum or project, and ``member_of`` a forum, make the actors members of that record's tie instead.
LINKS = ("supplies", "operates_in", "joint_venture_of", "founded_by", "member_of", "proposed_by", "led_by")
#: The ties of paradiplomatic activity, which count unless ``--relations`` says otherwise: an
#: actor's stated links (:data:`LINKS`: who supplies whom, who operates where, …) are economic or
#: organisational facts, counted only on request (``--relations all`` or by name), so that a
#: state many firms sell to does not lead a network of agreements, forums and visits.
EVENTS = ("agreement", "forum", "visit", "project")
RELATIONS = (*EVENTS, *LINKS)
#: Record fields whose actors join the tie of the record (role ``member``), by property.
_JOINING = ("foundedBy", "proposedBy", "ledBy")
LEVELS = ("actor", "region", "country")
PROJECTIONS = ("actor", "actor-agreement", "actor-forum", "actor-sector")


@dataclass(frozen=True)
class Filters:
    """Which ties count (years, inclusive, by date signed or held: a tie counts when its date
    lies inside the range, see :meth:`admits_dates`; sectors; relations; the
    papers that state them: ``sources`` only these, ``exclude_sources`` all but these; with
    ``exclude_references``, not a tie whose every attestation is a reference-list entry) and
    which actors are kept (countries, types; applied to the nodes after any roll-up)."""

    since: int | None = None
    until: int | None = None
    sectors: tuple[str, ...] = ()
    relations: tuple[str, ...] = EVENTS
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    exclude_sources: tuple[str, ...] = ()
    instruments: str = "paradiplomatic"  # or "all": also national frameworks and external context
    exclude_references: bool = False  # leave out ties attested only by reference-list entries

    def admits_instrument(self, tie: Tie) -> bool:
        """Whether a tie counts: forums and visits always; an agreement-like record, by default,
        only when it is a paradiplomatic instrument (see :func:`graph.analysis.typology.instrument_of`)."""
        return self.instruments == "all" or tie.relation != "agreement" or tie.instrument == "paradiplomatic"

    @property
    def by_source(self) -> bool:
        """Whether a source filter is given (ties are then read graph by graph)."""
        return bool(self.sources or self.exclude_sources)

    def admits_actor(self, info: dict[str, str]) -> bool:
        """Whether an actor (``country``, ``type``) passes the country and type filters."""
        return (not self.countries or info.get("country", "") in self.countries) and \
               (not self.types or info.get("type", "") in self.types)

    def admits_dates(self, dates: frozenset[PartialDate]) -> bool:
        """Whether a tie's dates lie inside ``since``–``until`` (from 1 January of ``since`` to
        31 December of ``until``); undated ties only pass without bounds.

        Every date a source gives must lie inside, with its whole EDTF span (``2024~`` is 2023
        to 2025): a tie dated vaguely across a bound, or dated differently by two sources on
        either side of it, is left out (period analyses count it as *uncertain*).
        """
        if self.since is None and self.until is None:
            return True
        return within(dates, (self.since or 1, self.until or 9999))


@dataclass(frozen=True)
class Tie:
    """One agreement, event, visit or project linking actors, or one relation an actor's record
    states (``supplies``, ``member_of``, ...: see :data:`LINKS`; its ``id`` is that record's)."""

    id: str
    relation: str  # agreement, forum, visit, project, or one of LINKS
    dates: frozenset[PartialDate]  # every date a source gives (sources may disagree)
    sectors: frozenset[str]
    members: tuple[str, ...]  # for visits: visitors first
    visitors: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    cls: str = ""  # ontology class, e.g. Memorandum, ForumEdition
    instrument: str = ""  # agreements: paradiplomatic, national-framework or external-context
    planned: bool = False  # status planned: announced, not (yet) signed or held
    dyadic: bool = False  # a relation of LINKS between two actors: not an event, never dated

    @property
    def years(self) -> frozenset[int]:
        """The calendar years the tie is certainly in: of each date that lies inside one year."""
        return frozenset(d.first_day().year for d in self.dates if d.first_day().year == d.last_day().year)

    def pairs(self) -> list[tuple[str, str]]:
        """Actor pairs this tie links (visitor → host for visits)."""
        if self.relation == "visit":
            return sorted({(v, h) for v in self.visitors for h in self.hosts if v != h})
        return list(itertools.combinations(sorted(set(self.members)), 2))


#: a date literal's text → its :class:`PartialDate` (EDTF parsing is slow; a dataset repeats dates)
_parse_date = lru_cache(maxsize=65536)(PartialDate.parse)


def _local(term: ox.NamedNode) -> str:
    return term.value[len(ID):] if term.value.startswith(ID) else term.value


#: (id of a store, query) → (the store, its rows), inside :func:`same_answers`
_ANSWERS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("answers", default=None)


@contextmanager
def same_answers():
    """Inside, each query of this module runs once per store: one that asks it again gets the rows
    it got (the store must not change meanwhile). A report builds some 10 networks, and
    :func:`leave_one_out` one per paper, from the same few queries."""
    if _ANSWERS.get() is not None:
        yield
        return
    token = _ANSWERS.set({})
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def _select(store: ox.Store, query: str) -> list[dict[str, ox.NamedNode | ox.Literal | None]]:
    memo = _ANSWERS.get()
    if memo is not None and (id(store), query) in memo:
        return memo[(id(store), query)][1]
    answer = store.query(query, prefixes=PREFIXES)
    names = [v.value for v in answer.variables]
    rows = [{n: s[n] for n in names} for s in answer]
    if memo is not None:
        memo[(id(store), query)] = (store, rows)  # the store kept, so that its id is not reused
    return rows


def _sector_closure(store: ox.Store) -> dict[str, set[str]]:
    """Sector → itself and every broader sector (so filtering by a sector takes its narrower terms)."""
    up: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?s ?b WHERE { ?s skos:broader+ ?b }"):
        up[_local(row["s"])].add(_local(row["b"]))
    return up


class UnknownSource(ValueError):
    """A ``--source`` / ``--exclude-source`` id that names no paper of the dataset."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


def papers(store: ox.Store) -> list[str]:
    """Ids of the papers that have a named graph in the store, sorted (not general-knowledge,
    not the ontology). A store read from a remote endpoint keeps no named graphs: none."""
    skip = {ONTOLOGY_GRAPH, GRAPH + GENERAL_KNOWLEDGE}
    return sorted(g.value[len(GRAPH):] for g in store.named_graphs()
                  if g.value.startswith(GRAPH) and g.value not in skip)


def source_graphs(store: ox.Store, filters: Filters) -> frozenset[str] | None:
    """The named graphs (IRIs) whose statements make ties under ``filters``; ``None`` when
    no source filter is given (every statement counts, read from the union).

    Raises :class:`UnknownSource` for an id that names no paper, listing the known ones.
    """
    if not filters.by_source:
        return None
    known = papers(store)
    for option, ids in (("--source", filters.sources), ("--exclude-source", filters.exclude_sources)):
        bad = [i for i in ids if i not in known]
        if bad:
            raise UnknownSource(f"unknown source {bad[0]!r}; known sources: "
                                f"{', '.join(known) or '(none: this store keeps no named graphs)'}", option)
    return frozenset(GRAPH + p for p in known
                     if (not filters.sources or p in filters.sources) and p not in filters.exclude_sources)


def _stated(store: ox.Store, pattern: str, scope: frozenset[str] | None, where: str = "") -> list[dict]:
    """Rows of ``pattern`` (with ``where`` around it read from the union): from the union when
    ``scope`` is ``None``, else only as the graphs in ``scope`` state it."""
    if scope is None:
        return _select(store, f"SELECT * WHERE {{ {where} {pattern} }}")
    rows = _select(store, f"SELECT * WHERE {{ {where} GRAPH ?g {{ {pattern} }} }}")
    return [r for r in rows if r["g"].value in scope]


def _members(store: ox.Store, scope: frozenset[str] | None) -> dict[str, dict[str, set[str]]]:
    """Record id → role → the actors the graphs of ``scope`` (or all) state in that role:
    signatories, hosts, participants (of forums and projects), visitors, and ``member``: the
    founders, proposers and leaders of the record, and the actors ``member_of`` a forum."""
    members: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for top, prop, role in (("Agreement", "signatory", "signatory"), ("Forum", "host", "host"),
                            ("Forum", "participant", "participant"), ("Forum", "visitor", "visitor"),
                            ("Project", "participant", "participant"),
                            *(("Record", prop, "member") for prop in _JOINING)):
        where = ("VALUES ?top { pd:Agreement pd:Forum pd:Project } ?x a/rdfs:subClassOf* ?top ." if top == "Record"
                 else f"?x a/rdfs:subClassOf* pd:{top} .")
        for row in _stated(store, f"?x pd:{prop} ?a", scope, where):
            members[_local(row["x"])][role].add(_local(row["a"]))
    for row in _stated(store, "?a pd:memberOf ?x", scope, "?x a/rdfs:subClassOf* pd:Forum ."):
        members[_local(row["x"])]["member"].add(_local(row["a"]))
    return members


def _record_classes(store: ox.Store) -> tuple[dict[str, str], dict[str, str]]:
    """Record id → its relation (agreement, forum, visit, project), and → its most specific class."""
    kind: dict[str, str] = {}
    classes: dict[str, str] = {}
    tops = {"Agreement": "agreement", "Forum": "forum", "Project": "project"}
    values = " ".join(f"pd:{top}" for top in tops)
    for row in _select(store, f"""
        SELECT ?x ?t ?top WHERE {{ ?x a ?t . ?t rdfs:subClassOf* ?top . VALUES ?top {{ {values} }}
                                  FILTER(STRSTARTS(STR(?t), STR(pd:))) }}"""):
        x, t = _local(row["x"]), row["t"].value[len(PD):]
        if t == "DelegationVisit":
            kind[x] = "visit"
        elif x not in kind or t not in tops:  # the most specific class wins
            kind[x] = tops[row["top"].value[len(PD):]]
        if t not in tops or x not in classes:
            classes[x] = t
    return kind, classes


def _links(store: ox.Store, scope: frozenset[str] | None, hidden: frozenset[str],
           relations: tuple[str, ...]) -> list[Tie]:
    """The :data:`LINKS` an actor's record states of another actor, one dyadic tie each (its id
    the stating record's, its class that actor's type), as the graphs of ``scope`` state them."""
    out = []
    for name in (r for r in LINKS if r in relations):
        rows = _stated(store, f"?a pd:{FIELDS[name].prop} ?b", scope,
                       "?a a/rdfs:subClassOf* pd:Actor . ?b a/rdfs:subClassOf* pd:Actor .")
        for a, b in sorted({(_local(r["a"]), _local(r["b"])) for r in rows}):
            if a != b and a not in hidden:
                out.append(Tie(a, name, frozenset(), frozenset(), (a, b), dyadic=True))
    return out


def ties(store: ox.Store, filters: Filters = Filters()) -> list[Tie]:
    """Every agreement, event, visit and project with its members (possibly none), and every
    relation of :data:`LINKS` between two actors, filtered, sorted by id (then relation and members).

    With a source filter (see the module's docstring), members, dates and sectors are those
    the admitted papers state, and a tie none of them gives a member of is left out.
    """
    scope = source_graphs(store, filters)
    members = _members(store, scope)
    kind, classes = _record_classes(store)
    dates: dict[str, set[PartialDate]] = defaultdict(set)
    sectors: dict[str, set[str]] = defaultdict(set)
    for row in _stated(store, "?x pd:date ?d", scope):
        dates[_local(row["x"])].add(_parse_date(row["d"].value))
    planned = {_local(row["x"]) for row in _stated(store, '?x pd:status "planned"', scope)}
    for row in _stated(store, "?x pd:sector ?s", scope):
        sectors[_local(row["x"])].add(_local(row["s"]))
    if scope is not None:
        kind = {x: k for x, k in kind.items() if x in members}
    wanted = set(filters.sectors)
    up = _sector_closure(store) if wanted else {}
    instrument = _instruments(store, classes, members)
    hidden = reference_only(store, scope) if filters.exclude_references else frozenset()
    out = []
    for x in sorted(kind):
        rel = kind[x]
        span = frozenset(dates.get(x, ()))
        if rel not in filters.relations or not filters.admits_dates(span) or x in hidden:
            continue
        if wanted and not any(({s} | up.get(s, set())) & wanted for s in sectors[x]):
            continue
        m = members[x]
        if rel == "visit":  # a delegation's leader travels with it
            visitors = m["visitor"] | m["member"]
            tie = Tie(x, rel, span, frozenset(sectors[x]),
                      tuple(sorted(visitors)) + tuple(sorted(m["host"] - visitors)),
                      tuple(sorted(visitors)), tuple(sorted(m["host"] | m["participant"])), classes[x],
                      planned=x in planned)
        else:
            tie = Tie(x, rel, span, frozenset(sectors[x]),
                      tuple(sorted(m["signatory"] | m["host"] | m["participant"] | m["member"])), cls=classes[x],
                      instrument=instrument(x) if rel == "agreement" else "",
                      planned=x in planned)
        if filters.admits_instrument(tie):
            out.append(tie)
    if not wanted and filters.since is None and filters.until is None:  # links have no sector or date
        out += _links(store, scope, hidden, filters.relations)
    return sorted(out, key=lambda t: (t.id, t.relation, t.members))


def reference_only(store: ox.Store, scope: frozenset[str] | None = None) -> frozenset[str]:
    """Ids of the records every attestation of which (in the graphs of ``scope``, or all) is an
    entry of a paper's reference list (``pd:evidenceKind "reference"``).

    Examples
    --------
    >>> from graph.store import open_graph
    >>> only = reference_only(open_graph().store)
    >>> "irtysh-river-of-friendship-forum-2025" in only, "utair-kazaviaspas-emergency-assistance-agreement" in only
    (True, False)
    """
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in _stated(store, "?x pd:evidence ?a . ?a pd:evidenceKind ?k", scope):
        kinds[_local(row["x"])].add(row["k"].value)
    return frozenset(x for x, k in kinds.items() if k == {"reference"})


def _instruments(store: ox.Store, classes: dict[str, str], members: dict[str, dict[str, set[str]]]):
    """A function record id → its instrument facet: the record's own ``instrument`` field;
    else, when it names no signatory, that of the act it ``implements``; else
    :func:`graph.analysis.typology.instrument_of` of its class and signatories."""
    info = actors(store)
    unit = rollup(store, info, "region")
    declared: dict[str, str] = {}
    for row in _select(store, "SELECT ?x ?v WHERE { ?x pd:instrument ?v } ORDER BY ?x ?v"):
        declared.setdefault(_local(row["x"]), row["v"].value)
    implements: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, "SELECT ?x ?y WHERE { ?x pd:implements ?y } ORDER BY ?x ?y"):
        implements[_local(row["x"])].append(_local(row["y"]))

    def of(x: str, seen: frozenset[str] = frozenset()) -> str:
        if x in declared:
            return declared[x]
        signed = members[x]["signatory"]
        for y in [] if signed else implements.get(x, []):
            if y not in seen and y in classes:
                return of(y, seen | {x})
        return instrument_of(classes.get(x, ""), signed, info, unit)
    return of


def actors(store: ox.Store) -> dict[str, dict[str, str]]:
    """Actor id → ``label`` (English), ``label_orig`` (Russian / Kazakh), ``type``, ``country``,
    ``region``, ``lat``, ``lon``; one value each, chosen deterministically (smallest)."""
    out: dict[str, dict[str, str]] = {}
    for row in _select(store, """
        SELECT ?a (MIN(?t) AS ?type) (MIN(?en) AS ?label) (MIN(?ru) AS ?label_ru) (MIN(?kk) AS ?label_kk)
               (MIN(?c) AS ?country) (MIN(?la) AS ?lat) (MIN(?lo) AS ?lon) WHERE {
          ?a a ?t . ?t rdfs:subClassOf* pd:Actor . FILTER(STRSTARTS(STR(?t), STR(pd:)))
          OPTIONAL { ?a rdfs:label ?en . FILTER(LANGMATCHES(LANG(?en), "en")) }
          OPTIONAL { ?a rdfs:label ?ru . FILTER(LANG(?ru) = "ru") }
          OPTIONAL { ?a rdfs:label ?kk . FILTER(LANG(?kk) = "kk") }
          OPTIONAL { ?a pd:country ?c }
          OPTIONAL { ?a geo:lat ?la ; geo:long ?lo }
        } GROUP BY ?a"""):
        aid = _local(row["a"])
        out[aid] = {
            "label": row["label"].value if row["label"] else aid,
            "label_orig": " / ".join(row[k].value for k in ("label_ru", "label_kk") if row[k]),
            "type": row["type"].value[len(PD):],
            "country": _local(row["country"]) if row["country"] else "",
            "lat": row["lat"].value if row["lat"] else "",
            "lon": row["lon"].value if row["lon"] else "",
        }
    for aid, info in out.items():
        if info["type"] == "State" and not info["country"]:
            info["country"] = aid
    return out


def borders(store: ox.Store) -> set[frozenset[str]]:
    """Pairs of territories that share a border (either direction stated)."""
    return {frozenset((_local(r["a"]), _local(r["b"])))
            for r in _select(store, "SELECT ?a ?b WHERE { ?a pd:sharesBorderWith ?b }")}


GOVERNMENTAL = frozenset({"ExecutiveBody", "Legislature", "Person", "DiplomaticMission"})


def rollup(store: ox.Store, info: dict[str, dict[str, str]], level: str) -> dict[str, str]:
    """Actor → the region (or country) it rolls up to; itself when nothing is known.

    ``region``: the first first-level unit reached — a Region, or a City placed directly in
    a State (a city of republican or federal significance: Almaty, Astana, Bishkek).
    Companies, universities and other organisations follow ``locatedIn`` first, then
    ``partOf`` and ``governs``; bodies and office-holders (:data:`GOVERNMENTAL`) follow
    ``governs`` and ``partOf`` only (their seat is not their jurisdiction), and a body that
    reaches no region is central: it rolls up to its State. ``country``: the first State.
    """
    if level == "actor":
        return {a: a for a in info}
    parent: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _select(store, """
        SELECT ?a ?r ?p WHERE { VALUES ?r { pd:governs pd:partOf pd:locatedIn } ?a ?r ?p } ORDER BY ?a ?r ?p"""):
        parent[_local(row["a"])][row["r"].value.rsplit("#", 1)[-1]].append(_local(row["p"]))

    def kind(x: str) -> str:
        return info.get(x, {}).get("type", "")

    def parents(x: str) -> list[str]:
        p = parent.get(x, {})
        if kind(x) in GOVERNMENTAL:
            return p.get("governs", []) + p.get("partOf", [])
        return p.get("locatedIn", []) + p.get("partOf", []) + p.get("governs", [])

    def is_unit(x: str) -> bool:
        if level == "country":
            return kind(x) == "State"
        return kind(x) in ("Region", "State") or (
            kind(x) == "City" and any(kind(p) == "State" for p in parents(x)))

    def climb(a: str) -> str:
        seen, stack = {a}, [a]
        while stack:  # depth first, in the order of parents(): a branch's own city before its parent's
            x = stack.pop(0)
            if is_unit(x):
                return x
            nxt = [p for p in parents(x) if p not in seen]
            seen.update(nxt)
            stack = nxt + stack
        country = info.get(a, {}).get("country", "")
        if country and (level == "country" or kind(a) in GOVERNMENTAL):
            return country
        return a

    return {a: climb(a) for a in sorted(info)}


def actor_graph(store: ox.Store, filters: Filters = Filters(), level: str = "actor") -> nx.Graph:
    """The actor–actor network (undirected), with nodes and edges in sorted order.

    Parameters
    ----------
    store
        The built dataset.
    filters
        Years, sectors and relations that count.
    level
        ``actor``; ``region`` rolls bodies, cities and companies up to their region;
        ``country`` rolls everything up to its state. Ties inside one unit vanish.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    info = actors(store)
    unit = rollup(store, info, level)
    edges: dict[tuple[str, str], dict] = {}
    for tie in ties(store, filters):
        pairs = {(unit.get(a, a), unit.get(b, b)) for a, b in tie.pairs()}
        for ua, ub in sorted(pairs):  # one tie adds at most 1 to a pair, whatever the level
            if ua == ub:
                continue
            key = (min(ua, ub), max(ua, ub))
            e = edges.setdefault(key, {"weight": 0, "relations": set(), "evidence": set(), "visits": [],
                                       "sectors": set(), "years": set(), "dates": set()})
            e["weight"] += 1
            e["relations"].add(tie.relation)
            e["evidence"].add(tie.id)
            e["sectors"] |= tie.sectors
            e["years"] |= tie.years
            e["dates"] |= {str(d) for d in tie.dates}
            if tie.relation == "visit":
                e["visits"].append(f"{ua}->{ub}:{tie.id}")
    g = nx.Graph(level=level)
    keep = {n for key in edges for n in key
            if filters.admits_actor(info.get(n, {}))}
    edges = {k: v for k, v in edges.items() if k[0] in keep and k[1] in keep}
    nodes = sorted({n for key in edges for n in key})
    for n in nodes:
        attrs = info.get(n, {"label": n, "label_orig": "", "type": "", "country": "", "lat": "", "lon": ""})
        g.add_node(n, **attrs)
    for (a, b) in sorted(edges):
        e = edges[(a, b)]
        g.add_edge(a, b, weight=e["weight"], distance=1.0 / e["weight"],
                   relations=" ".join(sorted(e["relations"])),
                   evidence=" ".join(sorted(e["evidence"])),
                   visits=" ".join(sorted(e["visits"])),
                   sectors=" ".join(sorted(e["sectors"])),
                   years=" ".join(str(y) for y in sorted(e["years"])),
                   dates=" ".join(sorted(e["dates"])))
    return g


def leave_one_out(store: ox.Store, filters: Filters = Filters(), level: str = "actor",
                  largest: int | None = None) -> Mapping[str, nx.Graph]:
    """Paper id → the actor graph under ``filters`` with that paper also left out, for every
    paper the filters admit (in id order); the input of :func:`graph.analysis.robustness`.

    With ``largest``, only the ``largest`` admitted papers with the most statements
    (:func:`paper_sizes`; ties broken by id) are left out in turn, still in id order. Each
    graph is built when it is read, from queries asked once for all of them, so that one graph
    at a time is held (200 papers at a million triples do not fit in memory at once).
    """
    scope = source_graphs(store, filters)
    admitted = [p for p in papers(store) if scope is None or GRAPH + p in scope]
    if largest is not None and largest < len(admitted):
        sizes = paper_sizes(store)
        admitted = sorted(sorted(admitted, key=lambda p: (-sizes.get(p, 0), p))[:largest])
    return _LeftOut(store, filters, level, admitted)


class _LeftOut(Mapping):
    """The graphs of :func:`leave_one_out`, each built on access, all from one set of answers."""

    def __init__(self, store: ox.Store, filters: Filters, level: str, left_out: list[str]):
        self._store, self._filters, self._level, self._left_out = store, filters, level, left_out
        self._answers: dict = {}

    def __getitem__(self, paper: str) -> nx.Graph:
        if paper not in self._left_out:
            raise KeyError(paper)
        # answers asked here (the per-graph rows, read with their graph names) are kept by this
        # mapping alone, so that they go with it; those asked before (inside same_answers) are reused
        outer = _ANSWERS.get()
        token = _ANSWERS.set(self._answers if outer is None else ChainMap(self._answers, outer))
        try:
            excluded = replace(self._filters, exclude_sources=self._filters.exclude_sources + (paper,))
            return actor_graph(self._store, excluded, self._level)
        finally:
            _ANSWERS.reset(token)

    def __iter__(self):
        return iter(self._left_out)

    def __len__(self) -> int:
        return len(self._left_out)


def paper_sizes(store: ox.Store) -> dict[str, int]:
    """Paper id → the number of statements (triples) in its named graph, for every paper of
    :func:`papers`: how :func:`leave_one_out` picks the largest papers."""
    known = set(papers(store))
    rows = _select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    sizes = {r["g"].value[len(GRAPH):]: int(r["n"].value) for r in rows if r["g"].value.startswith(GRAPH)}
    return {p: sizes.get(p, 0) for p in sorted(known)}


def bipartite_graph(store: ox.Store, projection: str = "actor-agreement", filters: Filters = Filters()) -> nx.Graph:
    """A two-mode network: actors and agreements, forums or sectors.

    Nodes carry ``bipartite`` (0 for actors, 1 for the other mode) and ``kind``;
    an actor–sector edge's ``weight`` counts the actor's ties in that sector.
    """
    if projection not in PROJECTIONS[1:]:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS[1:])}")
    info = actors(store)
    g = nx.Graph(projection=projection)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    others: dict[str, str] = {}
    for tie in ties(store, filters):
        members = [m for m in sorted(set(tie.members)) if filters.admits_actor(info.get(m, {}))]
        if projection == "actor-sector":
            for m in members:
                for sector in sorted(tie.sectors):
                    pairs[(m, sector)] += 1
                    others[sector] = "sector"
        elif tie.relation == {"actor-agreement": "agreement"}.get(projection) or (
                projection == "actor-forum" and tie.relation in ("forum", "visit")):
            for m in members:
                pairs[(m, tie.id)] += 1
                others[tie.id] = tie.relation
    for a in sorted({a for a, _ in pairs}):
        g.add_node(a, bipartite=0, kind="actor", **info.get(a, {"label": a}))
    for o in sorted(others):
        g.add_node(o, bipartite=1, kind=others[o], label=o)
    for (a, o) in sorted(pairs):
        g.add_edge(a, o, weight=pairs[(a, o)])
    return g


def record_details(store: ox.Store) -> dict[str, dict[str, list[str] | str]]:
    """Record id → ``label`` (English), ``dates``, ``sectors`` and ``sources`` (papers only)."""
    out: dict[str, dict] = defaultdict(lambda: {"label": "", "dates": [], "sectors": [], "sources": []})
    for r in _select(store, """SELECT ?x (MIN(?l) AS ?label) WHERE { ?x rdfs:label ?l
                                FILTER(LANGMATCHES(LANG(?l), "en")) FILTER(STRSTARTS(STR(?x), STR(pdr:))) } GROUP BY ?x"""):
        out[_local(r["x"])]["label"] = r["label"].value
    for query, key in (("SELECT DISTINCT ?x ?v WHERE { ?x pd:date ?v } ORDER BY ?x ?v", "dates"),
                       ("SELECT DISTINCT ?x ?v WHERE { ?x pd:sector ?v } ORDER BY ?x ?v", "sectors"),
                       ("SELECT DISTINCT ?x ?v WHERE { ?x pd:evidence/pd:source ?v } ORDER BY ?x ?v", "sources")):
        for r in _select(store, query):
            value = r["v"].value
            out[_local(r["x"])][key].append(value.rsplit("/", 1)[-1] if key != "dates" else value)
    return dict(out)


def sector_tops(store: ox.Store) -> dict[str, str]:
    """Sector → its top concept in the scheme (itself for a top concept), the first by id."""
    tops: dict[str, str] = {}
    for r in _select(store, """SELECT ?s ?top WHERE { ?s skos:broader* ?top . ?top skos:topConceptOf pdr:sectors }
                               ORDER BY ?s ?top"""):
        tops.setdefault(_local(r["s"]), _local(r["top"]))
    return tops


def geo_anchors(store: ox.Store, nodes: list[str]) -> dict[str, tuple[float, float, str]]:
    """Node → (lat, lon, rule): where the geo layout puts it, and the rule that placed it.

    The first that gives coordinates: the actor's own; else the place it is ``located_in``;
    else what it ``governs`` or is ``part_of`` (each of these places is itself placed by the
    same rules); else its country's coordinates, which are those of the capital. ``rule``
    says which, in words (``located in Almaty``, ``part of Russia → Omsk``). Nodes with no
    rule that applies are left out.
    """
    info = actors(store)
    links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _select(store, """
        SELECT ?a ?r ?p WHERE { VALUES ?r { pd:governs pd:partOf pd:locatedIn } ?a ?r ?p } ORDER BY ?a ?r ?p"""):
        links[_local(row["a"])][row["r"].value.rsplit("#", 1)[-1]].append(_local(row["p"]))

    def label(a: str) -> str:
        return info.get(a, {}).get("label", a)

    def place(a: str, seen: frozenset[str]) -> tuple[float, float, str] | None:
        i = info.get(a, {})
        if i.get("lat") and i.get("lon"):
            return float(i["lat"]), float(i["lon"]), label(a)
        for relation in ("locatedIn", "governs", "partOf"):
            for p in links[a][relation]:
                if p not in seen and (found := place(p, seen | {p})):
                    return found[0], found[1], f"{_RULES[relation]} {label(p)}" + (
                        "" if found[2] == label(p) else f" → {found[2]}")
        country = i.get("country", "")
        if country and country != a and country not in seen and (found := place(country, seen | {country})):
            return found[0], found[1], f"capital of its country, {label(country)}"
        return None

    out = {}
    for n in nodes:
        found = place(n, frozenset({n}))
        if found:
            out[n] = (found[0], found[1], "own coordinates" if found[2] == label(n) else found[2])
    return out


_RULES = {"locatedIn": "located in", "governs": "governs", "partOf": "part of"}