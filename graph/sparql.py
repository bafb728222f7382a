"""Safe SPARQL: check a query before any engine sees it, run it, format the results.

Both rdflib and Oxigraph would execute ``SERVICE`` (a network call) and rdflib
would load ``FROM <file:///…>``; such queries, and every update, are refused by a
scan of the query's SPARQL tokens before any engine sees them, the engine runs exactly
the tokens that were scanned, and the processes that run queries cannot open network
connections (:mod:`graph.sandbox`).

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

import functools
import itertools
import multiprocessing
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pyoxigraph as ox

from .errors import ParadiploError
from .rdf import BASE, PREFIXES
from .sandbox import DEFAULT_MEMORY, confine

__all__ = [
    "QueryError", "QueryRefused", "QuerySyntaxError", "QueryTimeout", "QueryTooLarge", "QueryTooLong",
    "QueryBusy", "QueryResult", "MAX_QUERY_LENGTH", "MAX_ROWS", "DEFAULT_TIMEOUT", "DEFAULT_WAIT",
    "check_query", "prepare_query", "PreparedQuery", "QueryDataset", "check_dataset", "graph_names", "QUERY_BASE",
    "run_query", "from_results_json", "QueryPool",
]

MAX_QUERY_LENGTH = 100_000
#: the base IRI against which relative IRIs in a query resolve (the endpoint uses its own URL):
#: ``<id/omsk-oblast>`` is ``https://w3id.org/paradiplo/id/omsk-oblast``
QUERY_BASE = BASE


class QueryError(ParadiploError):
    """A query that cannot be run."""


class QueryRefused(QueryError):
    """A query that asks for something paradiplo never does (network, files, updates)."""


class QuerySyntaxError(QueryError):
    """A query that does not parse; the message gives line and column."""


class QueryTimeout(QueryError):
    """A query stopped because it ran longer than its timeout."""


class QueryTooLarge(QueryError):
    """A query whose result exceeds the row limit, or that ran out of its memory cap."""


class QueryTooLong(QueryRefused):
    """A query text longer than :data:`MAX_QUERY_LENGTH` characters (HTTP 413)."""


class QueryBusy(QueryError):
    """Every query worker stayed busy longer than the wait limit (HTTP 503)."""


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # pyoxigraph terms or None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


# The SPARQL 1.1 grammar's terminals (§ 19.8) as Oxigraph reads them: white space is only
# space, tab, CR and LF; a comment ends at CR or LF; escapes count only inside strings and
# IRIs (``SEL\u0045CT`` is not SELECT); keywords are matched case-insensitively.
#: PN_CHARS_BASE and PN_CHARS (SPARQL 1.1 § 19.8) as code point ranges
_PN_CHARS_BASE = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
                  (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF),
                  (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF))
_PN_CHARS = _PN_CHARS_BASE + ((0x5F, 0x5F), (0x2D, 0x2D), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F),
                              (0x203F, 0x2040))


def _chars(ranges: tuple[tuple[int, int], ...], extra: str = "") -> str:
    """A regex character class of the code points in ``ranges`` and ``extra``, written as the
    negation of its complement: ``re`` builds a bitmap of every BMP code point a class lists,
    so the complement's few thousand compile five times faster than the class's 60,000
    (this regex is compiled by every ``paradiplo query``)."""
    inside = sorted(list(ranges) + [(ord(c), ord(c)) for c in extra])
    gaps, next_free = [], 0
    for low, high in inside:
        if low > next_free:
            gaps.append((next_free, low - 1))
        next_free = max(next_free, high + 1)
    if next_free <= 0x10FFFF:
        gaps.append((next_free, 0x10FFFF))
    return "[^" + "".join(f"\\U{a:08x}" + (f"-\\U{b:08x}" if b > a else "") for a, b in gaps) + "]"


_ESC = r"""\\(?:[tbnrf\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_PLX = r"""%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"""
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<comment>\#[^\r\n]*)"
    rf"|(?P<string>'''(?:(?:'|'')?(?:[^'\\]|{_ESC}))*'''"
    rf'|"""(?:(?:"|"")?(?:[^"\\]|{_ESC}))*"""'
    rf"|'(?:[^'\\\n\r]|{_ESC})*'"
    rf'|"(?:[^"\\\n\r]|{_ESC})*")'
    r'|(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)'
    rf"|(?P<var>[?$]{_chars(_PN_CHARS)}+)"
    r"|(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    r"|(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)"
    rf"|(?P<name>(?:{_chars(_PN_CHARS_BASE, '_')}{_chars(_PN_CHARS, '.')}*)?:(?:{_chars(_PN_CHARS, ':.')}|{_PLX})*)"
    rf"|(?P<word>{_chars(_PN_CHARS_BASE, '_')}{_chars(_PN_CHARS)}*)"
    r"""|(?P<quote>["'])"""
    r"|(?P<other>.)", re.S)
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
_FORMS = {"SELECT": "SelectQuery", "CONSTRUCT": "ConstructQuery", "DESCRIBE": "DescribeQuery", "ASK": "AskQuery"}
# Oxigraph matches a keyword as the start of longer text ("SERVICESILENT<…>" and "SERVICE:x"
# are SERVICE, "trueSERVICE" is true SERVICE): a bare word that contains one, or a prefix
# name that begins with one, is refused.
_FORBIDDEN = re.compile(r"SERVICE|FROM|LOAD", re.I)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class _Token(NamedTuple):
    """A token: its kind (the group of :data:`_TOKEN`), its text, where it starts in ``source``
    (the text that was split); line and column are counted only when a message needs them."""

    kind: str
    text: str
    start: int
    source: str

    @property
    def line(self) -> int:
        before = self.source[:self.start]  # a line ends at LF, CR or CR LF
        return 1 + before.count("\n") + before.count("\r") - before.count("\r\n")

    @property
    def column(self) -> int:
        return self.start - max(self.source.rfind("\n", 0, self.start), self.source.rfind("\r", 0, self.start))


def _tokens(text: str) -> list[_Token]:
    """The query's tokens, white space and comments included."""
    return [_Token(m.lastgroup or "other", m.group(), m.start(), text) for m in _TOKEN.finditer(text)]


def _forbidden_word(token: _Token) -> str | None:
    """The refused keyword an engine could read in this token, if any."""
    if token.kind == "word":
        found = _FORBIDDEN.search(token.text)
    elif token.kind == "name":  # the local part is read whole; the prefix may be read as a keyword
        found = _FORBIDDEN.match(token.text.split(":", 1)[0])
    elif token.kind == "iri" and ")" in token.text:  # in `?a<?b)SERVICE…>` the `<` may be less-than
        return next(filter(None, map(_forbidden_word, _tokens(token.text[1:-1]))), None)
    else:
        return None
    return found.group().upper() if found else None


def _refusal(word: str, token: _Token) -> QueryRefused:
    where = f"line {token.line}, column {token.column}"
    if token.kind == "name":
        return QueryRefused(f"a prefix name that begins with {word} is refused ({where}): the engine may read "
                            f"it as the {word} keyword; rename the prefix")
    if word == "SERVICE":
        return QueryRefused(f"SERVICE is refused ({where}): queries run only on the local dataset")
    if word == "LOAD":
        return QueryRefused(f"updates are refused (LOAD at {where}): the dataset is read-only")
    return QueryRefused(f"FROM and FROM NAMED are refused ({where}) unless followed by the full <IRI> of a graph "
                        "of the dataset; the default graph is the union of all sources; use GRAPH ?g { … } "
                        "to tell sources apart")


class QueryDataset(NamedTuple):
    """The RDF dataset a query runs on: the graphs merged into its default graph, and the
    graphs ``GRAPH`` may see (SPARQL 1.1 § 13.2)."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


def graph_names(store: ox.Store) -> frozenset[str]:
    """The IRIs of a store's named graphs: the graphs a query may name."""
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def check_dataset(default: list[str], named: list[str], graphs: frozenset[str],
                  what: tuple[str, str] = ("default-graph-uri", "named-graph-uri")) -> QueryDataset:
    """The dataset of ``default`` and ``named`` graph IRIs, each one a graph of ``graphs``.

    Raises
    ------
    QueryRefused
        Naming every IRI that is not a graph of the dataset (nothing is ever fetched).
    """
    unknown = [f"{label} <{iri}>" for label, iris in zip(what, (default, named)) for iri in iris
               if iri not in graphs]
    if unknown:
        raise QueryRefused(f"{', '.join(unknown)}: not a graph of this dataset (graphs are never fetched); "
                           "the service description (GET /sparql) lists the graphs")
    return QueryDataset(tuple(default), tuple(named))


def _significant(tokens: list[_Token], i: int) -> int:
    """The index of the first token at or after ``i`` that is not white space or a comment."""
    while i < len(tokens) and tokens[i].kind in ("space", "comment"):
        i += 1
    return i


def _from_clause(tokens: list[_Token], i: int, graphs: frozenset[str] | None) -> tuple[str, str, int] | None:
    """At a ``FROM`` token: ``(kind, iri, next index)`` if it is ``FROM [NAMED] <IRI>`` with the IRI of
    a graph of ``graphs``; else None. Refuses a well-formed clause naming any other graph."""
    if graphs is None or tokens[i].kind != "word" or tokens[i].text.upper() != "FROM":
        return None
    j = _significant(tokens, i + 1)
    kind = "default"
    if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED":
        kind, j = "named", _significant(tokens, j + 1)
    if j >= len(tokens) or tokens[j].kind != "iri" or ")" in tokens[j].text:
        return None
    iri = tokens[j].text[1:-1]
    if iri not in graphs:
        raise QueryRefused(f"FROM{' NAMED' if kind == 'named' else ''} <{iri}> is refused (line {tokens[i].line}, "
                           f"column {tokens[i].column}): not a graph of this dataset (graphs are never fetched); "
                           "the service description (GET /sparql) lists the graphs")
    return kind, iri, j + 1


def _scan(tokens: list[_Token], graphs: frozenset[str] | None) -> QueryDataset | None:
    """Refuse a forbidden word in ``tokens``; the dataset that accepted FROM clauses describe."""
    clauses: dict[str, list[str]] = {"default": [], "named": []}
    i = 0
    while i < len(tokens):
        clause = _from_clause(tokens, i, graphs)
        if clause:
            clauses[clause[0]].append(clause[1])
            i = clause[2]
            continue
        word = _forbidden_word(tokens[i])
        if word:
            raise _refusal(word, tokens[i])
        i += 1
    if not clauses["default"] and not clauses["named"]:
        return None
    return QueryDataset(tuple(clauses["default"]), tuple(clauses["named"]))


class PreparedQuery(NamedTuple):
    """A query :func:`prepare_query` checked: its form, the text to run and the dataset its
    ``FROM`` clauses describe (None: the default dataset)."""

    form: str
    text: str
    dataset: QueryDataset | None = None


def prepare_query(text: str | PreparedQuery, graphs: frozenset[str] | None = None) -> PreparedQuery:
    """Check a query; return its form, the text to run (the checked tokens, comments removed)
    and the dataset its ``FROM`` clauses describe.
    A query prepared already is returned as it is, so callers that need the form first
    (the endpoint, to negotiate) do not check it twice.

    The engine runs exactly the tokens that were checked, so a comment cannot hide or split
    anything. See :func:`check_query` for what is refused. ``FROM <IRI>`` and
    ``FROM NAMED <IRI>`` are accepted only when ``graphs`` (the IRIs of the dataset's named
    graphs, :func:`graph_names`) holds the IRI, written in full; with ``graphs=None`` every
    ``FROM`` is refused.
    """
    if isinstance(text, PreparedQuery):
        return text
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLong(f"query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}")
    return _prepare(text, graphs) if len(text) <= _REMEMBERED_LENGTH else _prepare.__wrapped__(text, graphs)


#: queries up to this many characters are remembered once checked (128 of them, a few MB at most)
_REMEMBERED_LENGTH = 10_000


@functools.lru_cache(maxsize=128)
def _prepare(text: str, graphs: frozenset[str] | None) -> PreparedQuery:
    """:func:`prepare_query` of a query text. The last 128 checked are remembered, so a query
    asked again (a dashboard, the query page, the bundled queries) is not split again; a
    refused one raises each time."""
    tokens = _tokens(text)
    decoded = _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    # an engine that decodes escapes before parsing (SPARQL 1.1 § 19.2; Oxigraph does so only
    # inside strings and IRIs) reads the decoded text: refuse what either reading shows. Every
    # refusal and every FROM clause is a match of _FORBIDDEN in a token, so a text without one
    # needs no scan.
    if decoded != text and _FORBIDDEN.search(decoded):
        _scan(_tokens(decoded), graphs)
    dataset = _scan(tokens, graphs) if _FORBIDDEN.search(text) else None
    form = None
    for token in tokens:
        if token.kind == "quote":
            raise QuerySyntaxError(f"syntax error at line {token.line}, column {token.column}: "
                                   "a string that is not closed")
        upper = token.text.upper() if token.kind == "word" else ""
        if form is None and upper in _UPDATES:
            raise QueryRefused(f"updates are refused ({upper} at line {token.line}, column {token.column}): "
                               "the dataset is read-only")
        if form is None and upper in _FORMS:
            form = _FORMS[upper]
    if form is None:
        raise QuerySyntaxError("syntax error: expected a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    return PreparedQuery(form, "".join(t.text for t in tokens if t.kind != "comment"), dataset)


def check_query(text: str) -> str:
    """Refuse unsafe queries before any engine sees them; return the query form.

    The query is split into the SPARQL 1.1 grammar's tokens as the engine reads them
    (comments end at CR or LF; escapes count only inside strings and IRIs), and the engine
    later runs those tokens without the comments (:func:`prepare_query`). Refused:
    ``SERVICE`` and ``FROM`` / ``FROM NAMED`` in any case, also glued to other text
    (``SERVICE:x``, ``SERVICESILENT``), updates, oversized queries (``FROM`` of a graph of
    the dataset is accepted by :func:`prepare_query` given the dataset's graphs). Defence in depth: query
    workers cannot open network connections (:mod:`graph.sandbox`) and paradiplo, not the
    query, sets the default graph.

    Returns
    -------
    str
        ``SelectQuery``, ``ConstructQuery``, ``DescribeQuery`` or ``AskQuery``.

    Raises
    ------
    QueryRefused
        Updates, ``SERVICE``, ``FROM`` / ``FROM NAMED``; :class:`QueryTooLong` beyond
        :data:`MAX_QUERY_LENGTH` characters.
    QuerySyntaxError
        Text that is not a query at all, or a string that is not closed.
    """
    return prepare_query(text)[0]


def _syntax_message(exc: SyntaxError) -> str:
    match = re.match(r"error at (\d+):(\d+): (.*)", str(exc), flags=re.S)
    if match:
        return f"syntax error at line {match.group(1)}, column {match.group(2)}: {match.group(3)}"
    return f"syntax error: {exc}"


DEFAULT_TIMEOUT = 30.0
MAX_ROWS = 100_000
#: seconds a request waits for a free worker of a :class:`QueryPool` before :class:`QueryBusy`
DEFAULT_WAIT = 10.0


class _Enough(Exception):
    """Raised inside the serialiser to stop it: too many rows, or out of time."""


class _Sink:
    """A file-like target for Oxigraph's serialiser that stops it at a row limit or a deadline.

    Results are written as TSV or N-Triples, one solution or triple per line, so counting
    line breaks counts rows while the results stream, before anything is held whole.
    """

    def __init__(self, max_lines: int, deadline: float):
        self.data, self.lines, self.max_lines, self.deadline = bytearray(), 0, max_lines, deadline

    def write(self, chunk: bytes) -> int:
        self.data += chunk
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_lines:
            raise _Enough("rows")
        if time.monotonic() > self.deadline:
            raise _Enough("time")
        return len(chunk)

    def flush(self) -> None:
        pass


def _dataset_options(dataset: QueryDataset | None) -> dict[str, Any]:
    """``Store.query`` options for a dataset; without one the store's default graph (the union of
    all sources) and every named graph, whatever ``FROM`` says."""
    if dataset is None:
        return {"default_graph": ox.DefaultGraph()}
    return {"default_graph": [ox.NamedNode(g) for g in dataset.default],
            "named_graphs": [ox.NamedNode(g) for g in dataset.named]}


def _answer(store: ox.Store, text: str, max_rows: int = MAX_ROWS, seconds: float = 10 ** 9,
            dataset: QueryDataset | None = None, base: str | None = None) -> bytes:
    """Run a checked query on ``dataset`` (see :func:`_dataset_options`), relative IRIs resolved
    against ``base``, and serialise its answer in Rust, streaming: ``S`` + TSV results,
    ``G`` + N-Triples, ``B`` + JSON boolean, or ``E`` + kind and message (never lost)."""
    sink = _Sink(max_rows + 1, time.monotonic() + seconds)
    try:
        answer = store.query(text, prefixes=PREFIXES, base_iri=base, **_dataset_options(dataset))
        if isinstance(answer, ox.QueryBoolean):
            return b"B" + answer.serialize(format=ox.QueryResultsFormat.JSON)
        if isinstance(answer, ox.QueryTriples):
            sink.max_lines = max_rows
            answer.serialize(sink, format=ox.RdfFormat.N_TRIPLES)
            return b"G" + bytes(sink.data)
        answer.serialize(sink, format=ox.QueryResultsFormat.TSV)
        return b"S" + bytes(sink.data)
    except _Enough as stop:
        if str(stop) == "time":
            return f"Etimeout\nthe query was stopped after {seconds:g} s; narrow it, or raise the timeout".encode()
        return (f"Etoo-large\nthe result has more than {max_rows} rows; narrow the query or add LIMIT").encode()
    except SyntaxError as exc:
        return f"Esyntax\n{_syntax_message(exc)}".encode("utf-8")
    except MemoryError:
        return b"Ememory\nthe query needed more memory than a query may use; narrow it"
    except Exception as exc:  # noqa: BLE001
        return f"Eerror\n{type(exc).__name__}: {exc}".encode("utf-8")


_ERRORS = {"syntax": QuerySyntaxError, "timeout": QueryTimeout, "too-large": QueryTooLarge,
           "memory": QueryTooLarge}


def _decode(payload: bytes, max_rows: int) -> QueryResult:
    tag, body = payload[:1], payload[1:]
    if tag == b"G":
        return QueryResult("graph", triples=list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
    if tag == b"S":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        # a solution iterates over its values in the order of the variables (None where
        # unbound): three times faster than reading each variable by name
        return QueryResult("select", variables=[v.value for v in parsed.variables], rows=[list(s) for s in parsed])
    if tag == b"B":
        return from_results_json(body)
    kind, _, message = body.decode("utf-8").partition("\n")
    raise _ERRORS.get(kind, QueryError)(message)


def _serve(store: ox.Store, conn: Any, memory: int | None) -> None:
    """A query process: confined first, then answers ``(text, max_rows, seconds[, dataset, base])``
    from the pipe until it closes or the parent is gone."""
    import faulthandler

    faulthandler.disable()  # past the memory cap the engine aborts; the parent reports it, no dump
    os.environ["RUST_BACKTRACE"] = "0"  # nor Rust's backtrace of the failed allocation
    confine(memory)
    parent = os.getppid()
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # orphaned (the parent was killed): stop
                    return
            text, max_rows, seconds, *options = conn.recv()
        except (EOFError, OSError):
            return
        conn.send_bytes(_answer(store, text, max_rows, seconds, *options))


def _worker(store: ox.Store, conn: Any, inherited: list[Any], memory: int | None) -> None:
    for other in inherited:  # other workers' pipe ends, copied by fork: close, so they can end
        other.close()
    _serve(store, conn, memory)


def _receive(conn: Any, process: Any, timeout: float, total: float | None = None) -> bytes:
    """The worker's answer within ``timeout`` seconds, or :class:`QueryTimeout` (which names
    ``total``, the query's whole time limit); a worker that died says why."""
    if not conn.poll(timeout):
        raise QueryTimeout(f"the query was stopped after {total or timeout:g} s; narrow it, or raise the timeout")
    try:
        return conn.recv_bytes()
    except (EOFError, OSError):
        process.join(5)
        if process.exitcode is not None and process.exitcode < 0:
            raise QueryTooLarge("the query process ended (signal "
                                f"{-process.exitcode}), most likely past its memory cap; narrow the query") from None
        raise QueryError("the query process ended without an answer") from None


class QueryPool:
    """Processes forked once, each holding the store, that answer queries and can be killed.

    Forking per query costs tens of milliseconds for a large store; a pool pays it once.
    Each worker is confined (:func:`graph.sandbox.confine`): no network, at most ``memory``
    more bytes. A query that runs past its timeout has its worker killed and replaced; the
    caller and the other workers carry on. A query still running after ``demote_after``
    seconds while another query waits for a worker is demoted: its process gets the lowest
    CPU priority (``SCHED_IDLE`` on Linux, else nice 19), a fresh worker takes its place in
    the pool (while at most ``max_demoted``, by default ``size``, are demoted), and it is
    retired when it ends; so runaway queries cannot make quick ones wait, and a long query
    nobody waits behind runs at full speed on its worker. A caller waits at most ``wait``
    seconds for a free worker (then :class:`QueryBusy`). Thread-safe.

    >>> from graph import open_graph
    >>> pool = QueryPool(open_graph().store, size=1)
    >>> pool.run("ASK { pdr:omsk-oblast a pd:Region }").boolean
    True
    >>> pool.close()
    """

    def __init__(self, store: ox.Store, size: int = 2, max_rows: int = MAX_ROWS, wait: float = DEFAULT_WAIT,
                 memory: int | None = DEFAULT_MEMORY, demote_after: float = 0.1, max_demoted: int | None = None):
        import queue
        import threading

        self.store, self.max_rows, self.wait, self.memory = store, max_rows, wait, memory
        self.graphs = graph_names(store)
        self.size, self.demote_after, self._demoted, self._lock = size, demote_after, 0, threading.Lock()
        self._waiting = 0  # callers waiting for a free worker
        self.max_demoted = size if max_demoted is None else max_demoted
        self._ctx = multiprocessing.get_context("fork")
        self._idle: "queue.Queue[tuple[Any, Any]]" = queue.Queue()
        self._conns: set[Any] = set()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> tuple[Any, Any]:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker, args=(self.store, child, list(self._conns), self.memory),
                                    daemon=True)
        process.start()
        child.close()
        self._conns.add(parent)
        return process, parent

    def run(self, text: str | PreparedQuery, timeout: float | None = DEFAULT_TIMEOUT,
            dataset: QueryDataset | None = None, base: str | None = QUERY_BASE) -> QueryResult:
        """Check and run a query on a worker (see :func:`run_query`); ``dataset``, when given,
        replaces the one the query's ``FROM`` clauses describe."""
        import queue

        prepared = prepare_query(text, self.graphs)
        checked, dataset = prepared.text, dataset if dataset is not None else prepared.dataset
        seconds = timeout if timeout is not None else 10 ** 9
        with self._lock:
            self._waiting += 1
        try:
            process, conn = self._idle.get(timeout=self.wait)
        except queue.Empty:
            raise QueryBusy(f"every query worker stayed busy for {self.wait:g} s; try again shortly") from None
        finally:
            with self._lock:
                self._waiting -= 1
        started, demoted, replaced = time.monotonic(), False, False
        try:
            conn.send((checked, self.max_rows, seconds, dataset, base))
            while not demoted and not conn.poll(min(self.demote_after, seconds)):
                if time.monotonic() - started >= seconds:
                    break
                if self._waiting:  # someone waits behind this long query
                    demoted, replaced = True, self._demote(process)
            payload = _receive(conn, process, max(0.0, seconds - (time.monotonic() - started)), seconds)
        except BaseException:
            self._retire(process, conn, replace=not replaced)
            raise
        if demoted:
            self._retire(process, conn, replace=not replaced)
        else:
            self._idle.put((process, conn))
        return _decode(payload, self.max_rows)

    def _demote(self, process: Any) -> bool:
        """Lowest CPU priority for a long query's process; a fresh worker takes its place while
        fewer than ``max_demoted`` are demoted. Returns whether one did."""
        try:  # SCHED_IDLE: runs only when nothing else wants the CPU (Linux); else nice 19
            os.sched_setscheduler(process.pid, os.SCHED_IDLE, os.sched_param(0))
        except (OSError, AttributeError):
            try:
                os.setpriority(os.PRIO_PROCESS, process.pid, 19)
            except (OSError, AttributeError):
                pass
        with self._lock:
            if self._demoted >= self.max_demoted:
                return False
            self._demoted += 1
            self._idle.put(self._spawn())
        return True

    def _retire(self, process: Any, conn: Any, replace: bool) -> None:
        """Stop a worker; start one in its place unless a demotion did already."""
        process.kill()
        process.join()
        with self._lock:
            self._conns.discard(conn)
            conn.close()
            if replace:
                self._idle.put(self._spawn())
            else:
                self._demoted -= 1

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
              max_rows: int = MAX_ROWS, memory: int | None = DEFAULT_MEMORY,
              base: str | None = QUERY_BASE) -> QueryResult:
    """Check and run a query; the default graph is the union of all sources, unless ``FROM``
    names graphs of the dataset (then it is their merge; ``FROM NAMED`` likewise limits ``GRAPH``).

    The project's prefixes (``pd:``, ``pdr:``, ``skos:``, …) are predeclared; relative IRIs
    resolve against ``base`` (:data:`QUERY_BASE` unless given). With a
    ``timeout`` the query runs in a forked, confined process (no network, at most ``memory``
    more bytes; :mod:`graph.sandbox`) that is killed when time runs out (neither Oxigraph
    nor rdflib can stop a running query), so the caller stays healthy; for many queries on
    one store, a :class:`QueryPool` forks once instead. ``timeout=None`` runs in this
    process, guarded by :func:`check_query` alone.

    Raises
    ------
    QueryRefused, QuerySyntaxError
        Before anything runs (see :func:`check_query`).
    QueryTimeout
        When the query took longer than ``timeout`` seconds.
    QueryTooLarge
        When the result has more than ``max_rows`` rows (or triples), counted while it
        streams, or the query went past its memory cap.
    """
    _, checked, dataset = prepare_query(text, graph_names(store))
    if timeout is None or not hasattr(os, "fork"):
        return _decode(_answer(store, checked, max_rows, dataset=dataset, base=base), max_rows)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=True)
    worker = ctx.Process(target=_serve, args=(store, send, memory), daemon=True)
    worker.start()
    send.close()
    try:
        receive.send((checked, max_rows, timeout, dataset, base))
        payload = _receive(receive, worker, timeout)
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
    return QueryResult("select", variables=variables, rows=[list(s) for s in solutions])
