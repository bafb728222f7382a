"""The main job: dataset, rankings, communities, disagreements and map into one folder.

Every file is computed in memory, written into a temporary folder beside the target, and
that folder swapped in for the old one, so a failed run leaves an earlier report complete.

Examples
--------
>>> import tempfile, pathlib
>>> from graph import open_graph
>>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
>>> files = write_report(open_graph(), out)
>>> sorted(files)[:3]
['centrality-by-period.csv', 'centrality.csv', 'centrality.json']
"""

from __future__ import annotations

import os
from typing import Any

from .analysis import (METRICS, PAIR_COLUMNS, TIMELINE_COLUMNS, centrality, centrality_by_period, communities,
                       first_count, robustness, timeline)
from .figure import figure
from .files import atomic_write_folder
from .formats import dumps, rows_to_csv
from .project import Filters, leave_one_out, papers, same_answers
from .render import EDGE_COLORS
from .store import KnowledgeGraph
from .provenance import (CONFLICT_COLUMNS, PAPER_CLAIM_COLUMNS, STATS_COVER, conflict_table, conflicts, paper_claims,
                         stats)
from .templates import render
from .lazy import lazy

nx = lazy("networkx")

__all__ = ["build_report", "write_report", "timeline_svg", "scope"]


DEFAULT_PERIODS = [(1991, 2013), (2014, 2021), (2022, 2026)]
ROBUSTNESS_TOP = 5  # the report's leave-one-source-out section follows the degree top 5
#: the report leaves out in turn at most this many papers, those with the most statements
#: (``paradiplo robustness --largest``): 200 papers at a million triples are 200 networks
ROBUSTNESS_PAPERS = 20
RUN_COLUMNS = ["left_out", "actors", "ties", "overlap", "kendall_tau", "compared", "first"]


def build_report(kg: KnowledgeGraph, seed: int = 42, filters: Filters = Filters(), level: str = "actor",
                 periods: list[tuple[int, int]] | None = None) -> dict[str, str | bytes]:
    """File name → content of every file in the report (nothing written yet; ``dataset.trig``
    as bytes, the others as text).

    Made one part at a time, each letting go of what the next does not need (at a million
    triples the parts do not fit in 2 GB together): the tables and the index from one actor
    graph and one set of answers (:func:`graph.project.same_answers`), then the map and the
    figure of that graph, then the dataset's TriG, graph by graph (:meth:`KnowledgeGraph.serialized`).
    """
    periods = periods or DEFAULT_PERIODS
    with same_answers():  # the report's networks are built from the same few queries
        g = kg.actor_graph(filters, level)
        files = _tables(kg, g, seed, filters, level, periods)
    size = f"{g.number_of_nodes()} actors, {g.number_of_edges()} ties"
    files["map.html"] = kg.map(filters, level=level, color_by="community", seed=seed, graph=g,
                               title="paradiplo: the actor network",
                               caption=f"{size}; colour: Louvain community (seed {seed}); size: degree. Reproduce: "
                                       f"paradiplo map -o map.html --color-by community --seed {seed}")
    files["figure.svg"] = figure(kg, "svg", filters, level=level, color_by="community", seed=seed, graph=g,
                                 caption=f"Data: {size}; colour: Louvain community (seed {seed}); size: degree. "
                                         f"Command: paradiplo figure -o figure.svg --color-by community --seed {seed}"
                                 ).decode("utf-8")
    del g
    files["dataset.trig"] = kg.serialized("trig")
    return files


def _tables(kg: KnowledgeGraph, g: nx.Graph, seed: int, filters: Filters, level: str,
            periods: list[tuple[int, int]]) -> dict[str, str]:
    """The report's tables and its index page, computed from the actor graph ``g`` (the rows
    they are made of are let go when this returns)."""
    period_arg = ",".join(f"{a}-{b}" for a, b in periods)
    ranks = centrality(g, metric="degree")
    comms = communities(g, seed=seed)
    disagreements = conflicts(kg.store)
    argued = paper_claims(kg.store)
    counts = stats(kg.store)
    years = timeline(kg.ties(filters))
    by_period = centrality_by_period(kg.graphs_by_period(periods, filters, level), "degree")
    counted = kg.period_counts(periods, filters)
    kinds = kg.typology(filters, period_arg)
    robust = robustness(g, leave_one_out(kg.store, filters, level, largest=ROBUSTNESS_PAPERS), metric="degree",
                        top=ROBUSTNESS_TOP)
    admitted = len(leave_one_out(kg.store, filters, level))
    if len(robust["runs"]) < admitted:  # say so in robustness.json too
        robust["papers"] = admitted
    comm_rows = [{"community": c["id"], "id": m, "label": lab, "country": g.nodes[m].get("country", "")}
                 for c in comms["communities"] for m, lab in zip(c["members"], c["labels"])]
    return {
        "stats.json": dumps(counts),
        "centrality.json": dumps(ranks),
        "centrality.csv": rows_to_csv(ranks),
        "centrality-by-period.csv": rows_to_csv(by_period),
        "communities.json": dumps(comms),
        "communities.csv": rows_to_csv(comm_rows, ["community", "id", "label", "country"]),
        "conflicts.json": dumps(disagreements),
        "conflicts.csv": rows_to_csv(conflict_table(disagreements), CONFLICT_COLUMNS),
        "claims.csv": rows_to_csv(argued, PAPER_CLAIM_COLUMNS),
        "timeline.csv": rows_to_csv(years, TIMELINE_COLUMNS),
        "typology.csv": rows_to_csv(kinds["shares"]),
        "typology-ties.csv": rows_to_csv(kinds["pairs"], PAIR_COLUMNS),
        "period-counts.csv": rows_to_csv(counted, ["period", "certain", "uncertain"]),
        "robustness.json": dumps(robust),
        "robustness.csv": rows_to_csv(robust["runs"], RUN_COLUMNS),
        "robustness-actors.csv": rows_to_csv(robust["actors"]),
        "index.html": _index(counts, ranks, comms, disagreements, years, by_period, kinds["shares"],
                             g.number_of_nodes(), g.number_of_edges(), seed, period_arg, robust,
                             scope=scope(filters, papers(kg.store)), period_counts=counted, claims=argued),
    }


def scope(filters: Filters, papers: list[str]) -> dict[str, str]:
    """The sentences that say what produced each figure: which instruments, which sources,
    which period rule (shown under every figure of the report)."""
    if filters.instruments == "all":
        instruments = ("Agreements: every agreement-like record (paradiplomatic instruments, national "
                       "framework, external context and non-governmental; --instruments all).")
    else:
        instruments = ("Agreements: paradiplomatic instruments only (a region, district or city, one of their "
                       "bodies, or an organisation placed in a region signed or adopted them); national "
                       "framework, external context and non-governmental records are left out.")
    chosen = [p for p in papers if (not filters.sources or p in filters.sources) and p not in filters.exclude_sources]
    sources = (f"Sources: all {len(papers)} papers" if chosen == papers else
               f"Sources: {', '.join(chosen) or 'none'} (of {len(papers)} papers)")
    sources += ("; ties known only from a paper's reference list left out (--exclude-references)."
                if filters.exclude_references else "; bodies and reference lists of the papers.")
    periods = ("Period rule: a tie counts in a period (or year) when every date its sources give lies "
               "inside it; one that only overlaps it is uncertain, one no source dates is undated; both are "
               "counted beside, never dropped.")
    return {"instruments": instruments, "sources": sources, "periods": periods}


_COLOURS = {k: EDGE_COLORS[k] for k in ("agreement", "forum", "visit")}  # as on the map and the figure


def timeline_svg(rows: list[dict[str, Any]]) -> str:
    """A stacked bar chart (inline SVG) of agreements, forums and visits per year."""
    return render("timeline.svg.j2", timeline=_timeline(rows))


def _timeline(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The chart's geometry in pixels: grid lines, a column of stacked bars per year (with a label
    every five years and at the ends), the key; ``None`` when no row has a year."""
    dated = [r for r in rows if r["year"] != "undated"]
    if not dated:
        return None
    first, last = dated[0]["year"], dated[-1]["year"]
    years = list(range(first, last + 1))
    by_year = {r["year"]: r for r in dated}
    top = max(r["total"] for r in dated) or 1
    width, height, left, bottom = 760, 220, 34, 28
    bar = (width - left - 10) / len(years)
    unit = (height - bottom - 10) / top
    ticks = [{"value": tick, "y": height - bottom - tick * unit} for tick in range(0, top + 1, max(1, top // 5))]
    columns = []
    for i, year in enumerate(years):
        x = left + i * bar
        y = height - bottom
        row = by_year.get(year, {})
        bars = []
        for kind in ("agreement", "forum", "visit"):
            h = row.get(kind, 0) * unit
            if h:
                y -= h
                bars.append({"x": x + 1, "y": y, "width": max(bar - 2, 1), "height": h, "fill": _COLOURS[kind],
                             "count": row.get(kind, 0), "kind": kind})
        labelled = year % 5 == 0 or (year in (first, last) and min(year % 5, 5 - year % 5) > 1)
        columns.append({"year": year, "bars": bars, "label": x + bar / 2 if labelled else None})
    key = [{"x": left + 10 + j * 90, "fill": _COLOURS[kind], "kind": kind}
           for j, kind in enumerate(("agreement", "forum", "visit"))]
    undated = next((r["total"] for r in rows if r["year"] == "undated"), 0)
    return {"width": width, "height": height, "left": left, "axis": height - bottom, "ticks": ticks,
            "columns": columns, "key": key, "undated": undated,
            "uncertain": any(r.get("uncertain") for r in dated), "planned": sum(r.get("planned", 0) for r in dated)}


def _index(counts: dict, ranks: list, comms: dict, disagreements: list, years: list, by_period: list,
           shares: list, nodes: int, edges: int, seed: int, period_arg: str, robust: dict | None = None,
           scope: dict[str, str] | None = None, period_counts: list | None = None,
           claims: list | None = None) -> str:
    conflict_rows = [{"record": c["record"], "field": c["field"],
                      "claims": "; ".join(f"{cl['value']} ({', '.join(cl['sources'])})" for cl in c["claims"])}
                     for c in disagreements]
    comm_rows = [{"community": c["id"], "size": c["size"], "countries": ", ".join(c["countries"]),
                  "sectors": ", ".join(c["sectors"]), "members": ", ".join(c["labels"])}
                 for c in comms["communities"]]
    period_cols = [k for k in (by_period[0] if by_period else {}) if k not in ("id", "label")]
    stats_rows = [{"count": k, "value": v, "covers": STATS_COVER.get(k, "")} for k, v in counts.items()]
    return render("report_index.html.j2", stats=stats_rows,
                  nodes=nodes, edges=edges, ranks=ranks[:20], rank_columns=["rank", "id", "label", "country", *METRICS],
                  periods=period_arg, by_period=by_period[:25], period_columns=["id", "label", *period_cols],
                  timeline=_timeline(years), shares=shares, share_columns=list(shares[0]) if shares else [],
                  seed=seed, modularity=comms["modularity"], communities=comm_rows, conflicts=conflict_rows,
                  robust=_robust(robust), scope=scope or {}, period_counts=period_counts or [],
                  claims_by_source=_by_source(claims or []))


def _by_source(claims: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    """The papers' claims (:func:`graph.provenance.paper_claims`) as (source, its rows), in order."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in claims:
        grouped.setdefault(row["source"], []).append(row)
    return list(grouped.items())


def _robust(result: dict | None) -> dict[str, Any] | None:
    """What the report's robustness section shows: the sentence's parts and the two tables."""
    if not result:
        return None
    leader, kept, runs = first_count(result)
    return {"top": result["top"], "leader": result["actors"][0]["label"] if leader else None, "kept": kept,
            "runs": runs, "papers": result.get("papers", runs), "largest": ROBUSTNESS_PAPERS, "run_rows": result["runs"], "run_columns": RUN_COLUMNS, "actor_rows": result["actors"],
            "actor_columns": list(result["actors"][0]) if result["actors"] else []}


def write_report(kg: KnowledgeGraph, directory: str | os.PathLike, seed: int = 42,
                 filters: Filters = Filters(), level: str = "actor",
                 periods: list[tuple[int, int]] | None = None) -> list[str]:
    """Write the report into ``directory``; returns the file names written.

    Every file is computed first, then written into a sibling temporary folder, which
    replaces ``directory`` as a whole (see :func:`graph.files.atomic_write_folder`): a
    failure leaves an earlier report complete. A folder holding files a report does not
    write is refused, not replaced.
    """
    files = build_report(kg, seed, filters, level, periods)
    atomic_write_folder(directory, files)
    return sorted(files)
