"""Check that evidence quotes occur verbatim in the source texts.

A quote matches when its *skeleton* occurs in the seed's skeleton: the text with
whitespace, soft hyphens, hyphens and markdown emphasis removed, so that line
breaks, tab-separated words and line-break hyphenation in the seed do not matter,
while every letter, digit and punctuation mark must agree.

Examples
--------
>>> quote_found("инвестиционные вопросы", "инвестици-\\nонные\\tвопросы")
True
>>> quote_found("инвестиционные ответы", "инвестици-\\nонные вопросы")
False
"""

from __future__ import annotations

import re

__all__ = ["skeleton", "quote_found"]

_DROP = re.compile(r"[\s\u00ad\-*_]+")


def skeleton(text: str) -> str:
    """Text without whitespace, hyphens, soft hyphens and markdown emphasis."""
    return _DROP.sub("", text.replace("\u00a0", " "))


def quote_found(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text`` up to whitespace and hyphenation."""
    return skeleton(quote) in skeleton(text)
