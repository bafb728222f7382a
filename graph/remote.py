"""Remote SPARQL stores: query them, read one for analysis, load the dataset into one.

:func:`run_remote` runs a checked query on any SPARQL 1.1 Protocol endpoint;
:func:`open_remote` reads a remote store's union graph into a local one for analysis;
:func:`push` loads the dataset, named graphs included, into an external store.

Two protocols: SPARQL 1.1 Update (``DROP SILENT GRAPH`` then ``INSERT DATA`` in batches,
POSTed form-encoded) and the SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` of each named
graph as N-Triples). Basic and Digest authentication are both offered (Virtuoso asks for
Digest). Standard library HTTP only; nothing else is sent anywhere.

No redirect is followed: on a redirect urllib would turn the POST into a GET and nothing would
be stored, so a 3xx is an error naming where the store points to. After loading, the triples
of every named graph are counted on the store (``COUNT`` through a SPARQL query endpoint, or
with the Graph Store Protocol a ``GET`` of each graph); a store holding other counts than were
sent is reported as half-written, graph by graph.

Examples
--------
>>> batches(["<a> <b> <c> .", "<a> <b> <d> ."], size=1)
[['<a> <b> <c> .'], ['<a> <b> <d> .']]
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from typing import Callable, Iterator

import pyoxigraph as ox

from .errors import ParadiploError
from .rdf import PREFIXES, split_nquad
from .sparql import DEFAULT_TIMEOUT, QueryError, QueryResult, from_results_json, prepare_query
from .store import KnowledgeGraph

__all__ = ["PushError", "HalfWritten", "graph_texts", "graph_sizes", "graphs_as_ntriples", "batches", "push",
           "remote_counts", "PROTOCOLS", "run_remote", "open_remote"]

PROTOCOLS = ("update", "gsp")


class PushError(ParadiploError):
    """The store refused the data, could not be reached, or answered something unreadable."""


class HalfWritten(PushError):
    """The store does not hold what was sent: ``short`` maps each such graph to (stored, sent)."""

    def __init__(self, message: str, short: dict[str, tuple[int, int]]):
        super().__init__(message)
        self.short = short


def graph_texts(dataset: bytes | ox.Store) -> dict[str, bytes]:
    """Named graph IRI → its triples as N-Triples text (one line each), the graphs in sorted order.

    ``dataset`` is paradiplo's N-Quads (each line loses its graph; lines keep their order) or
    an Oxigraph store such as the one ``--store`` keeps, whose named graphs Oxigraph dumps
    itself, in its own order, with no Python object per triple (its default graph, the union,
    is not sent).

    >>> graph_texts(b'<http://a> <http://b> "x y" <http://g> .\\n')
    {'http://g': b'<http://a> <http://b> "x y" .\\n'}
    """
    if isinstance(dataset, ox.Store):
        return {g: _dump(dataset, g) for g in graph_sizes(dataset)}
    out: dict[str, list[str]] = defaultdict(list)
    for line in dataset.decode("utf-8").split("\n"):
        if line:
            triple, graph = split_nquad(line)
            out[graph].append(triple + "\n")
    return {g: "".join(lines).encode("utf-8") for g, lines in sorted(out.items())}


def _dump(store: ox.Store, graph: str) -> bytes:
    """One named graph of ``store`` as N-Triples, written by Oxigraph."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))


def graphs_as_ntriples(dataset: bytes | ox.Store) -> dict[str, list[str]]:
    """Named graph IRI → its triples as N-Triples lines (see :func:`graph_texts`).

    >>> graphs_as_ntriples(b'<http://a> <http://b> "x y" <http://g> .\\n')
    {'http://g': ['<http://a> <http://b> "x y" .']}
    """
    return {g: text.decode("utf-8").split("\n")[:-1] for g, text in graph_texts(dataset).items()}


def batches(lines: list, size: int = 5000) -> list[list]:
    """``lines`` in chunks of ``size``."""
    return [lines[i:i + size] for i in range(0, len(lines), size)] or [[]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every 3xx into an error (urllib would re-send a POST as a GET, without its body)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


class _SignedDigest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that signs every request up front once the host has sent a challenge.

    urllib's own handler sends each request unsigned first and repeats it, body included,
    after the 401: every batch crossed the wire twice, and Virtuoso, which closes the
    connection with its 401, cut the body of a large ``PUT`` short (``Broken pipe``). The
    challenge is kept per host; a stale nonce is answered with a new 401 and handled as before.
    """

    def __init__(self, manager: urllib.request.HTTPPasswordMgr):
        super().__init__(manager)
        self.challenges: dict[str, dict[str, str]] = {}

    def retry_http_digest_auth(self, req, auth):  # noqa: ANN001, ANN201
        challenge = urllib.request.parse_http_list(auth.split(" ", 1)[-1])
        self.challenges[req.host] = urllib.request.parse_keqv_list(filter(None, challenge))
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req):  # noqa: ANN001, ANN201
        challenge = self.challenges.get(req.host)
        if challenge and not req.has_header(self.auth_header):
            signed = self.get_authorization(req, challenge)
            if signed:
                req.add_unredirected_header(self.auth_header, f"Digest {signed}")
        return req

    https_request = http_request


def _opener(urls: list[str], user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list = [_NoRedirect()]
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            manager.add_password(None, url, user, password or "")
        handlers += [_SignedDigest(manager), urllib.request.HTTPBasicAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _check_url(url: str, what: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"{what} must be an http:// or https:// address, not {url!r}")


def _http_error(exc: urllib.error.HTTPError, where: str, error: type[ParadiploError]) -> ParadiploError:
    if 300 <= exc.code < 400:
        location = exc.headers.get("Location", "(no Location header)")
        return error(f"{where} answered {exc.code} {exc.reason}, redirecting to {location}; paradiplo follows no "
                     f"redirect (a POST would be re-sent as a GET, without its body): if that address is "
                     f"your store, give it as the endpoint (often http→https or a trailing slash)")
    try:
        detail = exc.read().decode("utf-8", "replace").strip()[:300]
    except (OSError, http.client.HTTPException):
        detail = "(reply cut short)"
    return error(f"{where} answered {exc.code} {exc.reason}: {detail}")


def _send(opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float,
          missing_ok: bool = False, error: type[ParadiploError] = PushError) -> tuple[str, bytes]:
    """The reply's media type and body; any failure, redirect or reply cut short is an ``error``
    (with ``missing_ok``, a 404 is an empty reply). The one place paradiplo speaks HTTP to
    other servers."""
    where = request.full_url.split("?")[0]
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        if missing_ok and exc.code == 404:
            return "", b""
        raise _http_error(exc, where, error) from None
    except ConnectionError as exc:
        raise error(f"{where} closed the connection without a full answer ({type(exc).__name__})") from None
    except http.client.IncompleteRead as exc:
        raise error(f"{where} cut its reply short ({len(exc.partial)} bytes of a longer answer)") from None
    except http.client.HTTPException as exc:
        raise error(f"{where} did not answer in HTTP ({type(exc).__name__}: {str(exc)[:100]})") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise error(f"cannot reach {where}: {getattr(exc, 'reason', exc)}") from None


def _authenticate(opener: urllib.request.OpenerDirector, url: str, timeout: float) -> None:
    """A body-less ``HEAD`` of ``url``, so that the store's Digest challenge arrives before any
    body is sent (:class:`_SignedDigest` signs the later requests with it). Only a 401 (wrong
    credentials) is an error here; anything else is left to the first real request to report."""
    try:
        with opener.open(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise _http_error(exc, url.split("?")[0], PushError) from None
    except (OSError, http.client.HTTPException):
        pass


def _count_by_query(opener: urllib.request.OpenerDirector, endpoint: str, graph: str, timeout: float) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    _, body = _send(opener, urllib.request.Request(
        endpoint, data=urllib.parse.urlencode({"query": query}).encode("utf-8"), method="POST",
        headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"}),
        timeout)
    try:
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise PushError(f"{endpoint} answered the triple count of <{graph}> with something other than SPARQL "
                        f"results JSON: {body[:120].decode('utf-8', 'replace')!r}") from None


def _count_by_get(opener: urllib.request.OpenerDirector, endpoint: str, graph: str, timeout: float) -> int:
    import pyoxigraph as ox

    url = f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode({'graph': graph})}"
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    media, body = _send(opener, request, timeout, missing_ok=True)  # 404: the graph does not exist
    try:
        return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError):
        raise PushError(f"{endpoint} answered GET <{graph}> with something that is not RDF ({media})") from None
def _graph_url(endpoint: str, graph: str) -> str:
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urllib.parse.urlencode({'graph': graph})}"


def _requests(endpoint: str, protocol: str, graph: str, text: bytes, batch: int):
    """(request, triples in it) for one named graph's N-Triples ``text``: one PUT, or DROP +
    INSERT DATA in batches of ``batch`` lines."""
    if protocol == "gsp":
        yield urllib.request.Request(_graph_url(endpoint, graph), data=text, method="PUT",
                                     headers={"Content-Type": "application/n-triples"}), text.count(b"\n")
        return
    for i, chunk in enumerate(batches(text.split(b"\n")[:-1], batch)):
        update = (f"DROP SILENT GRAPH <{graph}> ;\n" if i == 0 else "").encode("utf-8") + \
            f"INSERT DATA {{ GRAPH <{graph}> {{\n".encode("utf-8") + b"\n".join(chunk) + b"\n} }"
        body = urllib.parse.urlencode({"update": update}).encode("ascii")
        yield urllib.request.Request(endpoint, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"}), len(chunk)


def remote_counts(graphs: list[str], endpoint: str, protocol: str = "update", query_endpoint: str | None = None,
                  user: str | None = None, password: str | None = None, timeout: float = 120.0,
                  opener: urllib.request.OpenerDirector | None = None) -> dict[str, int]:
    """Named graph IRI → number of triples the store holds in it.

    Counted with ``SELECT (COUNT(*) …)`` on ``query_endpoint`` (default: ``endpoint`` for the
    ``update`` protocol, which Virtuoso's ``/sparql-auth`` and Fuseki's dataset URL answer), or,
    for ``gsp`` without a ``query_endpoint``, by a Graph Store ``GET`` of each graph.
    """
    opener = opener or _opener([u for u in (endpoint, query_endpoint) if u], user, password)
    if protocol == "gsp" and not query_endpoint:
        return {g: _count_by_get(opener, endpoint, g, timeout) for g in graphs}
    return {g: _count_by_query(opener, query_endpoint or endpoint, g, timeout) for g in graphs}


def _unfinished(graphs: dict[str, int], graph: str, sent: int, total: int) -> str:
    names = list(graphs)
    later = len(names) - names.index(graph) - 1
    return (f"The store is half-written: {sent} of {total} triples were stored before this failure; <{graph}> "
            f"may be incomplete and {later} named graph(s) after it were not sent. Run `paradiplo push` again "
            f"(every named graph is replaced), or clear <{graph}> (DROP GRAPH) before anyone reads the store.")


def _short_message(endpoint: str, short: dict[str, tuple[int, int]], graphs: int) -> str:
    lines = [f"  <{g}>: holds {stored} triples, {sent} were sent" for g, (stored, sent) in short.items()]
    return (f"the store at {endpoint} is half-written: {len(short)} of {graphs} named graph(s) do not hold "
            "what was sent (every request was answered OK):\n" + "\n".join(lines) +
            "\nRun `paradiplo push` again (each named graph is replaced); if the counts stay short, the store "
            "drops data (check its size limits and log), and clear these graphs (DROP GRAPH <…>) so no one "
            "reads them.")


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Named graph IRI → its number of triples in an Oxigraph store, the graphs in sorted order
    (counted by Oxigraph without reading a term's text)."""
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    sizes = {row["g"].value: int(row["n"].value) for row in rows if isinstance(row["g"], ox.NamedNode)}
    return dict(sorted(sizes.items()))


def _stream(dataset: bytes | ox.Store) -> tuple[dict[str, int], Iterator[bytes]]:
    """(graph → size, each graph's N-Triples text in that order): a store's graphs are dumped
    one at a time, as they are sent (one graph in memory); N-Quads are cut into graphs at once."""
    if isinstance(dataset, ox.Store):
        sizes = graph_sizes(dataset)
        return sizes, (_dump(dataset, graph) for graph in sizes)
    texts = graph_texts(dataset)
    return {g: text.count(b"\n") for g, text in texts.items()}, iter(texts.values())


def _send_graphs(opener: urllib.request.OpenerDirector, dataset: bytes | ox.Store, requests: Callable,
                 timeout: float, progress: Callable[[int, int], None] | None) -> dict[str, int]:
    """Send every named graph (``requests(graph, text)`` gives its requests); graph → triples sent."""
    sizes, texts = _stream(dataset)
    total, sent, expected = sum(sizes.values()), 0, {}
    for graph, text in zip(sizes, texts):
        expected[graph] = text.count(b"\n")
        for request, n in requests(graph, text):
            try:
                _send(opener, request, timeout)
            except PushError as exc:
                raise PushError(f"{exc}\n{_unfinished(sizes, graph, sent, total)}" if sent else str(exc)) from None
            sent += n
            if progress:
                progress(sent, total)
    return expected


def push(dataset: bytes | ox.Store, endpoint: str, protocol: str = "update", user: str | None = None,
         password: str | None = None, batch: int = 500, timeout: float = 120.0,
         progress: Callable[[int, int], None] | None = None, query_endpoint: str | None = None,
         verify: bool = True) -> dict[str, int]:
    """Replace each named graph of the dataset in the store at ``endpoint``, then check that the
    store holds as many triples in each graph as were sent.

    Parameters
    ----------
    dataset
        paradiplo's N-Quads, or an Oxigraph store (faster: see :func:`graph_texts`).
    endpoint
        ``update``: the SPARQL Update endpoint; ``gsp``: the Graph Store endpoint
        (``?graph=<iri>`` is appended).
    progress
        Called with (triples sent, total) after each request.
    query_endpoint, verify
        Where the counts are read (see :func:`remote_counts`); ``verify=False`` skips it.

    Returns
    -------
    dict
        Named graph IRI → number of triples sent (and stored).

    Raises
    ------
    PushError
        Refused, redirected, unreachable or unreadable; :class:`HalfWritten` when the counts differ.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}")
    for url, what in ((endpoint, "the endpoint"), (query_endpoint, "the query endpoint")):
        if url is not None:
            _check_url(url, what)
    opener = _opener([u for u in (endpoint, query_endpoint) if u], user, password)
    if user is not None:
        _authenticate(opener, endpoint, timeout)
    expected = _send_graphs(opener, dataset, lambda graph, text: _requests(endpoint, protocol, graph, text, batch),
                            timeout, progress)
    if verify:
        stored = remote_counts(list(expected), endpoint, protocol, query_endpoint, timeout=timeout, opener=opener)
        short = {g: (stored[g], n) for g, n in expected.items() if stored[g] != n}
        if short:
            raise HalfWritten(_short_message(endpoint, short, len(expected)), short)
    return expected


def run_remote(endpoint: str, text: str, timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Run a query against any SPARQL 1.1 Protocol endpoint (POST, form-encoded).

    The query is checked first, exactly as for the local store, and the checked text (with
    paradiplo's prefixes declared) is sent; no redirect is followed. Failures are
    :class:`~graph.sparql.QueryError`.
    """
    form, checked, _ = prepare_query(text)  # FROM is refused: no graphs given
    graph = form in ("ConstructQuery", "DescribeQuery")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())  # ours are predeclared
    request = urllib.request.Request(
        endpoint, data=urllib.parse.urlencode({"query": prologue + checked}).encode("utf-8"), method="POST",
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "paradiplo"})
    _, body = _send(_opener([endpoint], None, None), request, timeout, error=QueryError)
    try:
        if graph:
            return QueryResult("graph", triples=list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
        return from_results_json(body)
    except (SyntaxError, ValueError) as exc:
        raise QueryError(f"{endpoint} answered something that is not SPARQL results: {exc}") from None


def open_remote(endpoint: str, timeout: float = 300.0, page: int = 5000) -> KnowledgeGraph:
    """A graph read from a remote SPARQL endpoint (the union of its graphs), for analysis.

    Every triple is fetched with CONSTRUCT queries in pages of ``page`` solutions (stores such
    as Virtuoso silently cap a result at 10,000 rows and refuse large sorted offsets, so the
    pages rely on the store's stable scan order) until a page comes back empty, and loaded
    into a local store; named graphs are not kept, so use it for networks, not ``conflicts``.
    """
    store = ox.Store()
    offset = 0
    while True:
        result = run_remote(endpoint, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {page} OFFSET {offset}",
                            timeout=timeout)
        if not result.triples:
            return KnowledgeGraph(store=store)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples)
        offset += page
