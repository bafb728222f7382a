"""A read-only SPARQL 1.1 Protocol endpoint at ``/sparql`` (and ``/sparql/``), with a
reconciliation service at ``/reconcile`` (:mod:`graph.reconcile`).

Werkzeug parses requests and ``Accept`` headers; waitress serves them with a pool
of threads. Queries run in a pool of processes forked once (:class:`graph.sparql.QueryPool`);
a runaway query's process is killed and replaced, so it answers ``503`` after the timeout
while the server stays healthy.

Examples
--------
>>> from graph import open_graph
>>> from werkzeug.test import Client
>>> client = Client(make_app(open_graph().store))
>>> response = client.get("/sparql", query_string={"query": "ASK { ?s a pd:Region }"},
...                       headers={"Accept": "application/sparql-results+json"})
>>> response.status_code, response.json["boolean"]
(200, True)
"""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from typing import Callable, Iterable

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import parse_accept_header
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Request, Response

from .dereference import FORMAT_NAMES, Dereferencer, Resource, rdf_body
from .find import search_index
from .formats import to_json
from .queries import bundled_queries
from .rdf import ID, PREFIXES
from .reconcile import Reconciler, ReconcileError
from .sandbox import DEFAULT_MEMORY
from .sparql import (
    DEFAULT_TIMEOUT,
    DEFAULT_WAIT,
    MAX_QUERY_LENGTH,
    MAX_ROWS,
    QueryBusy,
    QueryDataset,
    QueryError,
    QueryPool,
    QueryRefused,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    QueryTooLong,
    check_dataset,
    prepare_query,
)
from .templates import render

__all__ = ["make_app", "serve", "RESULT_TYPES", "GRAPH_TYPES", "MAX_BODY", "LOCAL_HOSTS", "ENDPOINT_PATHS", "REDIRECTS"]

#: bytes of request body read at most: a query of MAX_QUERY_LENGTH characters, each up to four
#: UTF-8 bytes, percent-encoded (12 bytes), plus room for the other form fields; larger → 413
#: before the body is read
MAX_BODY = 12 * MAX_QUERY_LENGTH + 65_536
#: Host names the endpoint answers to unless told otherwise (``--allow-host``): a page on
#: another origin that rebinds its DNS name to 127.0.0.1 sends its own name and is refused
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
#: the paths of the endpoint (the W3C protocol tests use ``/sparql/``)
ENDPOINT_PATHS = ("/sparql", "/sparql/")
#: an exception class → the HTTP status it gets (first match in order)
_STATUS: list[tuple[type, int]] = [(QueryTooLong, 413), (QueryBusy, 503), (QueryTimeout, 503),
                                   (QueryRefused, 400), (QuerySyntaxError, 400), (QueryTooLarge, 400),
                                   (QueryError, 500)]

#: media type → pyoxigraph results format (SELECT and ASK)
RESULT_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: media type → pyoxigraph RDF format (CONSTRUCT and DESCRIBE, service description)
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
         "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "86400"}


def _error(status: int, message: str) -> Response:
    headers = dict(_CORS, **({"Retry-After": "5"} if status == 503 else {}))
    return Response(message + "\n", status=status, mimetype="text/plain", headers=headers)


def _status(exc: QueryError) -> int:
    """The HTTP status of a query error, chosen by its class."""
    return next(status for cls, status in _STATUS if isinstance(exc, cls))


def _printable(text: str) -> str:
    """Text safe for one log line: control characters and backslashes escaped."""
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def _negotiate(accept: str, offers: list[str], default: str) -> str | None:
    """Best offered media type for an ``Accept`` header; ``default`` when there is none."""
    if not accept.strip():
        return default
    ordered = [default] + [o for o in offers if o != default]  # ties (e.g. */*) go to the default
    return parse_accept_header(accept, MIMEAccept).best_match(ordered)


def _results_body(result: QueryResult, media: str) -> bytes:
    data = json.dumps(to_json(result), ensure_ascii=False).encode("utf-8")
    fmt = RESULT_TYPES[media]
    if fmt == ox.QueryResultsFormat.JSON:
        return data
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON).serialize(format=fmt)


def _graph_body(triples: Iterable[ox.Triple], media: str) -> bytes:
    fmt = GRAPH_TYPES[media]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE,) else None
    return ox.serialize(sorted(triples, key=str), format=fmt, prefixes=prefixes)


def _service_description(store: ox.Store, base: str) -> list[ox.Triple]:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = ox.NamedNode(base + "sparql")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    out = [ox.Triple(service, rdf_type, ox.NamedNode(sd + "Service")),
           ox.Triple(service, ox.NamedNode(sd + "endpoint"), service),
           ox.Triple(service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")),
           ox.Triple(service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")),
           ox.Triple(service, ox.NamedNode(sd + "defaultDataset"), dataset),
           ox.Triple(dataset, rdf_type, ox.NamedNode(sd + "Dataset")),
           ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), default),
           ox.Triple(default, rdf_type, ox.NamedNode(sd + "Graph"))]
    for media in sorted(RESULT_TYPES) + sorted(GRAPH_TYPES):
        out.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"), ox.Literal(media)))
    for i, name in enumerate(sorted(str(g.value) for g in store.named_graphs())):
        node = ox.BlankNode(f"g{i}")
        out += [ox.Triple(dataset, ox.NamedNode(sd + "namedGraph"), node),
                ox.Triple(node, ox.NamedNode(sd + "name"), ox.NamedNode(name))]
    return out


_READ_ONLY = "updates are refused: the dataset is read-only"


def _params(request: Request, name: str) -> list[str]:
    """Every value of a protocol parameter, from the URL and from a form body."""
    form = request.form.getlist(name) if request.mimetype == "application/x-www-form-urlencoded" else []
    return request.args.getlist(name) + form


def _body_text(request: Request) -> tuple[str | None, Response | None]:
    """An ``application/sparql-query`` body, which must be UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        return None, _error(415, f"the query must be sent in UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _error(400, f"the query is not valid UTF-8 (byte {exc.start})")


def _query_text(request: Request) -> tuple[str | None, Response | None]:
    """The query of a GET (or HEAD), a form POST or an ``application/sparql-query`` POST;
    None without a query (a GET asking for the service description)."""
    if _params(request, "update") or request.mimetype == "application/sparql-update":
        return None, _error(400, _READ_ONLY)
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        return _body_text(request)
    if request.method == "POST" and request.mimetype != "application/x-www-form-urlencoded":
        given = f"unsupported Content-Type {request.mimetype!r}" if request.mimetype else "no Content-Type"
        return None, _error(415, f"{given}: use application/x-www-form-urlencoded or application/sparql-query")
    queries = request.form.getlist("query") if request.method == "POST" else request.args.getlist("query")
    if len(queries) > 1:
        return None, _error(400, f"{len(queries)} query parameters: send exactly one query per request")
    if not queries and (request.method == "POST" or _params(request, "default-graph-uri")
                        or _params(request, "named-graph-uri")):
        return None, _error(400, "the query parameter is missing: send query=… (URL-encoded)")
    return (queries[0] if queries else None), None


def _dataset(request: Request, graphs: frozenset[str]) -> QueryDataset | None:
    """The dataset the protocol's ``default-graph-uri`` / ``named-graph-uri`` describe (None: not given).

    Raises
    ------
    QueryRefused
        For a graph that is not a graph of the dataset.
    """
    default, named = _params(request, "default-graph-uri"), _params(request, "named-graph-uri")
    return check_dataset(default, named, graphs) if default or named else None


def _answer(request: Request, text: str, pool: QueryPool, timeout: float) -> Response:
    """Check and run one query; the answer in the best media type the client accepts.

    Relative IRIs resolve against the endpoint's URL; ``default-graph-uri`` and
    ``named-graph-uri`` replace the dataset the query's ``FROM`` clauses describe."""
    try:
        prepared = prepare_query(text, pool.graphs)
        dataset = _dataset(request, pool.graphs)
    except QueryError as exc:
        return _error(_status(exc), str(exc))
    graph = prepared.form in ("ConstructQuery", "DescribeQuery")
    offers = sorted(GRAPH_TYPES) if graph else sorted(RESULT_TYPES)
    media = _negotiate(request.headers.get("Accept", ""), offers,
                       "text/turtle" if graph else "application/sparql-results+json")
    if media is None:
        return _error(406, "acceptable: " + ", ".join(offers))
    try:
        result = pool.run(prepared, timeout=timeout, dataset=dataset, base=request.base_url)
    except QueryError as exc:
        return _error(_status(exc), str(exc))
    body = _graph_body(result.triples, media) if graph else _results_body(result, media)
    charset = "; charset=utf-8" if media.startswith("text/") or "json" in media or "xml" in media else ""
    return Response(body, content_type=media + charset, headers=_CORS)


def _sparql(request: Request, store: ox.Store, pool: QueryPool, timeout: float) -> Response:
    """``/sparql``: a query by GET or POST, else the service description (HEAD: its headers)."""
    if request.method == "OPTIONS":
        return Response(status=204, headers=_CORS)
    if request.method not in ("GET", "HEAD", "POST"):
        return _error(405, "use GET or POST")
    text, refusal = _query_text(request)
    if refusal is not None:
        return refusal
    if text is not None:
        return _answer(request, text, pool, timeout)
    media = _negotiate(request.headers.get("Accept", ""), sorted(GRAPH_TYPES), "text/turtle")
    if media is None:
        return _error(406, "acceptable: " + ", ".join(sorted(GRAPH_TYPES)))
    return Response(_graph_body(_service_description(store, request.host_url), media), mimetype=media,
                    headers=_CORS)


RECONCILE = "/reconcile"
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def _json(request: Request, value: object) -> Response:
    """JSON, or JSONP when the request names a ``callback`` (a plain JavaScript name)."""
    body = json.dumps(value, ensure_ascii=False, sort_keys=True)
    callback = request.values.get("callback")
    if callback is None:
        return Response(body, mimetype="application/json", headers=_CORS)
    if not _CALLBACK.fullmatch(callback) or len(callback) > 100:
        return _error(400, "callback must be a JavaScript name (letters, digits, _, $ and dots)")
    return Response(f"/**/{callback}({body});", mimetype="application/javascript", headers=_CORS)


def _reconcile(request: Request, reconciler: Reconciler) -> Response:
    """``/reconcile``: the manifest, a batch of queries (``queries``, JSON), ``/suggest/entity``
    and ``/preview`` (Reconciliation Service API 0.2)."""
    if request.method == "OPTIONS":
        return Response(status=204, headers=_CORS)
    if request.method not in ("GET", "HEAD", "POST"):
        return _error(405, "use GET or POST")
    root = request.host_url.rstrip("/") + RECONCILE
    tail = request.path[len(RECONCILE):].rstrip("/")
    if tail == "/suggest/entity":
        try:
            cursor = int(request.values.get("cursor", "0"))
        except ValueError:
            return _error(400, "cursor must be a whole number")
        return _json(request, reconciler.suggest(request.values.get("prefix", ""), max(cursor, 0)))
    if tail == "/preview":
        card = reconciler.preview(request.values.get("id", ""))
        if card is None:
            return _error(404, f"no actor with id {request.values.get('id', '')!r}")
        return Response(card, mimetype="text/html", headers=_CORS)
    if tail:
        return _error(404, "not found: the reconciliation service is /reconcile, /reconcile/suggest/entity "
                           "and /reconcile/preview")
    if "queries" not in request.values:
        return _json(request, reconciler.manifest(root))
    try:
        return _json(request, reconciler.reconcile(json.loads(request.values["queries"])))
    except json.JSONDecodeError as exc:
        return _error(400, f"queries is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except ReconcileError as exc:
        return _error(400, str(exc))


#: how ``/id/<id>`` and the other resources are answered: directly, or by ``303 See Other`` to a document
REDIRECTS = ("none", "303")


def _media(request: Request, resource: Resource) -> tuple[str | None, Response | None]:
    """The media type asked for by ``?format=`` or else by ``Accept`` (Turtle by default)."""
    asked = request.args.get("format")
    if asked is None:
        media = _negotiate(request.headers.get("Accept", ""), resource.media, "text/turtle")
        return media, (None if media else _error(406, "acceptable: " + ", ".join(resource.media)))
    media = FORMAT_NAMES.get(asked)
    if media not in resource.media:
        return None, _error(400, "format must be one of: " + ", ".join(k for k, v in FORMAT_NAMES.items()
                                                                      if v in resource.media))
    return media, None


def _represent(resource: Resource, media: str, headers: dict[str, str]) -> Response:
    if media == "text/html" and resource.page is not None:
        return Response(resource.page(), mimetype="text/html", headers=headers)
    return Response(rdf_body(resource.triples, media), content_type=media + "; charset=utf-8", headers=headers)


def _dereference(request: Request, deref: Dereferencer, redirect: str) -> Response:
    """A resource (``/id/<id>``…, ``/ontology``) in the best media type, answered directly
    (``Content-Location``: its document) or by ``303`` to its document (``redirect="303"``),
    with ``Vary: Accept``; a document (``/id/<id>.ttl``…) or a site file (``/index.html``…) as it is."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, "use GET")
    served = deref.site_file(request.path)
    if served is not None:
        return Response(served[0], content_type=served[1] + "; charset=utf-8", headers=_CORS)
    document = deref.document(request.path)
    if document is not None:
        return _represent(*document, headers=dict(_CORS))
    resource = deref.resource(request.path)
    if resource is None:
        return _error(404, f"not found: no record, source, graph or document at {_printable(request.path[:200])}")
    media, refusal = _media(request, resource)
    if refusal is not None:
        return refusal
    headers = dict(_CORS, Vary="Accept")
    extension = next(k for k, v in FORMAT_NAMES.items() if v == media)
    part = media == "text/html" and resource.part_of
    target = resource.part_of if part else f"{resource.path}.{extension}"
    if redirect == "303" or part:
        return Response(f"See {target}\n", status=303, mimetype="text/plain", headers=dict(headers, Location=target))
    return _represent(resource, media, dict(headers, **{"Content-Location": target}))


def _log(request: Request, environ: dict, response: Response, started: float) -> None:
    """One access-log line on stderr, control characters escaped."""
    print(f'{request.remote_addr} - - [{time.strftime("%d/%b/%Y:%H:%M:%S %z")}] '
          f'"{_printable(request.method)} {_printable(request.full_path.rstrip("?")[:200])} '
          f'{_printable(environ.get("SERVER_PROTOCOL", "HTTP/1.1"))}" '
          f"{response.status_code} {response.calculate_content_length() or '-'} "
          f"{(time.perf_counter() - started) * 1000:.0f}ms", file=sys.stderr, flush=True)


def make_app(store: ox.Store, timeout: float = DEFAULT_TIMEOUT, max_rows: int = MAX_ROWS,
             workers: int = 4, allowed_hosts: Iterable[str] = LOCAL_HOSTS, wait: float = DEFAULT_WAIT,
             memory: int | None = DEFAULT_MEMORY, redirect: str = "none") -> Callable:
    """The WSGI application: ``/sparql`` (SPARQL 1.1 Protocol), ``/reconcile`` (Reconciliation
    Service API 0.2, :mod:`graph.reconcile`), the dataset's IRIs (``/id/…``, ``/source/…``,
    ``/graph/…``, ``/ontology``, :mod:`graph.dereference`) and ``/`` (a query page).

    Queries run in a :class:`graph.sparql.QueryPool` of ``workers`` processes forked now,
    before any server thread starts; a request waits at most ``wait`` seconds for one
    (then ``503``). Requests whose ``Host`` is not in ``allowed_hosts`` (a name, or
    ``.example.org`` for its subdomains; port ignored) get ``403``, so a page on another
    origin cannot reach the endpoint by rebinding its DNS name. ``redirect`` (one of
    :data:`REDIRECTS`) says how a resource such as ``/id/<id>`` is answered: directly
    (``"none"``) or by ``303 See Other`` to its document (``"303"``); every other path is a
    document or a file of the published site (:mod:`graph.dereference`), else ``404``.
    """
    if redirect not in REDIRECTS:
        raise ValueError(f"redirect must be one of {', '.join(REDIRECTS)}, not {redirect!r}")
    reconciler = Reconciler(store)
    deref = Dereferencer(store)
    pool = QueryPool(store, size=workers, max_rows=max_rows, wait=wait, memory=memory)
    trusted = sorted(set(allowed_hosts))
    page = functools.lru_cache(maxsize=1)(lambda: _page(store))

    def route(request: Request, host: str) -> Response:
        if not host_is_trusted(host, trusted):
            return _error(403, f"Host {host!r} is not served here; start the server with "
                               "--allow-host NAME to answer to that name")
        if request.path in ENDPOINT_PATHS:
            return _sparql(request, store, pool, timeout)
        if request.path == RECONCILE or request.path.startswith(RECONCILE + "/"):
            return _reconcile(request, reconciler)
        if request.path == "/" and request.method in ("GET", "HEAD"):
            return Response(page(), mimetype="text/html")
        return _dereference(request, deref, redirect)

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        request.max_form_memory_size = MAX_BODY
        started = time.perf_counter()
        try:
            response = route(request, environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")
        except RequestEntityTooLarge:
            response = _error(413, f"request too large ({MAX_BODY} bytes at most); the query limit is "
                                   f"{MAX_QUERY_LENGTH} characters")
        except HTTPException as exc:
            response = _error(exc.code or 400, exc.description or "bad request")
        _log(request, environ, response, started)
        return response(environ, start_response)

    return app


def _page(store: ox.Store) -> str:
    """The query page: a form, the bundled queries, results drawn as text (never as HTML), and
    the actors' name index (:func:`graph.find.search_index`) to insert an actor's IRI."""
    queries = {q.name: {"description": q.description, "text": q.text} for q in bundled_queries()}
    return render("query_page.html.j2", queries=queries, prefixes=list(PREFIXES), names=search_index(store), base=ID)


def serve(store: ox.Store, host: str = "127.0.0.1", port: int = 8000, timeout: float = DEFAULT_TIMEOUT,
          threads: int = 32, max_rows: int = MAX_ROWS, allowed_hosts: Iterable[str] = (), workers: int = 8,
          memory: int | None = DEFAULT_MEMORY, redirect: str = "none") -> None:
    """Serve the endpoint with waitress until interrupted (``redirect``: see :func:`make_app`).

    ``threads`` requests are handled at once (a thread waiting for a query costs no CPU);
    ``workers`` query processes run them (see :class:`graph.sparql.QueryPool`), each capped
    at ``memory`` more bytes. It answers to the loopback names, to ``host`` itself and to
    ``allowed_hosts``. Bodies over :data:`MAX_BODY` bytes get ``413`` before they are read.
    """
    import signal

    from waitress import serve as waitress_serve

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # exit cleanly: the query workers stop too
    hosts = set(LOCAL_HOSTS) | set(allowed_hosts) | ({host} if host not in ("0.0.0.0", "::", "") else set())
    waitress_serve(make_app(store, timeout, max_rows, workers=workers, allowed_hosts=hosts, memory=memory,
                            redirect=redirect),
                   host=host, port=port,
                   threads=threads, ident="paradiplo", _quiet=True, max_request_body_size=MAX_BODY)
