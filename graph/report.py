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

import html
import os
from typing import Any

from .analysis import METRICS, centrality, centrality_by_period, communities, timeline
from .files import atomic_write_folder
from .formats import dumps, rows_to_csv
from .project import Filters
from .rdf import serialize
from .store import KnowledgeGraph
from .provenance import conflicts, stats

__all__ = ["build_report", "write_report", "timeline_svg"]


DEFAULT_PERIODS = [(1991, 2013), (2014, 2021), (2022, 2026)]


def build_report(kg: KnowledgeGraph, seed: int = 42, filters: Filters = Filters(), level: str = "actor",
                 periods: list[tuple[int, int]] | None = None) -> dict[str, str]:
    """File name → content of every file in the report (nothing written yet)."""
    periods = periods or DEFAULT_PERIODS
    period_arg = ",".join(f"{a}-{b}" for a, b in periods)
    g = kg.actor_graph(filters, level)
    ranks = centrality(g, metric="degree")
    comms = communities(g, seed=seed)
    disagreements = conflicts(kg.store)
    counts = stats(kg.store)
    years = timeline(kg.ties(filters))
    by_period = centrality_by_period(kg.graphs_by_period(periods, filters, level), "degree")
    kinds = kg.typology(filters, period_arg)
    comm_rows = [{"community": c["id"], "id": m, "label": lab, "country": g.nodes[m].get("country", "")}
                 for c in comms["communities"] for m, lab in zip(c["members"], c["labels"])]
    conflict_rows = [{"record": c["record"], "property": c["property"], "value": cl["value"],
                      "sources": cl["sources"]} for c in disagreements for cl in c["claims"]]
    files = {
        "dataset.trig": serialize(kg.quads, "trig").decode("utf-8"),
        "stats.json": dumps(counts),
        "centrality.json": dumps(ranks),
        "centrality.csv": rows_to_csv(ranks),
        "centrality-by-period.csv": rows_to_csv(by_period),
        "communities.json": dumps(comms),
        "communities.csv": rows_to_csv(comm_rows, ["community", "id", "label", "country"]),
        "conflicts.json": dumps(disagreements),
        "conflicts.csv": rows_to_csv(conflict_rows, ["record", "property", "value", "sources"]),
        "timeline.csv": rows_to_csv(years, ["year", "agreement", "forum", "visit", "total"]),
        "typology.csv": rows_to_csv(kinds["shares"]),
        "typology-ties.csv": rows_to_csv(kinds["pairs"], ["tie", "relation", "year", "period", "a", "b", "kind"]),
        "map.html": kg.map(filters, level=level, color_by="community", seed=seed,
                           title="paradiplo: the actor network",
                           caption=f"{g.number_of_nodes()} actors, {g.number_of_edges()} ties; colour: Louvain "
                                   f"community (seed {seed}); size: degree. Reproduce: paradiplo map -o map.html "
                                   f"--color-by community --seed {seed}"),
    }
    files["index.html"] = _index(counts, ranks, comms, disagreements, years, by_period, kinds["shares"],
                                 g.number_of_nodes(), g.number_of_edges(), seed, period_arg)
    return files


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>"
                                    for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_COLOURS = {"agreement": "#1f77b4", "forum": "#2ca02c", "visit": "#d62728"}


def timeline_svg(rows: list[dict[str, Any]]) -> str:
    """A stacked bar chart (inline SVG) of agreements, forums and visits per year."""
    dated = [r for r in rows if r["year"] is not None]
    if not dated:
        return "<p>No dated agreements, forums or visits.</p>"
    first, last = dated[0]["year"], dated[-1]["year"]
    years = list(range(first, last + 1))
    by_year = {r["year"]: r for r in dated}
    top = max(r["total"] for r in dated)
    width, height, left, bottom = 760, 220, 34, 28
    bar = (width - left - 10) / len(years)
    unit = (height - bottom - 10) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Agreements, forums and visits per year">']
    for tick in range(0, top + 1, max(1, top // 5)):
        y = height - bottom - tick * unit
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{tick}</text>')
    for i, year in enumerate(years):
        x = left + i * bar
        y = height - bottom
        row = by_year.get(year, {})
        for kind in ("agreement", "forum", "visit"):
            h = row.get(kind, 0) * unit
            if h:
                y -= h
                parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}" height="{h:.1f}" '
                             f'fill="{_COLOURS[kind]}"><title>{year}: {row.get(kind, 0)} {kind}(s)</title></rect>')
        if year % 5 == 0 or (year in (first, last) and min(year % 5, 5 - year % 5) > 1):
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                         f'text-anchor="middle">{year}</text>')
    for j, kind in enumerate(("agreement", "forum", "visit")):
        parts.append(f'<rect x="{left + 10 + j * 90}" y="4" width="10" height="10" fill="{_COLOURS[kind]}"/>'
                     f'<text x="{left + 24 + j * 90}" y="13" font-size="11">{kind}s</text>')
    parts.append("</svg>")
    undated = next((r["total"] for r in rows if r["year"] is None), 0)
    note = f"<p>{undated} undated agreements, forums or visits are not drawn.</p>" if undated else ""
    return "".join(parts) + note


def _index(counts: dict, ranks: list, comms: dict, disagreements: list, years: list, by_period: list,
           shares: list, nodes: int, edges: int, seed: int, period_arg: str) -> str:
    conflict_rows = [{"record": c["record"], "property": c["property"],
                      "claims": "; ".join(f"{cl['value']} ({', '.join(cl['sources'])})" for cl in c["claims"])}
                     for c in disagreements]
    comm_rows = [{"community": c["id"], "size": c["size"], "countries": ", ".join(c["countries"]),
                  "sectors": ", ".join(c["sectors"]), "members": ", ".join(c["labels"])}
                 for c in comms["communities"]]
    period_cols = [k for k in (by_period[0] if by_period else {}) if k not in ("id", "label")]
    sections = [
        "<h1>paradiplo report</h1>",
        "<p>A knowledge graph of paradiplomatic actors built from the curated seed papers. "
        "Every figure below states the command that reproduces it.</p>",
        "<h2>Dataset</h2><p><code>paradiplo stats</code></p>",
        _table([{"count": k, "value": v} for k, v in counts.items()], ["count", "value"]),
        f"<h2>Centrality</h2><p><code>paradiplo centrality --top 20</code> — actor network of "
        f"{nodes} actors and {edges} ties (co-signing, shared forums, visits). Betweenness and closeness "
        f"use 1/weight as distance.</p>",
        _table(ranks[:20], ["rank", "id", "label", "country", *METRICS]),
        f"<h2>Centrality by period</h2><p><code>paradiplo centrality --periods {period_arg}</code> — degree "
        "and rank in each period; <em>change</em> is the rise in rank from the first to the last period in "
        "which the actor appears.</p>",
        _table(by_period[:25], ["id", "label", *period_cols]),
        "<h2>Timeline</h2><p><code>paradiplo timeline</code> — agreements (all types, including laws and "
        "concepts), forums and visits per year, each at the earliest year a source gives.</p>",
        timeline_svg(years),
        f"<h2>Typology of ties</h2><p><code>paradiplo typology --periods {period_arg}</code> — "
        "transborder (regions of two states sharing a border), transregional (regions of two states that "
        "do not), global (with a foreign state or an international organisation); shares among these three.</p>",
        _table(shares, list(shares[0]) if shares else []),
        f"<h2>Communities</h2><p><code>paradiplo communities --seed {seed}</code> — Louvain, "
        f"modularity {comms['modularity']}.</p>",
        _table(comm_rows, ["community", "size", "countries", "sectors", "members"]),
        "<h2>Disagreements between sources</h2><p><code>paradiplo conflicts</code></p>",
        _table(conflict_rows, ["record", "property", "claims"]) if conflict_rows else "<p>None.</p>",
        '<h2>Map</h2><p><a href="map.html">map.html</a> — <code>paradiplo map -o map.html '
        "--color-by community</code></p>",
        "<h2>Files</h2><p>dataset.trig (one named graph per source), stats.json, centrality.csv/json, "
        "centrality-by-period.csv, communities.csv/json, timeline.csv, typology.csv, typology-ties.csv, "
        "conflicts.csv/json, map.html.</p>",
    ]
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}"
             "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 6px;"
             "font-size:.9em;text-align:left;vertical-align:top}th{background:#f3f3f3}code{background:#f6f6f6}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>paradiplo report</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n")


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
