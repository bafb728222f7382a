"""The benchmark harness: paradiplo against its anchors, side by side, on the same data.

    python tests/benchmarks/bench.py --triples 1000000 --json bench.json

Each contender runs in its own process (so that peak memory is its own): paradiplo
(validation, build, the bundled queries through the safe killable path, projection and
betweenness, a 5,000-node map), raw pyoxigraph (bulk load of the very same quads, the same
queries), rdflib's in-memory Dataset (parse the same quads, the same queries, each stopped
after --rdflib-timeout seconds), igraph (betweenness on the same projected graph) and,
with --shacl, pySHACL on the data graph. Prints a table; writes JSON with the goal ratios.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    return {"parse_s": parse, "validate_s": time.perf_counter() - t, "conforms": bool(conforms),
            "peak_rss_mb": _peak_mb()}


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
    args = parser.parse_args()
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
