"""The benchmark harness: paradiplo against its anchors, side by side, on the same data.

    python tests/benchmarks/bench.py --triples 1000000 --json bench.json

Each contender runs in its own process (so that peak memory is its own): paradiplo
(validation, build, the bundled queries through the safe killable path, projection and
betweenness, a 5,000-node map), raw pyoxigraph (bulk load of the very same quads, the same
queries), rdflib's in-memory Dataset (parse the same quads, the same queries, each stopped
after --rdflib-timeout seconds), igraph (betweenness on the same projected graph) and,
with --shacl, pySHACL on the data graph and paradiplo's SHACL engine (graph/shacl.py) on
the same quads. Prints a table; writes JSON with the goal ratios.
Not part of the test run.

    python tests/benchmarks/bench.py --cli --triples 1000000 --json bench-cli.json

With --cli, the path users run: the synthetic data written as YAML files, the real
``paradiplo`` commands timed as processes (validate, build --store, build -o, a cold
query --store, centrality --store, stats --store, report --store, and build --store again
after one file is edited), each with its peak memory, beside a fresh process bulk-loading
the same quads into pyoxigraph from an N-Quads file, rdflib parsing that file, and a raw
pyoxigraph process running the same query on the same store. A small run
(``--cli --triples 20000``) is part of the test run (tests/test_scale.py), which checks its
keys and sanity, never its timings.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

GOALS = {  # key: (comparison, bound)
    "build_speedup_vs_rdflib_memory": (">=", 10.0),
    "build_time_vs_oxigraph_bulk_load": ("<=", 2.0),
    "query_time_vs_oxigraph_median": ("<=", 1.5),
    "query_speedup_vs_rdflib_memory_median": (">=", 20.0),
    "betweenness_time_vs_igraph": ("<=", 3.0),
    "peak_rss_mb_1m_triples": ("<=", 2048.0),
    "map_5k_nodes_seconds": ("<=", 10.0),
}

CLI_GOALS = {  # the goals of the path users run (issue 14)
    "cli_build_time_vs_oxigraph_bulk_load": ("<=", 3.0),
    "cli_build_speedup_vs_rdflib_parse": (">=", 10.0),
    "cli_validate_time_vs_oxigraph_bulk_load": ("<=", 6.0),
    "cli_validate_peak_rss_mb": ("<=", 2048.0),
    "cli_build_peak_rss_mb": ("<=", 2048.0),
    "cli_peak_rss_mb": ("<=", 2048.0),
    "cli_query_cold_time_vs_raw_oxigraph_process": ("<=", 1.5),
    "incremental_rebuild_share": ("<=", 0.10),
}
#: the bundled query the cold-query rows run, through paradiplo and raw
CLI_QUERY = "records-per-source"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def phase_tool(work: Path, triples: int, repeat: int) -> dict:
    import map_scale
    import networkx as nx
    import pyoxigraph as ox
    import synthetic

    from graph.analysis import _betweenness_igraph, centrality
    from graph.load import Dataset, Entry
    from graph.project import actor_graph
    from graph.queries import bundled_queries
    from graph.rdf import dataset_nquads, load_store
    from graph.records import KIND_MODELS, Source
    from graph.render import map_html
    from graph.sparql import QueryPool
    from graph.validate import check_records

    out: dict = {}
    data = synthetic.records(triples)

    def validate_models() -> list:
        return [Entry(kind, KIND_MODELS[kind].model_validate(item), source, f"{source}.yaml", n + 1)
                for source, kinds in data.items() for kind, items in kinds.items() for n, item in enumerate(items)]

    out["validate_pydantic_s"], entries = _timed(validate_models)
    sources = {s: Source(id=s, title={"en": s}, year=2025, language="ru") for s in data}
    dataset = Dataset(Path("synthetic"), sources, entries, [])
    out["validate_references_s"], problems = _timed(lambda: check_records(dataset))
    assert not problems, problems[:3]
    out["records"] = len(entries)

    def build():
        return load_store(dataset_nquads(dataset))

    out["build_s"], store = _timed(build)
    out["quads_named"] = sum(1 for _ in store.quads_for_pattern(None, None, None, None)) - len(
        list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    out["triples_union"] = len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))
    store.dump(str(work / "dump.nq"), format=ox.RdfFormat.N_QUADS)
    out["queries_s"] = {}
    pool = QueryPool(store, size=1)  # the endpoint's path: checked, killable, forked once
    for q in bundled_queries():
        out["queries_s"][q.name] = _timed(lambda: pool.run(q.text, timeout=600), repeat)[0]
    pool.close()
    out["projection_s"], g = _timed(lambda: actor_graph(store))
    out["graph_nodes"], out["graph_edges"] = g.number_of_nodes(), g.number_of_edges()
    nx.write_graphml(g, work / "graph.graphml")
    if os.environ.get("PARADIPLO_BENCH_BETWEENNESS", "1") == "1":
        out["betweenness_s"], _ = _timed(lambda: _betweenness_igraph(g))
    g5 = map_scale.synthetic(5000)
    # what `paradiplo map` computes: the size metric (degree) and the tooltip's pagerank, then the page
    out["map_5k_nodes_seconds"], _ = _timed(lambda: map_html(
        g5, size_by={r["id"]: r["degree"] for r in centrality(g5, metrics=("degree", "pagerank"))}))
    out["peak_rss_mb"] = _peak_mb()
    return out


def phase_oxigraph(work: Path, repeat: int) -> dict:
    import pyoxigraph as ox

    from graph.queries import bundled_queries
    from graph.rdf import PREFIXES

    data = (work / "dump.nq").read_bytes()

    def load():
        store = ox.Store()
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        return store

    out: dict = {}
    out["load_s"], store = _timed(load)
    out["queries_s"] = {}
    for q in bundled_queries():
        out["queries_s"][q.name] = _timed(lambda: list(store.query(q.text, prefixes=PREFIXES)), repeat)[0]
    out["peak_rss_mb"] = _peak_mb()
    return out


class _Stop(Exception):
    pass


def phase_rdflib(work: Path, timeout: int) -> dict:
    import rdflib

    from graph.queries import bundled_queries
    from graph.rdf import PREFIXES

    def alarm(*_):
        raise _Stop()

    signal.signal(signal.SIGALRM, alarm)
    out: dict = {}
    ds = rdflib.Dataset()
    t = time.perf_counter()
    ds.parse(str(work / "dump.nq"), format="nquads")
    out["load_s"] = time.perf_counter() - t
    header = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
    out["queries_s"], out["timed_out"] = {}, []
    for q in bundled_queries():
        signal.alarm(timeout)
        t = time.perf_counter()
        try:
            list(ds.query(header + q.text))
            out["queries_s"][q.name] = time.perf_counter() - t
        except _Stop:
            out["queries_s"][q.name] = float(timeout)  # a lower bound
            out["timed_out"].append(q.name)
        finally:
            signal.alarm(0)
    out["peak_rss_mb"] = _peak_mb()
    return out


def phase_igraph(work: Path) -> dict:
    import igraph as ig

    if os.environ.get("PARADIPLO_BENCH_BETWEENNESS", "1") != "1":
        return {}
    g = ig.Graph.Read_GraphML(str(work / "graph.graphml"))
    t = time.perf_counter()
    g.betweenness(weights="distance", directed=False)
    return {"betweenness_s": time.perf_counter() - t}


def phase_shacl(work: Path) -> dict:
    import rdflib
    from pyshacl import validate

    from graph.load import resource_dir

    ds = rdflib.Graph()
    t = time.perf_counter()
    ds.parse(str(work / "dump.nq"), format="nquads")  # default graph = the union
    parse = time.perf_counter() - t
    shapes = rdflib.Graph().parse(resource_dir("ontology") / "shapes.ttl")
    ont = rdflib.Graph()
    for name in ("paradiplomacy.ttl", "sectors.ttl"):
        ont.parse(resource_dir("ontology") / name)
    t = time.perf_counter()
    conforms, _, _ = validate(ds, shacl_graph=shapes, ont_graph=ont, inference="none")
    pyshacl_s = time.perf_counter() - t
    from graph.shacl import run_shapes  # paradiplo's default engine, on the same quads

    t = time.perf_counter()
    found = run_shapes((work / "dump.nq").read_bytes())
    return {"parse_s": parse, "validate_s": pyshacl_s, "conforms": bool(conforms),
            "oxigraph_s": time.perf_counter() - t, "oxigraph_conforms": not found, "peak_rss_mb": _peak_mb()}


def _run_phase(name: str, args: argparse.Namespace, timeout: float | None = None) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--work", str(args.work), "--triples", str(args.triples),
           "--repeat", str(args.repeat), "--rdflib-timeout", str(args.rdflib_timeout)]
    print(f"… {name}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout} s"}
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else "failed"}
    return json.loads(done.stdout)


_MEASURED = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
with open(sys.argv[1], "wb") as out:
    done = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.PIPE)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": time.perf_counter() - t, "s": usage.ru_utime + usage.ru_stime, "exit": done.returncode,
                  "peak_rss_mb": usage.ru_maxrss / 1024,
                  "stderr": done.stderr.decode("utf-8", "replace")[-400:]}))
"""


def _measured(cmd: list[str], env: dict, stdout: Path, timeout: float | None = None) -> dict:
    """Time ``cmd`` as a process of its own: CPU seconds (user + system, its children included) as
    ``s``, since the machine may be shared, and wall seconds as ``wall_s``; its peak memory from
    ``getrusage(RUSAGE_CHILDREN)`` in a fresh parent, so that no earlier command's peak is mixed in."""
    print(f"… {' '.join(str(c) if len(str(c)) < 100 else '<query>' for c in cmd[1:])}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([sys.executable, "-c", _MEASURED, str(stdout), *map(str, cmd)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"s": None, "wall_s": float(timeout or 0), "exit": None, "error": [f"stopped after {timeout} s"]}
    row = json.loads(done.stdout)
    if row["exit"] != 0:
        row["error"] = row["stderr"].strip().splitlines()[-1:] or ["failed"]
    row.pop("stderr")
    return row


_RAW_LOAD = """
import sys, pyoxigraph as ox
ox.Store().bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
"""
_RAW_LOAD_DISK = """
import sys, pyoxigraph as ox
ox.Store(sys.argv[2]).bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
"""
_RAW_PARSE = """
import sys, rdflib
rdflib.Dataset().parse(sys.argv[1], format="nquads")
"""
_RAW_QUERY = """
import sys, pyoxigraph as ox
results = ox.Store.read_only(sys.argv[1]).query(sys.argv[2])
sys.stdout.buffer.write(results.serialize(format=ox.QueryResultsFormat.JSON))
"""
_DUMP = """
import sys, pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)
"""


def _query_text(name: str) -> str:
    """A bundled query with its prefixes written out, as a raw pyoxigraph process would run it."""
    from graph.queries import bundled_queries
    from graph.rdf import PREFIXES

    text = next(q.text for q in bundled_queries() if q.name == name)
    return "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items()) + text


def _edit_one_file(data: Path) -> Path:
    """Change one English label in the first source file, as a user fixing a typo would."""
    path = sorted(data.glob("synthetic-source-*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    at = text.index("en: Actor ")
    path.write_text(text[:at] + "en: Actor (edited) " + text[at + len("en: Actor "):], encoding="utf-8")
    return path


def cli_run(work: Path, triples: int, timeout: float, skip: set[str] = frozenset(),
            partial: Path | None = None) -> dict:
    """Every command on files, as processes, and the anchors on the same quads: name → row.

    Commands named in ``skip`` are not run; ``partial``, when given, holds the rows so far."""
    import synthetic

    data, store, out = work / "data", work / "store", work / "out"
    marker = work / f"data-{triples}.written"  # the synthetic data of this size, untouched since
    for folder in (store, out) if marker.is_file() else (data, store, out):
        shutil.rmtree(folder, ignore_errors=True)
    if not marker.is_file():
        synthetic.write(data, triples)
        marker.write_text("", encoding="utf-8")
    env = {**os.environ, "PARADIPLO_CACHE": str(work / "cache"), "PYTHONHASHSEED": "0"}
    shutil.rmtree(work / "cache", ignore_errors=True)
    tool = [sys.executable, "-m", "cli"]
    # byte-compiled first, as an installed package is (pip compiles at install): otherwise every cold
    # command would compile paradiplo's modules again when PYTHONDONTWRITEBYTECODE is set
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "graph"), str(ROOT / "cli.py")], check=True)
    rows: dict[str, dict] = {}

    def run(name: str, cmd: list, stdout: str = "stdout") -> None:
        if name in skip:
            rows[name] = {"s": None, "exit": "skipped"}
            return
        rows[name] = _measured(cmd, env, out / f"{name}.{stdout}", timeout)
        if partial:
            partial.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")

    out.mkdir(parents=True)
    run("validate", tool + ["validate", "--data", data])  # no verdict yet: SHACL runs
    run("build_store", tool + ["build", "--data", data, "--store", store])  # the verdict of validate is cached
    run("build_output", tool + ["build", "--data", data, "-o", out / "dataset.trig"])
    run("query_cold", tool + ["query", "--name", CLI_QUERY, "--store", store, "--data", data, "--format", "json"])
    run("raw_query_process", [sys.executable, "-c", _RAW_QUERY, store / "oxigraph", _query_text(CLI_QUERY)])
    run("stats", tool + ["stats", "--data", data, "--store", store])
    run("centrality", tool + ["centrality", "--data", data, "--store", store, "--top", "10"])
    run("report", tool + ["report", "--data", data, "--store", store, "-o", out / "report"])
    subprocess.run([sys.executable, "-c", _DUMP, store / "oxigraph", work / "dump.nq"], check=True, env=env)
    run("oxigraph_bulk_load", [sys.executable, "-c", _RAW_LOAD, work / "dump.nq"])
    shutil.rmtree(work / "raw-store", ignore_errors=True)
    run("oxigraph_bulk_load_on_disk", [sys.executable, "-c", _RAW_LOAD_DISK, work / "dump.nq", work / "raw-store"])
    shutil.rmtree(work / "raw-store", ignore_errors=True)
    run("rdflib_parse", [sys.executable, "-c", _RAW_PARSE, work / "dump.nq"])
    marker.unlink()
    _edit_one_file(data)
    run("build_store_after_one_edit", tool + ["build", "--data", data, "--store", store])
    rows["files"] = {"s": None, "count": len(list(data.glob("*.yaml"))), "exit": 0}
    return rows


def cli_summary(rows: dict) -> dict:
    """The goal ratios of the path users run (``None`` where a command failed)."""
    def s(name: str) -> float | None:
        row = rows.get(name, {})
        return row["s"] if row.get("exit") == 0 else None

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    commands = [r for n, r in rows.items() if n not in ("files", "oxigraph_bulk_load", "oxigraph_bulk_load_on_disk",
                                                          "rdflib_parse", "raw_query_process")]
    return {
        "cli_build_time_vs_oxigraph_bulk_load": ratio(s("build_store"), s("oxigraph_bulk_load")),
        # not a goal: the same bulk load into an on-disk store, as build --store makes
        "cli_build_time_vs_oxigraph_bulk_load_on_disk": ratio(s("build_store"), s("oxigraph_bulk_load_on_disk")),
        "cli_build_speedup_vs_rdflib_parse": ratio(s("rdflib_parse"), s("build_store")),
        "cli_validate_time_vs_oxigraph_bulk_load": ratio(s("validate"), s("oxigraph_bulk_load")),
        "cli_validate_peak_rss_mb": rows["validate"].get("peak_rss_mb"),
        "cli_build_peak_rss_mb": rows["build_store"].get("peak_rss_mb"),
        "cli_peak_rss_mb": max((r.get("peak_rss_mb") or 0 for r in commands), default=None),
        "cli_query_cold_time_vs_raw_oxigraph_process": ratio(s("query_cold"), s("raw_query_process")),
        "incremental_rebuild_share": ratio(s("build_store_after_one_edit"), s("build_store")),
    }


def _goal_lines(summary: dict, goals: dict) -> list[str]:
    lines = [f"{'goal':<46}{'value':>12}{'bound':>12}  met"]
    for key, (op, bound) in goals.items():
        value = summary[key]
        met = value is not None and (value >= bound if op == ">=" else value <= bound)
        shown = f"{value:12.2f}" if value is not None else f"{'—':>12}"
        lines.append(f"{key:<46}{shown}{op + ' ' + str(bound):>12}  {'yes' if met else 'NO'}")
    return lines


def cli_main(args: argparse.Namespace) -> None:
    """``--cli``: run, print the table and the goals, write the JSON."""
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="paradiplo-bench-cli-"))
    work.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.cli_skip.split(",")))
    rows = cli_run(work, args.triples, args.cli_timeout, skip, args.json.with_suffix(".partial.json") if args.json else None)
    summary = cli_summary(rows)
    print(f"\n{args.triples:,} synthetic triples requested, {rows['files']['count']} YAML files\n")
    print(f"{'process':<30}{'CPU s':>10}{'wall s':>10}{'peak MB':>10}  exit")
    for name, row in rows.items():
        if name != "files":
            secs = "".join(f"{row[k]:10.2f}" if row.get(k) is not None else f"{'—':>10}" for k in ("s", "wall_s"))
            peak = f"{row['peak_rss_mb']:10.0f}" if row.get("peak_rss_mb") is not None else f"{'—':>10}"
            print(f"{name:<30}{secs}{peak}  {row.get('exit')} {' '.join(row.get('error', []))}")
    print("\n" + "\n".join(_goal_lines(summary, CLI_GOALS)))
    if args.json:
        args.json.write_text(json.dumps({"triples": args.triples, **summary, "details": rows}, indent=2) + "\n",
                             encoding="utf-8")
        print(f"\nwrote {args.json}")
    if any(row.get("exit") not in (0, "skipped") for row in rows.values()):
        sys.exit("some command failed (see the table)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (the median is kept)")
    parser.add_argument("--rdflib-timeout", type=int, default=120, help="seconds before an rdflib query is stopped")
    parser.add_argument("--shacl", action="store_true", help="also time pySHACL on the whole data graph")
    parser.add_argument("--no-betweenness", action="store_true",
                        help="skip exact betweenness (minutes at 1M triples) for paradiplo and igraph")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--phase", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cli", action="store_true", help="time the real commands on files, as processes")
    parser.add_argument("--cli-timeout", type=float, default=3600, help="seconds before a --cli process is stopped")
    parser.add_argument("--cli-skip", default="", help="--cli: commands not to run, e.g. centrality,report")
    args = parser.parse_args()
    if args.cli:
        cli_main(args)
        return
    if args.phase:
        phase = {"tool": lambda: phase_tool(args.work, args.triples, args.repeat),
                 "oxigraph": lambda: phase_oxigraph(args.work, args.repeat),
                 "rdflib": lambda: phase_rdflib(args.work, args.rdflib_timeout),
                 "igraph": lambda: phase_igraph(args.work), "shacl": lambda: phase_shacl(args.work)}[args.phase]
        print(json.dumps(phase()))
        return
    import tempfile

    if args.no_betweenness:
        os.environ["PARADIPLO_BENCH_BETWEENNESS"] = "0"
    args.work = args.work or Path(tempfile.mkdtemp(prefix="paradiplo-bench-"))
    args.work.mkdir(parents=True, exist_ok=True)
    results = {"triples": args.triples, "tool": _run_phase("tool", args)}
    if "error" in results["tool"]:
        sys.exit(f"paradiplo phase failed: {results['tool']['error']}")
    results["oxigraph"] = _run_phase("oxigraph", args)
    results["igraph"] = _run_phase("igraph", args)
    results["rdflib"] = _run_phase("rdflib", args)
    if args.shacl:
        results["shacl"] = _run_phase("shacl", args, timeout=3600)
    tool, ox_, rdf, ig_ = results["tool"], results["oxigraph"], results["rdflib"], results["igraph"]
    names = sorted(tool["queries_s"])
    ratio_ox = [tool["queries_s"][n] / max(ox_["queries_s"][n], 1e-9) for n in names]
    ratio_rdf = [rdf["queries_s"][n] / max(tool["queries_s"][n], 1e-9) for n in names] if "queries_s" in rdf else []
    summary = {
        "build_speedup_vs_rdflib_memory": rdf["load_s"] / tool["build_s"] if "load_s" in rdf else None,
        "build_time_vs_oxigraph_bulk_load": tool["build_s"] / ox_["load_s"],
        "query_time_vs_oxigraph_median": statistics.median(ratio_ox),
        "query_speedup_vs_rdflib_memory_median": statistics.median(ratio_rdf) if ratio_rdf else None,
        "betweenness_time_vs_igraph": (tool["betweenness_s"] / max(ig_["betweenness_s"], 1e-9)
                                       if "betweenness_s" in tool else None),
        "peak_rss_mb_1m_triples": tool["peak_rss_mb"],
        "map_5k_nodes_seconds": tool["map_5k_nodes_seconds"],
    }
    results["summary"] = summary
    print(f"\n{args.triples:,} synthetic triples requested; {tool['quads_named']:,} quads in named graphs, "
          f"{tool['triples_union']:,} in the union; {tool['records']:,} records; actor graph "
          f"{tool['graph_nodes']:,} nodes, {tool['graph_edges']:,} edges\n")
    print(f"{'measure':<44}{'paradiplo':>12}{'anchor':>12}  anchor")
    rows = [("build (records → store), s", tool["build_s"], ox_["load_s"], "oxigraph bulk load"),
            ("build, s", tool["build_s"], rdf.get("load_s"), "rdflib parse"),
            ("queries, median s", statistics.median(tool["queries_s"].values()),
             statistics.median(ox_["queries_s"].values()), "oxigraph"),
            ("queries, median s", statistics.median(tool["queries_s"].values()),
             statistics.median(rdf["queries_s"].values()) if "queries_s" in rdf else None, "rdflib"),
            ("betweenness (exact), s", tool.get("betweenness_s", float("nan")), ig_.get("betweenness_s"), "igraph"),
            ("validation: pydantic, s", tool["validate_pydantic_s"], None, ""),
            ("validation: references, s", tool["validate_references_s"], None, ""),
            ("projection to NetworkX, s", tool["projection_s"], None, ""),
            ("peak memory, MB", tool["peak_rss_mb"], rdf.get("peak_rss_mb"), "rdflib process")]
    if args.shacl and "validate_s" in results["shacl"]:
        rows.append(("validation: SHACL (pySHACL), s", results["shacl"]["validate_s"], None, ""))
        rows.append(("validation: SHACL (Oxigraph engine, load included), s", results["shacl"]["oxigraph_s"], None, ""))
    for label, ours, anchor, name in rows:
        a = f"{anchor:12.3f}" if isinstance(anchor, (int, float)) else f"{'—':>12}"
        print(f"{label:<44}{ours:12.3f}{a}  {name}")
    print(f"\n{'goal':<44}{'value':>12}{'bound':>12}  met")
    for key, (op, bound) in GOALS.items():
        value = summary[key]
        met = value is not None and (value >= bound if op == ">=" else value <= bound)
        shown = f"{value:12.2f}" if value is not None else f"{'—':>12}"
        print(f"{key:<44}{shown}{op + ' ' + str(bound):>12}  {'yes' if met else 'NO'}")
    if rdf.get("timed_out"):
        print(f"\nrdflib queries stopped after {args.rdflib_timeout} s (their time is a lower bound): "
              + ", ".join(rdf["timed_out"]))
    if args.json:
        args.json.write_text(json.dumps({**summary, "details": results}, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
