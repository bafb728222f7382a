"""A real external store: Debian's Virtuoso, started on loopback by the test; paradiplo pushes
the bundled data (named graphs included) and the bundled queries must give the same rows.

.ci/run installs virtuoso-opensource; without it these tests are skipped with that reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from cli import cli
from graph.analysis import centrality
from graph.sparql import bundled_queries, run_query, run_remote

from .conftest import free_port, stop, wait_until_answering

VIRTUOSO = shutil.which("virtuoso-t")
INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
pytestmark = pytest.mark.skipif(not (VIRTUOSO and INI.exists()),
                                reason="Debian's virtuoso-opensource is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(?m)^(\[Parameters\][^\[]*?^ServerPort\s*=\s*)\d+", rf"\g<1>{sql_port}", ini)
    ini = re.sub(r"(?m)^(\[HTTPServer\][^\[]*?^ServerPort\s*=\s*)\d+", rf"\g<1>127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    wait_until_answering(base + "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), proc, 120,
                         f"virtuoso (log: {folder}/virtuoso.log)")
    yield base
    stop(proc)


def _rows(result) -> set[tuple]:
    """Rows as a set, numbers compared by value (stores write 402.1 or 4.021E2 alike)."""
    out = set()
    for row in result.rows:
        cells = []
        for term in row:
            datatype = getattr(term, "datatype", None)
            if datatype is not None and datatype.value.endswith(("#double", "#decimal", "#float")):
                cells.append(("number", float(term.value)))
            else:
                cells.append(str(term))
        out.add(tuple(cells))
    return out


@pytest.fixture(scope="module")
def pushed(virtuoso):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["push", "--endpoint", virtuoso + "/sparql-auth", "--user", "dba",
                                      "--password", "dba"])
    assert result.exit_code == 0, result.output
    return virtuoso, result


def test_push_loads_every_named_graph(pushed, kg):
    base, result = pushed
    counts = dict(line.split("\t")[::-1] for line in result.stdout.splitlines())
    graphs = {q.graph_name.value for q in kg.quads}
    assert set(counts) == graphs
    for graph, n in counts.items():
        answer = run_remote(base + "/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert int(answer.rows[0][0].value) == int(n), graph


@pytest.mark.parametrize("query", bundled_queries(), ids=lambda q: q.name)
def test_bundled_queries_give_the_same_rows_on_virtuoso(pushed, kg, query):
    remote = run_remote(pushed[0] + "/sparql", query.text)
    local = run_query(kg.store, query.text)
    assert remote.variables == local.variables
    assert _rows(remote) == _rows(local) and local.rows


def test_centrality_reads_the_external_store(pushed, runner, kg):
    result = runner.invoke(cli, ["centrality", "--endpoint", pushed[0] + "/sparql", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == centrality(kg.actor_graph())


def test_graph_store_protocol_replaces_a_graph(virtuoso, small_kg):
    from graph.push import push

    counts = push(small_kg.nquads, virtuoso + "/sparql-graph-crud-auth", protocol="gsp", user="dba", password="dba")
    graph = "https://w3id.org/paradiplo/graph/paper-b"
    twice = push(small_kg.nquads, virtuoso + "/sparql-graph-crud-auth", protocol="gsp", user="dba", password="dba")
    answer = run_remote(virtuoso + "/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert int(answer.rows[0][0].value) == counts[graph] == twice[graph]  # replaced, not appended


def test_wrong_password_is_a_clear_error(virtuoso, runner):
    result = runner.invoke(cli, ["push", "--data", "tests/fixtures/small", "--endpoint", virtuoso + "/sparql-auth",
                                 "--user", "dba", "--password", "wrong"])
    assert result.exit_code == 1 and "401" in result.output and "Traceback" not in result.output
