"""The endpoint under abuse, on loopback, bounded in count and time: 50 concurrent clients,
40 asking quick questions at a steady pace and 10 sending runaway queries (cartesian
products, huge GROUP_CONCATs, regexes over every pair), plus slow clients trickling headers.

Asserted: every quick query is answered, every runaway is stopped, at the timeout (503) or at
its process's memory cap (400), each with a message saying which, the server answers
afterwards. (A runaway that nobody waits behind runs at full speed: the ``ORDER BY`` over
every pair reaches the memory cap in about 2 s, before the 3 s timeout.) The latency figures
(median and p95, idle and under abuse) are printed (``pytest -s``);
``tests/benchmarks/abuse.py`` measures them against the goal (a median within 3x of idle),
since timings are never asserted in the test run.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from .conftest import serving

TIMEOUT = 3
QUICK = ["ASK { pdr:omsk-oblast a pd:Region }",
         "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r LIMIT 5",
         "SELECT (COUNT(*) AS ?n) WHERE { ?a a pd:Agreement }"]
RUNAWAY = ["SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
           "SELECT (STRLEN(GROUP_CONCAT(STR(?c))) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
           'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "(a|aa)+$")) }',
           "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY DESC(?c) ?f"]


def _ask(port: int, query: str) -> tuple[int, float]:
    status, seconds, _ = _ask_why(port, query)
    return status, seconds


def _ask_why(port: int, query: str) -> tuple[int, float, str]:
    """Status, seconds and, for an error, the server's message."""
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    started = time.perf_counter()
    message = ""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        message = exc.read().decode("utf-8", "replace").strip()
        status = exc.code
    return status, time.perf_counter() - started, message


def _quick_clients(port: int, clients: int, seconds: float, pause: float) -> list[tuple[int, float]]:
    out: list[tuple[int, float]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(i: int) -> None:
        time.sleep(pause * i / clients)  # spread the starts
        while time.monotonic() < stop_at:
            answer = _ask(port, QUICK[i % len(QUICK)])
            with lock:
                out.append(answer)
            time.sleep(pause)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (Linux /proc)."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


@pytest.fixture(scope="module")
def server():
    if not Path("/proc/self/status").exists():
        pytest.skip("the load test reads memory from /proc (Linux)")
    with serving("--timeout", str(TIMEOUT)) as (port, proc):
        yield port, proc


def _summary(answers: list[tuple[int, float]]) -> tuple[float, float]:
    times = sorted(t for _, t in answers)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def abuse(port: int, pid: int, seconds: float = 8) -> dict:
    """40 paced quick clients while 10 clients send runaways and 5 trickle headers; the answers
    of both kinds and the peak memory of the server and its query processes."""
    runaway_answers: list[tuple[int, float]] = []
    why: list[tuple[int, str, str]] = []  # each runaway's status, query and message
    peak = [0]
    stop_at = time.monotonic() + seconds

    def runaway(i: int) -> None:
        while time.monotonic() < stop_at:
            status, took, message = _ask_why(port, RUNAWAY[i % len(RUNAWAY)])
            runaway_answers.append((status, took))
            why.append((status, RUNAWAY[i % len(RUNAWAY)], message))

    def trickle() -> None:  # slow clients: headers one byte at a time
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            for byte in b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n":
                if time.monotonic() > stop_at:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(0.2)

    def watch() -> None:
        while time.monotonic() < stop_at + TIMEOUT:
            peak[0] = max(peak[0], _rss(pid))
            time.sleep(0.2)

    others = [threading.Thread(target=runaway, args=(i,)) for i in range(10)]
    others += [threading.Thread(target=trickle) for _ in range(5)] + [threading.Thread(target=watch)]
    for t in others:
        t.start()
    time.sleep(1)  # the runaways are running
    quick = _quick_clients(port, 40, seconds - 2, 0.2)
    for t in others:
        t.join()
    return {"quick": quick, "runaway": runaway_answers, "why": why, "peak": peak[0]}


def figures(idle: list[tuple[int, float]], busy: dict) -> str:
    idle_median, idle_p95 = _summary(idle)
    busy_median, busy_p95 = _summary(busy["quick"])
    return (f"quick queries, 40 clients: idle median {idle_median * 1000:.1f} ms, p95 {idle_p95 * 1000:.1f} ms; "
            f"with 10 runaway clients and 5 slow ones: median {busy_median * 1000:.1f} ms, "
            f"p95 {busy_p95 * 1000:.1f} ms (median ratio {busy_median / idle_median:.1f}); {len(busy['quick'])} "
            f"quick and {len(busy['runaway'])} runaway queries (statuses "
            f"{dict(sorted(Counter(status for status, _ in busy['runaway']).items()))}); "
            f"peak memory {busy['peak'] / 1024 ** 2:.0f} MB")


def _stopped(status: int, message: str) -> bool:
    """Whether a runaway was stopped honestly: by its timeout (``503``) or by its process's
    memory cap (``400``: the same query would fail again), each saying so."""
    if status == 503:
        return "stopped after 3 s" in message
    return status == 400 and "memory cap" in message


def test_fifty_clients_with_runaways_and_slow_headers(server):
    """Behaviour under abuse; the latency figures are printed here and measured, with the 3x goal,
    by tests/benchmarks/abuse.py (timings are never asserted in the test run)."""
    port, proc = server
    idle = _quick_clients(port, 40, 3, 0.2)
    busy = abuse(port, proc.pid)
    print("\n" + figures(idle, busy))
    assert all(status == 200 for status, _ in idle + busy["quick"]), sorted({s for s, _ in busy["quick"]})
    assert busy["runaway"] and all(_stopped(status, message) for status, _, message in busy["why"]), \
        sorted(set(busy["why"]))
    assert all(t < TIMEOUT + 10 for _, t in busy["runaway"])  # and not long after (generous bound)
    assert _ask(port, QUICK[0])[0] == 200 and proc.poll() is None


def test_a_plainly_shallow_file_is_never_deeper_than_the_limit(monkeypatch):
    """The bound :func:`graph.load._plainly_shallow` reads from the text holds for compact block
    forms (nested "- - -", tabs after indicators, a sequence under a key at its column, mappings
    in sequences) and flow brackets: whenever it lets a file skip the event pass, the file's real
    depth is within the limit."""
    import itertools

    import yaml

    import graph.load as load

    def depth(node) -> int:
        if isinstance(node, yaml.MappingNode):
            return 1 + max((depth(v) for _, v in node.value), default=0)
        if isinstance(node, yaml.SequenceNode):
            return 1 + max((depth(v) for v in node.value), default=0)
        return 0

    pieces = ["- ", "-\t", "a:\n", "b: [", "{c: ", "? ", "[", "- d: "]
    checked = skipped = 0
    for limit in (3, 4, 6):
        monkeypatch.setattr(load, "MAX_DEPTH", limit)
        for n in range(1, 5):
            for combo in itertools.product(pieces, repeat=n):
                text, indent = "", 0
                for piece in combo:
                    text += piece.replace("\n", "\n" + " " * indent)
                    indent += 0 if piece == "a:\n" else 2
                text += "x" + "".join("]" if "[" in p else "}" if "{" in p else "" for p in reversed(combo)) + "\n"
                try:
                    node = yaml.compose(text, Loader=yaml.SafeLoader)
                except yaml.YAMLError:
                    continue
                checked += 1
                if load._plainly_shallow(text):
                    skipped += 1
                    assert depth(node) <= limit, (text, depth(node))
    assert checked > 200 and 0 < skipped < checked
    assert not load._plainly_shallow("a: &x 1\nb: *x\n")  # aliases: the event pass counts what they expand to
