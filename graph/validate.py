"""Check a dataset: reading problems, references, duplicates, dates, then SHACL.

Returns a :class:`Report`; nothing is raised for bad data.

Examples
--------
>>> from graph.load import load_dataset
>>> report = validate(load_dataset())
>>> report.ok, report.exit_code
(True, 0)
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox

from .errors import Problem
from .load import Dataset, Entry, resource_dir
from .quotes import check_quotes
from .rdf import ID, SKOS, graph_nquads, prop_iri, scoped_nquads
from .records import FIELDS, GENERAL_KNOWLEDGE, KIND_MODELS, FieldSpec, PartialDate, fields_of
from .shacl import Violation, violations

__all__ = ["Report", "validate", "check_records", "check_dates_attested", "date_years", "check_confusables",
           "check_shacl", "shacl_scope", "skeleton", "top_sectors"]


@lru_cache(maxsize=1)
def top_sectors() -> frozenset[str]:
    """Ids of the top sector concepts, which ``ontology/sectors.ttl`` declares (not the data files).

    >>> sorted(top_sectors())[:3]
    ['economy', 'environment', 'governance']
    """
    path = resource_dir("ontology") / "sectors.ttl"
    return frozenset(t.subject.value[len(ID):] for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                     if t.predicate.value == SKOS + "topConceptOf" and t.subject.value.startswith(ID))


@dataclass
class Report:
    """The outcome of validation: every problem found, sorted by file and line.

    Problems whose code is in :data:`graph.errors.WARNING_CODES` (``confusable``) are
    listed but leave the data valid.
    """

    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    shacl_checked: bool = False
    drafts: int = 0  #: records still marked ``draft: true`` (read, not in the graph)

    @property
    def ok(self) -> bool:
        """Whether the data is valid (warnings aside)."""
        return all(p.warning for p in self.problems)

    @property
    def exit_code(self) -> int:
        """0 clean (or warnings only), 1 invalid records or SHACL violations, 2 unreadable input."""
        if any(p.unreadable for p in self.problems):
            return 2
        return 0 if self.ok else 1

    def to_dict(self) -> dict:
        return {"ok": self.ok, "records": self.records, "drafts": self.drafts, "shacl_checked": self.shacl_checked,
                "problems": [p.to_dict() for p in self.problems]}


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _problem(code: str, entry: Entry, fld: str, message: str) -> Problem:
    return entry.problem(code, fld, message)


def check_records(dataset: Dataset, complete: bool = True, scope: set[str] | None = None) -> list[Problem]:
    """Sources, duplicates, types, labels, evidence, references and date order.

    With ``complete=False`` (some file could not be read), the checks that need every file
    (unknown sources and references, a type or English label given by no file) are skipped:
    they would blame readable files for what the unreadable one holds. With ``scope`` (record
    ids), only the records with those ids are checked, against all the others.
    """
    problems: list[Problem] = []
    known_sources = sorted(dataset.sources) + [GENERAL_KNOWLEDGE]
    seen: dict[tuple[str, str], Entry] = {}
    entries = dataset.entries if scope is None else [e for e in dataset.entries if e.id in scope]
    for entry in entries:
        if complete and entry.source not in known_sources:
            file, line, column = entry.places.get("source", (entry.file, 1, ""))
            problems.append(Problem("unknown-source", file, line, "", "source",
                                    f"no source {entry.source!r} in sources.yaml"
                                    + _suggest(entry.source, known_sources), column))
        key = (entry.file, entry.source, entry.record.id)  # a sheet holds several sources' records
        if key in seen:
            problems.append(_problem("duplicate-id", entry, "id",
                                     f"id already used in this file at line {seen[key].line}"))
        seen.setdefault(key, entry)
        problems += _check_entry(entry)
    for rid in sorted(dataset.by_id if scope is None else scope & dataset.by_id.keys()):
        problems += _check_claims(rid, dataset.by_id[rid], complete)
    return problems + _check_references(dataset, complete, entries)


def _check_entry(entry: Entry) -> list[Problem]:
    """What one record, as one file states it, must have: evidence, dates in order, its own id."""
    rec = entry.record
    problems: list[Problem] = []
    if entry.source != GENERAL_KNOWLEDGE and not rec.evidence:
        problems.append(_problem("no-evidence", entry, "evidence",
                                 "every record in a source's file needs evidence: a locator and a verbatim quote"))
    if getattr(rec, "end_date", None) and getattr(rec, "date", None):
        if rec.end_date.last_day() < rec.date.first_day():
            problems.append(_problem("bad-date", entry, "end_date",
                                     f"ends ({rec.end_date}) before it starts ({rec.date})"))
    if rec.id in top_sectors() and entry.kind != "sectors":
        problems.append(_problem("duplicate-id", entry, "id", f"{rec.id!r} is a top sector in ontology/sectors.ttl"))
    return problems + check_dates_attested(entry)


def date_years(date: PartialDate) -> list[str]:
    """The years a date states, as printed digits: both ends of an interval, the known end of an
    open one.

    >>> date_years(PartialDate.parse("2022/2025")), date_years(PartialDate.parse("../2024~"))
    (['2022', '2025'], ['2024'])
    """
    return re.findall(r"(?<!\d)\d{4}(?!\d)", str(date))


def check_dates_attested(entry: Entry) -> list[Problem]:
    """Problems (``unattested-date``) for dates a paper's record does not show printed.

    Every date of the record (``date``, ``founded``, ``end_date``, ``valid_until``, an observation's or
    a claim's ``period``, a project's ``date``)
    must have each year it states in one of the record's quotes or locators, unless the record
    gives ``date_basis``: the printed words the date rests on, which must be in one of its quotes.
    General-knowledge records are not checked.
    """
    rec = entry.record
    if entry.source == GENERAL_KNOWLEDGE:
        return []
    quotes = [ev.quote.casefold() for ev in rec.evidence]
    if rec.date_basis is not None and not any(rec.date_basis.casefold() in q for q in quotes):
        return [_problem("unattested-date", entry, "date_basis", f"{rec.date_basis!r} is in none of the record's "
                         "quotes; quote the sentence that holds these words, or correct them")]
    if rec.date_basis is not None:
        return []
    printed = " ".join(quotes + [ev.locator for ev in rec.evidence])
    problems = []
    for spec in fields_of(type(rec)):
        date = getattr(rec, spec.name)
        missing = [y for y in date_years(date) if not re.search(rf"(?<!\d){y}(?!\d)", printed)] \
            if isinstance(date, PartialDate) else []
        if missing:
            problems.append(_problem("unattested-date", entry, spec.name, f"{date} is not attested: "
                                     f"{', '.join(missing)} is printed in none of the record's quotes or "
                                     "locators; quote the words that date it, give date_basis (the printed "
                                     "words it rests on, e.g. 'в следующем году'), or drop the date"))
    return problems


def _check_claims(rid: str, entries: list[Entry], complete: bool) -> list[Problem]:
    """What the files say about one id, together: one kind, one type, a type and an English label."""
    problems: list[Problem] = []
    kinds = sorted({e.kind for e in entries})
    if len(kinds) > 1:
        for e in entries[1:]:
            problems.append(_problem("duplicate-id", e, "id",
                                     f"id {rid!r} names records of different kinds: {', '.join(kinds)}"))
    typed = [e for e in entries if getattr(e.record, "type", None) is not None]
    for e in typed[1:]:
        if e.record.type != typed[0].record.type:
            problems.append(_problem("conflicting-type", e, "type",
                                     f"{e.record.type.value} here, but {typed[0].file}:{typed[0].line} "
                                     f"says {typed[0].record.type.value}"))
    if complete and entries[0].kind in ("actors", "agreements", "forums", "projects") and not typed:
        problems.append(_problem("missing-type", entries[0], "type", "no file gives this record a type"))
    if complete and entries[0].kind != "observations" and not any("en" in e.record.label for e in entries):
        problems.append(_problem("missing-label", entries[0], "label",
                                 "no file gives this record an English label (label: {en: ...})"))
    return problems


def _check_references(dataset: Dataset, complete: bool, entries: list[Entry]) -> list[Problem]:
    """Every reference field of :data:`graph.records.FIELDS` of ``entries``, single-valued or a list:
    unknown ids (only when every file was read), the wrong kind of record, the wrong type."""
    tops = top_sectors()
    known: dict[str, list[str]] = {}  # kind → its ids, for suggestions: made at the first unknown reference
    problems: list[Problem] = []
    for entry in entries:
        for name, ids in entry.record.references().items():
            spec = FIELDS[name]
            for ref in ids:
                kind = "sectors" if ref in tops else dataset.kind_of(ref)
                if kind is None:
                    if complete:
                        known = known or _ids_by_kind(dataset, tops)
                        pool = [i for t in spec.target for i in known[t]]
                        problems.append(_problem("unknown-reference", entry, name,
                                                 f"no record {ref!r}" + _suggest(ref, pool)))
                    continue
                problems += _check_target(dataset, entry, spec, ref, kind)
    return problems


def _ids_by_kind(dataset: Dataset, tops: set[str]) -> dict[str, list[str]]:
    known = {kind: sorted(i for i, es in dataset.by_id.items() if es[0].kind == kind) for kind in KIND_MODELS}
    known["sectors"] = sorted(set(known["sectors"]) | tops)
    return known


def _check_target(dataset: Dataset, entry: Entry, spec: FieldSpec, ref: str, kind: str) -> list[Problem]:
    """A reference to a known record: of a kind ``spec.target`` allows, and of ``spec.target_type``."""
    problems: list[Problem] = []
    if kind not in spec.target:
        problems.append(_problem("wrong-reference", entry, spec.name,
                                 f"{ref!r} is one of the {kind}; expected one of the {' or '.join(spec.target)}"))
    if spec.target_type:
        types = {e.facts.type for e in dataset.by_id.get(ref, []) if e.facts.type}
        if types and spec.target_type not in types:
            problems.append(_problem("wrong-reference", entry, spec.name, f"{ref!r} is not a {spec.target_type}"))
    return problems


def _field_name(path: str) -> str:
    """The record field a SHACL result path is about: the field of :data:`graph.records.FIELDS` written
    with that property (first in the table), else the property's local name."""
    for spec in FIELDS.values():
        if any(prop_iri(p) == path for p in (spec.prop, *spec.also)):
            return spec.name
    return path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def shacl_scope(dataset: Dataset, ids: set[str], retyped: set[str] | None = None) -> set[str]:
    """The records whose SHACL verdict may change when the records ``ids`` change (say, those an
    edited file states, before and after): these, and every record that refers to one of
    ``retyped`` (by default all of ``ids``): those whose kind or type may have changed.

    The shapes constrain a record's own properties, its evidence, and the type of what it points
    to (``sh:class``); none follows a property backwards, so a record that refers to a changed
    one can only be affected when the changed one's ``rdf:type`` changed (or it appeared or went).
    """
    retyped = ids if retyped is None else retyped
    if not retyped:
        return set(ids)
    return ids | {e.id for e in dataset.entries
                  if any(ref in retyped for refs in e.facts.references.values() for ref in refs)}


def check_shacl(dataset: Dataset, quads: list[ox.Quad] | bytes | None = None, scope: set[str] | None = None,
                engine: str = "oxigraph") -> list[Problem]:
    """Run the SHACL shapes (no inference, offline) on the union of the data graphs and the ontology.

    ``quads`` (pyoxigraph quads, or N-Quads bytes) default to the dataset's. ``engine`` is one of
    :data:`graph.shacl.ENGINES`: ``oxigraph`` (the shapes translated into SPARQL, by
    :mod:`graph.shacl`) or ``pyshacl``, which find the same violations
    (``tests/test_shacl_engines.py``). Either way a subclass satisfies ``sh:class`` (a Region
    is an Actor) and the ontology's own classes are not validated as data. With ``scope``
    (record ids), only violations of those records are kept.
    """
    if scope is not None and not scope:
        return []
    if quads is None:
        nquads: bytes | Mapping[str, bytes] = graph_nquads(dataset)  # graph by graph: no joined copy
    elif isinstance(quads, bytes):
        nquads = quads
    else:
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    return _shacl_problems(dataset, violations(nquads, engine), scope)


def _shacl_problems(dataset: Dataset, found: list[Violation], scope: set[str] | None) -> list[Problem]:
    """SHACL violations → problems located in the data files (within ``scope``, if given: a
    literal focus node is a value of an in-scope record, the only subjects with literals)."""
    problems = []
    for v in found:
        focus = v.focus[1:-1] if v.focus.startswith("<") else v.focus
        rid = focus[len(ID):].split("/evidence/")[0] if focus.startswith(ID) else focus
        if scope is not None and rid not in scope and not v.focus.startswith('"'):
            continue  # a node in the graph only for its type, which sh:class looks up
        entries = dataset.by_id.get(rid)
        fld = _field_name(v.path) if v.path else ""
        if entries:
            problems.append(entries[0].problem("shacl", fld, f"SHACL: {v.message}"))
        else:
            problems.append(Problem("shacl", str(dataset.directory), 1, rid, fld, f"SHACL: {v.message}"))
    return sorted(set(problems))


def validate(dataset: Dataset, shacl: bool = True, texts: Path | None = None, scope: set[str] | None = None,
             engine: str = "oxigraph") -> Report:
    """Every problem in one report: reading, records, references, look-alike names, quotes, then SHACL.

    Quotes are checked for their language, and looked for in their sources' texts: the files
    sources name with ``text:``, and with ``texts`` (a folder) ``<source-id>.txt`` or the
    source's ``file`` there (:func:`graph.quotes.check_quotes`). SHACL runs only when the
    records themselves are sound, since a graph built from broken records would mostly
    repeat the same problems. When a file could not be read, the checks across files are
    skipped and one problem says so.

    With ``scope`` (record ids, from :func:`shacl_scope`), the other records are known to pass
    every check (the last clean verdict on these files, before an edit): only these are checked,
    against all the others, SHACL on the quads they need (:func:`graph.rdf.scoped_nquads`), and
    look-alike names (warnings, see :func:`check_confusables`) are not looked for. ``engine`` is
    the SHACL engine (:func:`check_shacl`).
    """
    unread = {}
    for p in sorted(dataset.problems):
        if p.unreadable:
            unread.setdefault(p.file, p.line)
    problems = list(dataset.problems) + check_records(dataset, complete=not unread, scope=scope)
    problems += [Problem("not-checked", name, line, "", "", "references, sources, types and English labels "
                         "across files were not checked, since this file could not be read")
                 for name, line in unread.items()]
    problems += (check_confusables(dataset) if scope is None else []) + check_quotes(dataset, texts, scope)
    report = Report(records=len(dataset.by_id), drafts=len(dataset.drafts))
    if shacl and all(p.warning for p in problems):
        if scope is None:
            problems += check_shacl(dataset, engine=engine)
        else:
            problems += check_shacl(dataset, scoped_nquads(dataset, scope), scope, engine=engine)
        report.shacl_checked = True
    report.problems = sorted(set(problems))
    return report


#: Cyrillic and Greek letters (casefolded) that look like Latin ones. A small stand-in for the
#: Unicode TR39 skeleton (which needs ICU): enough for names typed half in one script, half in
#: the other, such as "Oмск" with a Latin O.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ӏ": "l", "һ": "h", "ԛ": "q", "ԝ": "w",
    "ү": "y", "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x"})
_ID_LOOKALIKES = str.maketrans("01", "ol")


def skeleton(text: str) -> str:
    """What a name looks like: NFKC-normalised, casefolded, look-alike letters made Latin.

    >>> skeleton("Омск") == skeleton("Oмск"), skeleton("Ｏmsk") == skeleton("omsk")
    (True, True)
    """
    return unicodedata.normalize("NFKC", text).casefold().translate(_LOOKALIKES)


def check_confusables(dataset: Dataset) -> list[Problem]:
    """Warnings (code ``confusable``) for two records whose ids or labels look alike but differ.

    Labels that differ only in normalisation (NFC) are made equal on load; this catches the
    rest: look-alike letters of another script, compatibility forms (fullwidth, ligatures),
    case, and ids that differ by ``0``/``o`` or ``1``/``l``.
    """
    problems: list[Problem] = []
    groups: dict[str, dict[str, tuple[Entry, str]]] = defaultdict(dict)
    for entry in dataset.entries:
        rec = entry.record
        names = [("id", "id:" + rec.id.translate(_ID_LOOKALIKES), rec.id)]
        names += [(fld, skeleton(text), text) for fld in ("label", "alt_labels", "historical_labels")
                  for value in getattr(rec, fld).values() for text in ([value] if isinstance(value, str) else value)]
        for fld, key, text in names:
            texts = groups[key]
            if text in texts:
                continue
            other = next(((t, e, f) for t, (e, f) in texts.items() if e.record.id != rec.id), None)
            texts[text] = (entry, fld)
            if other:
                t, e, f = other
                problems.append(_problem("confusable", entry, fld, f"warning: {text!r} looks like {t!r} of "
                                         f"{e.record.id!r} ({e.file}:{e.line_of(f)}) but is written differently"))
    return problems
