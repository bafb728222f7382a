"""Every way paradiplo writes a table or a value: JSON, CSV, TSV, text tables, SPARQL results,
XML-safe graphs, and the progress bar on stderr. Used by the CLI, the report and the server.

CSV cells a spreadsheet would run as a formula get a leading ``'`` (OWASP); GraphML and GEXF
get only characters XML 1.0 allows, and are valid against the official schemas.

Examples
--------
>>> csv_cell("=HYPERLINK(1)"), csv_cell("-0.5"), csv_cell(-2)
("'=HYPERLINK(1)", '-0.5', -2)
>>> xml_text("a\x01b")
'a\ufffdb'
>>> print(rows_table([{"id": "omsk-oblast", "degree": 12}], ["id", "degree"]))
id           degree
omsk-oblast  12
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from typing import Any, Callable

import pyoxigraph as ox

from .rdf import PREFIXES
from .sparql import QueryResult

__all__ = ["dumps", "rows_to_csv", "rows_table", "csv_cell", "xml_text", "xml_safe_graph", "network_xml", "term_text",
           "to_json",
           "to_csv", "to_tsv", "to_table", "file_bar"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def dumps(data: Any) -> str:
    """JSON as paradiplo writes it: UTF-8 text, sorted keys, two-space indent, final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def rows_to_csv(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Rows of dicts as CSV (lists joined with ``;``); text a spreadsheet would run as a
    formula is prefixed with ``'`` (see :func:`csv_cell`).

    >>> rows_to_csv([{"label": "=1+2", "score": -0.5}])
    "label,score\\n'=1+2,-0.5\\n"
    """
    columns = columns or (list(rows[0]) if rows else [])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a bare CR would end the row
    for cells in [columns] + [[";".join(map(str, r[c])) if isinstance(r.get(c), list) else r.get(c, "")
                               for c in columns] for r in rows]:
        cells = [csv_cell(c) for c in cells]
        (quoted if any(isinstance(c, str) and "\r" in c for c in cells) else w).writerow(cells)
    return buf.getvalue()


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with ``= + - @``, tab or CR gets a ``'``.

    OWASP's advice against CSV injection. Non-text values and text that is a plain number
    (``-0.5``, ``+3``, ``1e-3``) are returned unchanged.
    """
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates,
    U+FFFE, U+FFFF) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def _xml_value(value: Any) -> Any:
    return xml_text(value) if isinstance(value, str) else value


def xml_safe_graph(g: Any) -> Any:
    """A copy of the NetworkX graph ``g`` whose node ids, attribute names and text values are all
    XML 1.0 characters (see :func:`xml_text`), so GraphML and GEXF output is well-formed."""
    out = g.__class__()
    out.graph.update({_xml_value(k): _xml_value(v) for k, v in g.graph.items()})
    for node, attrs in g.nodes(data=True):
        out.add_node(_xml_value(node), **{_xml_value(k): _xml_value(v) for k, v in attrs.items()})
    for *ends, attrs in (g.edges(keys=True, data=True) if g.is_multigraph() else g.edges(data=True)):
        out.add_edge(*map(_xml_value, ends), **{_xml_value(k): _xml_value(v) for k, v in attrs.items()})
    return out


COORDINATES = ("lat", "lon")


def network_xml(g: Any, fmt: str) -> bytes:
    """The NetworkX graph ``g`` as a GraphML (1.0) or GEXF (1.2draft) file, as bytes.

    Valid against the official XSDs (kept in ``tests/schemas/``): an XML declaration, UTF-8
    text (no numeric character references), only characters XML 1.0 allows (see
    :func:`xml_safe_graph`). ``lat`` and ``lon`` are numbers (``double``) and absent where
    unknown. GEXF carries no date and no graph ``name`` (the 1.2draft schema has none), so the
    same graph gives the same bytes on any day; GraphML is written by NetworkX's ElementTree
    writer whether or not lxml is installed.

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("omsk", label="Омск", lat="54.98", lon="73.37"); g.add_node("kokshetau", lat="", lon="")
    >>> g.add_edge("omsk", "kokshetau", weight=1)
    >>> text = network_xml(g, "gexf").decode("utf-8")
    >>> text.splitlines()[0], 'label="Омск"' in text, 'title="lat" type="double"' in text
    ("<?xml version='1.0' encoding='utf-8'?>", True, True)
    """
    import networkx as nx

    g = xml_safe_graph(_typed_coordinates(g))
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml_xml(g, buf, encoding="utf-8")
    elif fmt == "gexf":
        writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", version="1.2draft")
        meta = writer.xml.find("meta")
        meta.attrib.pop("lastmodifieddate")  # today's date: the file would change every day
        meta.find("creator").text = "paradiplo"
        writer.add_graph(g)
        writer.graph_element.attrib.pop("name")  # not in the 1.2draft schema
        writer.write(buf)
    else:
        raise ValueError(f"network format must be graphml or gexf, not {fmt!r}")
    return buf.getvalue().rstrip(b"\n") + b"\n"


def _typed_coordinates(g: Any) -> Any:
    """A copy of ``g`` whose node ``lat`` / ``lon`` are floats, and absent where empty."""
    out = g.copy()
    for _, attrs in out.nodes(data=True):
        for key in COORDINATES:
            if attrs.get(key) in ("", None):
                attrs.pop(key, None)
            else:
                attrs[key] = float(attrs[key])
    return out


def term_text(term: Any) -> str:
    """Plain text of a term: an IRI, a literal's lexical form, or ``""`` when unbound."""
    if term is None:
        return ""
    return term.value


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def to_json(result: QueryResult) -> dict[str, Any]:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return {"head": {}, "boolean": result.boolean}
    bindings = [{v: _term_json(t) for v, t in zip(result.variables, row) if t is not None}
                for row in result.rows]
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def to_csv(result: QueryResult, delimiter: str = ",", neutralise: bool = True) -> str:
    """SPARQL 1.1 CSV results (plain values).

    With ``neutralise`` (the default), a value a spreadsheet would run as a formula (starting
    with ``= + - @``, tab or CR, and not a plain number) is prefixed with ``'``
    (:func:`csv_cell`); ``neutralise=False`` gives the values exactly as stored.
    """
    cell = csv_cell if neutralise else (lambda text: text)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
    else:
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([cell(term_text(t)) for t in row])
    return buf.getvalue()


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV results (terms in SPARQL/Turtle syntax).

    Already inert in a spreadsheet: every cell starts with ``"``, ``<`` or ``_:`` (a literal
    ``=x`` is written ``"=x"``), and tabs and line breaks inside literals are escaped.
    """
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


def to_table(result: QueryResult, width: int = 60, labels: dict[str, str] | None = None) -> str:
    """A fixed-width text table for people; long cells are cut with an ellipsis.

    ``labels`` maps IRIs to the label shown beside them: ``pdr:omsk-oblast (Omsk Oblast)``.

    >>> r = QueryResult("select", ["a"], [[ox.NamedNode("https://w3id.org/paradiplo/id/omsk-oblast")]])
    >>> print(to_table(r, labels={"https://w3id.org/paradiplo/id/omsk-oblast": "Omsk Oblast"}))
    a
    -----------------------------
    pdr:omsk-oblast (Omsk Oblast)
    (1 row)
    """
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    labels = labels or {}
    def cell(t: Any) -> str:
        text = _short(term_text(t))
        if isinstance(t, ox.NamedNode) and labels.get(t.value):
            text += f" ({labels[t.value]})"
        text = text.replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"
    header = result.variables
    body = [[cell(t) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)


def _short(text: str) -> str:
    for prefix, base in PREFIXES.items():
        if text.startswith(base) and re.fullmatch(r"[\w.-]*", text[len(base):]):
            return f"{prefix}:{text[len(base):]}"
    return text


def rows_table(rows: list[dict[str, Any]], columns: list[str], width: int = 48) -> str:
    """Rows of dicts as a fixed-width text table for people (long cells cut with an ellipsis)."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= width else text[: width - 1] + "…"
    text = [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(t[i]) for t in text]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(x.ljust(w) for x, w in zip(t, widths)).rstrip() for t in text]
    return "\n".join(lines)


def file_bar(label: str = "reading data") -> Callable[..., None] | None:
    """A progress bar on stderr, told how far along it is: ``step(done, total, *anything)``
    (data files read, triples pushed); ``None`` (quiet) when stderr is not a terminal."""
    import click

    if not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {"done": 0}

    def step(done: int, total: int, *_: Any) -> None:
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state["done"])
        state["done"] = done
        if done >= total:
            state["bar"].__exit__(None, None, None)

    return step
