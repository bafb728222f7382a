"""Check that evidence quotes occur verbatim in the sources' texts, and are in the right language.

A quote is found when it occurs in the text up to whitespace (runs of spaces, tabs and
line breaks count as one space), line-break hyphenation (``инвестици-`` at the end of a
line, ``онные`` on the next: the quote may join the word or keep the hyphen), soft hyphens
and markdown emphasis (``*`` and ``_``). Every letter, digit, case and punctuation mark must
agree. A quote not found comes with the closest passage of the text (rapidfuzz), so that a
typo is fixed in seconds.

A source's text is the file its ``text:`` names (relative to the data folder), else, with
``paradiplo validate --texts DIR``, ``DIR/<source-id>.txt`` or ``DIR/<file>``.

Examples
--------
>>> quote_found("инвестиционные вопросы", "инвестици-\\nонные\\tвопросы")
True
>>> quote_found("инвестиционные ответы", "инвестици-\\nонные вопросы")
False
>>> Text("Омская область на **севере** граничит с Павлодарской.").closest("на сивере граничит")
'на севере граничит'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from .errors import Problem
from .load import Dataset, Entry, display_path, read_text
from .records import GENERAL_KNOWLEDGE, Evidence, Source

__all__ = ["Text", "quote_found", "normalise", "script_of", "SCRIPTS", "check_quotes", "source_text"]

_BREAK = "\ue000"  # stands for a hyphen at a line break: kept or dropped, as the quote has it
_LINE_BREAK_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n\s*(?=\w)")
_EMPHASIS = re.compile(r"[*_]+")
_SPACE = re.compile(r"\s+")

#: The script a language is written in, for the language check: a tag's script subtag
#: (``kk-Latn``) decides, else its language; quotes in other languages are not checked.
SCRIPTS = {"en": "Latin", "ru": "Cyrillic", "kk": "Cyrillic", "latn": "Latin", "cyrl": "Cyrillic"}


def _plain(text: str) -> str:
    """``text`` in NFC, without soft hyphens and markdown emphasis."""
    return _EMPHASIS.sub("", unicodedata.normalize("NFC", text).replace("\u00ad", ""))


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFC, no soft hyphens or emphasis, whitespace runs as one space.

    >>> normalise("  Омская\\u00ad  *область*\\n")
    'Омская область'
    """
    return _SPACE.sub(" ", _plain(text)).strip()


class Text:
    """A source's text, normalised once, in which quotes are looked for.

    Parameters
    ----------
    raw
        The text as read (plain text or markdown).
    """

    def __init__(self, raw: str):
        self._marked = _SPACE.sub(" ", _LINE_BREAK_HYPHEN.sub(_BREAK, _plain(raw))).strip()
        self._joined = self._marked.replace(_BREAK, "")
        self.printed = self._marked.replace(_BREAK, "-")  #: the text as printed, whitespace normalised

    def contains(self, quote: str) -> bool:
        """Whether ``quote`` occurs in the text (see the module's docstring for what may differ)."""
        q = normalise(quote)
        if not q:
            return False
        if q in self._joined or q in self.printed:
            return True
        return _BREAK in self._marked and self._pattern(q).search(self._marked) is not None

    @staticmethod
    def _pattern(quote: str) -> re.Pattern:
        """``quote`` with every line-break hyphen of the text allowed: after a letter (hyphenation
        joined) or for a hyphen (kept), for quotes that span both kinds."""
        parts = [f"[-{_BREAK}]" if c == "-" else re.escape(c) + (f"{_BREAK}?" if c.isalnum() else "") for c in quote]
        return re.compile("".join(parts))

    def closest(self, quote: str) -> str:
        """The passage of the text most like ``quote`` (rapidfuzz's best partial alignment),
        widened to whole words, as printed (whitespace normalised)."""
        q = normalise(quote)
        found = fuzz.partial_ratio_alignment(q, self.printed) if q else None
        if found is None or found.score == 0:
            return ""  # nothing alike
        start, end = found.dest_start, found.dest_end
        while start > 0 and not self.printed[start - 1].isspace():
            start -= 1
        while end < len(self.printed) and not self.printed[end].isspace():
            end += 1
        return self.printed[start:end].strip()


def quote_found(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text`` up to whitespace, hyphenation, soft hyphens and emphasis."""
    return Text(text).contains(quote)


def script_of(text: str) -> str | None:
    """The script most of the letters of ``text`` are written in (``Latin``, ``Cyrillic``, …).

    >>> script_of("Омская область (Omsk Oblast)"), script_of("12,3 %")
    ('Cyrillic', None)
    """
    scripts: Counter[str] = Counter()
    for letter, n in Counter(filter(str.isalpha, text)).items():
        scripts[_script(letter)] += n
    return min(scripts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if scripts else None


@lru_cache(maxsize=4096)
def _script(letter: str) -> str:
    """The script of a letter, from its Unicode name: ``Latin``, ``Cyrillic``, ``Greek``, …"""
    return unicodedata.name(letter, "?").split(" ")[0].title()


def _expected_script(tag: str) -> str | None:
    subtags = tag.lower().split("-")
    script = next((s for s in subtags[1:] if len(s) == 4 and s.isalpha()), None)
    return SCRIPTS.get(script) if script else SCRIPTS.get(subtags[0])


def _problem(code: str, entry: Entry, i: int, message: str) -> Problem:
    return entry.problem(code, f"evidence[{i}].quote", message)


def _wrong_language(dataset: Dataset, entry: Entry, evidence: Evidence) -> str | None:
    """Why a quote is in the wrong language: written in another script than its language's (the
    evidence's ``lang``, else the source's ``language``); ``None`` if it is not."""
    source = dataset.sources.get(entry.source)
    lang = evidence.lang or (source.language if source else None)
    expected, found = (_expected_script(lang) if lang else None), script_of(evidence.quote)
    if not (expected and found and found != expected):
        return None
    if evidence.lang:
        return (f"in {found} script, but its lang is {lang!r} ({expected} script): correct lang, "
                "or quote the paper's own words")
    return (f"in {found} script, but source {entry.source!r} is in {lang!r} ({expected} script): quote the "
            "paper's own words, or give lang: when the paper prints this passage in another language")


def source_text(dataset: Dataset, source: Source, texts: Path | None = None) -> tuple[Text | None, str, list[Problem]]:
    """A source's text, its name as problems give it, and the problems met finding or reading it.

    The file ``source.text`` names (relative to the data folder) comes first; else, with
    ``texts``, ``texts/<id>.txt`` or ``texts/<source.file>``. ``(None, "", [])`` when the
    source names no text and ``texts`` is not given.
    """
    if source.text:
        path, folder = dataset.directory / source.text, dataset.directory
        if not path.exists():
            return None, "", [Problem("no-text", dataset.sources_file, dataset.source_line(source.id, "text"),
                                      source.id, "text", f"no file {source.text!r} in the data folder "
                                      f"{display_path(dataset.directory)}; put the paper's text there (UTF-8) or "
                                      "correct the path")]
    elif texts is not None:
        names = [f"{source.id}.txt"] + ([source.file] if source.file else [])
        path, folder = next((texts / n for n in names if (texts / n).exists()), None), texts
        if path is None:
            return None, "", [Problem("no-text", dataset.sources_file, dataset.source_line(source.id), source.id,
                                      "text", f"no text of this source in {display_path(texts)}: looked for "
                                      + " and ".join(names) + "; add it there, or name it with text: in sources.yaml")]
    else:
        return None, "", []
    name = display_path(path)
    raw, problems = read_text(path, name, folder)
    return (Text(raw) if raw is not None else None), name, problems


def check_quotes(dataset: Dataset, texts: Path | None = None, scope: set[str] | None = None) -> list[Problem]:
    """Every quote in its source's language, and found in its source's text where there is one.

    A quote written in another script than its language's is a problem (code
    ``quote-wrong-language``); a quote not found in its source's text (see :func:`source_text`)
    is one too (code ``quote-not-found``), which shows the closest passage. With ``scope`` (record
    ids), only the quotes of those records are checked (every source's text is still looked for).

    >>> from graph.load import load_dataset
    >>> check_quotes(load_dataset())  # the bundled sources name no text: languages only
    []
    """
    problems: list[Problem] = []
    entries = dataset.entries if scope is None else [e for e in dataset.entries if e.id in scope]
    quoted = {entry.source for entry in entries if entry.record.evidence}  # whose texts are read
    if scope is not None:  # every paper's record out of scope passed: it has evidence (its record is not read)
        quoted |= {entry.source for entry in dataset.entries if entry.source != GENERAL_KNOWLEDGE}
    found: dict[str, tuple[Text | None, str]] = {}
    for sid, source in sorted(dataset.sources.items()):
        if sid in quoted:
            text, name, unread = source_text(dataset, source, texts)
            problems += unread
            found[sid] = (text, name)
    for entry in entries:
        text, name = found.get(entry.source, (None, ""))
        for i, ev in enumerate(entry.record.evidence):
            if wrong := _wrong_language(dataset, entry, ev):
                problems.append(_problem("quote-wrong-language", entry, i, wrong))
            elif text is not None and not text.contains(ev.quote):
                closest = text.closest(ev.quote)
                problems.append(_problem("quote-not-found", entry, i, f"not found in {name}"
                                               + (f'; closest passage: "{closest}"' if closest else "")))
    return problems
