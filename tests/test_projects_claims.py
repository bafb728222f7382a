"""Issue 13's schema: the new relations, projects, claims and observations as a tidy cube."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import rdflib
from pydantic import ValidationError

from cli import cli
from graph.load import Entry, load_dataset
from graph.rdf import ID, PD, dataset_nquads, iri, parse_nquads, record_quads
from graph.records import (CLAIM_KINDS, FIELDS, FLOWS, PROJECT_STATUSES, Actor, Claim, Observation, Project,
                           ProjectType, fields_of)
from graph.validate import check_shacl, validate
from tests.conftest import line_of

ROOT = Path(__file__).parent.parent
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
EVIDENCE = [{"locator": "Заключение", "quote": "Омская область является хабом"}]

PROJECT = """projects:
  - id: irtysh-route
    type: TransportCorridor
    label: {en: Irtysh river route, ru: Речной путь по Иртышу}
    participants: [omsk-oblast, pavlodar-oblast]
    location: [omsk-oblast, pavlodar-oblast]
    status: planned
    date: 2024
    implements: [omsk-pavlodar-agreement]
    evidence: [{locator: "Результаты", quote: "маршрут по Иртышу в 2024 г."}]
"""
CLAIM = """claims:
  - id: paper-a-hub-thesis
    kind: thesis
    label: {en: Omsk Oblast is a hub of cooperation}
    subject: [omsk-oblast, irtysh-route, trade]
    period: 2022/2025
    evidence: [{locator: "Заключение", quote: "в 2022–2025 гг. Омская область стала хабом"}]
"""


def _add(folder: Path, text: str) -> None:
    with (folder / "paper-a.yaml").open("a", encoding="utf-8") as f:
        f.write(text)


def _problems(folder: Path, shacl: bool = False) -> list[tuple]:
    return [(p.code, p.record, p.field, p.line) for p in validate(load_dataset(folder), shacl=shacl).problems]


# ---------------------------------------------------------------- models

def test_a_claim_needs_a_known_kind_and_a_subject():
    with pytest.raises(ValidationError) as exc:
        Claim(id="c-1", kind="opinion", evidence=EVIDENCE)
    assert {e["loc"][0] for e in exc.value.errors()} == {"kind", "subject"}
    claim = Claim(id="c-1", kind="risk", subject=["omsk-oblast"], period="2022/2025", evidence=EVIDENCE)
    assert (claim.kind, str(claim.period), claim.period.earliest.year) == ("risk", "2022/2025", 2022)


def test_a_project_knows_its_types_and_statuses():
    project = Project(id="p-1", type="BorderCheckpoint", status="under-construction", participants=["a-1"])
    assert (project.type, project.status) == (ProjectType.BorderCheckpoint, "under-construction")
    with pytest.raises(ValidationError, match="status"):
        Project(id="p-1", status="built")
    with pytest.raises(ValidationError, match="type"):
        Project(id="p-1", type="Bridge")


def test_an_observation_has_a_flow_a_period_and_a_table():
    cell = Observation(id="o-1", indicator="trade-turnover", flow="turnover", subject=["omsk-oblast"], value=19.3,
                       unit="million USD", period=2013, table="Таблица", category={"ru": "Растительные продукты"})
    assert (cell.flow, str(cell.period), cell.table) == ("turnover", "2013", "Таблица")
    with pytest.raises(ValidationError, match="flow"):
        Observation(id="o-1", indicator="x", flow="exports", subject=["a-1"], value=1, unit="t")
    with pytest.raises(ValidationError, match="year"):  # the old name is refused, not silently dropped
        Observation(id="o-1", indicator="x", flow="export", subject=["a-1"], value=1, unit="t", year=2013)


def test_the_new_relations_are_declared_once_with_their_properties():
    expected = {"supplies": "suppliesTo", "operates_in": "operatesIn", "joint_venture_of": "jointVentureOf",
                "founded_by": "foundedBy", "member_of": "memberOf", "led_by": "ledBy", "proposed_by": "proposedBy",
                "reservation_to": "reservationTo", "location": "location", "participants": "participant",
                "flow": "flow", "table": "table", "kind": "claimKind", "period": "date"}
    assert {name: FIELDS[name].prop for name in expected} == expected
    assert FIELDS["member_of"].target == ("actors", "forums")
    assert FIELDS["reservation_to"].target == ("agreements",)
    assert {"supplies", "operates_in", "joint_venture_of", "founded_by", "led_by", "reservation_to"} \
        <= {f.name for f in fields_of(Actor)}
    assert {"participants", "location", "proposed_by", "founded_by", "led_by", "implements", "date"} \
        <= {f.name for f in fields_of(Project)}


# ---------------------------------------------------------------- RDF

def _triples(record, source: str = "paper-a") -> set[tuple[str, str, str]]:
    quads = parse_nquads("".join(record_quads(Entry("x", record, source, "f.yaml", 1))).encode())
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


def test_a_project_is_a_project_of_its_type_with_participants_and_location():
    project = Project(id="irtysh-route", type="TransportCorridor", participants=["omsk-oblast"],
                      location=["pavlodar-oblast"], status="planned", date="2024", founded_by=["omsk-oblast"],
                      evidence=[{"locator": "x", "quote": "2024"}])
    s = iri("irtysh-route")[1:-1]
    t = _triples(project)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert {(s, rdf_type, PD + "Project"), (s, rdf_type, PD + "TransportCorridor"),
            (s, PD + "participant", iri("omsk-oblast")[1:-1]), (s, PD + "location", iri("pavlodar-oblast")[1:-1]),
            (s, PD + "foundedBy", iri("omsk-oblast")[1:-1]), (s, PD + "status", "planned"),
            (s, PD + "date", "2024"), (s, PD + "year", "2024")} <= t


def test_a_claim_and_a_table_cell_are_written_with_their_properties():
    claim = Claim(id="c-1", kind="assessment", subject=["omsk-oblast"], period="2022/2025", evidence=EVIDENCE)
    s = iri("c-1")[1:-1]
    assert {(s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", PD + "Claim"), (s, PD + "claimKind", "assessment"),
            (s, PD + "about", iri("omsk-oblast")[1:-1]), (s, PD + "date", "2022/2025"),
            (s, PD + "earliest", "2022-01-01"), (s, PD + "latest", "2025-12-31")} <= _triples(claim)
    cell = Observation(id="o-1", indicator="trade-turnover", flow="turnover", subject=["omsk-oblast"], value=19.3,
                       unit="million USD", period=2013, table="Таблица")
    o = iri("o-1")[1:-1]
    assert {(o, PD + "flow", "turnover"), (o, PD + "table", "Таблица"), (o, PD + "year", "2013")} <= _triples(cell)


def test_an_actor_s_new_relations_reach_rdf():
    actor = Actor(id="omsk-plant", supplies=["kazakhstan"], operates_in=["sez-pavlodar"],
                  joint_venture_of=["omsk-oblast", "pavlodar-oblast"], reservation_to=["convention"],
                  member_of=["forum-series"], led_by=["a-person"])
    s = iri("omsk-plant")[1:-1]
    t = {(p[len(PD):], o[len(ID):]) for (subj, p, o) in _triples(actor) if subj == s and p.startswith(PD)}
    assert {("suppliesTo", "kazakhstan"), ("operatesIn", "sez-pavlodar"), ("jointVentureOf", "omsk-oblast"),
            ("jointVentureOf", "pavlodar-oblast"), ("reservationTo", "convention"), ("memberOf", "forum-series"),
            ("ledBy", "a-person")} <= t


# ---------------------------------------------------------------- validation

def test_projects_and_claims_in_a_data_file_are_valid(small_dir):
    _add(small_dir, PROJECT + CLAIM)
    assert _problems(small_dir, shacl=True) == []


def test_an_unknown_reference_of_a_claim_is_reported_at_its_line(small_dir):
    _add(small_dir, PROJECT + CLAIM.replace("irtysh-route, trade", "irtysh-rout, trade"))
    line = line_of(small_dir / "paper-a.yaml", "subject: [omsk-oblast, irtysh-rout")
    assert _problems(small_dir) == [("unknown-reference", "paper-a-hub-thesis", "subject", line)]
    problem = validate(load_dataset(small_dir), shacl=False).problems[0]
    assert "irtysh-route" in problem.message  # the suggestion


def test_a_reference_to_the_wrong_kind_is_reported(small_dir):
    _add(small_dir, PROJECT.replace("implements: [omsk-pavlodar-agreement]", "implements: [forum-2019]"))
    line = line_of(small_dir / "paper-a.yaml", "implements: [forum-2019]")
    assert _problems(small_dir) == [("wrong-reference", "irtysh-route", "implements", line)]


def test_member_of_may_name_a_forum_but_supplies_may_not(small_dir, runner):
    from tests.conftest import edit

    edit(small_dir / "paper-a.yaml", "    governs: [omsk-oblast]\n",
         "    governs: [omsk-oblast]\n    member_of: [forum-series]\n    supplies: [forum-series]\n")
    line = line_of(small_dir / "paper-a.yaml", "supplies: [forum-series]")
    assert _problems(small_dir) == [("wrong-reference", "omsk-oblast-government", "supplies", line)]
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 1 and f"paper-a.yaml:{line}: omsk-oblast-government: supplies:" in result.output


def test_a_project_needs_a_type(small_dir):
    _add(small_dir, PROJECT.replace("    type: TransportCorridor\n", ""))
    assert [p[:3] for p in _problems(small_dir)] == [("missing-type", "irtysh-route", "type")]


@pytest.mark.parametrize(("text", "field", "old", "new"), [
    (PROJECT, "date", "date: 2024", "date: 2021"),
    (PROJECT + CLAIM, "period", "period: 2022/2025", "period: 2020/2025"),
])
def test_project_dates_and_claim_periods_must_be_attested(small_dir, text, field, old, new):
    _add(small_dir, text.replace(old, new))
    line = line_of(small_dir / "paper-a.yaml", new)
    assert [p for p in _problems(small_dir) if p[0] == "unattested-date"] == [
        ("unattested-date", "irtysh-route" if field == "date" else "paper-a-hub-thesis", field, line)]


def test_shacl_catches_a_claim_kind_the_model_would_refuse(small_dir):
    _add(small_dir, PROJECT + CLAIM)
    dataset = load_dataset(small_dir)
    text = dataset_nquads(dataset).decode("utf-8").replace('claimKind> "thesis"', 'claimKind> "opinion"')
    problems = check_shacl(dataset, parse_nquads(text.encode("utf-8")))
    assert [(p.code, p.record, p.field, p.line) for p in problems] == [
        ("shacl", "paper-a-hub-thesis", "kind", line_of(small_dir / "paper-a.yaml", "kind: thesis"))]


@pytest.mark.parametrize(("path", "values"), [("flow", FLOWS), ("claimKind", CLAIM_KINDS),
                                              ("status", PROJECT_STATUSES)])
def test_the_shapes_list_the_values_of_the_models(path, values):
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    lists = [tuple(str(v) for v in rdflib.collection.Collection(shapes, shapes.value(prop, SH["in"])))
             for prop in shapes.subjects(SH.path, rdflib.URIRef(PD + path)) if shapes.value(prop, SH["in"])]
    assert values in lists


def test_every_project_type_is_a_project_class_with_en_and_ru_labels():
    onto = rdflib.Graph().parse(ROOT / "ontology" / "paradiplomacy.ttl")
    for name in ["Project", "Claim", *(t.value for t in ProjectType)]:
        cls = rdflib.URIRef(PD + name)
        assert name == "Project" or name == "Claim" or (cls, rdflib.RDFS.subClassOf, rdflib.URIRef(PD + "Project")) in onto
        assert {label.language for label in onto.objects(cls, rdflib.RDFS.label)} == {"en", "ru"}, name
        assert onto.value(cls, rdflib.SKOS.definition) is not None, name


def test_every_property_of_the_fields_is_declared_in_the_ontology():
    onto = rdflib.Graph().parse(ROOT / "ontology" / "paradiplomacy.ttl")
    for spec in FIELDS.values():
        if ":" in spec.prop or spec.name == "draft":  # draft is never written
            continue
        prop = rdflib.URIRef(PD + spec.prop)
        assert {label.language for label in onto.objects(prop, rdflib.RDFS.label)} == {"en", "ru"}, spec.name
        assert onto.value(prop, rdflib.SKOS.definition) is not None, spec.name


# ---------------------------------------------------------------- the bundled data and stats

def test_every_cell_of_seed_003_s_table_is_a_table_observation(kg):
    rows = kg.store.query("""SELECT ?o ?period WHERE { GRAPH pdg:pogrebtsova-2024 {
        ?o pd:table "Таблица" ; pd:flow "turnover" ; pd:date ?period } }""",
                          prefixes={"pd": PD, "pdg": "https://w3id.org/paradiplo/graph/"})
    periods = sorted(r["period"].value for r in rows)
    assert len(periods) == 44 and sorted(set(periods)) == ["2013", "2017", "2020", "2022"]
    assert all(periods.count(p) == 11 for p in set(periods))


def test_stats_count_projects_and_claims(small_dir, runner):
    _add(small_dir, PROJECT + CLAIM)
    out = json.loads(runner.invoke(cli, ["stats", "--data", str(small_dir), "--format", "json"]).stdout)
    assert (out["projects"], out["claims"]) == (1, 1)
    table = runner.invoke(cli, ["stats", "--data", str(small_dir)]).stdout
    assert [line.split()[:2] for line in table.splitlines() if line.split()[:1] in (["projects"], ["claims"])] == [
        ["projects", "1"], ["claims", "1"]]


# ---------------------------------------------------------------- the network

COMPANY = """  - id: omsk-seeder-works
    type: Company
    label: {en: Omsk seeder works}
    located_in: omsk-oblast
    supplies: [kazakhstan]
    operates_in: [pavlodar-oblast]
    member_of: [forum-2019]
    evidence: [{locator: "Результаты", quote: "завод поставляет сеялки в Казахстан"}]
"""


def _linked(folder: Path) -> "KnowledgeGraph":
    from graph import open_graph
    from tests.conftest import edit

    edit(folder / "paper-a.yaml", "agreements:\n", COMPANY + "agreements:\n")
    _add(folder, PROJECT)
    return open_graph(folder)


def test_the_new_relations_become_ties_with_their_names_and_sources(small_dir):
    from graph.project import RELATIONS, Filters

    kg = _linked(small_dir)
    assert not kg.actor_graph().has_edge("omsk-seeder-works", "kazakhstan")  # by default: the ties of activity
    g = kg.actor_graph(Filters(relations=RELATIONS))
    assert (g.edges["omsk-seeder-works", "kazakhstan"]["relations"], g.edges["omsk-seeder-works", "kazakhstan"]
            ["evidence"]) == ("supplies", "omsk-seeder-works")
    assert g.edges["omsk-seeder-works", "pavlodar-oblast"]["relations"] == "forum operates_in"
    assert g.edges["omsk-seeder-works", "omsk-oblast"]["relations"] == "forum"  # a member of the forum edition
    assert "project" in g.edges["omsk-oblast", "pavlodar-oblast"]["relations"].split()
    assert "irtysh-route" in g.edges["omsk-oblast", "pavlodar-oblast"]["evidence"].split()
    only_b = kg.actor_graph(Filters(exclude_sources=("paper-a",), relations=RELATIONS))
    assert "omsk-seeder-works" not in only_b and "irtysh-route" not in " ".join(
        e for _, _, e in only_b.edges(data="evidence"))
    supplies_only = kg.actor_graph(Filters(relations=("supplies",)))
    assert sorted(supplies_only.edges) == [("kazakhstan", "omsk-seeder-works")]


def test_a_company_s_economic_ties_are_non_governmental_and_no_event(small_dir):
    from graph.analysis.periods import timeline
    from graph.project import RELATIONS, Filters

    kg = _linked(small_dir)
    rows = {(r["tie"], r["relation"]): r for r in kg.typology(Filters(relations=RELATIONS))["pairs"]}
    assert [(r["kind"], r["rule"]) for k, r in rows.items() if k[1] in ("supplies", "operates_in")] == [
        ("non-governmental", "economic-relation")] * 2
    assert rows[("irtysh-route", "project")]["kind"] == "transborder"  # Omsk and Pavlodar share a border
    undated = timeline(kg.ties())[-1]
    assert undated["year"] == "undated" and undated["total"] == len(
        [t for t in kg.ties() if not t.dates and not t.dyadic and t.cls != "ForumSeries"])


# ---------------------------------------------------------------- bundled queries

def _query(kg, name: str) -> list[dict[str, str]]:
    from graph.queries import find_query
    from graph.sparql import run_query

    result = run_query(kg.store, find_query(name).text, timeout=None)
    return [{v: (t.value if t is not None else "") for v, t in zip(result.variables, row)} for row in result.rows]


def _seed_table() -> dict[str, list[str]]:
    """Seed 003's printed table: product group → its four cells, as printed."""
    from tests.conftest import SEEDS

    if not SEEDS.is_dir():
        reason = f"seed papers not found at {SEEDS} (../shared/seeds): seed 003's table was not compared"
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(reason)
    lines = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8").splitlines()
    start = lines.index("Группа товара 2013 г. 2017 г. 2020 г. 2022 г.") + 1
    rows = {}
    for line in lines[start:]:
        if line.startswith("Источник"):
            break
        *group, a, b, c, d = line.split()
        rows[" ".join(group)] = [a, b, c, d]
    return rows


def test_trade_table_003_reproduces_the_seed_s_table_cell_by_cell(kg):
    printed = _seed_table()
    assert len(printed) == 11
    rows = _query(kg, "trade-table-003")
    assert [list(r) for r in rows[:1]] == [["group", "2013", "2017", "2020", "2022"]]
    assert {r["group"]: [r["2013"], r["2017"], r["2020"], r["2022"]] for r in rows} == printed


def test_claims_by_subject_sets_the_papers_claims_side_by_side(small_dir):
    from graph import open_graph
    from tests.conftest import edit

    _add(small_dir, PROJECT + CLAIM)
    edit(small_dir / "paper-b.yaml", "forums:\n", """claims:
  - id: paper-b-sanctions-risk
    kind: risk
    label: {en: Sanctions slow Omsk's trade}
    subject: [omsk-oblast]
    evidence: [{locator: "Conclusion", quote: "sanctions are a risk for Omsk"}]
forums:
""")
    rows = _query(open_graph(small_dir), "claims-by-subject")
    graph = "https://w3id.org/paradiplo/graph/"
    assert [(r["source"], r["kind"], r["paraphrase"], r["quote"], r["locator"], r["claim"][len(ID):]) for r in rows] == [
        (graph + "paper-a", "thesis", "Omsk Oblast is a hub of cooperation", "в 2022–2025 гг. Омская область стала хабом",
         "Заключение", "paper-a-hub-thesis"),
        (graph + "paper-b", "risk", "Sanctions slow Omsk's trade", "sanctions are a risk for Omsk", "Conclusion",
         "paper-b-sanctions-risk")]


# ---------------------------------------------------------------- the report

def test_the_report_lists_the_claims_per_source(small_dir):
    import csv
    import io

    from graph import open_graph
    from graph.report import build_report

    _add(small_dir, PROJECT + CLAIM)
    files = build_report(open_graph(small_dir))
    rows = list(csv.DictReader(io.StringIO(files["claims.csv"])))
    assert rows == [{"source": "paper-a", "kind": "thesis", "claim": "paper-a-hub-thesis",
                     "paraphrase": "Omsk Oblast is a hub of cooperation",
                     "quote": "в 2022–2025 гг. Омская область стала хабом", "locator": "Заключение"}]
    html = files["index.html"]
    section = html[html.index("<h2>What the papers argue</h2>"):html.index("<h2>Map</h2>")]
    assert "<h3>paper-a</h3>" in section and "<td>thesis</td><td>Omsk Oblast is a hub of cooperation</td>" \
        "<td>в 2022–2025 гг. Омская область стала хабом</td><td>Заключение</td>" in section


def test_relations_all_on_the_command_line_counts_the_actor_relations(small_dir, runner):
    import csv
    import io

    from cli import cli

    _linked(small_dir)
    args = ["centrality", "--data", str(small_dir), "--metric", "degree", "--format", "csv", "--top", "100"]
    default, everything = (runner.invoke(cli, args + extra) for extra in ([], ["--relations", "all"]))
    assert default.exit_code == everything.exit_code == 0, default.output + everything.output
    ids = [{row["id"] for row in csv.DictReader(io.StringIO(r.stdout))} for r in (default, everything)]
    assert "kazakhstan" not in ids[0] and "kazakhstan" in ids[1]  # only a supplies tie reaches the state
