"""The ``paradiplo`` command: parse options, call ``graph``, print. Nothing else.

Output for machines goes to stdout; messages go to stderr. Exit codes: 0 ok,
1 invalid data (or a refused query), 2 unreadable input or bad usage.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any, Callable

import click

from graph import InvalidData, KnowledgeGraph, ParadiploError, open_graph
from graph.analysis import (
    COMMUNITY_METHODS,
    CROSS_BORDER,
    METRICS,
    PAIR_COLUMNS,
    TIE_KINDS,
    TIMELINE_COLUMNS,
    centrality,
    centrality_by_period,
    communities,
    first_count,
    parse_periods,
    robustness,
    timeline,
)
from graph.cite import STYLES, UnknownRecord, cite as cite_record
from graph.errors import UnreadableInput
from graph.files import atomic_write
from graph.formats import dumps, file_bar, rows_to_csv, to_csv, to_json, to_table, to_tsv
from graph.load import read_text
from graph.records import is_id
from graph.project import EVENTS, LEVELS, PROJECTIONS, RELATIONS, Filters, UnknownSource, bipartite_graph, leave_one_out
from graph.queries import bundled_queries, find_query
from graph.rdf import FORMATS
from graph.shacl import ENGINES
from graph.render import COLOR_BY, LAYOUTS
from graph.sparql import DEFAULT_TIMEOUT, MAX_ROWS, run_query
from graph.store import check_data

TABLE_FORMATS = ("xlsx", "csv-tables")
#: ``push --protocol``: graph.remote.PROTOCOLS, written out so that other commands need not import
#: graph.remote (HTTP: a cold ``query --store`` never uses it); a test keeps the two equal
PUSH_PROTOCOLS = ("update", "gsp")
EXPORT_FORMATS = tuple(FORMATS) + ("graphml", "gexf") + TABLE_FORMATS


def _utf8_streams() -> None:
    """UTF-8 on stdout/stderr whatever the locale (``LC_ALL=C`` would give ASCII)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8")


class Failure(click.ClickException):
    """A paradiplo error as the CLI reports it: its message, and the exit code of its class."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(("" if "\n" in self.message else "Error: ") + self.message, err=True)


def exit_code(error: ParadiploError) -> int:
    """The one error-to-exit mapping: 2 unreadable input, 1 invalid data or refused query."""
    if isinstance(error, InvalidData):
        return error.exit_code
    return 2 if isinstance(error, UnreadableInput) else 1


def failure(error: ParadiploError) -> Failure:
    if isinstance(error, InvalidData):
        return Failure(f"{len(error.problems)} problem(s) in the data:\n{error}", exit_code(error))
    return Failure(str(error), exit_code(error))


class Paradiplo(click.Group):
    """The command group: every command's paradiplo errors become clean messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ParadiploError as exc:
            raise failure(exc) from None
        except UnknownSource as exc:  # a --source / --exclude-source naming no paper: bad usage, exit 2
            raise click.BadParameter(str(exc), param_hint=exc.option) from None


def data_option(f: Callable) -> Callable:
    """--data DIR, and --store DIR for a persistent store reused across commands."""
    f = click.option("--store", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Keep the built dataset in this folder and reuse it while the data are "
                          "unchanged (rebuilt automatically when they change).")(f)
    return click.option("--data", "data", type=click.Path(path_type=Path), default=None,
                        help="Folder of data files: .yaml, or the tables of export --format csv-tables|xlsx "
                             "(default: the bundled data).")(f)


def _progress(message: str) -> None:
    """Stage messages on stderr, only for a person at a terminal."""
    if sys.stderr.isatty():
        click.echo(f"paradiplo: {message}…", err=True)


def format_option(*choices: str, default: str = "table") -> Callable:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


def filter_options(f: Callable) -> Callable:
    """--since/--until/--sector/--relations/--level/--source/--exclude-source/--instruments/
    --exclude-references, shared by every network command."""
    for opt in reversed([
        click.option("--since", type=int, help="Only ties dated in or after this year."),
        click.option("--until", type=int, help="Only ties dated in or before this year."),
        click.option("--sector", "sectors", multiple=True, help="Only ties in this sector (or a narrower one)."),
        click.option("--relations", default=",".join(EVENTS), show_default=True,
                     help="Which ties count, comma-separated, or 'all': " + ", ".join(RELATIONS)),
        click.option("--level", type=click.Choice(LEVELS), default="actor", show_default=True,
                     help="Roll actors up to their region or country."),
        click.option("--country", "countries", multiple=True, help="Keep only actors of this country (repeatable)."),
        click.option("--type", "types", multiple=True, help="Keep only actors of this type, e.g. Region (repeatable)."),
        click.option("--source", "sources", multiple=True, metavar="ID",
                     help="Only ties this paper's graph states, as it states them (repeatable)."),
        click.option("--exclude-source", "exclude_sources", multiple=True, metavar="ID",
                     help="Leave this paper out: ties count when another paper states them (repeatable)."),
        click.option("--instruments", type=click.Choice(["paradiplomatic", "all"]), default="paradiplomatic",
                     show_default=True,
                     help="Which agreement-like records count: those a subnational actor signed, or all "
                          "(also federal laws, treaties between states, foreign acts). Forums and visits always count."),
        click.option("--exclude-references", is_flag=True,
                     help="Leave out ties attested only by entries of a paper's reference list (evidence kind: reference)."),
    ]):
        f = opt(f)
    return f


def _filters(since: int | None = None, until: int | None = None, sectors: tuple[str, ...] = (),
             relations: str = ",".join(EVENTS), countries: tuple[str, ...] = (),
             types: tuple[str, ...] = (), sources: tuple[str, ...] = (),
             exclude_sources: tuple[str, ...] = (), instruments: str = "paradiplomatic",
             exclude_references: bool = False) -> Filters:
    rels = RELATIONS if relations.strip() == "all" else tuple(r.strip() for r in relations.split(",") if r.strip())
    bad = [r for r in rels if r not in RELATIONS]
    if bad:
        raise click.BadParameter(f"unknown relation {bad[0]!r}; choose from {', '.join(RELATIONS)}",
                                 param_hint="--relations")
    if since is not None and until is not None and until < since:
        raise click.BadParameter(f"--until {until} is before --since {since}", param_hint="--until")
    return Filters(since=since, until=until, sectors=tuple(sectors), relations=rels,
                   countries=tuple(countries), types=tuple(types), sources=tuple(sources),
                   exclude_sources=tuple(exclude_sources), instruments=instruments,
                   exclude_references=exclude_references)


def _echo_period_counts(rows: list[dict[str, Any]]) -> None:
    """The ties behind a by-period table, on stderr: certain and uncertain per period, undated."""
    parts = [f"{r['period']}: {r['certain']} certain, {r['uncertain']} uncertain" for r in rows[:-1]]
    click.echo(f"ties per period: {'; '.join(parts)}; undated (in no period): {rows[-1]['certain']}", err=True)


def _periods(text: str | None) -> list[tuple[int, int]] | None:
    if not text:
        return None
    try:
        return parse_periods(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--periods") from None


def _open(data: Path | None, store: Path | None = None) -> KnowledgeGraph:
    try:
        return open_graph(data, store=store, progress=_progress, on_file=file_bar())
    except OSError as exc:
        raise click.ClickException(f"cannot use the store {store}: {exc}") from None


def _write(path: Path, content: bytes | str) -> None:
    try:
        atomic_write(path, content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}", err=True)


@click.group(cls=Paradiplo, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="paradiplo")
def cli() -> None:
    """paradiplo: a knowledge graph of paradiplomatic actors.

    Example: paradiplo report -o out/
    """
    _utf8_streams()


@cli.command("validate")
@data_option
@format_option("text", "json", default="text")
@click.option("--texts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of the sources' texts (<source-id>.txt or the source's file): check every quote in them.")
@click.option("--shacl-engine", "engine", type=click.Choice(ENGINES), default=ENGINES[0], show_default=True,
              help="SHACL engine: the shapes as SPARQL in Oxigraph, or pySHACL (slower; same violations).")
def validate_cmd(data: Path | None, store: Path | None, fmt: str, texts: Path | None, engine: str) -> None:
    """Check the data: every problem at once, as FILE:LINE: record: field: message
    (in a spreadsheet FILE:SHEET:ROW:COLUMN: record: field: message).

    Quotes are looked for verbatim in the texts sources name (text: in sources.yaml) and,
    with --texts DIR, in DIR. Exit 0 when clean, 1 for invalid records, quotes not found or
    SHACL violations, 2 for unreadable input.

    Example: paradiplo validate --texts ../shared/seeds
    """
    report = check_data(data, on_file=file_bar(), texts=texts, engine=engine)
    if fmt == "json":
        click.echo(dumps(report.to_dict()), nl=False)
    else:
        for p in report.problems:
            click.echo(str(p), err=True)
        click.echo(f"{report.records} records, {len(report.problems)} problem(s)", err=True)
        if report.drafts:
            click.echo(f"{report.drafts} drafts remain (draft: true; not in the graph until the flag is removed)",
                       err=True)
    sys.exit(report.exit_code)


@cli.command()
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File to write (default: stdout).")
def build(data: Path | None, store: Path | None, output: Path | None) -> None:
    """Build the RDF dataset as TriG: one named graph per source, one for the ontology.

    Example: paradiplo build -o paradiplo.trig
    """
    kg = _open(data, store)
    content = kg.serialized("trig")
    if output:
        _write(output, content)
    else:
        sys.stdout.buffer.write(content)


@cli.command()
@data_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True, help="Export format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="File to write (csv-tables: a folder).")
@click.option("--projection", type=click.Choice(PROJECTIONS), default="actor", show_default=True,
              help="graphml/gexf: the actor network, or a two-mode network of actors and agreements, "
                   "forums or sectors.")
@filter_options
def export(data: Path | None, store: Path | None,
           fmt: str, output: Path, projection: str, level: str, **filters: Any) -> None:
    """Export the dataset (ttl, trig, nt, nq, jsonld), the actor network (graphml, gexf) or the
    records as spreadsheets (xlsx: one workbook; csv-tables: a folder of CSV files).

    Turtle and N-Triples carry the union of all graphs; TriG, N-Quads and JSON-LD keep the
    named graphs. Filters apply to the network formats. The spreadsheets are read back as a
    data folder (--data DIR) with the same records.

    Example: paradiplo export --format graphml -o network.graphml
    """
    from graph.formats import network_xml

    if fmt in TABLE_FORMATS:
        _export_tables(data, fmt, output)
        return
    kg = _open(data, store)
    if fmt in FORMATS:
        content = kg.serialized(fmt)
    else:
        if projection == "actor":
            g = kg.actor_graph(_filters(**filters), level)
        else:
            g = bipartite_graph(kg.store, projection, _filters(**filters))
        content = network_xml(g, fmt)
    _write(output, content)


def _export_tables(data: Path | None, fmt: str, output: Path) -> None:
    """The records as spreadsheets, read from the data folder (a reused store holds no records)."""
    from graph.files import atomic_write_folder
    from graph.tables import csv_tables, table_sheets, xlsx_bytes

    sheets = table_sheets(_open(data).dataset)
    if fmt == "xlsx":
        _write(output, xlsx_bytes(sheets))
        return
    try:
        atomic_write_folder(output, csv_tables(sheets))
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}", err=True)


def _result_labels(result: Any, kg: KnowledgeGraph | None, endpoint: str | None, timeout: float) -> dict[str, str]:
    """IRI → label for every IRI of a query result, in one query: the English rdfs:label, else any."""
    import pyoxigraph as ox

    from graph.sparql import QueryError

    iris = sorted({str(t) for row in result.rows for t in row if isinstance(t, ox.NamedNode)})
    if not iris:
        return {}
    ask = f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {' '.join(iris)} }} ?s rdfs:label ?l }}"
    if endpoint:
        from graph.remote import run_remote
    try:
        found = run_remote(endpoint, ask, timeout=timeout).rows if endpoint else \
            [[s["s"], s["l"]] for s in kg.store.query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + ask)]
    except QueryError as exc:
        click.echo(f"paradiplo: no labels: {exc}", err=True)
        return {}

    def rank(label: Any) -> tuple:
        lang = getattr(label, "language", None) or ""
        return (not (lang == "en" or lang.startswith("en-")), lang, label.value)
    names: dict[str, str] = {}
    for s, label in sorted(found, key=lambda r: (r[0].value, rank(r[1]))):
        names.setdefault(s.value, label.value)
    return names


@cli.command()
@click.argument("query", required=False)
@data_option
@click.option("--name", help="Run a bundled query by name (see `paradiplo queries`).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "ttl", "nt", "jsonld"]),
              default=None, help="SELECT/ASK: table (default), csv, tsv, json (SPARQL 1.1 results JSON). "
                                 "CONSTRUCT/DESCRIBE: ttl (default), nt, jsonld.")
@click.option("--endpoint", help="Run on a remote SPARQL 1.1 endpoint instead of the local data.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Stop the query after this many seconds.")
@click.option("--labels/--no-labels", default=True, show_default=True,
              help="Table output: show each IRI's rdfs:label (English, else any) beside it. "
                   "JSON, CSV and TSV are never changed.")
def query(query: str | None, data: Path | None, store: Path | None,
          name: str | None, fmt: str | None, endpoint: str | None,
          timeout: float, labels: bool) -> None:
    """Run a SPARQL query (text, a .rq file, or --name) on the dataset or on an --endpoint.

    The default graph is the union of all sources; GRAPH ?g { … } tells which source says
    what. Prefixes pd:, pdr:, skos:, rdfs:, prov:, dcterms:, … are predeclared. SERVICE,
    FROM, LOAD and updates are refused.

    Example: paradiplo query "SELECT ?a WHERE { ?a a pd:Region }" --format csv
    """
    import pyoxigraph as ox

    from graph.rdf import PREFIXES

    if name:
        text = find_query(name).text
    elif query is None:
        raise click.UsageError("give a query, a .rq file or --name NAME")
    elif query.endswith(".rq") or (len(query) < 4096 and "{" not in query and Path(query).is_file()):
        try:
            text = Path(query).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableInput(f"cannot read {query}: {exc}") from None
    else:
        text = query
    kg = None
    if endpoint:
        from graph.remote import run_remote

        result = run_remote(endpoint, text, timeout=timeout)
    else:
        kg = _open(data, store)
        result = run_query(kg.store, text, timeout=timeout)
    if result.kind == "graph":
        rdf = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
        if fmt not in (None, *rdf):
            raise click.UsageError(f"a CONSTRUCT or DESCRIBE result prints as ttl, nt or jsonld, not {fmt}")
        chosen = rdf[fmt or "ttl"]
        sys.stdout.buffer.write(ox.serialize(sorted(result.triples, key=str), format=chosen,
                                             prefixes=PREFIXES if chosen == ox.RdfFormat.TURTLE else None))
        return
    fmt = fmt or "table"
    if fmt not in ("table", "csv", "tsv", "json"):
        raise click.UsageError(f"a SELECT or ASK result prints as table, csv, tsv or json, not {fmt}")
    names = _result_labels(result, kg, endpoint, timeout) if fmt == "table" and labels else {}
    out = {"json": lambda r: json.dumps(to_json(r), ensure_ascii=False, indent=2) + "\n",
           "csv": to_csv, "tsv": to_tsv, "table": lambda r: to_table(r, labels=names) + "\n"}[fmt](result)
    click.echo(out, nl=False)


@cli.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
              help="Stop a query after this many seconds (answer 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=MAX_ROWS, show_default=True,
              help="Refuse results with more rows.")
@click.option("--threads", type=click.IntRange(min=1), default=32, show_default=True,
              help="Requests served at once.")
@click.option("--workers", type=click.IntRange(min=1), default=8, show_default=True,
              help="Query processes (long queries are demoted to the lowest priority and replaced).")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=1024, show_default=True,
              help="MB a query process may allocate; past it the query is stopped.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this Host name (repeatable; .example.org for its subdomains). "
                   "Loopback names and --host are always allowed; any other Host gets 403.")
@click.option("--redirect", type=click.Choice(["none", "303"]), default="none", show_default=True,
              help="How /id/<id> and the other IRIs answer: directly (none: 200 with Content-Location) or "
                   "303 See Other to the document for the media type asked (/id/<id>.ttl, .html, ...).")
def serve(data: Path | None, store: Path | None, host: str, port: int, timeout: float, max_rows: int, threads: int,
          allow_hosts: tuple[str, ...], workers: int, memory_mb: int, redirect: str) -> None:
    """Serve the dataset read-only as a SPARQL 1.1 Protocol endpoint at /sparql.

    GET, HEAD and POST (form or application/sparql-query) at /sparql and /sparql/; JSON, XML,
    CSV, TSV results and Turtle, N-Triples, JSON-LD graphs by content negotiation;
    default-graph-uri / named-graph-uri and FROM for graphs of the dataset; relative IRIs
    resolve against the endpoint's URL; a reconciliation service (Reconciliation Service
    API 0.2, for OpenRefine) at /reconcile; a query page at /; the dataset's IRIs at
    /id/<id>, /source/<id>, /graph/<source> and /ontology (Turtle, N-Triples, JSON-LD,
    RDF/XML or the record's HTML page, by Accept or ?format=), answered directly or, with
    --redirect 303, by 303 See Other to the document (/id/<id>.ttl, /id/<id>.html, ...); the
    published site's pages, index, VoID and dumps at the paths `paradiplo publish` gives them.

    Example: paradiplo serve --port 8000 --timeout 10
    """
    from graph.server import serve as run_server

    graph_store = _open(data, store).store
    click.echo(f"paradiplo: SPARQL endpoint at http://{host}:{port}/sparql (query page at /); "
               f"timeout {timeout:g} s; Ctrl-C stops", err=True)
    try:
        run_server(graph_store, host=host, port=port, timeout=timeout, threads=threads, max_rows=max_rows,
                   allowed_hosts=allow_hosts, workers=workers, memory=memory_mb * 1024 ** 2, redirect=redirect)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@cli.command()
@format_option("table", "json")
def queries(fmt: str) -> None:
    """List the bundled queries: name, description, path.

    Example: paradiplo queries --format json
    """
    rows = [{"name": q.name, "description": q.description, "path": str(q.path)} for q in bundled_queries()]
    if fmt == "json":
        click.echo(dumps(rows), nl=False)
        return
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        click.echo(f"{r['name'].ljust(width)}  {r['description']}")


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        click.echo(dumps(rows), nl=False)
    elif fmt == "csv":
        click.echo(rows_to_csv(rows, columns), nl=False)
    else:
        def cell(value: Any) -> str:
            text = "" if value is None else str(value)
            return text if len(text) <= 48 else text[:47] + "…"
        text = [[cell(r.get(c)) for c in columns] for r in rows]
        widths = [max([len(c)] + [len(t[i]) for t in text]) for i, c in enumerate(columns)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
        for t in text:
            click.echo("  ".join(x.ljust(w) for x, w in zip(t, widths)).rstrip())


@cli.command("centrality")
@data_option
@click.option("--metric", type=click.Choice(METRICS), default="degree", show_default=True, help="Sort by.")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show the first N.")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Approximate betweenness from K sampled sources (seeded), for large graphs.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for --sample.")
@click.option("--backend", default=None, help="NetworkX backend for betweenness and closeness, e.g. parallel.")
@click.option("--periods", default=None, help="Rank per period with rank changes, e.g. 1991-2013,2014-2021,2022-2026.")
@click.option("--endpoint", default=None, help="Read the graph from a SPARQL endpoint (e.g. after `paradiplo push`).")
@filter_options
@format_option("table", "csv", "json")
def centrality_cmd(data: Path | None, store: Path | None,
                   metric: str, top: int | None, sample: int | None, seed: int,
                   backend: str | None, periods: str | None, endpoint: str | None, level: str, fmt: str,
                   **filters: Any) -> None:
    """Rank actors by degree, strength, betweenness, closeness, eigenvector and PageRank.

    Betweenness and closeness treat 1/weight as the length of a tie. With --periods, one
    column of --metric and its rank per period, and the change of rank; a period's network
    holds the ties whose dates lie inside it, and a note on stderr counts the ties that only
    overlap a period (uncertain) and the undated ones.

    Example: paradiplo centrality --metric betweenness --top 10
    """
    from graph.remote import open_remote

    kg = open_remote(endpoint) if endpoint else _open(data, store)
    spans = _periods(periods)
    if spans:
        graphs = kg.graphs_by_period(spans, _filters(**filters), level)
        rows = centrality_by_period(graphs, metric)[:top] if top else centrality_by_period(graphs, metric)
        _print_rows(rows, fmt, ["id", "label", *[c for p in graphs for c in (p, f"rank {p}")], "change"])
        _echo_period_counts(kg.period_counts(spans, _filters(**filters)))
        return
    g = kg.actor_graph(_filters(**filters), level)
    try:
        rows = centrality(g, metric=metric, top=top, sample=sample, seed=seed, backend=backend)
    except ImportError as exc:
        raise click.ClickException(f"backend {backend!r} is not installed ({exc}); "
                                   "pip install nx-parallel for --backend parallel") from None
    _print_rows(rows, fmt, ["rank", "id", "label", "country", *METRICS])


@cli.command("communities")
@data_option
@click.option("--method", type=click.Choice(COMMUNITY_METHODS), default="louvain", show_default=True)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for Louvain, Leiden, label propagation.")
@click.option("--resolution", type=float, default=1.0, show_default=True, help="Modularity resolution.")
@filter_options
@format_option("table", "csv", "json")
def communities_cmd(data: Path | None, store: Path | None,
                    method: str, seed: int, resolution: float, level: str, fmt: str,
                    **filters: Any) -> None:
    """Communities (Louvain, Leiden, label propagation, greedy modularity): members, countries,
    dominant sectors and the modularity.

    Example: paradiplo communities --method leiden --seed 7 --format json
    """
    g = _open(data, store).actor_graph(_filters(**filters), level)
    result = communities(g, seed=seed, resolution=resolution, method=method)
    if fmt == "json":
        click.echo(dumps(result), nl=False)
        return
    rows = [{"community": c["id"], "size": c["size"], "countries": ";".join(c["countries"]),
             "sectors": ";".join(c["sectors"]), "members": ";".join(c["members"])} for c in result["communities"]]
    _print_rows(rows, fmt, ["community", "size", "countries", "sectors", "members"])
    if fmt == "table":
        click.echo(f"modularity {result['modularity']} ({method}, seed {seed})", err=True)


@cli.command("robustness")
@data_option
@click.option("--metric", type=click.Choice(METRICS), default="degree", show_default=True, help="Rank by.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Follow the first N of the full ranking.")
@click.option("--rows", "part", type=click.Choice(["runs", "actors"]), default="runs", show_default=True,
              help="Which rows --format csv gives (table shows both; json has both).")
@click.option("--largest", type=click.IntRange(min=1), default=None,
              help="Leave out only the N papers with the most statements (default: every paper).")
@filter_options
@format_option("table", "csv", "json")
def robustness_cmd(data: Path | None, store: Path | None, metric: str, top: int, part: str, largest: int | None,
                   level: str, fmt: str, **filters: Any) -> None:
    """Leave each paper out in turn and compare the ranking with the full one.

    Per paper left out: how many of the full top N stay in the top N (overlap), Kendall's
    tau on the actors ranked in both, and the run's first actor; per actor of the full top N:
    its rank in each run and the range of those ranks.

    Example: paradiplo robustness --metric betweenness --top 5
    """
    kg, f = _open(data, store), _filters(**filters)
    runs = leave_one_out(kg.store, f, level, largest=largest)
    result = robustness(kg.actor_graph(f, level), runs, metric=metric, top=top)
    if fmt == "json":
        click.echo(dumps(result), nl=False)
        return
    actor_cols = list(result["actors"][0]) if result["actors"] else ["rank", "id", "label", metric]
    run_cols = ["left_out", "actors", "ties", "overlap", "kendall_tau", "compared", "first"]
    if fmt == "csv":
        _print_rows(result[part], fmt, run_cols if part == "runs" else actor_cols)
        return
    leader, kept, runs = first_count(result)
    of = len(leave_one_out(kg.store, f, level))
    click.echo(f"{metric}, top {top}: leaving each of {runs} paper(s) out in turn"
               + (f" (the {runs} with the most statements, of {of})" if runs < of else ""))
    _print_rows(result["runs"], fmt, run_cols)
    click.echo()
    _print_rows(result["actors"], fmt, actor_cols)
    if leader:
        click.echo(f"\n{result['actors'][0]['label']} is first in {kept} of {runs} leave-one-out runs.")


@cli.command("timeline")
@data_option
@filter_options
@format_option("table", "csv", "json")
def timeline_cmd(data: Path | None, store: Path | None, level: str, fmt: str, **filters: Any) -> None:
    """Per-year counts of agreements, forums and visits, with the uncertain and undated ties.

    A tie counts in a year when every date its sources give lies in that year; one dated
    vaguely (2024~, 2022/2025) or differently by two sources is counted under `uncertain`
    in each year it overlaps; `planned` ties are apart; the last row counts undated ties.

    For centrality by period, use `paradiplo centrality --periods …`.

    Example: paradiplo timeline --sector trade --format csv
    """
    rows = timeline(_open(data, store).ties(_filters(**filters)))
    _print_rows(rows, fmt, TIMELINE_COLUMNS)


@cli.command("typology")
@data_option
@click.option("--periods", default=None, help="Shares per period, e.g. 1991-2013,2014-2021,2022-2026.")
@click.option("--pairs", is_flag=True, help="List every classified tie instead of the shares.")
@filter_options
@format_option("table", "csv", "json")
def typology_cmd(data: Path | None, store: Path | None,
                 periods: str | None, pairs: bool, level: str, fmt: str, **filters: Any) -> None:
    """Classify ties as transborder, transregional or global (Duchacek), with shares by period.

    Only ties with a subnational party are paradiplomacy. Both ends are rolled up to their
    first-level unit (a region, or a city of republican significance): transborder = regions
    of two states that share a border with each other; transregional = regions of two states
    that do not; global = with a foreign state, central body or international organisation.
    Shares are taken among these three; domestic, interstate (no subnational party) and
    non-governmental ties are counted beside them. --pairs shows each tie's regions and rule.
    With --periods, a tie counts in the period its dates lie inside; `uncertain` counts the
    pairs that only overlap a period, and a last row counts the undated ones.

    Example: paradiplo typology --periods 1991-2013,2014-2021,2022-2026
    """
    _periods(periods)
    result = _open(data, store).typology(_filters(**filters), periods)
    if pairs:
        _print_rows(result["pairs"], fmt, PAIR_COLUMNS)
    else:
        _print_rows(result["shares"], fmt, ["period", *CROSS_BORDER, "transborder share", "transregional share",
                                            "global share", *(k for k in TIE_KINDS if k not in CROSS_BORDER),
                                            "uncertain"])


@cli.command("map")
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="HTML file to write.")
@click.option("--color-by", type=click.Choice(COLOR_BY), default="country", show_default=True)
@click.option("--size-by", type=click.Choice(METRICS), default="degree", show_default=True)
@click.option("--layout", type=click.Choice(LAYOUTS), default="force", show_default=True)
@click.option("--focus", default=None, help="Draw only this actor's neighbourhood (an id).")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True, help="Steps from --focus.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Keep only the largest nodes by --size-by above this many (default 2000).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for communities and the layout.")
@filter_options
def map_cmd(data: Path | None, store: Path | None,
            output: Path, color_by: str, size_by: str, layout: str, focus: str | None,
            depth: int, max_nodes: int | None, seed: int, level: str, **filters: Any) -> None:
    """Draw the actor network as one self-contained HTML file (works offline).

    Colour by country, type, community or sector; size by any centrality; tooltips give
    labels, metrics, the agreements, forums and visits behind each tie and their sources.
    The page can search actors, highlight neighbourhoods and filter by sector and years.

    Example: paradiplo map -o map.html --color-by community --layout geo
    """
    kg = _open(data, store)
    f = _filters(**filters)
    parts = [f"level: {level}", f"colour: {color_by}", f"size: {size_by}", f"layout: {layout}"]
    if focus:
        parts.append(f"focus: {focus} (depth {depth})")
    parts += [f"{k}: {v}" for k, v in (("since", f.since), ("until", f.until)) if v is not None]
    parts += [f"sector: {', '.join(f.sectors)}"] if f.sectors else []
    page = kg.map(f, level=level, color_by=color_by, size_by=size_by, layout=layout, seed=seed, focus=focus,
                  depth=depth, caption="; ".join(parts), max_nodes=max_nodes)
    _write(output, page)


def _given_options(ctx: click.Context, skip: tuple[str, ...] = ()) -> list[str]:
    """The options a user gave (not defaults), as they would be typed: ``--since 2014``."""
    from click.core import ParameterSource

    out = []
    for param in ctx.command.params:
        if param.name in skip or ctx.get_parameter_source(param.name) != ParameterSource.COMMANDLINE:
            continue
        values = ctx.params[param.name]
        for value in values if isinstance(values, tuple) else (values,):
            out.append(f"{param.opts[-1] if param.opts[-1].startswith('--') else param.opts[0]} {value}")
    return out


@cli.command("figure")
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Figure to write: .svg, .pdf or .png (the suffix chooses).")
@click.option("--color-by", type=click.Choice(COLOR_BY), default="country", show_default=True)
@click.option("--size-by", type=click.Choice(METRICS), default="degree", show_default=True)
@click.option("--layout", type=click.Choice(LAYOUTS), default="force", show_default=True)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for communities and the force layout.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Draw only the largest nodes by --size-by above this many (default 2000).")
@filter_options
def figure_cmd(data: Path | None, store: Path | None, output: Path, color_by: str, size_by: str, layout: str,
               seed: int, max_nodes: int | None, level: str, **filters: Any) -> None:
    """Draw the actor network as a static figure for print (SVG, PDF or PNG).

    The same network as `map`, with borders under the geo layout, a legend and a caption naming
    the data, the filters and the command; the same data and seed give the same file.

    Example: paradiplo figure -o network.pdf --layout geo --since 2014
    """
    from graph.figure import FORMATS, figure

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter(f"{output.name!r} must end in .svg, .pdf or .png", param_hint="--output")
    kg = _open(data, store)
    f = _filters(**filters)
    g = kg.actor_graph(f, level)
    given = _given_options(click.get_current_context(), skip=("output", "store"))
    chosen = [a for a in given
              if a.split()[0] not in ("--data", "--color-by", "--size-by", "--layout", "--seed", "--max-nodes")]
    caption = (f"Data: {data or 'the bundled paradiplo data'} ({g.number_of_nodes()} actors, "
               f"{g.number_of_edges()} ties; colour: {color_by}, size: {size_by}, layout: {layout}). "
               f"Filters: {', '.join(chosen) or 'none'}. "
               f"Command: paradiplo figure -o {output.name}{''.join(' ' + a for a in given)}")
    _write(output, figure(kg, fmt, f, level=level, color_by=color_by, size_by=size_by, layout=layout, seed=seed,
                          caption=caption, **({"max_nodes": max_nodes} if max_nodes else {})))


@cli.command()
@data_option
@click.option("--endpoint", required=True, help="SPARQL Update endpoint (or Graph Store endpoint with --protocol gsp).")
@click.option("--protocol", type=click.Choice(PUSH_PROTOCOLS), default="update", show_default=True)
@click.option("--user", default=None, help="User name (HTTP Basic or Digest authentication).")
@click.option("--password", default=None, help="Password; or set PARADIPLO_PASSWORD.", envvar="PARADIPLO_PASSWORD")
@click.option("--batch", type=click.IntRange(min=1), default=500, show_default=True, help="Triples per update request.")
@click.option("--query-endpoint", default=None,
              help="SPARQL query endpoint for counting what was stored (default: --endpoint; with --protocol gsp, "
                   "a GET of each graph).")
def push(data: Path | None, store: Path | None,
         endpoint: str, protocol: str, user: str | None, password: str | None,
         batch: int, query_endpoint: str | None) -> None:
    """Load the dataset, every named graph, into an external SPARQL store.

    Each named graph is replaced (DROP SILENT GRAPH, then INSERT DATA in batches), or PUT with
    the Graph Store Protocol (on Virtuoso about ten times faster). With --store, each graph is
    dumped from the store by Oxigraph. No redirect is followed. Afterwards the triples of every graph
    are counted on the store; a store that holds fewer (or more) is reported, graph by graph,
    with exit code 1. Then `paradiplo query --endpoint` and `centrality --endpoint` read from it.

    Example: paradiplo push --endpoint http://127.0.0.1:8890/sparql-auth --user dba --password dba
    """
    from graph.remote import push as push_graphs

    kg = _open(data, store)
    counts = push_graphs(kg.store if store else kg.nquads, endpoint, protocol=protocol, user=user, password=password,
                         batch=batch, progress=file_bar("pushing"), query_endpoint=query_endpoint)
    for graph, n in counts.items():
        click.echo(f"{n}\t{graph}")
    click.echo(f"pushed {sum(counts.values())} triples in {len(counts)} named graphs to {endpoint}", err=True)


@cli.command("stats")
@data_option
@format_option("table", "json")
def stats_cmd(data: Path | None, store: Path | None, fmt: str) -> None:
    """Counts of records and of statements, each with what it covers (the table's third column).

    quads/triples count the data graphs, ontology_triples the ontology graph, total_quads and
    total_triples all graphs, as build, export and push carry them.

    Example: paradiplo stats --format json
    """
    from graph.provenance import STATS_COVER, stats

    counts = stats(_open(data, store).store)
    if fmt == "json":
        click.echo(dumps(counts), nl=False)
    else:
        for k, v in counts.items():
            click.echo(f"{k:<24}{v:<8}{STATS_COVER[k]}")


@cli.command("find")
@click.argument("text")
@data_option
@format_option("table", "csv", "json")
def find_cmd(text: str, data: Path | None, store: Path | None, fmt: str) -> None:
    """Actors by any of their names (labels, alternative and historical names), in any
    language and grammatical case: id, type, country, sources, and the name that matched.

    Example: paradiplo find "Омской области"
    """
    from graph.find import find as find_actors

    try:
        matches = find_actors(_open(data, store).store, text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TEXT") from None
    rows = [m.to_dict() for m in matches]
    if fmt != "json":
        rows = [r | {"sources": ", ".join(r["sources"])} for r in rows]
    _print_rows(rows, fmt, ["id", "type", "country", "sources", "match", "name"])
    click.echo(f"{len(rows)} actor(s)", err=True)


@cli.command("draft")
@click.argument("text", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", "source", required=True, help="The paper's id (add it to sources.yaml).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Data file to write (default: stdout).")
@data_option
def draft_cmd(text: Path, source: str, output: Path | None, data: Path | None, store: Path | None) -> None:
    """Candidate records from a new paper's text, for a curator: known actors named in any
    grammatical case, new organisations, places and persons (natasha), agreements and forums
    with their dates; each with its sentence as quote, a locator and draft: true.

    Needs the optional extra: pip install 'paradiplo[draft]'.

    Example: paradiplo draft paper.txt --source ivanov-2026 -o data/ivanov-2026.yaml
    """
    if not is_id(source):
        raise click.BadParameter(f"{source!r} is not an id (lower-case letters, digits and hyphens)",
                                 param_hint="--source")
    raw, problems = read_text(text, str(text), None)
    if problems:
        raise UnreadableInput(str(problems[0]))
    from graph.draft import draft as draft_records, to_yaml

    found = draft_records(_open(data, store).store, raw, source)
    content = to_yaml(found, text.name)
    if output:
        _write(output, content.encode("utf-8"))
    else:
        click.echo(content, nl=False)
    n = {k: len(found[k]) for k in ("actors", "agreements", "forums")}
    click.echo(f"{n['actors']} actor(s), {n['agreements']} agreement(s), {n['forums']} forum(s) drafted "
               "(draft: true; not in the graph until a curator removes the flag)", err=True)


@cli.command("conflicts")
@data_option
@format_option("table", "csv", "json")
def conflicts_cmd(data: Path | None, store: Path | None, fmt: str) -> None:
    """Claims on which sources disagree, each value with the sources that state it.

    Example: paradiplo conflicts --format json
    """
    from graph.provenance import CONFLICT_COLUMNS, conflict_table, conflicts

    rows = conflicts(_open(data, store).store)
    if fmt == "json":
        click.echo(dumps(rows), nl=False)
        return
    if fmt == "csv":
        click.echo(rows_to_csv(conflict_table(rows), CONFLICT_COLUMNS), nl=False)
        return
    for c in rows:
        click.echo(f"{c['record']} {c['field']} ({c['property']}):")
        for cl in c["claims"]:
            click.echo(f"  {cl['value']:<24} {', '.join(cl['sources'])}")
    click.echo(f"{len(rows)} disagreement(s)", err=True)


@cli.command()
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder to write.")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed for communities.")
@click.option("--periods", default="1991-2013,2014-2021,2022-2026", show_default=True,
              help="Periods for centrality by period and the typology.")
@filter_options
def report(data: Path | None, store: Path | None,
           output: Path, seed: int, periods: str, level: str, **filters: Any) -> None:
    """The main job: dataset, centrality, communities, disagreements, map and index.html.

    Example: paradiplo report -o out/
    """
    from graph.report import write_report  # matplotlib: only here

    kg = _open(data, store)
    try:
        names = write_report(kg, output, seed=seed, filters=_filters(**filters), level=level,
                             periods=_periods(periods))
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    for name in names:
        click.echo(str(output / name))
    click.echo(f"report written to {output}/ (open {output / 'index.html'})", err=True)


@cli.command()
@data_option
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder to write.")
@click.option("--report", "report_link", default=None, metavar="URL",
              help="Link the index to a report made by `paradiplo report` (a relative path or URL).")
@click.option("--base-url", default=None, metavar="URL",
              help="Where the site will be hosted: also write w3id.htaccess, the w3id.org redirect rules.")
def publish(data: Path | None, store: Path | None, output: Path, report_link: str | None,
            base_url: str | None) -> None:
    """A static Linked Data site: a page per record and per source, index with search, ontology, dumps, VoID.

    Example: paradiplo publish -o site/
    """
    from graph.publish import write_site

    kg = _open(data, store)
    shown = ["paradiplo", "publish", "-o", output.name or str(output)]
    for flag, value in (("--report", report_link), ("--base-url", base_url)):
        shown += [flag, value] if value else []
    try:
        names = write_site(kg, output, command=shlex.join(shown), report=report_link, base_url=base_url)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    except ValueError as exc:
        raise click.ClickException(f"--base-url: {exc}") from None
    pages = sum(name.endswith(".html") for name in names)
    click.echo(f"{pages} pages, {len(names)} files written to {output}/ (open {output / 'index.html'})", err=True)


@cli.command()
@click.argument("record_id", metavar="ID")
@data_option
@click.option("--style", type=click.Choice(STYLES), default="apa", show_default=True, help="Citation style.")
def cite(record_id: str, data: Path | None, store: Path | None, style: str) -> None:
    """How to cite a record in this version of the dataset, and the papers it rests on.

    Example: paradiplo cite omsk-oblast --style bibtex
    """
    kg = _open(data, store)
    try:
        click.echo(cite_record(kg, record_id, style), nl=False)
    except UnknownRecord as exc:
        raise click.ClickException(str(exc)) from None


def main() -> None:
    cli(prog_name="paradiplo")


if __name__ == "__main__":
    main()
