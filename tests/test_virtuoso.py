"""A real external store: Debian's Virtuoso, started on loopback by the test; paradiplo pushes
the bundled data (named graphs included) and the bundled queries must give the same rows: the
same multiset (each row as many times), in the same order where the query orders by every
column. A Virtuoso defect that once broke this is kept as a minimal reproduction (README).

.ci/run installs virtuoso-opensource; without it these tests are skipped with that reason, except
under ``CI=true``, where its absence is a failure.
"""

from __future__ import annotations

import json
import re
from collections import Counter
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from cli import cli
from graph.analysis import centrality
from graph.queries import bundled_queries
from graph.remote import run_remote
from graph.sparql import run_query

from .conftest import free_port, requires, stop, wait_until_answering

VIRTUOSO = shutil.which("virtuoso-t")
INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
pytestmark = requires(bool(VIRTUOSO) and INI.exists(),
                      "Virtuoso is not installed: as root, apt-get install virtuoso-opensource (.ci/run does)")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(?m)^(\[Parameters\][^\[]*?^ServerPort\s*=\s*)\d+", rf"\g<1>127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^(\[HTTPServer\][^\[]*?^ServerPort\s*=\s*)\d+", rf"\g<1>127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    proc = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    wait_until_answering(base + "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), proc, 120,
                         f"virtuoso (log: {folder}/virtuoso.log)")
    yield base, proc, (sql_port, http_port)
    stop(proc)


@pytest.fixture(scope="module")
def endpoint(virtuoso):
    return virtuoso[0]


def listening(pid: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket process ``pid`` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(":")
                out.add((_address(address), int(port, 16)))
    return out


def _address(hex_address: str) -> str:
    """/proc/net/tcp's hex address (IPv4, or IPv6 in four 32-bit words, each in host order) as text."""
    import ipaddress
    import sys

    raw = bytes.fromhex(hex_address)
    if sys.byteorder == "little":
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(raw))


def test_virtuoso_listens_on_loopback_only(virtuoso):
    _, proc, ports = virtuoso
    sockets = listening(proc.pid)
    assert {port for _, port in sockets} >= set(ports)  # the SQL port (dba account) and the HTTP port
    assert {address for address, _ in sockets} == {"127.0.0.1"}, sockets


def _rows(result) -> list[tuple]:
    """Rows in the order the store gave them, numbers compared by value (stores write 402.1 or
    4.021E2 alike)."""
    out = []
    for row in result.rows:
        cells = []
        for term in row:
            datatype = getattr(term, "datatype", None)
            if datatype is not None and datatype.value.endswith(("#double", "#decimal", "#float")):
                cells.append(("number", float(term.value)))
            else:
                cells.append(str(term))
        out.append(tuple(cells))
    return out


def orders_every_column(text: str, variables: list[str]) -> bool:
    """Whether the query's ORDER BY names every projected variable (alone or in ASC/DESC), so
    that the order of its rows is fixed by the standard and two stores must agree on it."""
    match = re.search(r"(?is)\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|$)", text)
    keys = set(re.findall(r"[?$](\w+)", match.group(1))) if match else set()
    return set(variables) <= keys


def test_the_ordered_comparison_covers_the_queries_that_order_every_column(kg):
    ordered = {q.name for q in bundled_queries()
               if orders_every_column(q.text, run_query(kg.store, q.text, timeout=None).variables)}
    assert {"omsk-agreements-with-kazakhstan", "which-paper-says-so", "sector-scheme"} <= ordered
    assert "records-per-source" not in ordered  # ORDER BY ?graph ?kind, not ?records


@pytest.fixture(scope="module")
def pushed(endpoint):
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["push", "--endpoint", endpoint + "/sparql-auth", "--user", "dba",
                                      "--password", "dba"])
    assert result.exit_code == 0, result.output
    return endpoint, result


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
    assert remote.variables == local.variables and local.rows
    # a multiset: the same rows, each as many times (a set would hide a duplicated row)
    assert Counter(_rows(remote)) == Counter(_rows(local))
    if orders_every_column(query.text, local.variables):
        assert _rows(remote) == _rows(local)


def test_centrality_reads_the_external_store(pushed, runner, kg):
    result = runner.invoke(cli, ["centrality", "--endpoint", pushed[0] + "/sparql", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == centrality(kg.actor_graph())


def test_graph_store_protocol_replaces_a_graph(endpoint, small_kg):
    from graph.remote import push

    counts = push(small_kg.nquads, endpoint + "/sparql-graph-crud-auth", protocol="gsp", user="dba", password="dba")
    graph = "https://w3id.org/paradiplo/graph/paper-b"
    twice = push(small_kg.nquads, endpoint + "/sparql-graph-crud-auth", protocol="gsp", user="dba", password="dba")
    answer = run_remote(endpoint + "/sparql", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert int(answer.rows[0][0].value) == counts[graph] == twice[graph]  # replaced, not appended


def test_digest_signs_every_request_up_front(endpoint, kg, monkeypatch):
    """Only a body-less HEAD meets the Digest challenge; every PUT is sent once, signed. urllib
    alone sent each body unsigned first, and Virtuoso, which closes the connection with its 401,
    cut the bundled data's larger graphs short (``Broken pipe``)."""
    import http.client

    from graph.remote import push

    sent = []
    real = http.client.HTTPConnection.request

    def spy(self, method, url, body=None, headers={}, **kwargs):  # noqa: B006 (http.client's own default)
        sent.append((method, "Authorization" in headers, len(body or b"")))
        return real(self, method, url, body, headers, **kwargs)

    monkeypatch.setattr(http.client.HTTPConnection, "request", spy)
    counts = push(kg.store, endpoint + "/sparql-graph-crud-auth", protocol="gsp", user="dba", password="dba",
                  query_endpoint=endpoint + "/sparql-auth")
    puts = [(signed, size) for method, signed, size in sent if method == "PUT"]
    assert sent[0] == ("HEAD", False, 0) and sent[1] == ("HEAD", True, 0)  # the challenge, once
    assert len(puts) == len(counts) == len({q.graph_name for q in kg.quads}) and all(signed for signed, _ in puts)
    assert max(size for _, size in puts) > 500_000  # a body that Virtuoso's 401 used to cut short
    assert sum(counts.values()) == len(kg.quads)


def test_push_from_a_store_with_the_graph_store_protocol(endpoint, runner, tmp_path, small_kg):
    """``push --store`` sends each named graph as Oxigraph dumps it; the counts, read on the
    query endpoint, are the graphs' sizes."""
    store = tmp_path / "store"
    args = ["push", "--data", "tests/fixtures/small", "--store", str(store), "--protocol", "gsp", "--endpoint",
            endpoint + "/sparql-graph-crud-auth", "--query-endpoint", endpoint + "/sparql-auth", "--user", "dba",
            "--password", "dba"]
    for _ in range(2):  # built, then reused
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    counts = {g: int(n) for n, g in (line.split("\t") for line in result.stdout.splitlines())}
    assert counts == dict(Counter(q.graph_name.value for q in small_kg.quads))


def test_wrong_password_is_a_clear_error(endpoint, runner):
    result = runner.invoke(cli, ["push", "--data", "tests/fixtures/small", "--endpoint", endpoint + "/sparql-auth",
                                 "--user", "dba", "--password", "wrong"])
    assert result.exit_code == 1 and "401" in result.output and "Traceback" not in result.output


#: The README's minimal reproduction of a Virtuoso 7.2 defect: DISTINCT keeps a duplicate row
#: when two OPTIONALs leave a projected variable unbound.
REPRO_GRAPH = "urn:x-paradiplo:virtuoso-distinct"
REPRO_DATA = "".join(f"<urn:{s}> <urn:{p}> \"{o}\"^^<http://www.w3.org/2001/XMLSchema#integer> <{REPRO_GRAPH}> .\n"
                     for s, p, o in [("s", "p", 1), ("s", "p", 2), ("t", "p", 3), ("t", "r", 9)])
REPRO_QUERY = f"""SELECT DISTINCT ?s ?y WHERE {{ GRAPH <{REPRO_GRAPH}> {{
  ?s <urn:p> ?o OPTIONAL {{ ?s <urn:q> ?z }} OPTIONAL {{ ?s <urn:r> ?y }} }} }}"""


def test_virtuoso_distinct_defect_reproduction(endpoint):
    """The standard's answer is two rows; Virtuoso 7.2 gives ``urn:s`` twice. The day this
    fails because Virtuoso answers two rows, the defect is fixed: update the README."""
    import pyoxigraph as ox

    from graph.remote import push

    local = ox.Store()
    local.load(REPRO_DATA.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    assert push(REPRO_DATA.encode("utf-8"), endpoint + "/sparql-auth", user="dba", password="dba") == {REPRO_GRAPH: 4}
    expected = Counter(_rows(run_query(local, REPRO_QUERY, timeout=None)))
    assert expected == Counter({("<urn:s>", "None"): 1, ("<urn:t>", "\"9\"^^<http://www.w3.org/2001/XMLSchema#integer>"): 1})
    remote = Counter(_rows(run_remote(endpoint + "/sparql", REPRO_QUERY)))
    assert remote - expected == Counter({("<urn:s>", "None"): 1}) and set(remote) == set(expected)
