"""Scale of the path users run: one large data file, the SHACL ontology graph, per-file caching.

Timings are never asserted here; ``tests/benchmarks/bench.py --cli`` measures them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import graph.load as load
import pyoxigraph as ox
import pytest

from graph import Filters, open_graph
from graph.load import load_dataset
from graph.store import check_data

from .conftest import SMALL

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

N_RECORDS = 20_000


def _one_big_file(folder: Path, n: int) -> Path:
    """A data folder whose one source file holds ``n`` cities (and Russia), as a registry would."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources.yaml").write_text("sources:\n- id: registry\n  title: {en: A registry}\n  year: 2025\n"
                                         "  language: ru\n", encoding="utf-8")
    city = ("- id: city-{i:06d}\n  type: City\n  country: russia\n  label:\n    en: City {i}\n    ru: Город {i}\n"
            "  evidence:\n  - locator: row {i}\n    quote: Город {i}\n")
    text = ("source: registry\nactors:\n- id: russia\n  type: State\n  label: {en: Russia}\n"
            "  evidence: [{locator: p. 1, quote: Россия}]\n" + "".join(city.format(i=i) for i in range(n)))
    path = folder / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class _CountingLines(dict):
    """A file's line index that counts how often it is walked whole."""

    walks = 0

    def items(self):
        _CountingLines.walks += 1
        return super().items()

    def __iter__(self):
        _CountingLines.walks += 1
        return super().__iter__()


def test_twenty_thousand_records_in_one_file_load_with_every_line_walking_the_index_once(tmp_path, monkeypatch):
    path = _one_big_file(tmp_path / "data", N_RECORDS)
    parse_yaml = load.parse_yaml

    def counting(*args, **kwargs):
        data, lines, problems = parse_yaml(*args, **kwargs)
        return data, _CountingLines(lines), problems

    monkeypatch.setattr(load, "parse_yaml", counting)
    _CountingLines.walks = 0
    ds = load_dataset(tmp_path / "data")
    assert ds.problems == []  # no size limit refuses a registry of 20,000 records
    assert len(ds.entries) == N_RECORDS + 1
    # the line index is walked a bounded number of times per file, not once per record (quadratic)
    assert _CountingLines.walks <= 2, _CountingLines.walks
    text = path.read_text(encoding="utf-8").splitlines()
    for entry in (ds.entries[1], ds.entries[N_RECORDS // 2], ds.entries[-1]):
        assert text[entry.line - 1].endswith(f"- id: {entry.record.id}")
        assert "Город" in text[entry.line_of("label") - 1 + 2]  # label: / en: / ru:
        assert text[entry.line_of("country") - 1].strip() == "country: russia"


def test_the_written_node_limit_still_refuses_an_oversized_file(tmp_path, monkeypatch):
    path = _one_big_file(tmp_path / "data", 200)
    monkeypatch.setattr(load, "MAX_WRITTEN_NODES", 1000)
    problems = [str(p) for p in load_dataset(tmp_path / "data").problems]
    assert len(problems) == 1 and problems[0].startswith(f"{load.display_path(path)}:"), problems
    assert "more than 1,000 YAML nodes; split it into several files" in problems[0]


def test_the_cycle_collector_is_back_on_after_loading(small_dir):
    import gc

    assert gc.isenabled()
    load_dataset(small_dir)
    assert gc.isenabled()


def _parsed_files(monkeypatch) -> list[str]:
    """The names of the files :func:`graph.load.parse_yaml` is asked to parse, from now on."""
    parsed: list[str] = []
    parse_yaml = load.parse_yaml

    def spy(text, display):
        parsed.append(Path(display).name)
        return parse_yaml(text, display)

    monkeypatch.setattr(load, "parse_yaml", spy)
    return parsed


def test_records_are_cached_per_file_by_content(small_dir, tmp_path, monkeypatch):
    parsed = _parsed_files(monkeypatch)
    plain = load_dataset(small_dir)
    first = load_dataset(small_dir, cache=tmp_path / "cache")
    assert sorted(parsed) == sorted(2 * ["general-knowledge.yaml", "paper-a.yaml", "paper-b.yaml", "sources.yaml"])
    parsed.clear()
    again = load_dataset(small_dir, cache=tmp_path / "cache")
    assert parsed == ["sources.yaml"]  # the bibliography is read every time; the record files are not
    assert again.entries == first.entries == plain.entries
    assert [e.field_lines for e in again.entries] == [e.field_lines for e in plain.entries]
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    parsed.clear()
    edited = load_dataset(small_dir, cache=tmp_path / "cache")
    assert parsed == ["sources.yaml", "paper-b.yaml"]
    assert "Omsk Province" in {e.record.label.get("en") for e in edited.entries}


def test_cached_problems_are_reported_again(small_dir, tmp_path):
    paper = small_dir / "paper-a.yaml"
    paper.write_text(paper.read_text(encoding="utf-8") + "bogus: 1\n", encoding="utf-8")
    first = load_dataset(small_dir, cache=tmp_path / "cache").problems
    assert first and first == load_dataset(small_dir, cache=tmp_path / "cache").problems


def _contents(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


def test_a_store_is_updated_graph_by_graph_and_equals_a_fresh_build(small_dir, tmp_path):
    said: list[str] = []
    open_graph(small_dir, store=tmp_path / "store")
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    updated = open_graph(small_dir, store=tmp_path / "store", progress=said.append)
    assert "replaced 1 of 4 named graphs" in said, said  # paper-a, paper-b, general knowledge, ontology
    fresh = open_graph(small_dir, store=tmp_path / "fresh")
    assert _contents(updated.store) == _contents(fresh.store)  # the union default graph included
    union = {(q.subject, q.predicate, q.object) for q in _contents(fresh.store) if q.graph_name == ox.DefaultGraph()}
    shared = [t for t in union if sum(1 for q in fresh.store.quads_for_pattern(*t) if q.graph_name != ox.DefaultGraph()) > 1]
    assert shared  # the fixture has triples two papers state: they stay in the union when one graph is replaced


def test_an_edit_removes_from_the_union_only_what_no_other_graph_states(small_dir, tmp_path):
    """The store is updated quad by quad: a label only paper-b stated leaves the union, a label
    paper-a states too stays there, the new labels arrive, and the store equals a fresh build."""
    open_graph(small_dir, store=tmp_path / "store")
    paper = small_dir / "paper-b.yaml"
    text = paper.read_text(encoding="utf-8")
    paper.write_text(text.replace("{en: Omsk Region}", "{en: Omsk Province}")
                     .replace("{en: Omsk–Pavlodar agreement}", "{en: Omsk–Pavlodar treaty}"), encoding="utf-8")
    updated = open_graph(small_dir, store=tmp_path / "store").store
    union = {(str(q.subject), q.object.value) for q in updated.quads_for_pattern(None, RDFS_LABEL, None, ox.DefaultGraph())}
    labels = {label for _, label in union}
    assert "Omsk Region" not in labels and {"Omsk Province", "Omsk–Pavlodar treaty"} <= labels
    assert "Omsk–Pavlodar agreement" in labels  # paper-a states it too
    assert _contents(updated) == _contents(open_graph(small_dir, store=tmp_path / "fresh").store)


def test_after_an_edit_the_records_out_of_scope_are_not_unpickled(small_dir, tmp_path):
    """A cached entry keeps its facts apart from its record (graph.load.Entry): after an edit, the
    checks across files read the facts of every record and unpickle only the records in scope,
    and an entry unpickled on use equals the one first read."""
    first = load_dataset(small_dir, cache=tmp_path / "cache")
    open_graph(small_dir, store=tmp_path / "store")
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("{en: Omsk Region}", "{en: Omsk Province}"),
                     encoding="utf-8")
    entries = open_graph(small_dir, store=tmp_path / "store").dataset.entries
    lazy = [e for e in entries if "_lazy" in e.__dict__]
    assert lazy and all(Path(e.file).name != paper.name for e in lazy) and len(lazy) < len(entries)
    assert [e for e in entries if Path(e.file).name != paper.name] == \
        [e for e in first.entries if Path(e.file).name != paper.name]
    assert not any("_lazy" in e.__dict__ for e in entries)  # compared, so unpickled


@pytest.mark.parametrize("paper, old, new", [
    ("paper-b.yaml", "    label: {en: Pavlodar Region}\n", '    label: {en: Pavlodar Region}\n    note: "a\\tb"\n'),
    ("paper-a.yaml", "value: 402.1", "value: 1.0e-05"),
    ("paper-a.yaml", "value: 402.1", "value: 2.5e15")])
def test_a_quad_oxigraph_writes_otherwise_survives_an_edit_of_its_graph(small_dir, tmp_path, paper, old, new):
    """A tab in a literal, a double Python and Oxigraph write differently: the edited graph's
    other quads are compared as text with the store's, and must not be lost (found in review)."""
    path = small_dir / paper
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    open_graph(small_dir, store=tmp_path / "store")
    path.write_text(path.read_text(encoding="utf-8").replace("{en: Omsk Region}", "{en: Omsk Province}")
                    .replace("en: Omsk Oblast,", "en: Omsk Province,"), encoding="utf-8")
    said: list[str] = []
    updated = open_graph(small_dir, store=tmp_path / "store", progress=said.append).store
    assert any(m.startswith("replaced 1 ") for m in said), said
    assert _contents(updated) == _contents(open_graph(small_dir, store=tmp_path / "fresh").store)
    del updated
    from graph.rdf import dataset_nquads

    reused = open_graph(small_dir, store=tmp_path / "store")  # the store alone: its N-Quads written by Oxigraph
    assert reused.nquads == dataset_nquads(load_dataset(small_dir))  # as paradiplo writes them, byte for byte


def test_after_an_edit_a_missing_source_text_is_still_found(small_dir, tmp_path):
    """The scoped check of a rebuild reads every quoted source's text, not only those the edited
    records quote: a text gone since the last build is reported as a full validate reports it."""
    from graph.errors import InvalidData

    (small_dir / "sources.yaml").write_text((small_dir / "sources.yaml").read_text(encoding="utf-8")
                                            + "  - id: paper-c\n    title: {en: Paper C}\n    year: 2020\n"
                                            "    language: en\n    text: paper-c.txt\n", encoding="utf-8")
    (small_dir / "paper-c.txt").write_text("In 2020 the Tomsk region signed nothing.\n", encoding="utf-8")
    (small_dir / "paper-c.yaml").write_text("source: paper-c\nactors:\n  - id: tomsk-oblast\n    type: Region\n"
                                            "    label: {en: Tomsk Region}\n    evidence: [{locator: p. 1, quote: "
                                            "Tomsk region}]\n", encoding="utf-8")
    open_graph(small_dir, store=tmp_path / "store")
    (small_dir / "paper-c.txt").unlink()
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    full = {p.code for p in check_data(small_dir).problems if not p.warning}
    with pytest.raises(InvalidData) as refused:
        open_graph(small_dir, store=tmp_path / "store")
    assert full and {p.code for p in refused.value.problems} == full


def test_a_graph_that_is_gone_leaves_the_store(small_dir, tmp_path):
    said: list[str] = []
    open_graph(small_dir, store=tmp_path / "store")
    (small_dir / "general-knowledge.yaml").unlink()
    updated = open_graph(small_dir, store=tmp_path / "store", progress=said.append)
    fresh = open_graph(small_dir, store=tmp_path / "fresh")
    assert any(m.startswith("replaced ") for m in said), said
    assert _contents(updated.store) == _contents(fresh.store)
    assert sorted(updated.store.named_graphs(), key=str) == sorted(fresh.store.named_graphs(), key=str)


def test_a_clean_validate_verdict_serves_the_next_command(small_dir):
    said: list[str] = []
    assert check_data(small_dir).ok
    open_graph(small_dir, progress=said.append)
    assert any("SHACL verdict cached" in m for m in said), said


def test_after_a_clean_verdict_the_next_command_reads_no_record_and_builds_the_same_graph(small_dir, tmp_path,
                                                                                           monkeypatch):
    """Once ``validate`` found the files clean, a command builds the graph from each file's cached
    RDF: no record is loaded until one is asked for; the RDF and the store are those of a build
    from the records."""
    import graph.load as load_module
    from graph.rdf import dataset_nquads, load_store

    plain = dataset_nquads(load_dataset(small_dir))
    assert check_data(small_dir).ok
    loads: list[Path] = []
    real = load_module.load_dataset
    monkeypatch.setattr(load_module, "load_dataset", lambda directory, **kw: loads.append(directory) or real(
        directory, **kw))
    parsed = _parsed_files(monkeypatch)
    kg = open_graph(small_dir, store=tmp_path / "store")
    assert not loads and parsed == ["sources.yaml"]  # the bibliography only: the sources' descriptions
    assert kg.nquads == plain
    assert _contents(kg.store) == _contents(load_store(plain))
    assert [e.record.id for e in kg.dataset.entries] == [e.record.id for e in load_dataset(small_dir).entries]
    assert loads == [small_dir]  # asked for, the records are loaded


def test_a_file_whose_rdf_is_not_cached_sends_the_command_to_the_records(small_dir):
    from graph.rdf import dataset_nquads

    assert check_data(small_dir).ok
    for cached in (Path(os.environ["PARADIPLO_CACHE"]) / "quads").rglob("*"):
        if cached.is_file():
            cached.unlink()
    said: list[str] = []
    kg = open_graph(small_dir, progress=said.append)
    assert said[0] == f"reading {small_dir}" and kg.nquads == dataset_nquads(load_dataset(small_dir))


def test_the_cli_benchmark_runs_the_real_commands_and_reports_every_key(tmp_path):
    """A small run of ``bench.py --cli``: every command succeeds as a process and every key of the
    issue is in the JSON, with sane values (timings are not asserted)."""
    import json
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "tests" / "benchmarks" / "bench.py"), "--cli", "--triples",
                           "20000", "--work", str(tmp_path / "work"), "--json", str(tmp_path / "bench.json")],
                          cwd=root, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    keys = ["cli_build_time_vs_oxigraph_bulk_load", "cli_build_speedup_vs_rdflib_parse",
            "cli_validate_time_vs_oxigraph_bulk_load", "cli_validate_peak_rss_mb", "cli_build_peak_rss_mb",
            "cli_query_cold_time_vs_raw_oxigraph_process", "incremental_rebuild_share",  # as issue 14 names them
            "cli_build_time_vs_oxigraph_bulk_load_on_disk"]
    assert all(isinstance(result[key], float) and result[key] > 0 for key in keys), result
    rows = result["details"]
    commands = {"validate", "build_store", "build_output", "query_cold", "raw_query_process", "stats", "centrality",
                "report", "oxigraph_bulk_load", "oxigraph_bulk_load_on_disk", "rdflib_parse",
                "build_store_after_one_edit"}
    assert commands <= set(rows) and all(rows[c]["exit"] == 0 and rows[c]["peak_rss_mb"] > 10 for c in commands)
    assert json.loads((tmp_path / "work" / "out" / "query_cold.stdout").read_text(encoding="utf-8"))["results"]
    assert (tmp_path / "work" / "out" / "report" / "index.html").is_file()
    assert rows["files"]["count"] > 2


def _broken_graphs(ds):
    """The small fixture's named graphs with violations only SHACL sees: a sector as a signatory,
    a record's only source removed, a date of the wrong datatype."""
    from graph.rdf import GRAPH, ID, PD, graph_nquads

    graphs = dict(graph_nquads(ds))
    paper_a = graphs[GRAPH + "paper-a"].decode("utf-8")
    paper_a += f"<{ID}omsk-pavlodar-agreement> <{PD}signatory> <{ID}trade> <{GRAPH}paper-a> .\n"
    paper_a += f'<{ID}omsk-oblast> <{PD}founded> "soon" <{GRAPH}paper-a> .\n'
    paper_a = "".join(line for line in paper_a.splitlines(keepends=True)
                      if not (line.startswith(f"<{ID}forum-series> ") and "wasDerivedFrom" in line))
    graphs[GRAPH + "paper-a"] = paper_a.encode("utf-8")
    return graphs


def test_shacl_on_a_scope_finds_exactly_what_the_full_run_finds_there(small_dir):
    from graph.rdf import parse_nquads
    from graph.validate import check_shacl, shacl_scope

    ds = load_dataset(small_dir)
    graphs = _broken_graphs(ds)
    full = check_shacl(ds, parse_nquads(b"".join(graphs.values())))
    assert {"omsk-pavlodar-agreement", "forum-series"} <= {p.record for p in full}, full
    assert any(p.field == "founded" for p in full), full  # pySHACL names the literal as its focus node
    found = set()
    for rid in sorted(ds.by_id):
        scope = shacl_scope(ds, {rid})
        scoped = check_shacl(ds, "".join(f"{line}\n" for line in _reference_scope_quads(graphs, scope)).encode(), scope)
        assert set(scoped) <= set(full), rid
        assert {p for p in full if p.record == rid} <= set(scoped), rid
        found |= set(scoped)
    assert found == set(full)


def test_the_scope_holds_the_changed_records_and_what_refers_to_them(small_dir):
    from graph.validate import shacl_scope

    ds = load_dataset(small_dir)
    scope = shacl_scope(ds, {"omsk-oblast"})
    referrers = {e.record.id for e in ds.entries
                 if "omsk-oblast" in {r for refs in e.record.references().values() for r in refs}}
    assert referrers and scope == {"omsk-oblast"} | referrers


def test_after_an_edit_shacl_checks_only_what_the_edit_may_affect(small_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PARADIPLO_CACHE", str(tmp_path / "cache"))
    assert check_data(small_dir).ok  # the clean verdict, and the file versions it was given to
    focus_seen = _scopes_seen(monkeypatch)
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    said: list[str] = []
    open_graph(small_dir, progress=said.append)
    ds = load_dataset(small_dir)
    edited = {e.record.id for e in ds.entries if e.file.endswith("paper-b.yaml")}
    assert len(focus_seen) == 1 and focus_seen[0] is not None
    assert edited <= focus_seen[0] and len(focus_seen[0]) < len(ds.by_id)
    assert any("that changed or refer to them" in m for m in said), said
    (small_dir / "sources.yaml").write_text((small_dir / "sources.yaml").read_text(encoding="utf-8") + "\n",
                                            encoding="utf-8")
    open_graph(small_dir)
    assert focus_seen[-1] is None  # the bibliography changed: everything is checked


def _scopes_seen(monkeypatch) -> list:
    """Every scope SHACL is asked to check from now on (``None``: everything)."""
    import graph.validate

    seen: list = []
    real = graph.validate.check_shacl

    def spy(dataset, quads=None, scope=None, engine="oxigraph"):
        seen.append(scope)
        return real(dataset, quads, scope, engine)

    monkeypatch.setattr(graph.validate, "check_shacl", spy)
    return seen


def test_records_that_refer_to_an_edited_one_are_rechecked_only_when_its_type_changes(small_dir, monkeypatch,
                                                                                     tmp_path):
    monkeypatch.setenv("PARADIPLO_CACHE", str(tmp_path / "cache"))
    assert check_data(small_dir).ok
    seen = _scopes_seen(monkeypatch)
    paper = small_dir / "paper-a.yaml"
    in_paper = {e.record.id for e in load_dataset(small_dir).entries if e.file.endswith("paper-a.yaml")}
    paper.write_text(paper.read_text(encoding="utf-8").replace("{en: Pavlodar Oblast,", "{en: Pavlodar Region,"),
                     encoding="utf-8")
    open_graph(small_dir)  # a label changed: no sh:class verdict elsewhere can change
    assert seen[-1] == in_paper
    text = paper.read_text(encoding="utf-8")
    at = text.index("id: north-kazakhstan-oblast\n    type: Region")
    paper.write_text(text[:at] + text[at:].replace("type: Region", "type: City", 1), encoding="utf-8")
    open_graph(small_dir)  # a type changed: what points to it is checked again
    ds = load_dataset(small_dir)
    referrers = {e.record.id for e in ds.entries
                 if "north-kazakhstan-oblast" in {r for refs in e.record.references().values() for r in refs}}
    assert referrers and seen[-1] == in_paper | referrers


def test_only_a_changed_type_brings_in_the_records_that_refer_to_it(small_dir):
    from graph.validate import shacl_scope

    ds = load_dataset(small_dir)
    referrers = {e.record.id for e in ds.entries
                 if "omsk-oblast" in {r for refs in e.record.references().values() for r in refs}}
    assert referrers - {"omsk-oblast"}
    assert shacl_scope(ds, {"omsk-oblast"}, retyped=set()) == {"omsk-oblast"}
    assert shacl_scope(ds, {"omsk-oblast"}, retyped={"omsk-oblast"}) == {"omsk-oblast"} | referrers


#: libraries a cold ``paradiplo query --store`` does not need (each takes 0.1–1.5 s to import)
HEAVY = ("networkx", "scipy", "matplotlib", "pyvis", "rdflib", "pyshacl", "edtf", "natasha", "igraph", "IPython",
         "jinja2")


def test_the_query_path_starts_without_the_heavy_libraries():
    """What ``paradiplo query --store`` imports: the CLI, the store, SPARQL and the output formats;
    a heavy library only bound by :func:`graph.lazy.lazy` counts as not imported until it runs."""
    import subprocess
    import sys

    code = ("import importlib.util, sys, cli, graph.store, graph.sparql, graph.formats, graph.queries\n"
            "print(' '.join(sorted(n for n, m in sys.modules.items() if n.split('.')[0] in sys.argv[1:]\n"
            "                      and not isinstance(m, importlib.util._LazyModule))))")
    done = subprocess.run([sys.executable, "-c", code, *HEAVY], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.split() == []


def test_a_lazy_library_runs_on_first_use():
    import subprocess
    import sys

    code = ("import importlib.util, sys, graph.project\n"
            "print(isinstance(sys.modules['networkx'], importlib.util._LazyModule))\n"
            "print(graph.project.nx.Graph().number_of_nodes())\n"
            "print(isinstance(sys.modules['networkx'], importlib.util._LazyModule), 'networkx.classes' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.split("\n")[:3] == ["True", "0", "False True"]


class _CountingStore:
    """A store that records the queries asked of it."""

    def __init__(self, store):
        self.store, self.queries = store, []

    def query(self, text, **options):
        self.queries.append(text)
        return self.store.query(text, **options)

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_leaving_each_paper_out_asks_each_query_once_and_builds_the_same_graphs(kg):
    from graph.project import actor_graph, leave_one_out, papers, replace

    store = _CountingStore(kg.store)
    runs = leave_one_out(store)
    assert list(runs) == papers(kg.store) and len(runs) > 2
    assert sorted(store.queries) == sorted(set(store.queries))
    for paper, g in runs.items():
        alone = actor_graph(kg.store, replace(Filters(), exclude_sources=(paper,)))
        assert list(g.nodes(data=True)) == list(alone.nodes(data=True))
        assert list(g.edges(data=True)) == list(alone.edges(data=True))


def test_a_store_loaded_in_small_batches_holds_the_named_graphs_and_their_union(small_dir, monkeypatch):
    """Bulk loads of a few hundred bytes each (pieces cut after a line, the union's lines made per
    piece) give the store one bulk load gives: the named graphs, and their union as a set."""
    import graph.rdf as rdf

    dataset = load_dataset(small_dir)
    whole = rdf.load_store(rdf.dataset_nquads(dataset))
    monkeypatch.setattr(rdf, "BULK_BATCH", 300)
    pieces = list(rdf._pieces(rdf.dataset_nquads(dataset), 150))
    assert len(pieces) > 10 and all(p.endswith(b"\n") for p in pieces)
    batched = rdf.load_store(rdf.graph_parts(dataset))
    assert _contents(batched) == _contents(whole)
    named = {(q.subject, q.predicate, q.object) for q in _contents(whole) if q.graph_name != ox.DefaultGraph()}
    assert {(q.subject, q.predicate, q.object) for q in _contents(batched) if q.graph_name == ox.DefaultGraph()} == named


def test_trig_written_graph_by_graph_is_the_trig_of_the_whole_and_an_edit_rewrites_one_graph(small_dir, tmp_path,
                                                                                              monkeypatch):
    import graph.rdf as rdf

    def trig_of_whole() -> bytes:
        return rdf.serialize(ox.parse(rdf.dataset_nquads(load_dataset(small_dir)), format=ox.RdfFormat.N_QUADS), "trig")

    assert rdf.graphs_trig(rdf.graph_parts(load_dataset(small_dir)), tmp_path / "cache") == trig_of_whole()
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    written: list[bytes] = []
    serialize = rdf.serialize
    monkeypatch.setattr(rdf, "serialize", lambda quads, fmt: written.append(b"") or serialize(quads, fmt))
    again = rdf.graphs_trig(rdf.graph_parts(load_dataset(small_dir)), tmp_path / "cache")
    assert len(written) == 1  # paper-b's graph; the others come from the cache
    monkeypatch.setattr(rdf, "serialize", serialize)
    assert again == trig_of_whole() and b"Omsk Province" in again


def test_after_an_edit_the_checks_across_files_find_what_a_full_validate_finds(small_dir, monkeypatch, tmp_path):
    """An id renamed in one file leaves the record of that id in another file without a type and an
    English label: the build after the edit checks only the records the edit may affect, and finds
    the same errors as ``validate``, in the other file."""
    import pytest

    from graph.errors import InvalidData

    monkeypatch.setenv("PARADIPLO_CACHE", str(tmp_path / "cache"))
    assert check_data(small_dir).ok
    seen = _scopes_seen(monkeypatch)
    import graph.validate

    checked: list[str] = []
    real = graph.validate.check_dates_attested
    monkeypatch.setattr(graph.validate, "check_dates_attested", lambda e: checked.append(e.record.id) or real(e))
    paper = small_dir / "paper-a.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("id: north-kazakhstan-oblast\n",
                                                               "id: north-kazakhstan-region\n"), encoding="utf-8")
    with pytest.raises(InvalidData) as scoped:
        open_graph(small_dir)
    in_scope, checked[:] = set(checked), []
    full = [p for p in check_data(small_dir).problems if not p.warning]
    assert in_scope < set(checked)  # records no edit can affect were not checked again
    assert scoped.value.problems == full
    assert {p.code for p in full if p.file.endswith("general-knowledge.yaml")} == {"missing-type", "missing-label"}
    assert seen == []  # SHACL runs only on sound records


def _reference_scope_quads(graphs: dict[str, bytes], ids: set[str]) -> set[str]:
    """What SHACL needs for the records ``ids``, read off the whole dataset's N-Quads (the definition):
    every quad whose subject is one of them or their evidence, the ``rdf:type`` quads of every IRI
    those quads point to, and the ontology graph."""
    from graph.rdf import ID, ONTOLOGY_GRAPH

    lines = [line for quads in graphs.values() for line in quads.decode("utf-8").splitlines()]
    about = [line for line in lines if line.startswith(f"<{ID}")
             and line[len(ID) + 1:line.index(">")].split("/evidence/")[0] in ids]
    pointed = {iri for line in about for iri in re.findall(r"<([^<>\s]*)>", line)}
    typed = [line for line in lines if line[1:line.index(">")] in pointed
             and " <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " in line]
    return set(about + typed + graphs[ONTOLOGY_GRAPH].decode("utf-8").splitlines())


def test_the_quads_shacl_gets_for_a_scope_are_made_from_the_scope_alone(small_dir):
    """:func:`graph.rdf.scoped_nquads` builds, from the records in scope and those they point to (or
    that state a symmetric relation to them, such as a border), exactly what the whole dataset
    holds about them."""
    import random

    from graph.rdf import graph_nquads, scoped_nquads

    for folder in (small_dir, None):
        ds = load_dataset(folder)
        graphs = graph_nquads(ds)
        ids, rnd = sorted(ds.by_id), random.Random(7)
        for size in (1, 3, 10, 40, len(ids)):
            for _ in range(3):
                scope = set(rnd.sample(ids, min(size, len(ids))))
                assert set(scoped_nquads(ds, scope).decode("utf-8").splitlines()) == \
                    _reference_scope_quads(graphs, scope), sorted(scope)


def test_each_sheet_of_a_workbook_has_its_own_cached_rdf(tmp_path):
    """A workbook's sheets share the workbook's content key: each must still be remembered apart
    (once, every sheet got the first sheet's quads back from the cache)."""
    from graph.rdf import dataset_nquads
    from graph.tables import table_sheets, xlsx_bytes

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "small.xlsx").write_bytes(xlsx_bytes(table_sheets(load_dataset(SMALL))))
    plain = dataset_nquads(load_dataset(tmp_path / "x"))
    for _ in range(2):  # the second time, from the cache
        assert dataset_nquads(load_dataset(tmp_path / "x", cache=tmp_path / "cache")) == plain
    assert plain == dataset_nquads(load_dataset(SMALL))


def test_loading_freezes_the_records_but_leaks_no_garbage(monkeypatch):
    """load_dataset moves what a large dataset made to the collector's permanent generation (gc.freeze), after
    collecting the cycles it left (a recursive closure holds each file's line index): frozen,
    these would never be freed."""
    import gc

    import weakref

    monkeypatch.setattr(load, "FREEZE_RECORDS", 1)  # a large dataset's path, on the bundled one
    gc.collect()
    gc.unfreeze()
    dataset = load_dataset()  # the bundled data: their dates go through EDTF's parser, whose cache
    assert dataset.entries and gc.get_freeze_count() > 0  # keeps frames (and the dataset) in cycles
    first = weakref.ref(dataset)
    del dataset
    load_dataset()  # a second load frees what the first left, frozen or not
    assert first() is None
    gc.unfreeze()
    assert gc.collect() == 0


def test_a_cached_part_keeps_its_digest(small_dir):
    """Each file's RDF part is cached with its SHA-256 (graph.rdf.Part), so that the store's graph
    digests do not hash every part again; the digest is the part's."""
    import hashlib

    from graph import rdf

    assert check_data(small_dir).ok
    parts = rdf.cached_parts(small_dir, Path(os.environ["PARADIPLO_CACHE"]))
    from_files = [p for ps in parts.values() for p in ps if isinstance(p, rdf.Part)]
    assert len(from_files) >= 3  # paper-a, paper-b, general knowledge
    assert all(p.__dict__["sha256"] == hashlib.sha256(p).digest() for p in from_files)
    assert rdf.parts_digest(from_files) == rdf.parts_digest([bytes(p) for p in from_files])
