"""A cold ``paradiplo query --store`` imports only what it needs.

The raw alternative is a fresh Python process that opens the store read-only and runs the
query (``tests/benchmarks/bench.py --cli``, goal: within 1.5x); every library imported on
the way is start-up time paid by every command line query. The query runs in a real
process here, and that process lists the modules it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SMALL

ROOT = Path(__file__).resolve().parent.parent

#: libraries a query on a store never uses (maps, reports, analysis, spreadsheets, HTTP, rdflib)
NOT_NEEDED = ("rdflib", "networkx", "jinja2", "pyvis", "igraph", "numpy", "scipy", "matplotlib", "openpyxl",
              "edtf", "waitress", "werkzeug", "http.client", "urllib.request", "graph.remote", "graph.server",
              "graph.maps", "graph.report", "graph.provenance", "graph.find",
              # reusing a store needs the folder's fingerprint, not the code that checks records
              "graph.validate", "graph.quotes", "rapidfuzz")

_RUN = """
import json, sys
import cli
try:
    cli.cli.main(sys.argv[2:], prog_name="paradiplo")
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w", encoding="utf-8") as f:
    # a module that graph.lazy bound but nothing used yet is not executed: not imported
    json.dump({"exit": code, "modules": sorted(m for m, v in sys.modules.items() if type(v).__name__ != "_LazyModule")}, f)
"""


def _cold(tmp_path: Path, *args: str) -> tuple[dict, str]:
    env = {**os.environ, "PARADIPLO_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", _RUN, str(out), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("cold")
    built, _ = _cold(tmp, "build", "--data", str(SMALL), "--store", str(tmp / "store"), "-o", str(tmp / "out.trig"))
    assert built["exit"] == 0
    return tmp, tmp / "store"


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_cold_query_on_a_store_imports_no_library_it_does_not_use(store, fmt):
    tmp, folder = store
    ran, stdout = _cold(tmp, "query", "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r", "--data", str(SMALL),
                        "--store", str(folder), "--format", fmt)
    assert ran["exit"] == 0 and "omsk-oblast" in stdout  # the store was reused and answered
    assert "graph.sparql" in ran["modules"]  # the list is the query's own process's
    imported = [m for m in NOT_NEEDED if m in ran["modules"]]
    assert imported == [], f"query --store imported {imported}: import them where they are used"


def test_the_push_protocols_of_the_cli_are_the_library_s():
    import cli
    from graph.remote import PROTOCOLS

    assert cli.PUSH_PROTOCOLS == PROTOCOLS
