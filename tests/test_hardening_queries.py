"""No query leaves the machine: the guard, the confined workers and the endpoint, each tried
against a loopback canary that counts every request it receives (it must receive none).

Every bypass the audit found, and more, from the library, the CLI and HTTP; a hypothesis
fuzz of the guard that runs whatever the guard lets through in an unconfined engine.
"""

from __future__ import annotations

import http.server
import socket
import threading
import os
import time
import urllib.parse

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from cli import cli
from graph.sandbox import network_can_be_cut
from graph.server import MAX_BODY, make_app
from graph.sparql import (
    QueryBusy,
    QueryError,
    QueryPool,
    QueryRefused,
    QueryTooLarge,
    _answer,
    _decode,
    prepare_query,
    run_query,
)

from .conftest import requires, serving


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []
    BODY = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"leaked"}}]}}'

    def do_POST(self) -> None:  # noqa: N802
        type(self).hits.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    do_GET = do_POST

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Canary)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/leak"
    server.shutdown()


@pytest.fixture
def hits(canary):
    _Canary.hits.clear()
    return _Canary.hits


def _bypasses(url: str) -> list[str]:
    """Ways to write SERVICE or FROM so that a naive scan misses them."""
    group = "{ ?s ?p ?o }"
    return [
        f"SELECT ?s WHERE {{ SERVICE#x\n<{url}> {group} }}",            # comment glued to the keyword
        f"SELECT ?s WHERE {{ ?s ?p ?o #x\rSERVICE <{url}> {group} }}",  # comment ended by CR
        f"SELECT ?s WHERE {{ #x\r\nSERVICE <{url}> {group} }}",
        f"select ?s where {{ sErViCe <{url}> {group} }}",               # case
        f"SELECT ?s WHERE {{\tSERVICE\r<{url}>\t{group} }}",            # tab and CR as white space
        f"SELECT ?s WHERE {{ SERVICESILENT<{url}>{group} }}",           # glued keywords
        f"SELECT ?s WHERE {{ SERVICE SILENT <{url}> {group} }}",
        f"PREFIX : <{url}>\nSELECT ?s WHERE {{ SERVICE:x {group} }}",   # keyword read out of a name
        f"PREFIX leak: <{url}>\nSELECT ?s WHERE {{ SERVICE leak: {group} }}",
        f"SELECT ?s WHERE {{ {{ {{ {{ SERVICE <{url}> {group} }} }} }} }}",   # nested groups
        f"SELECT ?s WHERE {{ ?s (<p:a>|<p:b>)* ?o . SERVICE <{url}> {group} }}",  # property path
        f"SELECT ?s WHERE {{ ?s ?p true SERVICE<{url}> {group} }}",
        f"SELECT ?s WHERE {{ ?s ?p trueSERVICE<{url}> {group} }}",
        f"SELECT ?s WHERE {{ ?s ?p 1SERVICE<{url}> {group} }}",
        f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(?s<?o)SERVICE#>\n<{url}> {group} }}",  # `<` read as an IRI
        f"SELECT ?s WHERE {{ \\u0053ERVICE <{url}> {group} }}",        # escapes (decoded by some engines)
        f"SELECT ?s WHERE {{ \"\\u0022\" SERVICE <{url}> {group} \"x\" }}",
        f"SELECT ?s WHERE {{ OPTIONAL {{ SERVICE <{url}> {group} }} }}",
        f"SELECT ?s WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {group} }} }}",
        f"SELECT ?s WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {group} }} }} }}",  # sub-select
        f"SELECT ?s WHERE {{ FILTER EXISTS {{ SERVICE <{url}> {group} }} }}",
        f"SELECT ?s FROM <{url}> WHERE {group}",
        f"SELECT ?s FROM#x\nNAMED <{url}> WHERE {group}",
        f"SELECT ?s FROM<{url}> WHERE {group}",
        f"LOAD <{url}>",
        f"SELECT ?s WHERE {{ ?s ?p ?o }} ; LOAD <{url}>",
    ]


CASES = _bypasses("http://127.0.0.1:1/leak")  # for ids only; the tests use the canary's address


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """A store with one triple, so that joins with a SERVICE are not skipped as empty."""
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("o")))
    return s


@pytest.mark.parametrize("case", range(len(CASES)))
def test_every_bypass_is_refused_before_any_engine_sees_it(case, canary, hits, store):
    query = _bypasses(canary)[case]
    with pytest.raises(QueryRefused):
        run_query(store, query, timeout=None)  # in this process: the guard is the only defence
    assert hits == []


@pytest.mark.parametrize("case", [0, 1, 5, 7, 15])
def test_bypasses_are_refused_by_the_cli_and_the_endpoint(case, canary, hits, runner, kg):
    query = _bypasses(canary)[case]
    result = runner.invoke(cli, ["query", query])
    assert result.exit_code == 1 and "refused" in result.output and "Traceback" not in result.output
    response = Client(make_app(kg.store, workers=1)).get("/sparql", query_string={"query": query})
    assert response.status_code == 400 and b"refused" in response.data
    assert hits == []


def test_the_engine_would_leak_without_the_guard(canary, hits, store):
    """The canary works: the same query, unchecked and unconfined, reaches it."""
    list(store.query(f"SELECT ?s WHERE {{ SERVICE <{canary}> {{ ?s ?p ?o }} }}"))
    assert len(hits) == 1


@requires(network_can_be_cut(), "seccomp filters exist only on Linux x86-64 and AArch64")
def test_a_confined_worker_cannot_reach_the_network_even_unchecked(canary, hits, store):
    """Defence in depth: a SERVICE query that skipped the guard still reaches nothing."""
    pool = QueryPool(store, size=1)
    try:
        process, conn = pool._idle.get()
        conn.send((f"SELECT ?s WHERE {{ SERVICE <{canary}> {{ ?s ?p ?o }} }}", 10, 10.0))
        with pytest.raises(QueryError, match="Permission denied"):
            _decode(conn.recv_bytes(), 10)
        pool._idle.put((process, conn))
    finally:
        pool.close()
    assert hits == []


def test_from_cannot_change_the_default_graph_even_unchecked():
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("default")))
    s.add(ox.Quad(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("named"),
                  ox.NamedNode("http://a/g")))
    result = _decode(_answer(s, "SELECT ?o FROM <http://a/g> WHERE { ?s ?p ?o }"), 10)
    assert [r[0].value for r in result.rows] == ["default"]


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s ?p """\nSERVICE <http://127.0.0.1:1/> { }\n""" }',
    "SELECT ?s WHERE { ?s ?p 'a#b' } # SERVICE <http://127.0.0.1:1/>",
    "PREFIX schema: <http://schema.org/> SELECT ?s WHERE { ?s a schema:Service ; schema:fromDate ?d }",
    "SELECT ?s WHERE { ?s <http://example.org/service#from> ?o }",
])
def test_keywords_in_strings_iris_local_names_and_comments_are_allowed(query):
    form, checked, _ = prepare_query(query)
    assert form == "SelectQuery" and "#" not in checked.replace("'a#b'", "").replace("service#from", "")


_PIECES = ["SERVICE", "service", "SeRvIcE", "SERVICE:x", "SILENT", "FROM", "NAMED", "from", ":x", "leak:",
           "<CANARY>", "{", "}", "{ ?s ?p ?o }", "?s", "?o", "true", "1", "1e5", ".", ";", "(", ")", "<", ">",
           "FILTER(?s<?o)", "#c", "#c\n", "#c\r", "\n", "\r", " ", "\t", '"', "'", '"""', "'''", '"x"',
           "\\u0053", "\\u0022", "\\", "a", "OPTIONAL", "GRAPH", "SELECT", "WHERE", "*", "@en", "^^", "_:b"]


_KEYWORDS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICESILENT", "SERVICE\tsilent"]
_GLUE = ["", " ", "\t", "\r", "\n", "#z\n", "#z\r", "#z\r\n", " #SERVICE\n", "#\r", '#"\n']
_TARGETS = ["<CANARY>", ":x", "leak:", ":"]


def fuzzed_query(canary: str, noise: list[str], glue: list[str], keyword: str, target: str) -> str:
    """A SERVICE call spelled in a random way, behind random noise (keywords, quotes, escapes)."""
    text = "".join(p + g for p, g in zip(noise, glue))
    text += glue[-3] + keyword + glue[-2] + target + glue[-1] + "{ ?s ?p ?o }"
    return (f"PREFIX : <{canary}>\nPREFIX leak: <{canary}>\nSELECT ?s WHERE {{ ?s ?p ?o . {text} }}"
            .replace("<CANARY>", f"<{canary}>"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=6), st.lists(st.sampled_from(_GLUE), min_size=9, max_size=9),
       st.sampled_from(_KEYWORDS), st.sampled_from(_TARGETS))
def test_fuzz_whatever_the_guard_lets_through_never_reaches_the_canary(canary, hits, store, noise, glue, keyword,
                                                                       target):
    """SERVICE spelled and glued at random behind random noise: run what the guard accepts in
    an unconfined engine (the guard alone) and count the requests that reach the canary."""
    text = fuzzed_query(canary, noise, glue, keyword, target)
    try:
        _, checked, _ = prepare_query(text)
    except QueryError:
        return
    try:
        answer = store.query(checked)
        list(answer) if not isinstance(answer, ox.QueryBoolean) else None
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass
    assert hits == [], text


def test_a_query_past_its_memory_cap_is_stopped_and_the_next_one_answers(kg):
    cross = "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c"
    with pytest.raises(QueryTooLarge):
        run_query(kg.store, cross, timeout=60, memory=300 * 1024 ** 2)
    assert run_query(kg.store, "ASK { pdr:omsk-oblast a pd:Region }").boolean is True


def test_the_tokenizer_name_classes_are_exactly_the_grammar_s_on_every_code_point():
    """The guard's character classes (written as negated complements, which compile faster)
    match exactly the code points of PN_CHARS_BASE and PN_CHARS (SPARQL 1.1 § 19.8), each
    checked over all of Unicode."""
    import re

    from graph.sparql import _PN_CHARS, _PN_CHARS_BASE, _chars

    base = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
            "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
    chars = base + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
    everything = "".join(map(chr, range(0x110000)))
    for ranges, extra, grammar in [(_PN_CHARS_BASE, "_", base + "_"), (_PN_CHARS, "", chars),
                                   (_PN_CHARS, ".", chars + "."), (_PN_CHARS, ":.", chars + ":.")]:
        ours = [m.start() for m in re.finditer(_chars(ranges, extra), everything)]
        assert ours == [m.start() for m in re.finditer(f"[{grammar}]", everything)], extra


def test_the_endpoint_answers_a_query_past_its_memory_cap_with_400_saying_so(kg):
    """A memory cap is not a timeout: the same query would fail again, so ``400``, not ``503``,
    and the message names the cap. The next query answers."""
    client = Client(make_app(kg.store, workers=1, timeout=60, memory=300 * 1024 ** 2))
    cross = "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c"
    response = client.get("/sparql", query_string={"query": cross})
    assert response.status_code == 400 and "memory cap" in response.get_data(as_text=True), response.data[:200]
    response = client.get("/sparql", query_string={"query": "ASK { pdr:omsk-oblast a pd:Region }"})
    assert response.status_code == 200 and b"true" in response.data


def test_the_row_limit_applies_while_results_stream(kg):
    """64 million rows, limit 1,000: refused as too large at once, not after serialising all."""
    started = time.monotonic()
    with pytest.raises(QueryTooLarge, match="more than 1000 rows"):
        run_query(kg.store, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=60, max_rows=1000)
    with pytest.raises(QueryTooLarge, match="more than 1000 triples|more than 1000 rows"):
        run_query(kg.store, "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }", timeout=60, max_rows=1000)
    assert time.monotonic() - started < 60  # a timeout would have raised QueryTimeout instead


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _runaway_in_background(pool: QueryPool) -> threading.Thread:
    """A runaway query holding one of ``pool``'s workers for 3 s, in a thread."""
    thread = threading.Thread(target=lambda: pytest.raises(QueryError, pool.run, RUNAWAY, timeout=3))
    thread.start()
    return thread


def test_a_request_waits_for_a_worker_no_longer_than_the_bound(kg):
    pool = QueryPool(kg.store, size=1, wait=0.5, demote_after=1000)
    runaway = _runaway_in_background(pool)
    time.sleep(0.3)
    started = time.monotonic()
    with pytest.raises(QueryBusy):
        pool.run("ASK { ?s ?p ?o }")
    assert time.monotonic() - started < 2.5
    runaway.join()
    assert pool.run("ASK { pdr:omsk-oblast a pd:Region }").boolean is True
    pool.close()


def test_a_long_query_is_demoted_so_quick_ones_do_not_wait(kg):
    pool = QueryPool(kg.store, size=1, wait=0.5, demote_after=0.2)
    runaway = _runaway_in_background(pool)
    time.sleep(0.6)
    assert pool.run("ASK { pdr:omsk-oblast a pd:Region }").boolean is True  # a fresh worker took its place
    runaway.join()
    pool.close()


def test_a_long_query_nobody_waits_behind_keeps_its_worker_and_its_priority(kg):
    """Demotion is for a query others wait behind: alone, a query past ``demote_after`` keeps its
    worker (no fork of a fresh one) and runs at full speed."""
    pool = QueryPool(kg.store, size=1, wait=5, demote_after=0.01)
    (worker, _), = list(pool._idle.queue)
    started = time.monotonic()
    pool.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s ?q ?x }", timeout=60)
    assert time.monotonic() - started > 0.05  # long enough to have been demoted before
    (after, _), = list(pool._idle.queue)
    assert after is worker and worker.is_alive() and os.sched_getscheduler(worker.pid) != os.SCHED_IDLE
    pool.close()


# ------------------------------------------------------------------ the endpoint

def test_a_foreign_host_header_is_refused_loopback_and_allowed_names_answer(kg):
    app = make_app(kg.store, workers=1, allowed_hosts=["localhost", "127.0.0.1", ".example.org"])
    client = Client(app)
    query = {"query": "ASK { ?s ?p ?o }"}
    assert client.get("/sparql", query_string=query, headers={"Host": "attacker.test:8000"}).status_code == 403
    assert client.get("/", headers={"Host": "attacker.test"}).status_code == 403
    assert client.get("/sparql", query_string=query, headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/sparql", query_string=query, headers={"Host": "data.example.org"}).status_code == 200


def test_a_cyrillic_query_under_the_character_limit_is_not_refused_as_too_large(kg):
    filler = "# " + "Омская область " * 5_000 + "\n"  # 75,000 characters, about 140,000 bytes
    body = urllib.parse.urlencode({"query": filler + "ASK { ?s ?p ?o }"}).encode()
    assert len(body) > 400_000  # more than the old byte limit
    response = Client(make_app(kg.store, workers=1)).post(
        "/sparql", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.data


def test_control_characters_in_the_path_cannot_forge_log_lines(kg, capsys):
    Client(make_app(kg.store, workers=1)).get("/sparql%0A127.0.0.1 - - forged%1b[31m")
    log = capsys.readouterr().err
    assert log.count("\n") == 1 and "\x1b" not in log and "\\n127.0.0.1" in log


@pytest.fixture(scope="module")
def served():
    with serving("--timeout", "3") as (port, _):
        yield port


def test_a_huge_body_is_refused_before_it_is_read(served):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: %d\r\n\r\n" % (1024 ** 3))
        sock.sendall(b"x" * 65536)  # a little of the gigabyte; the answer comes without the rest
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413") or answer.startswith(b"HTTP/1.0 413"), answer[:80]
    assert MAX_BODY < 2 * 1024 ** 2


def test_the_served_endpoint_refuses_a_rebinding_host(served):
    with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: rebind.attacker.test\r\nConnection: close\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.split(b"\r\n", 1)[0].upper().endswith(b"403 FORBIDDEN"), answer[:80]


class _Odd(http.server.BaseHTTPRequestHandler):
    """A remote endpoint that redirects, or answers garbage."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html>not results</html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_remote_queries_follow_no_redirect_and_explain_garbage():
    from graph.remote import run_remote

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with pytest.raises(QueryError, match="302.*elsewhere"):
            run_remote(base + "/moved", "ASK { ?s ?p ?o }")
        with pytest.raises(QueryError, match="not SPARQL results"):
            run_remote(base + "/sparql", "SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(QueryRefused):
            run_remote(base + "/sparql", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    finally:
        server.shutdown()
