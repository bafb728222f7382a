"""The Jinja2 templates of the pages (map controls, report index, query page) and the SVG chart.

One shared environment: ``.html.j2`` and ``.svg.j2`` templates are autoescaped, so text
from the data is always written as text; an undefined name is an error (``StrictUndefined``).
Templates are read from this package folder, in a source checkout as in an installed wheel.
Fragments inserted into other markup (the map's header and script, the SVG) end without a
newline: their files have none.

Examples
--------
>>> print(render("timeline.svg.j2", timeline=None))
<p>No dated agreements, forums or visits.</p>
>>> str(script_json({"q": "</script>"}))
'{"q": "\\\\u003c/script>"}'
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["TEMPLATES", "render", "script_json"]


def script_json(value: Any) -> Markup:
    """``value`` as JSON for inside a ``<script>`` element: ``<`` is written ``\\u003c``,
    so no text from the data can close the element."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c"))


ENVIRONMENT = Environment(
    loader=PackageLoader("graph", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2", "svg.j2"), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
ENVIRONMENT.filters["script_json"] = script_json
#: The template names, for tests that check each one is used.
TEMPLATES = tuple(sorted(ENVIRONMENT.list_templates(extensions=["j2"])))


def render(name: str, **context: Any) -> str:
    """The template ``name`` (a file in this folder) rendered with ``context``."""
    return ENVIRONMENT.get_template(name).render(**context)
