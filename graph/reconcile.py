"""A reconciliation service (Reconciliation Service API 0.2) over the dataset's actors.

OpenRefine and other clients match a column of names against paradiplo's actors: by any
label in any language (English, Russian, Kazakh, alternative and historical names), filtered
by type and by the properties ``country`` and ``type``. :class:`Reconciler` holds the actors,
read once from the store; its methods return the JSON documents of the protocol (the
manifest, a batch of results, suggestions) and the HTML preview card. The HTTP side lives
in :mod:`graph.server` (``/reconcile``).

Examples
--------
>>> from graph import open_graph
>>> service = Reconciler(open_graph().store)
>>> answer = service.reconcile({"q0": {"query": "Omsk Oblast", "type": "Region"}})
>>> top = answer["q0"]["result"][0]
>>> top["id"], top["score"], top["match"]
('omsk-oblast', 100.0, True)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from .project import actors
from .rdf import ID, PD, PREFIXES
from .templates import render

__all__ = ["Reconciler", "Entity", "ReconcileError", "normalise", "VERSION", "DEFAULT_LIMIT", "MAX_QUERIES"]

VERSION = "0.2"
#: candidates per query when the query gives no ``limit``
DEFAULT_LIMIT = 5
#: queries in one batch at most (a larger batch is refused)
MAX_QUERIES = 1000
#: the score from which a unique best candidate is a ``match``
MATCH_SCORE = 100.0
#: candidates scoring less are left out (scores run from 0 to 100)
MIN_SCORE = 50.0
#: characters in a name at most
MAX_NAME = 1000


class ReconcileError(ValueError):
    """A reconciliation request that does not follow the protocol; the message says what and where."""


@dataclass(frozen=True)
class Entity:
    """An actor as the service shows it: id, English name, every label, type, country."""

    id: str
    name: str
    labels: tuple[str, ...]
    type: str
    country: str
    description: str


def normalise(text: str) -> str:
    """Text for comparison: NFKC, case folded, ``ё`` as ``е``, punctuation as spaces, spaces collapsed.

    >>> normalise("  Omsk  OBLAST, ")
    'omsk oblast'
    >>> normalise("Семипалатинская область") == normalise("семипалатинская  область")
    True
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _labels(store: ox.Store) -> dict[str, set[str]]:
    """Actor IRI → every label, alternative and historical name, in any language."""
    out: dict[str, set[str]] = {}
    answer = store.query("""
        SELECT DISTINCT ?a ?l WHERE {
          ?a a ?t . ?t rdfs:subClassOf* pd:Actor .
          ?a rdfs:label|skos:altLabel|pd:historicalName ?l . FILTER(ISLITERAL(?l))
        }""", prefixes=PREFIXES)
    for row in answer:
        out.setdefault(row["a"].value, set()).add(row["l"].value)
    return out


def _entities(store: ox.Store) -> dict[str, Entity]:
    info = actors(store)
    labels = _labels(store)
    out = {}
    for aid in sorted(info):
        a = info[aid]
        names = tuple(sorted(labels.get(ID + aid, set()) | {a["label"]}))
        country = info.get(a["country"], {}).get("label", a["country"])
        parts = [a["type"], country if a["country"] and a["country"] != aid else "", a["label_orig"]]
        out[aid] = Entity(aid, a["label"], names, a["type"], a["country"], " · ".join(p for p in parts if p))
    return out


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _value_id(value: Any) -> str:
    """A property value as text: an entity's ``id`` when one is given (a reconciled cell)."""
    return str(value.get("id", "")) if isinstance(value, dict) else str(value)


def _check(key: str, query: Any) -> None:
    """Refuse a query that does not follow the 0.2 schema, naming the query and the field."""
    where = f"query {key!r}"
    if not isinstance(query, dict):
        raise ReconcileError(f"{where}: expected an object with 'query', 'type', 'limit' or 'properties'")
    unknown = sorted(set(query) - {"query", "type", "limit", "properties", "type_strict"})
    if unknown:
        raise ReconcileError(f"{where}: unknown field {unknown[0]!r}; use query, type, limit, properties, type_strict")
    if "query" in query and not isinstance(query["query"], str):
        raise ReconcileError(f"{where}: 'query' must be a string")
    if len(query.get("query", "")) > MAX_NAME:
        raise ReconcileError(f"{where}: 'query' is longer than {MAX_NAME} characters; send a name")
    if "query" not in query and not query.get("properties"):
        raise ReconcileError(f"{where}: give 'query' (a name) or at least one of 'properties'")
    if "type" in query and not all(isinstance(t, str) for t in _as_list(query["type"])):
        raise ReconcileError(f"{where}: 'type' must be a type id or a list of them")
    limit = query.get("limit", 1)
    if not isinstance(limit, (int, float)) or isinstance(limit, bool) or limit < 1:
        raise ReconcileError(f"{where}: 'limit' must be a positive number")
    if query.get("type_strict", "any") not in ("any", "should", "all"):
        raise ReconcileError(f"{where}: 'type_strict' must be any, should or all")
    for prop in query.get("properties", []) if isinstance(query.get("properties", []), list) else [None]:
        if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
            raise ReconcileError(f"{where}: each of 'properties' must be an object with 'pid' (a string) and 'v'")
        if not all(isinstance(v, (str, int, float, bool)) or (isinstance(v, dict) and isinstance(v.get("id"), str))
                   for v in _as_list(prop["v"])):
            raise ReconcileError(f"{where}: property {prop['pid']!r}: 'v' must be text, a number, a boolean, "
                                 "an entity {\"id\": …} or a list of them")


class Reconciler:
    """The reconciliation service over a store's actors (read once, at construction)."""

    def __init__(self, store: ox.Store):
        self.entities = _entities(store)
        self._names = {e.id: {normalise(label) for label in e.labels} - {""} for e in self.entities.values()}
        self._choices = [(name, e) for e in self.entities.values() for name in sorted(self._names[e.id])]
        countries = {e.country for e in self.entities.values() if e.country}
        self._countries = {normalise(name): c for c in sorted(countries) if c in self.entities
                           for name in (c, *self.entities[c].labels)}
        self.types = sorted({e.type for e in self.entities.values()})

    def manifest(self, root: str) -> dict[str, Any]:
        """The service manifest; ``root`` is the service's URL (``…/reconcile``)."""
        return {
            "versions": [VERSION],
            "name": "paradiplo actors",
            "identifierSpace": ID,
            "schemaSpace": PD,
            "documentation": "https://w3id.org/paradiplo/",
            "view": {"url": ID + "{{id}}"},
            "defaultTypes": [{"id": t, "name": t} for t in self.types],
            "preview": {"url": root + "/preview?id={{id}}", "width": 400, "height": 160},
            "suggest": {"entity": {"service_url": root, "service_path": "/suggest/entity"}},
        }

    def _scores(self, text: str) -> dict[str, float]:
        """Entity id → 100 for a label equal to the name (both normalised), else the best
        similarity of one of its labels (rapidfuzz's normalised Indel similarity, at most 99);
        only entities scoring at least :data:`MIN_SCORE`."""
        best: dict[str, float] = {}
        found = process.extract(text, [name for name, _ in self._choices], scorer=fuzz.ratio, limit=None,
                                score_cutoff=MIN_SCORE)
        for name, score, i in found:
            entity = self._choices[i][1]
            score = 100.0 if name == text else round(min(score, 99.0), 1)
            best[entity.id] = max(best.get(entity.id, 0.0), score)
        return best

    def _admits(self, entity: Entity, query: dict[str, Any]) -> bool:
        """Whether an entity has the query's type (any of them) and every property value given."""
        types = {t.removeprefix(PD) for t in _as_list(query.get("type", []))}
        if types and entity.type not in types:
            return False
        for prop in query.get("properties", []):
            wanted = {normalise(_value_id(v)) for v in _as_list(prop["v"])}
            if prop["pid"] == "country":
                have = {self._countries.get(w, w) for w in wanted}
                if entity.country not in have:
                    return False
            elif prop["pid"] != "type" or normalise(entity.type) not in {w.replace(" ", "") for w in wanted}:
                return False  # a property the service does not know: no actor has it
        return True

    def _candidates(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        text = normalise(query.get("query", ""))
        scores = self._scores(text) if text else {e.id: 100.0 for e in self.entities.values()}
        scored = sorted(((scores[e.id], e) for e in self.entities.values() if e.id in scores and self._admits(e, query)),
                        key=lambda s: (-s[0], s[1].id))
        best = scored[: int(query.get("limit", DEFAULT_LIMIT))]
        exact = [e for score, e in scored if score >= MATCH_SCORE]
        return [{"id": e.id, "name": e.name, "description": e.description, "score": score,
                 "type": [{"id": e.type, "name": e.type}],
                 "match": bool(text) and len(exact) == 1 and exact[0] is e} for score, e in best]

    def reconcile(self, queries: Any) -> dict[str, Any]:
        """A batch of results for a batch of queries (``{"q0": {"query": …}, …}``).

        Raises
        ------
        ReconcileError
            For a batch that is not an object of queries, or a query that does not follow
            the protocol (naming the query and the field).
        """
        if not isinstance(queries, dict):
            raise ReconcileError("'queries' must be a JSON object: {\"q0\": {\"query\": \"…\"}, …}")
        if len(queries) > MAX_QUERIES:
            raise ReconcileError(f"{len(queries)} queries in one batch; send at most {MAX_QUERIES}")
        for key, query in queries.items():
            _check(key, query)
        return {key: {"result": self._candidates(query)} for key, query in queries.items()}

    def suggest(self, prefix: str, cursor: int = 0, limit: int = 10) -> dict[str, Any]:
        """Entities with a label that starts with ``prefix`` (or, after those, contains it)."""
        text = normalise(prefix)
        starts = [e for e in self.entities.values() if any(n.startswith(text) for n in self._names[e.id])]
        contains = [e for e in self.entities.values() if e not in starts and any(text in n for n in self._names[e.id])]
        found = (starts + contains)[cursor: cursor + limit] if text else []
        return {"result": [{"id": e.id, "name": e.name, "description": e.description,
                            "notable": [{"id": e.type, "name": e.type}]} for e in found]}

    def preview(self, entity_id: str) -> str | None:
        """An HTML card for an entity (every text escaped); None for an unknown id."""
        entity = self.entities.get(entity_id)
        if entity is None:
            return None
        country = self.entities[entity.country].name if entity.country in self.entities else entity.country
        return render("reconcile_preview.html.j2", entity=entity, country=country, iri=ID + entity.id)
