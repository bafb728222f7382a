"""Median latency of the bundled queries on the bundled data: library, CLI and HTTP.

Run: python tests/benchmarks/query_latency.py [--repeat 3]
Not part of the test run; prints a table and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from graph import open_graph  # noqa: E402
from graph.queries import bundled_queries
from graph.sparql import run_query  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    queries = bundled_queries()
    kg = open_graph()
    timings: dict[str, list[float]] = {"library (in process)": [], "library (killable process)": [],
                                       "CLI (whole command)": [], "HTTP (POST, JSON)": []}
    for q in queries:
        for _ in range(args.repeat):
            t = time.perf_counter(); run_query(kg.store, q.text, timeout=None)
            timings["library (in process)"].append(time.perf_counter() - t)
            t = time.perf_counter(); run_query(kg.store, q.text)
            timings["library (killable process)"].append(time.perf_counter() - t)
    for q in queries:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cli", "query", "--name", q.name, "--format", "json"], cwd=ROOT,
                       check=True, capture_output=True)
        timings["CLI (whole command)"].append(time.perf_counter() - t)
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=ROOT,
                              stderr=subprocess.DEVNULL, env={**os.environ})
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        for q in queries:
            for _ in range(args.repeat):
                req = urllib.request.Request(url, data=urllib.parse.urlencode({"query": q.text}).encode(),
                                             headers={"Accept": "application/sparql-results+json"})
                t = time.perf_counter()
                urllib.request.urlopen(req, timeout=60).read()
                timings["HTTP (POST, JSON)"].append(time.perf_counter() - t)
    finally:
        server.terminate()
        server.wait()
    print(f"{len(queries)} bundled queries, {args.repeat} runs each (CLI: 1 run)")
    for name, values in timings.items():
        print(f"{name:<28} median {statistics.median(values) * 1000:8.1f} ms   max {max(values) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
