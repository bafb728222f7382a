"""The endpoint under abuse, on loopback, bounded in count and time: 50 concurrent clients,
40 asking quick questions at a steady pace and 10 sending runaway queries (cartesian
products, huge GROUP_CONCATs, regexes over every pair), plus slow clients trickling headers.

Asserted: quick queries keep a median latency within 3x of the same quick clients on an
idle server; every runaway is stopped at the timeout (503); the server answers afterwards.
The figures are printed (``pytest -s``) for the README.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
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
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - started


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


def test_fifty_clients_with_runaways_and_slow_headers(server):
    port, proc = server
    idle = _quick_clients(port, 40, 4, 0.2)
    idle_median, idle_p95 = _summary(idle)
    assert all(status == 200 for status, _ in idle)

    runaway_answers: list[tuple[int, float]] = []
    peak = [0]
    stop_at = time.monotonic() + 8

    def runaway(i: int) -> None:
        while time.monotonic() < stop_at:
            runaway_answers.append(_ask(port, RUNAWAY[i % len(RUNAWAY)]))

    def trickle() -> None:  # slow clients: headers one byte at a time
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            for byte in b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n":
                if time.monotonic() > stop_at:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(0.2)

    def watch() -> None:
        while time.monotonic() < stop_at + TIMEOUT:
            peak[0] = max(peak[0], _rss(proc.pid))
            time.sleep(0.2)

    others = [threading.Thread(target=runaway, args=(i,)) for i in range(10)]
    others += [threading.Thread(target=trickle) for _ in range(5)] + [threading.Thread(target=watch)]
    for t in others:
        t.start()
    time.sleep(1)  # the runaways are running
    busy = _quick_clients(port, 40, 6, 0.2)
    for t in others:
        t.join()
    busy_median, busy_p95 = _summary(busy)
    print(f"\nquick queries, 40 clients: idle median {idle_median * 1000:.1f} ms, p95 {idle_p95 * 1000:.1f} ms; "
          f"with 10 runaway clients and 5 slow ones: median {busy_median * 1000:.1f} ms, p95 {busy_p95 * 1000:.1f} ms; "
          f"{len(busy)} quick and {len(runaway_answers)} runaway queries; peak memory {peak[0] / 1024 ** 2:.0f} MB")
    assert all(status == 200 for status, _ in busy), sorted({s for s, _ in busy})
    assert busy_median <= 3 * max(idle_median, 0.005)
    assert runaway_answers and all(status == 503 for status, _ in runaway_answers)
    assert all(t < TIMEOUT + 2 for _, t in runaway_answers)
    assert _ask(port, QUICK[0])[0] == 200 and proc.poll() is None
