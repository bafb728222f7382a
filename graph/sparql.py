"""Safe SPARQL: check a query before any engine sees it, run it, format the results.

Both rdflib and Oxigraph would execute ``SERVICE`` (a network call) and rdflib
would load ``FROM <file:///…>``; such queries, and every update, are refused by a
lexical scan before any engine sees them.

Examples
--------
>>> from graph import open_graph
>>> kg = open_graph()
>>> result = run_query(kg.store, "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/paradiplo/ontology#Region> }")
>>> result.variables
['n']
>>> check_query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.sparql.QueryRefused: SERVICE is refused (line 1, column 18): queries run only on the local dataset
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import multiprocessing
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import ParadiploError
from .load import resource_dir
from .rdf import PREFIXES

__all__ = [
    "QueryError", "QueryRefused", "QuerySyntaxError", "QueryTimeout", "QueryTooLarge", "QueryResult",
    "BundledQuery", "MAX_QUERY_LENGTH", "MAX_ROWS", "DEFAULT_TIMEOUT", "check_query", "run_query",
    "run_remote", "from_results_json", "bundled_queries", "find_query", "QueryPool",
    "to_json", "to_csv", "to_tsv", "to_table", "term_text",
]

MAX_QUERY_LENGTH = 100_000


class QueryError(ParadiploError):
    """A query that cannot be run."""


class QueryRefused(QueryError):
    """A query that asks for something paradiplo never does (network, files, updates)."""


class QuerySyntaxError(QueryError):
    """A query that does not parse; the message gives line and column."""


class QueryTimeout(QueryError):
    """A query stopped because it ran longer than its timeout."""


class QueryTooLarge(QueryError):
    """A query whose result exceeds the row limit."""


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'{3}(?:[^'\\]|\\.|'(?!''))*'{3} | "{3}(?:[^"\\]|\\.|"(?!""))*"{3}
              | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
  | (?P<word>[A-Za-z_\u00c0-\uffff][A-Za-z0-9_\-.\u00b7\u00c0-\uffff]*:?[^\s(){}\[\],;<>"']*)
  | (?P<other>.)
""", re.X | re.S)
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
_FORMS = {"SELECT": "SelectQuery", "CONSTRUCT": "ConstructQuery", "DESCRIBE": "DescribeQuery", "ASK": "AskQuery"}


def _keywords(text: str) -> list[tuple[str, int, int]]:
    """Bare keywords of a query (upper-cased), with line and column, skipping strings, IRIs
    and comments: a lexical scan by the SPARQL 1.1 grammar's terminals."""
    out, line, start = [], 1, 0
    for m in _TOKEN.finditer(text):
        kind, value = m.lastgroup, m.group()
        if kind == "word" and ":" not in value:
            out.append((value.upper(), line, m.start() - start + 1))
        if "\n" in value:
            line += value.count("\n")
            start = m.start() + value.rindex("\n") + 1
    return out


def check_query(text: str) -> str:
    """Refuse unsafe queries before any engine sees them; return the query form.

    A lexical scan (strings, IRIs and comments skipped) finds the keywords: ``SERVICE``,
    ``FROM``/``FROM NAMED`` and every update keyword are refused, as are oversized queries.
    Syntax is checked by Oxigraph when the query runs (with line and column), in a
    process that cannot touch the data.

    Returns
    -------
    str
        ``SelectQuery``, ``ConstructQuery``, ``DescribeQuery`` or ``AskQuery``.

    Raises
    ------
    QueryRefused
        Updates, ``SERVICE``, ``FROM`` / ``FROM NAMED``, oversized queries.
    QuerySyntaxError
        Text that is not a query at all.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryRefused(f"query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}")
    # codepoint escapes are decoded before parsing (SPARQL 1.1 § 19.2), so scan the decoded text
    decoded = re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                     lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    keywords = _keywords(decoded)
    form = None
    for word, line, col in keywords:
        if word == "SERVICE":
            raise QueryRefused(f"SERVICE is refused (line {line}, column {col}): queries run only on the "
                               "local dataset")
        if word == "FROM":
            raise QueryRefused(f"FROM and FROM NAMED are refused (line {line}, column {col}): the default graph "
                               "is the union of all sources; use GRAPH ?g { … } to tell sources apart")
        if form is None and word in _UPDATES:
            raise QueryRefused(f"updates are refused ({word} at line {line}, column {col}): the dataset is "
                               "read-only")
        if form is None and word in _FORMS:
            form = _FORMS[word]
    if form is None:
        raise QuerySyntaxError("syntax error: expected a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    return form


def _syntax_message(exc: SyntaxError) -> str:
    match = re.match(r"error at (\d+):(\d+): (.*)", str(exc), flags=re.S)
    if match:
        return f"syntax error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"
    return f"syntax error: {exc}"


DEFAULT_TIMEOUT = 30.0
MAX_ROWS = 100_000


def _answer(store: ox.Store, text: str) -> bytes:
    """Run a query and serialise its answer in Rust: ``S`` + results JSON, ``G`` + N-Triples,
    or ``E`` + the error (any error is reported to the caller, never lost)."""
    try:
        answer = store.query(text, prefixes=PREFIXES)
        if isinstance(answer, ox.QueryTriples):
            return b"G" + answer.serialize(format=ox.RdfFormat.N_TRIPLES)
        return b"S" + answer.serialize(format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        return f"Esyntax\n{_syntax_message(exc)}".encode("utf-8")
    except Exception as exc:  # noqa: BLE001
        return f"Eerror\n{type(exc).__name__}: {exc}".encode("utf-8")


def _decode(payload: bytes, max_rows: int) -> QueryResult:
    tag, body = payload[:1], payload[1:]
    if tag == b"G":
        triples = list(itertools.islice(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), max_rows + 1))
        if len(triples) > max_rows:
            raise QueryTooLarge(f"the result has more than {max_rows} triples; narrow the query or add LIMIT")
        return QueryResult("graph", triples=triples)
    if tag == b"S":
        result = from_results_json(body, max_rows + 1)
        if len(result.rows) > max_rows:
            raise QueryTooLarge(f"the result has more than {max_rows} rows; narrow the query or add LIMIT")
        return result
    kind, _, message = body.decode("utf-8").partition("\n")
    raise {"syntax": QuerySyntaxError}.get(kind, QueryError)(message)


def _child(store: ox.Store, text: str, conn: Any) -> None:
    conn.send_bytes(_answer(store, text))
    conn.close()


def _worker(store: ox.Store, conn: Any, inherited: list[Any]) -> None:
    """A pool worker: answer queries from the pipe until it closes or the parent is gone."""
    for other in inherited:  # other workers' pipe ends, copied by fork: close, so they can end
        other.close()
    parent = os.getppid()
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # orphaned (the parent was killed): stop
                    return
            text = conn.recv_bytes().decode("utf-8")
        except (EOFError, OSError):
            return
        conn.send_bytes(_answer(store, text))


def _wait(conn: Any, worker: Any, timeout: float) -> bytes:
    if not conn.poll(timeout):
        raise QueryTimeout(f"the query was stopped after {timeout:g} s; narrow it, or raise the timeout")
    try:
        return conn.recv_bytes()
    except EOFError:
        raise QueryError("the query process ended without an answer") from None


class QueryPool:
    """Processes forked once, each holding the store, that answer queries and can be killed.

    Forking per query costs tens of milliseconds for a large store; a pool pays it once. A
    query that runs past its timeout has its worker killed and replaced; the caller and the
    other workers carry on. Thread-safe: each call takes an idle worker.

    >>> from graph import open_graph
    >>> pool = QueryPool(open_graph().store, size=1)
    >>> pool.run("ASK { pdr:omsk-oblast a pd:Region }").boolean
    True
    >>> pool.close()
    """

    def __init__(self, store: ox.Store, size: int = 2, max_rows: int = MAX_ROWS):
        import queue

        self.store, self.max_rows = store, max_rows
        self._ctx = multiprocessing.get_context("fork")
        self._idle: "queue.Queue[tuple[Any, Any]]" = queue.Queue()
        self._conns: set[Any] = set()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> tuple[Any, Any]:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker, args=(self.store, child, list(self._conns)), daemon=True)
        process.start()
        child.close()
        self._conns.add(parent)
        return process, parent

    def run(self, text: str, timeout: float | None = DEFAULT_TIMEOUT) -> QueryResult:
        """Check and run a query on a worker (see :func:`run_query`)."""
        check_query(text)
        process, conn = self._idle.get()
        try:
            conn.send_bytes(text.encode("utf-8"))
            payload = _wait(conn, process, timeout if timeout is not None else 10 ** 9)
        except BaseException:
            process.kill()
            process.join()
            self._conns.discard(conn)
            conn.close()
            self._idle.put(self._spawn())
            raise
        self._idle.put((process, conn))
        return _decode(payload, self.max_rows)

    def close(self) -> None:
        """Stop the workers."""
        while not self._idle.empty():
            process, conn = self._idle.get()
            self._conns.discard(conn)
            conn.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()


def run_query(store: ox.Store, text: str, timeout: float | None = DEFAULT_TIMEOUT,
              max_rows: int = MAX_ROWS) -> QueryResult:
    """Check and run a query; the default graph is the union of all sources.

    The project's prefixes (``pd:``, ``pdr:``, ``skos:``, …) are predeclared. With a
    ``timeout`` the query runs in a forked process that is killed when time runs out
    (neither Oxigraph nor rdflib can stop a running query), so the caller stays healthy;
    for many queries on one store, a :class:`QueryPool` forks once instead.

    Raises
    ------
    QueryRefused, QuerySyntaxError
        Before anything runs (see :func:`check_query`).
    QueryTimeout
        When the query took longer than ``timeout`` seconds.
    QueryTooLarge
        When the result has more than ``max_rows`` rows (or triples).
    """
    check_query(text)
    if timeout is None or not hasattr(os, "fork"):
        return _decode(_answer(store, text), max_rows)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=_child, args=(store, text, send), daemon=True)
    worker.start()
    send.close()
    try:
        payload = _wait(receive, worker, timeout)
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()
    return _decode(payload, max_rows)


def from_results_json(data: bytes | str, max_rows: int | None = None) -> QueryResult:
    """A :class:`QueryResult` from SPARQL 1.1 Query Results JSON (parsed by pyoxigraph).

    The SPARQL 1.0 ``typed-literal`` type that some stores (Virtuoso) still send is read as
    a literal.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b'"typed-literal"' in raw:
        raw = raw.replace(b'"type": "typed-literal"', b'"type": "literal"').replace(
            b'"type":"typed-literal"', b'"type":"literal"')
    parsed = ox.parse_query_results(raw, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(parsed))
    variables = [v.value for v in parsed.variables]
    solutions = itertools.islice(parsed, max_rows) if max_rows is not None else parsed
    return QueryResult("select", variables=variables, rows=[[s[v] for v in variables] for s in solutions])


def run_remote(endpoint: str, text: str, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a query against any SPARQL 1.1 Protocol endpoint (POST, form-encoded).

    The query is checked first, exactly as for the local store.
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    form = check_query(text)
    graph = form in ("ConstructQuery", "DescribeQuery")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())  # ours are predeclared
    request = urllib.request.Request(
        endpoint, data=urllib.parse.urlencode({"query": prologue + text}).encode("utf-8"), method="POST",
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded",
                 "User-Agent": "paradiplo"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()[:500]
        raise QueryError(f"{endpoint} answered {exc.code} {exc.reason}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise QueryError(f"cannot reach {endpoint}: {getattr(exc, 'reason', exc)}") from None
    if graph:
        return QueryResult("graph", triples=list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
    return from_results_json(body)


# ------------------------------------------------------------------ formatting

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
    (:func:`graph.files.csv_cell`); ``neutralise=False`` gives the values exactly as stored.
    """
    from .files import csv_cell

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


def to_table(result: QueryResult, width: int = 60) -> str:
    """A fixed-width text table for people; long cells are cut with an ellipsis."""
    if result.kind == "ask":
        return "yes" if result.boolean else "no"
    def cell(t: Any) -> str:
        text = _short(term_text(t)).replace("\n", " ")
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


# ------------------------------------------------------------------ bundled queries

@dataclass(frozen=True)
class BundledQuery:
    """A ``.rq`` file shipped with paradiplo; its header comments give name and description."""

    name: str
    description: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def bundled_queries() -> list[BundledQuery]:
    """The bundled queries, sorted by name."""
    out = []
    for path in sorted(resource_dir("queries").glob("*.rq")):
        description = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# description:"):
                description = line.split(":", 1)[1].strip()
        out.append(BundledQuery(path.stem, description, path))
    return out


def find_query(name: str) -> BundledQuery:
    """A bundled query by name, or :class:`QueryError` naming the close matches."""
    import difflib

    queries = {q.name: q for q in bundled_queries()}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `paradiplo queries` lists them"
    raise QueryError(f"no bundled query {name!r}{hint}")

