"""Find actors by any of their names: labels, alternative and historical names, in any language
and grammatical case.

Names and the text looked for are cut into words (at spaces, hyphens and punctuation), each
word casefolded (``ё`` as ``е``) and, when Cyrillic, also taken to its dictionary forms by
pymorphy3's Russian analyser: "Омской области" and "Омская область" are the same words. A
name matches *exactly* when its words are the text's words, in order; else it matches when
every word of the text is one of its words. Exact matches come first.

Examples
--------
>>> from graph import open_graph
>>> [m.id for m in find(open_graph().store, "Павлодаре")][:1]
['pavlodar']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from .project import actors
from .rdf import GRAPH, ID, PREFIXES
from .records import GENERAL_KNOWLEDGE

__all__ = ["Match", "NameIndex", "find", "word_forms", "search_index", "index_lookup"]

_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Match:
    """An actor found, with the name that matched and how (``exact`` or ``words``)."""

    id: str
    label: str
    type: str
    country: str
    sources: tuple[str, ...]
    name: str
    match: str

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "type": self.type, "country": self.country,
                "sources": list(self.sources), "name": self.name, "match": self.match}


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=65536)
def _forms(word: str) -> frozenset[str]:
    forms = {word}
    if _CYRILLIC.search(word):
        forms |= {p.normal_form.replace("ё", "е") for p in _morph().parse(word)}
    return frozenset(forms)


def word_forms(text: str) -> list[frozenset[str]]:
    """Each word of ``text``, as the set of forms it may stand for (itself, casefolded, and its
    Russian dictionary forms).

    >>> [sorted(f) for f in word_forms("Омской области")]
    [['омский', 'омской'], ['области', 'область']]
    """
    return [_forms(w) for w in _WORD.findall(text.casefold().replace("ё", "е"))]


class NameIndex:
    """Every name of every actor of a store, to find the actors a text mentions (``paradiplo draft``).

    >>> from graph import open_graph
    >>> index = NameIndex(open_graph().store)
    >>> sorted({aid for _, _, aid, _ in index.mentions("Губернатор Омской области прибыл в Павлодар")})
    ['omsk-oblast', 'pavlodar']
    """

    def __init__(self, store: ox.Store):
        self._by_first: dict[str, list[tuple[str, str, list[frozenset[str]]]]] = {}
        for aid, name in _names(store):
            forms = word_forms(name)
            for form in forms[0] if forms else ():
                self._by_first.setdefault(form, []).append((aid, name, forms))

    @property
    def ids(self) -> frozenset[str]:
        """The ids of the actors indexed."""
        return frozenset(aid for entries in self._by_first.values() for aid, _, _ in entries)

    def mentions(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, end, actor id, name)`` for every name found in ``text`` (its words in order, in
        any grammatical case), by character offsets, sorted; nested names too ("Омской области"
        inside "Правительство Омской области")."""
        words = [(m.start(), m.end(), _forms(m.group().casefold().replace("ё", "е"))) for m in _WORD.finditer(text)]
        found = set()
        for i, (start, _, forms) in enumerate(words):
            for aid, name, name_forms in {c for f in forms for c in self._candidates(f)}:
                window = words[i:i + len(name_forms)]
                if len(window) == len(name_forms) and all(w[2] & n for w, n in zip(window, name_forms)):
                    found.add((start, window[-1][1], aid, name))
        return sorted(found)

    def _candidates(self, form: str) -> list[tuple[str, str, tuple[frozenset[str], ...]]]:
        return [(aid, name, tuple(forms)) for aid, name, forms in self._by_first.get(form, ())]


def _how(query: list[frozenset[str]], name: list[frozenset[str]]) -> str | None:
    """``exact`` when the name's words are the query's, in order; ``words`` when every query word
    is a word of the name; ``None`` otherwise."""
    if len(query) == len(name) and all(q & n for q, n in zip(query, name)):
        return "exact"
    if all(any(q & n for n in name) for q in query):
        return "words"
    return None


def _names(store: ox.Store) -> list[tuple[str, str]]:
    """(actor id, name) for every label, alternative and historical name of every actor, sorted."""
    rows = store.query("""SELECT DISTINCT ?a ?n WHERE {
        ?a rdfs:label|skos:altLabel|pd:historicalName ?n . ?a a ?t . ?t rdfs:subClassOf* pd:Actor }""",
                       prefixes=PREFIXES)
    return sorted({(r["a"].value[len(ID):], r["n"].value) for r in rows if r["a"].value.startswith(ID)})


def _sources(store: ox.Store) -> dict[str, list[str]]:
    """Record id → the sources whose named graphs state something about it: papers, then
    general knowledge."""
    out: dict[str, set[str]] = {}
    for r in store.query("SELECT DISTINCT ?x ?g WHERE { GRAPH ?g { ?x ?p ?o } }"):
        x, g = r["x"].value, r["g"].value
        if x.startswith(ID) and g.startswith(GRAPH):
            out.setdefault(x[len(ID):], set()).add(g[len(GRAPH):])
    return {x: sorted(gs, key=lambda g: (g == GENERAL_KNOWLEDGE, g)) for x, gs in out.items()}


def find(store: ox.Store, text: str) -> list[Match]:
    """Actors one of whose names matches ``text`` (see the module's docstring): exact matches
    first, then by id; each actor once, with its best-matching name.

    Raises
    ------
    ValueError
        When ``text`` holds no word to look for.
    """
    query = word_forms(text)
    if not query:
        raise ValueError(f"no word to look for in {text!r}; give a name, e.g. 'Омская область'")
    best: dict[str, tuple[bool, str, str]] = {}  # id → (not exact, name, how): the smallest is the best
    for aid, name in _names(store):
        how = _how(query, word_forms(name))
        if how and (aid not in best or (how != "exact", name) < best[aid][:2]):
            best[aid] = (how != "exact", name, how)
    info, sources = actors(store), _sources(store)
    found = []
    for aid, (_, name, how) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0])):
        actor = info.get(aid, {})
        found.append(Match(aid, actor.get("label", aid), actor.get("type", ""), actor.get("country", ""),
                           tuple(sources.get(aid, ())), name, how))
    return found


def _inflections(word: str) -> dict[str, set[str]]:
    """Every inflected form of a Cyrillic ``word``'s dictionary forms (pymorphy3 lexemes) → the
    dictionary forms it belongs to: the table that lets a page, which cannot run pymorphy3,
    take a typed word to the dictionary forms :func:`word_forms` would give."""
    table: dict[str, set[str]] = {}
    lemmas = _forms(word)
    for text in sorted(lemmas):
        for parse in _morph().parse(text):
            lemma = parse.normal_form.replace("ё", "е")
            if lemma in lemmas:
                for form in parse.lexeme:
                    table.setdefault(form.word.replace("ё", "е"), set()).add(lemma)
    return table


def search_index(store: ox.Store, ids: Iterable[str] | None = None,
                 under: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The name index the map's search box and the query page ship as JSON, so that a page,
    offline, finds what :func:`find` finds.

    ``{"names": [[id, name, [[form, …] per word]], …], "forms": {inflected form: [dictionary form, …]}}``:
    every name of every actor (of ``ids`` only, or of the actors ``under`` maps to the nodes a map
    draws them as, e.g. a city to its region, each name then listed under its node) with each word's forms as
    :func:`word_forms` makes them, and every inflection of those words' dictionary forms
    (pymorphy3's lexemes) whose dictionary forms are not just itself. A page normalises a typed
    text as :func:`word_forms` does (lower case, ``ё`` as ``е``, words of letters and digits),
    adds each word's entry in ``forms`` and matches as :func:`find` (:func:`index_lookup` is
    that lookup in Python). Sorted throughout: the same data give the same JSON.

    >>> from graph import open_graph
    >>> index = search_index(open_graph().store, ["omsk-oblast"])
    >>> index["forms"]["омской"], index_lookup(index, "Омской области")
    (['омский'], ['omsk-oblast'])
    """
    node = dict(under) if under is not None else None if ids is None else {i: i for i in ids}
    names, forms = [], {}
    for aid, name in _names(store):
        if node is not None and aid not in node:
            continue
        words = _WORD.findall(name.casefold().replace("ё", "е"))
        names.append([node[aid] if node else aid, name, [sorted(_forms(w)) for w in words]])
        for w in words:
            if _CYRILLIC.search(w):
                for form, lemmas in _inflections(w).items():
                    forms.setdefault(form, set()).update(lemmas)
    table = {f: sorted(ls) for f, ls in sorted(forms.items()) if ls - {f}}
    return {"names": names, "forms": table}


def index_lookup(index: dict[str, Any], text: str) -> list[str]:
    """The ids :func:`search_index`'s ``index`` gives for ``text``: exact matches first, then
    matches of every word, each by id (what the pages' script does)."""
    query = [set([w]) | set(index["forms"].get(w, ())) for w in _WORD.findall(text.casefold().replace("ё", "е"))]
    best: dict[str, bool] = {}
    for aid, _, words in index["names"]:
        how = _how([frozenset(q) for q in query], [frozenset(w) for w in words]) if query else None
        if how:
            best[aid] = best.get(aid, False) or how == "exact"
    return sorted(best, key=lambda aid: (not best[aid], aid))
