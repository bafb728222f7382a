"""Draft candidate records from a new paper, for a curator to accept, correct or delete.

``paradiplo draft TEXT --source ID`` reads a paper's text (plain text or markdown) and
proposes, as a data file in the project's format (see ``data/README.md``):

- **actors already in the graph** that the text names by any label, alternative or historical
  name, in any Russian grammatical case (:class:`graph.find.NameIndex`, pymorphy3);
- **new organisations, places and persons** that natasha's Russian named-entity recogniser
  finds (its models ship inside its wheel and run offline), labelled by their dictionary form;
- **agreements** and **forums, visits and events**: the sentences that name one (rules on the
  dictionary forms of their words: "соглашение", "меморандум", "форум", "визит", …), with the
  actors the sentence names as signatories or participants and its date nearest after the keyword (else before it), in EDTF.

Every candidate carries the sentence it comes from as its verbatim quote (cut to whole words
around the mention when longer than :data:`graph.records.MAX_QUOTE`), a locator (the section
heading and the paragraph's number in it) and ``draft: true``: drafts are read, counted by
``paradiplo validate`` ("N drafts remain") and kept out of the graph until a person removes
the flag. natasha is an optional extra: ``pip install 'paradiplo[draft]'``.

Examples
--------
>>> [p.locator for p in paragraphs("### Результаты\\n\\nПервый абзац.\\n\\nВторой абзац.")]
['Результаты ¶1', 'Результаты ¶2']
>>> [d for _, _, d in dates_in("Соглашение от 16.03.2015 г. действует с 2015–2020 гг.")]
['2015-03-16', '2015/2020']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import yaml

from .errors import ParadiploError
from .find import NameIndex, word_forms
from .quotes import Text
from .records import MAX_QUOTE, PartialDate, is_id

__all__ = ["MissingExtra", "Paragraph", "paragraphs", "dates_in", "draft", "to_yaml", "EXTRA_MESSAGE"]

EXTRA_MESSAGE = ("paradiplo draft needs the optional Russian NLP models (natasha); "
                 "install them with: pip install 'paradiplo[draft]'")

#: Sections whose sentences are not the paper's claims: the bibliography.
_SKIPPED = frozenset({"литература", "список литературы", "библиографический список", "references",
                      "список источников", "источники и литература"})
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_LEAD = re.compile(r"^\*\*([^*\n]{1,40}?)[.:]?\*\*")  # "**Аннотация.** The text…": a run-in heading
_MONTHS = ("январ", "феврал", "март", "апрел", "ма[йяе]", "июн", "июл", "август", "сентябр", "октябр",
           "ноябр", "декабр")
_MONTH = "|".join(f"({m})" for m in _MONTHS)
_YEAR = r"((?:19|20)\d\d)"
_DASH = r"\s*[-–—]\s*"
#: (pattern, EDTF builder), most precise first; an earlier match hides a later one it overlaps.
_DATE_RULES: tuple[tuple[re.Pattern, Any], ...] = (
    (re.compile(rf"\b(\d{{1,2}})\.(\d{{1,2}})\.{_YEAR}\b"), lambda m: f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"),
    (re.compile(rf"\b(\d{{1,2}})\s+(?:{_MONTH})[а-я]*\s+{_YEAR}", re.I),
     lambda m: f"{m[14]}-{_month(m, 2):02d}-{int(m[1]):02d}"),
    (re.compile(rf"\b(?:{_MONTH})[а-я]*\s+{_YEAR}", re.I), lambda m: f"{m[13]}-{_month(m, 1):02d}"),
    (re.compile(rf"\b{_YEAR}{_DASH}{_YEAR}\s*(?:гг|годы|годах|годов)"), lambda m: f"{m[1]}/{m[2]}"),
    (re.compile(rf"\b{_YEAR}\s*(?:г\.|г\b|год)"), lambda m: m[1]),
)
#: Dictionary forms that make a sentence an agreement or a forum candidate, with the record type.
_AGREEMENT_WORDS = {"соглашение": "Agreement", "договор": "Agreement", "протокол": "Agreement",
                    "меморандум": "Memorandum", "побратим": "TwinningAgreement", "побратимство": "TwinningAgreement",
                    "программа": "Programme", "конвенция": "Convention", "декларация": "Declaration"}
_FORUM_WORDS = {"форум": "ForumEdition", "выставка": "Exhibition", "ярмарка": "Exhibition",
                "конференция": "Conference", "заседание": "CommissionSession", "визит": "DelegationVisit",
                "делегация": "DelegationVisit", "фестиваль": "CulturalEvent"}
_NER_TYPES = {"PER": "Person"}  # ORG and LOC: the curator chooses among the actor types
_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
                  "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya a g q n o u u h i"
                  .split(" ")))


class MissingExtra(ParadiploError):
    """The optional NLP extra (natasha) is not installed."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a paper: where it is (``locator``) and its text, as printed with
    whitespace runs made one space (``text``)."""

    locator: str
    text: str


def paragraphs(raw: str) -> list[Paragraph]:
    """The paper's paragraphs (blocks between blank lines), each located by the last heading
    above it (a markdown ``#`` heading or a bold run-in one, ``**Аннотация.**``) and its number
    under that heading (``¶3``), or by its number in the text when no heading precedes it.
    The bibliography (``Литература``, ``References``) is left out."""
    out: list[Paragraph] = []
    heading, number, skipping = "", 0, False
    for block in re.split(r"\n\s*\n", raw):
        block = block.strip()
        found = _HEADING.match(block) if "\n" not in block else None
        if found:
            heading, number = Text(found[1]).printed.strip(" .:"), 0
            skipping = heading.casefold() in _SKIPPED
            continue
        lead = _LEAD.match(block)
        if lead:
            heading, number, skipping = Text(lead[1]).printed.strip(" .:"), 0, False
        text = Text(block).printed
        if skipping or not text:
            continue
        number += 1
        out.append(Paragraph(f"{heading} ¶{number}" if heading else f"¶{len(out) + 1}", text))
    return out


def _month(m: re.Match, first: int) -> int:
    """The month (1–12) whose group, of the twelve from group ``first``, matched."""
    return next(i + 1 for i in range(12) if m[first + i])


def dates_in(sentence: str) -> list[tuple[int, int, str]]:
    """``(start, end, EDTF date)`` of each date the sentence prints, in text order: ``16.03.2015``
    and ``16 марта 2015`` (day), ``в марте 2015`` (month), ``2015 г.`` (year), ``2015–2020 гг.``
    (an interval, ``2015/2020``). Impossible dates are left out."""
    taken: list[tuple[int, int, str]] = []
    for pattern, build in _DATE_RULES:
        for m in pattern.finditer(sentence):
            if any(m.start() < end and start < m.end() for start, end, _ in taken):
                continue
            try:
                taken.append((m.start(), m.end(), str(PartialDate.parse(build(m)))))
            except ValueError:
                continue
    return sorted(taken)


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Any, ...]:
    """natasha's segmenter, NER and morphology taggers and lemmatiser (loaded once, ~2–5 s)."""
    try:
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    except ImportError:
        raise MissingExtra(EXTRA_MESSAGE) from None
    embedding = NewsEmbedding()
    return Segmenter(), NewsNERTagger(embedding), NewsMorphTagger(embedding), MorphVocab()


def _slug(text: str) -> str:
    """An id from a name: transliterated, lower case, words joined by hyphens."""
    latin = "".join(_LATIN.get(c, c) for c in text.casefold())
    return "-".join(re.findall(r"[a-z0-9]+", latin))[:60].strip("-")


def _clip(sentence: str, start: int, end: int) -> str:
    """The sentence, or when longer than :data:`MAX_QUOTE`, whole words around ``start:end``."""
    if len(sentence) <= MAX_QUOTE:
        return sentence
    spare = max(0, MAX_QUOTE - (end - start)) // 2
    lo, hi = max(0, start - spare), min(len(sentence), end + spare)
    while lo > 0 and not sentence[lo - 1].isspace():
        lo += 1
    while hi < len(sentence) and not sentence[hi].isspace():
        hi -= 1
    return sentence[lo:hi].strip()[:MAX_QUOTE]


class _Drafter:
    """Collects the candidates of one paper, each once, in the order the text first names them."""

    def __init__(self, store: ox.Store):
        self.index = NameIndex(store)
        self.actors: dict[str, dict] = {}  # id → record
        self.new_ids: dict[str, str] = {}  # casefolded dictionary form → id of a new actor
        self.agreements: list[dict] = []
        self.forums: list[dict] = []
        self.ids: set[str] = set(self.index.ids)  # ids taken: known actors' and the drafts' own

    def _fresh(self, base: str) -> str:
        base = base if is_id(base) else f"draft-{base}".strip("-") if base else "draft"
        rid, n = base, 1
        while rid in self.ids:
            n += 1
            rid = f"{base}-{n}"
        self.ids.add(rid)
        return rid

    def sentence(self, locator: str, text: str, spans: list[tuple[int, int, str, str]]) -> None:
        """Candidates from one sentence; ``spans`` are natasha's (start, end, type, dictionary form)."""
        mentions = self.index.mentions(text)
        outer = [m for m in mentions if not any(o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0]
                                                 for o in mentions)]
        named: list[str] = []
        for start, end, aid, _ in outer:
            self._actor(aid, None, locator, _clip(text, start, end))
            named.append(aid)
        for start, end, kind, normal in spans:
            if any(m[0] < end and start < m[1] for m in mentions) or not word_forms(normal):
                continue  # a known actor, or no word
            if kind == "PER" and len(word_forms(normal)) < 2:
                continue  # a lone capitalised word ("Парадипломатия …") is rarely a person
            key = normal.casefold()
            if key not in self.new_ids:
                self.new_ids[key] = self._fresh(_slug(normal))
                self._actor(self.new_ids[key], (normal, _NER_TYPES.get(kind)), locator, _clip(text, start, end))
            named.append(self.new_ids[key])
        named = list(dict.fromkeys(named))
        lemmas = [f for forms in word_forms(text) for f in sorted(forms)]
        for words, kind in ((_AGREEMENT_WORDS, "agreements"), (_FORUM_WORDS, "forums")):
            found = next((w for w in lemmas if w in words), None)
            if found:
                self._event(kind, words[found], found, locator, text, named)

    def _actor(self, rid: str, new: tuple[str, str | None] | None, locator: str, quote: str) -> None:
        if rid in self.actors:
            return
        record: dict[str, Any] = {"id": rid}
        if new:
            record["type"] = new[1] if new[1] else None
            record["label"] = {"ru": new[0]}
            record = {k: v for k, v in record.items() if v is not None}
        self.actors[rid] = record | {"draft": True, "evidence": [{"locator": locator, "quote": quote}]}

    def _event(self, kind: str, rtype: str, word: str, locator: str, text: str, named: list[str]) -> None:
        start = next((m.start() for m in re.finditer(r"[^\W_]+", text) if word in word_forms(m.group())[0]), 0)
        dates = sorted(dates_in(text), key=lambda d: (d[0] < start, abs(d[0] - start)))  # nearest after, then before
        label = " ".join(re.split(r"[,;:()«»]", text[start:])[0].split()[:10]).rstrip(".")
        year = dates[0][2][:4] if dates else ""
        record: dict[str, Any] = {"id": self._fresh(_slug("-".join([rtype, *named[:2], year]))),
                                  "type": rtype, "label": {"ru": label}}
        if named:
            record["signatories" if kind == "agreements" else "participants"] = list(named)
        if dates:
            record["date"] = dates[0][2]
        if len(dates) > 1:
            record["note"] = "The sentence prints several dates: " + ", ".join(d for _, _, d in sorted(dates)) + "."
        record |= {"draft": True, "evidence": [{"locator": locator, "quote": _clip(text, start, len(text))}]}
        (self.agreements if kind == "agreements" else self.forums).append(record)


def draft(store: ox.Store, raw: str, source: str) -> dict[str, Any]:
    """Candidate records for the paper ``raw`` (its text), as a data file of source ``source``.

    Parameters
    ----------
    store
        The graph whose actors are recognised by name (``open_graph(...).store``).
    raw
        The paper's text, plain or markdown.
    source
        The id of the paper in ``sources.yaml``.

    Returns
    -------
    dict
        ``{"source": …, "actors": […], "agreements": […], "forums": […]}``, every record with
        ``draft: True`` and one evidence item: its sentence and locator.

    Raises
    ------
    MissingExtra
        When natasha is not installed.
    """
    segmenter, ner, morph, vocab = _pipeline()
    from natasha import Doc

    drafter = _Drafter(store)
    for paragraph in paragraphs(raw):
        doc = Doc(paragraph.text)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.tag_ner(ner)
        for span in doc.spans:
            span.normalize(vocab)
        for sent in doc.sents:
            spans = [(s.start - sent.start, s.stop - sent.start, s.type, s.normal or s.text)
                     for s in doc.spans if sent.start <= s.start and s.stop <= sent.stop]
            drafter.sentence(paragraph.locator, sent.text, spans)
    return {"source": source, "actors": list(drafter.actors.values()), "agreements": drafter.agreements,
            "forums": drafter.forums}


def to_yaml(data: dict[str, Any], text_name: str) -> str:
    """The drafted data file as YAML, with a header telling the curator what to do."""
    header = (f"# Drafted by `paradiplo draft` from {text_name}: candidates, not facts.\n"
              "# Check each against its quote; fix or complete it (English label, type, roles, sectors),\n"
              "# delete what is wrong, and remove `draft: true` to let it into the graph.\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
