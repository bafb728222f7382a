"""The output side of the adversarial audit: CSV cells a spreadsheet would run, XML that does not
parse, pushes that lose data silently, half-replaced report folders, leftovers of killed runs,
hostile labels in HTML.

Every server here is bound to 127.0.0.1 on an ephemeral port; nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import yaml

from cli import cli
from graph import KnowledgeGraph
from graph.formats import csv_cell, rows_to_csv, to_csv, to_tsv, xml_safe_graph, xml_text
from graph.sparql import QueryResult

from .conftest import SMALL

FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://x","y")']
HOSTILE = {  # actor id → English label, written into a copy of tests/fixtures/small
    "omsk-oblast": '=HYPERLINK("http://example.invalid","x")',
    "pavlodar-oblast": "<img src=x onerror=alert(1)>",
    "north-kazakhstan-oblast": '"><script>alert(2)</script>',
    "pavlodar-oblast-akimat": "{{7*7}}",
    "omsk-oblast-government": "@SUM(1+1)",
}


def hostile_data(tmp_path: Path, labels: dict[str, str] = HOSTILE) -> Path:
    """tests/fixtures/small with the English label of the given actors replaced in every file."""
    target = tmp_path / "hostile-data"
    target.mkdir()
    for path in sorted(SMALL.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for actor in doc.get("actors", []):
            if actor["id"] in labels and "label" in actor:
                actor["label"]["en"] = labels[actor["id"]]
        (target / path.name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    return hostile_data(tmp_path_factory.mktemp("hostile"))


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def _runs(cell: str) -> bool:
    """Would a spreadsheet read this cell as a formula (OWASP's list of first characters)?"""
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------ 1. CSV injection

@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_prefixed_with_a_quote(text):
    assert csv_cell(text) == "'" + text
    out = rows_to_csv([{"label": text, "score": -0.5}])
    assert _cells(out) == ["label", "score", "'" + text, "-0.5"]


@pytest.mark.parametrize("value", [-0.5, "-0.5", "+3", "-12", "1e-3", "-2.5E+3", 7, None, "", "Omsk", "a=b"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("command, columns", [
    (["centrality"], 4), (["communities"], 5), (["typology", "--pairs"], 7), (["timeline"], 5),
    (["centrality", "--periods", "1991-2018,2019-2026"], 6)])
def test_cli_csv_outputs_hold_no_formula(runner, hostile_dir, command, columns):
    result = runner.invoke(cli, [*command, "--data", str(hostile_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert not [c for c in cells if _runs(c)]
    if command[0] == "centrality":
        assert "'" + HOSTILE["omsk-oblast"] in cells and "'" + HOSTILE["omsk-oblast-government"] in cells


def test_report_csvs_hold_no_formula(runner, hostile_dir, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "--data", str(hostile_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.csv")):
        assert not [c for c in _cells(path.read_text(encoding="utf-8")) if _runs(c)], path.name
    assert "'" + HOSTILE["omsk-oblast"] in _cells((out / "communities.csv").read_text(encoding="utf-8"))


def test_sparql_csv_neutralises_and_tsv_is_inert(runner, hostile_dir):
    query = "SELECT ?l ?n WHERE { ?a rdfs:label ?l . BIND(-0.5 AS ?n) } ORDER BY ?l"
    result = runner.invoke(cli, ["query", query, "--data", str(hostile_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert "'" + HOSTILE["omsk-oblast"] in cells and "-0.5" in cells and not [c for c in cells if _runs(c)]
    tsv = runner.invoke(cli, ["query", query, "--data", str(hostile_dir), "--format", "tsv"]).stdout
    rows = [line.split("\t") for line in tsv.splitlines()[1:]]
    assert all(len(r) == 2 and r[0][:1] in ('"', "<", "_") for r in rows)  # RDF terms: inert already
    assert any(r[0].startswith('"=HYPERLINK') for r in rows)


def test_sparql_csv_can_give_raw_values():
    import pyoxigraph as ox

    result = QueryResult("select", variables=["l"], rows=[[ox.Literal("=1+2")], [ox.Literal("a\tb")]])
    assert to_csv(result) == "l\r\n'=1+2\r\na\tb\r\n"
    assert to_csv(result, neutralise=False) == "l\r\n=1+2\r\na\tb\r\n"
    assert to_tsv(result) == '?l\n"=1+2"\n"a\\tb"\n'


# ------------------------------------------------------------------ 2. GraphML / GEXF well-formed

BAD_XML = "Omsk\x01 Oblast\x0b end\ufffe"


def _bad_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("a\x02", label=BAD_XML, type="Region", country="russia", lat="", lon="")
    g.add_node("b", label="Pavlodar", type="Region", country="kazakhstan", lat="", lon="")
    g.add_edge("a\x02", "b", weight=2, relations="agreement\x1f")
    return g


@pytest.mark.parametrize("generate", [nx.generate_graphml, nx.generate_gexf])
def test_network_xml_parses_whatever_the_labels(generate):
    with pytest.raises(ET.ParseError):  # what nx writes on its own
        ET.fromstring("\n".join(generate(_bad_graph())))
    root = ET.fromstring("\n".join(generate(xml_safe_graph(_bad_graph()))))
    texts = [e.text or "" for e in root.iter()] + [v for e in root.iter() for v in e.attrib.values()]
    assert "Omsk\ufffd Oblast\ufffd end\ufffd" in texts and "a\ufffd" in texts


def test_xml_text_keeps_every_allowed_character():
    allowed = "\t\n\r Омск €\ud7ff\ue000\ufffd\U0001f600\U0010ffff"
    assert xml_text(allowed) == allowed
    assert xml_text("\x00\x08\x0b\x0c\x1f\ud800\ufffe\uffff") == "\ufffd" * 8


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_is_well_formed_with_control_characters(runner, tmp_path, monkeypatch, fmt, reader):
    monkeypatch.setattr(KnowledgeGraph, "actor_graph", lambda self, *a, **k: _bad_graph())
    target = tmp_path / f"net.{fmt}"
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    ET.parse(target)
    g = reader(target)
    assert sorted(g.nodes) == ["a\ufffd", "b"] and g.nodes["a\ufffd"]["label"] == "Omsk\ufffd Oblast\ufffd end\ufffd"


# ------------------------------------------------------------------ 3. push: no redirect, counts checked

class FakeStore:
    """A SPARQL store on 127.0.0.1 that misbehaves on demand: ``mode`` is ok, redirect, garbage,
    truncated, reset, drop (answers 200 to every update but loses the second batch of a graph),
    nonjson, cut-json or short-json (the count query is answered with something unreadable: HTML,
    JSON cut off with a matching length, JSON shorter than its announced length)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.mode, self.graphs, self.batches, self.log = "ok", {}, {}, []
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:
                store.log.append(("GET", self.path))
                self._reply(200, b"redirected here: nothing stored", "text/plain")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                store.log.append(("POST", self.path))
                store.answer(self, body)

            def _reply(self, code: int, body: bytes, media: str, length: int | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, handler, body: bytes) -> None:
        import json
        import re
        import socket
        import struct
        import urllib.parse

        form = urllib.parse.parse_qs(body.decode("utf-8"))
        if self.mode == "redirect":
            handler.send_response(302)
            handler.send_header("Location", self.url.replace("/sparql", "/moved/sparql"))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif self.mode == "garbage":
            handler.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
        elif self.mode == "truncated":
            handler._reply(200, b"<html><body>upda", "text/html", length=4000)
        elif self.mode == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
        elif "update" in form:
            text = form["update"][0]
            graph = re.search(r"GRAPH <([^>]+)> \{", text).group(1)
            if text.startswith("DROP"):
                self.graphs[graph], self.batches[graph] = 0, 0
            self.batches[graph] += 1
            if not (self.mode == "drop" and self.batches[graph] == 2):
                self.graphs[graph] += len([x for x in text.split("{\n", 1)[1].splitlines() if x.endswith(" .")])
            handler._reply(200, b"<html>ok</html>", "text/html")
        else:
            graph = re.search(r"GRAPH <([^>]+)>", form["query"][0]).group(1)
            answer = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
                {"n": {"type": "literal", "value": str(self.graphs.get(graph, 0))}}]}}).encode()
            if self.mode == "nonjson":
                handler._reply(200, b"<html>Service temporarily unavailable</html>", "text/html")
            elif self.mode == "cut-json":
                handler._reply(200, answer[:30], "application/sparql-results+json")
            elif self.mode == "short-json":
                handler._reply(200, answer[:30], "application/sparql-results+json", length=len(answer))
            else:
                handler._reply(200, answer, "application/sparql-results+json")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def store():
    fake = FakeStore()
    yield fake
    fake.close()


def _push(runner, store, *extra):
    result = runner.invoke(cli, ["push", "--data", str(SMALL), "--endpoint", store.url, "--batch", "20", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    return result


def test_push_to_a_working_store_checks_the_counts(runner, store, small_kg):
    result = _push(runner, store)
    assert result.exit_code == 0, result.output
    expected = {q.graph_name.value for q in small_kg.quads}
    assert set(store.graphs) == expected
    assert sum(store.graphs.values()) == len(small_kg.quads)
    assert sum(1 for method, _ in store.log if method == "POST") > len(expected)  # updates, then one count each


def test_push_follows_no_redirect(runner, store):
    store.mode = "redirect"
    result = _push(runner, store)
    assert result.exit_code == 1
    assert "302" in result.output and store.url.replace("/sparql", "/moved/sparql") in result.output
    assert "follows no redirect" in result.output and "pushed" not in result.output
    assert [m for m, _ in store.log] == ["POST"]  # stopped at once, no GET to the new address


@pytest.mark.parametrize("mode, words", [("garbage", "did not answer in HTTP"), ("truncated", "cut its reply short"),
                                         ("reset", "closed the connection")])
def test_push_broken_replies_are_clean_errors(runner, store, mode, words):
    store.mode = mode
    result = _push(runner, store)
    assert result.exit_code == 1 and words in result.output, result.output


def test_push_reports_a_store_that_drops_a_batch(runner, store, small_kg):
    from graph.remote import HalfWritten, graphs_as_ntriples, push

    store.mode = "drop"
    result = _push(runner, store)
    assert result.exit_code == 1 and "half-written" in result.output and "paradiplo push` again" in result.output
    sent = {g: len(v) for g, v in graphs_as_ntriples(small_kg.nquads).items()}
    long_ones = sorted(g for g, n in sent.items() if n > 20)
    assert long_ones and all(f"<{g}>: holds {sent[g] - 20} triples, {sent[g]} were sent" in result.output
                             for g in long_ones if sent[g] >= 40)
    with pytest.raises(HalfWritten) as caught:
        push(small_kg.nquads, store.url, batch=20)
    assert sorted(caught.value.short) == long_ones
    assert all(stored < n for stored, n in caught.value.short.values())


@pytest.mark.parametrize("mode, words", [("nonjson", "SPARQL results JSON"), ("cut-json", "SPARQL results JSON"),
                                         ("short-json", "cut its reply short")])
def test_push_unreadable_counts_are_clean_errors(runner, store, mode, words):
    store.mode = mode
    result = _push(runner, store)
    assert result.exit_code == 1 and words in result.output, result.output


def test_push_counts_on_a_separate_query_endpoint(runner, store):
    second = FakeStore()
    try:
        store.mode = "drop"  # would be short, but the counts are read on the other (empty) store
        result = _push(runner, store, "--query-endpoint", second.url)
        assert result.exit_code == 1 and "holds 0 triples" in result.output
        assert any(method == "POST" for method, _ in second.log)
    finally:
        second.close()


def test_push_half_way_failure_says_what_to_do(runner, store, monkeypatch, small_kg):
    from graph.remote import graphs_as_ntriples

    first = [len(v) for v in graphs_as_ntriples(small_kg.nquads).values()][0]
    assert first <= 20  # one request for the first graph, then batches of 20 of the second
    calls = []
    real = FakeStore.answer

    def fail_third(self, handler, body):
        calls.append(1)
        if len(calls) == 3:
            self.mode = "truncated"
        return real(self, handler, body)

    monkeypatch.setattr(FakeStore, "answer", fail_third)
    result = _push(runner, store)
    assert result.exit_code == 1 and "cut its reply short" in result.output
    assert f"half-written: {first + 20} of" in result.output and "after it were not sent" in result.output


# ------------------------------------------------------------------ 4. report folder swapped as a whole

def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def dead_pid() -> int:
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid():
    import subprocess

    proc = subprocess.Popen(["sleep", "60"])
    yield proc.pid
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("failing_call", [1, 2, 3, 13, 14])
def test_a_failed_rename_leaves_the_old_report_complete(small_kg, tmp_path, monkeypatch, failing_call):
    import os

    from graph.report import build_report, write_report

    out = tmp_path / "report"
    write_report(small_kg, out, seed=1)
    before = _contents(out)
    calls = []

    def flaky(real):
        def rename(src, dst, *args, **kwargs):
            calls.append((src, dst))
            if len(calls) == failing_call:
                raise OSError(28, "No space left on device")
            return real(src, dst, *args, **kwargs)
        return rename

    monkeypatch.setattr(os, "replace", flaky(os.replace))
    monkeypatch.setattr(os, "rename", flaky(os.rename))
    try:
        write_report(small_kg, out, seed=2)
    except OSError:
        pass
    monkeypatch.undo()
    new = {name: text if isinstance(text, bytes) else text.encode("utf-8")
           for name, text in sorted(build_report(small_kg, seed=2).items())}
    assert new != before
    after = _contents(out)
    assert after == before or after == new  # one report or the other, whole, never a mix
    if failing_call <= 2:
        assert after == before  # the failure did happen, at the swap
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary folder left


def test_a_failure_while_writing_leaves_the_old_report(small_kg, tmp_path, monkeypatch):
    from graph import report

    out = tmp_path / "report"
    report.write_report(small_kg, out, seed=1)
    before = _contents(out)
    real = report.build_report

    def half(*args, **kwargs):
        files = real(*args, **kwargs)
        files["map.html"] = object()  # cannot be written: fails after the first files
        return files

    monkeypatch.setattr(report, "build_report", half)
    with pytest.raises(TypeError):
        report.write_report(small_kg, out, seed=2)
    assert _contents(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_report_refuses_a_folder_with_other_files(runner, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(cli, ["report", "--data", str(SMALL), "-o", str(out)])
    assert result.exit_code == 1 and "notes.txt" in result.output and "new or empty folder" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_report_leftovers_of_dead_runs_are_cleaned(runner, tmp_path, dead_pid, live_pid):
    out = tmp_path / "report"
    dead = [tmp_path / f".report.{dead_pid}.a1b2c3d4.tmp", tmp_path / f".report.{dead_pid}.0f0f0f0f.old"]
    live = [tmp_path / f".report.{live_pid}.a1b2c3d4.tmp", tmp_path / f".report.{live_pid}.0f0f0f0f.old"]
    for folder in dead + live:
        folder.mkdir()
        (folder / "index.html").write_text("partial", encoding="utf-8")
    result = runner.invoke(cli, ["report", "--data", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in dead) and all(p.exists() for p in live)
    assert len(list(out.iterdir())) == 20  # period-counts.csv, robustness.csv, robustness.json, robustness-actors.csv, figure.svg, claims.csv among them


def test_an_old_report_renamed_away_by_a_killed_run_comes_back(tmp_path, dead_pid, small_kg, monkeypatch):
    from graph import report

    away = tmp_path / f".report.{dead_pid}.0f0f0f0f.old"
    report.write_report(small_kg, away, seed=1)
    before = _contents(away)
    monkeypatch.setattr(report, "build_report", lambda *a, **k: {**{n: "" for n in before}, "map.html": object()})
    with pytest.raises(TypeError):
        report.write_report(small_kg, tmp_path / "report", seed=2)
    assert _contents(tmp_path / "report") == before and not away.exists()


def test_temp_files_of_dead_runs_are_cleaned(runner, tmp_path, dead_pid, live_pid):
    target = tmp_path / "d.trig"
    dead = tmp_path / f".d.trig.{dead_pid}.k2j4h5g6.tmp"
    live = tmp_path / f".d.trig.{live_pid}.k2j4h5g6.tmp"
    other = tmp_path / f".e.trig.{dead_pid}.k2j4h5g6.tmp"  # another file's: not this write's business
    for path in (dead, live, other):
        path.write_text("partial", encoding="utf-8")
    result = runner.invoke(cli, ["build", "--data", str(SMALL), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert not dead.exists() and live.exists() and other.exists() and target.stat().st_size > 1000


def test_store_leftovers_of_dead_runs_are_cleaned(runner, tmp_path, dead_pid, live_pid):
    store = tmp_path / "store"
    store.mkdir()
    dead = [store / f"oxigraph.{dead_pid}.x8y7z6w5", store / f"oxigraph.old.{dead_pid}"]
    live = [store / f"oxigraph.{live_pid}.x8y7z6w5", store / f"oxigraph.old.{live_pid}"]
    for folder in dead + live:
        folder.mkdir()
        (folder / "000001.sst").write_bytes(b"partial")
    result = runner.invoke(cli, ["stats", "--data", str(SMALL), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in dead) and all(p.exists() for p in live)
    assert (store / "oxigraph").is_dir()


def test_pid_alive():
    import os

    from graph.files import pid_alive

    assert pid_alive(os.getpid()) and pid_alive(1) and not pid_alive(0) and not pid_alive(2 ** 22 + 1)


# ------------------------------------------------------------------ 5. servers the tests start: loopback only

def test_servers_started_by_tests_listen_on_loopback(store):
    import os
    import subprocess
    import sys

    from .conftest import free_port, stop, wait_until_answering
    from .test_virtuoso import listening

    assert store.server.server_address[0] == "127.0.0.1"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--data", str(SMALL), "--port", str(port)],
                            cwd=Path(__file__).parent.parent, stderr=subprocess.DEVNULL, env={**os.environ})
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", proc, 60, "paradiplo serve")
        sockets = listening(proc.pid)
        assert (("127.0.0.1", port) in sockets) and {a for a, _ in sockets} == {"127.0.0.1"}, sockets
    finally:
        stop(proc, 10)
    import re

    everywhere = re.compile(r"0\.0\.0\.0|\(\(\s*(''|\"\"|\"::\"|'::')\s*,|--host[\"', =]+(0\b|::)")  # bind(("", p))
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.name != Path(__file__).name:  # this file's servers: checked above
            assert not everywhere.search(path.read_text(encoding="utf-8")), path.name


# ------------------------------------------------------------------ 6. hostile labels in HTML

class _Elements:
    """Every element and the text of an HTML page, as the browser's parser would see them."""

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.tags: list[str] = []
        self.text: list[str] = []
        outer = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs) -> None:
                outer.tags.append(tag)
                assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)

            def handle_data(self, data) -> None:
                outer.text.append(data)

        Parser(convert_charrefs=True).feed(page)


def test_report_index_shows_hostile_labels_as_text(runner, hostile_dir, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "--data", str(hostile_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = _Elements((out / "index.html").read_text(encoding="utf-8"))
    text = "".join(page.text)
    for label in HOSTILE.values():
        assert label in text
    assert page.tags.count("img") == 1 and "script" not in page.tags   # the img is the figure below
    assert set(page.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "code", "em", "a",
                              "table", "thead", "tbody", "tr", "th", "td", "svg", "line", "text", "rect", "img"}
    figure = ET.fromstring((out / "figure.svg").read_bytes())   # hostile labels are XML text in the figure
    texts = "".join("".join(t.itertext()) for t in figure.iter("{http://www.w3.org/2000/svg}text"))
    assert any(label[:39] in texts for label in HOSTILE.values())
    assert not [e for e in figure.iter() if e.tag.endswith("}script") or e.tag.endswith("}foreignObject")]
    assert page.tags.count("a") == 1  # the link to map.html, no injected one
    body = (out / "map.html").read_text(encoding="utf-8")
    assert "<img src=x onerror" not in body and "<script>alert(2)" not in body
