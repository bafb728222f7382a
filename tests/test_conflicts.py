"""Conflicts on every contestable field: a disagreement is two sources stating values for the same
record and field that cannot both be true; an act that ratifies, implements or amends another is
a record of its own, linked to it, never a conflicting claim about it."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
import rdflib.collection

from cli import cli
from graph.load import load_dataset
from graph.provenance import CONFLICT_COLUMNS, conflict_table, conflicts, contestable_properties
from graph.queries import find_query
from graph.rdf import GRAPH, ID, PD, dataset_nquads, load_store, prop_iri
from graph.sparql import run_query
from graph.records import QUALIFIERS
from graph.validate import validate
from tests.conftest import SMALL, edit

ROOT = Path(__file__).parent.parent
CONVENTION = "european-outline-convention-on-transfrontier-cooperation"
LAW = "russia-federal-law-91-fz-european-outline-convention-ratification"
AGREEMENT = "omsk-pavlodar-agreement"



def _store(folder: Path):
    return load_store(dataset_nquads(load_dataset(folder)))


def _query_pairs(store) -> set[tuple[str, str]]:
    """(record, property IRI) of every row of the bundled disagreements.rq."""
    result = run_query(store, find_query("disagreements").text, timeout=None)
    col = {v: i for i, v in enumerate(result.variables)}
    return {(r[col["record"]].value.removeprefix(ID), r[col["property"]].value) for r in result.rows}


def _command_pairs(rows: list[dict]) -> set[tuple[str, str]]:
    return {(c["record"], prop_iri(c["property"])) for c in rows}


def _checked(folder: Path) -> list[dict]:
    """The conflicts of a valid data folder, checked to agree with disagreements.rq."""
    dataset = load_dataset(folder)
    assert validate(dataset).problems == []
    store = load_store(dataset_nquads(dataset))
    rows = conflicts(store)
    assert _query_pairs(store) == _command_pairs(rows)
    return rows


def _of(rows: list[dict], field: str) -> list[dict]:
    return [c for c in rows if c["field"] == field]


# ---------------------------------------------------------------- the bundled data

def test_the_convention_and_its_ratification_law_are_two_records_linked_by_ratifies(kg):
    link = f"<{ID}{LAW}> <{PD}ratifies> <{ID}{CONVENTION}>"
    assert kg.store.query(f"ASK {{ GRAPH <{GRAPH}pogrebtsova-2024> {{ {link} }} }}")
    dates = {(r["s"].value.removeprefix(ID), r["d"].value, r["g"].value.removeprefix(GRAPH)) for r in kg.store.query(
        f"SELECT ?s ?d ?g WHERE {{ VALUES ?s {{ <{ID}{LAW}> <{ID}{CONVENTION}> }} GRAPH ?g {{ ?s <{PD}date> ?d }} }}")}
    assert dates == {(CONVENTION, "1980-05-21", "rustamova-calderon-2025"), (LAW, "2002-07-22", "pogrebtsova-2024")}
    assert not {CONVENTION, LAW} & {c["record"] for c in conflicts(kg.store)}


def test_bundled_figures_printed_as_about_1000_and_1273_disagree_with_the_qualifier_shown(kg):
    rows = {c["record"]: c for c in conflicts(kg.store)}
    row = rows["pavlodar-oblast-industrial-enterprises"]
    assert (row["field"], row["property"]) == ("value", "rdf:value")
    assert row["claims"] == [{"value": "1273", "sources": ["makashev-2026"]},
                             {"value": "about 1000", "sources": ["omsk-kazakhstan-soft-power"]}]


def test_the_bundled_query_agrees_with_the_command_on_the_bundled_data(kg):
    rows = conflicts(kg.store)
    assert rows and _query_pairs(kg.store) == _command_pairs(rows)


def test_the_query_looks_at_the_contestable_fields():
    text = find_query("disagreements").text
    values = text.split("VALUES ?property {", 1)[1].split("}", 1)[0].split()
    assert {prop_iri(v) for v in values} == set(contestable_properties())


# ---------------------------------------------------------------- one field at a time, in the small fixture

def test_two_places_are_one_conflict_on_the_place_field(small_dir):
    edit(small_dir / "paper-a.yaml", "    date: 2015-03-16\n", "    date: 2015-03-16\n    place: omsk-oblast\n")
    edit(small_dir / "paper-b.yaml", "    date: 2007\n", "    date: 2007\n    place: pavlodar-oblast\n")
    assert _of(_checked(small_dir), "place") == [{
        "record": AGREEMENT, "label": "Omsk–Pavlodar agreement", "field": "place", "property": "place",
        "claims": [{"value": "omsk-oblast", "sources": ["paper-a"]},
                   {"value": "pavlodar-oblast", "sources": ["paper-b"]}]}]


@pytest.mark.parametrize("in_b, conflict", [
    ("[omsk-oblast-government, north-kazakhstan-oblast]", True),  # each names one the other does not
    ("[pavlodar-oblast]", False),  # one paper names fewer signatories: no disagreement
    ("[pavlodar-oblast, omsk-oblast-government]", False),  # the same list in another order
])
def test_signatories_disagree_only_when_neither_list_contains_the_other(small_dir, in_b, conflict):
    edit(small_dir / "paper-b.yaml", "[omsk-oblast, pavlodar-oblast-akimat]", in_b)
    rows = _of(_checked(small_dir), "signatories")
    assert [(c["record"], c["property"], len(c["claims"])) for c in rows] == ([(AGREEMENT, "signatory", 2)] if conflict
                                                                              else [])


def _observe_in_b(folder: Path, value: float, unit: str = "million USD", qualifier: str | None = None,
                  in_a: str | None = None) -> None:
    """paper-b also states the trade figure of paper-a (402.1 million USD, 2022); ``in_a``: paper-a's qualifier."""
    if in_a:
        edit(folder / "paper-a.yaml", "    value: 402.1\n", f"    value: 402.1\n    qualifier: {in_a}\n")
    extra = f"\n    qualifier: {qualifier}" if qualifier else ""
    with (folder / "paper-b.yaml").open("a", encoding="utf-8") as f:
        f.write(f"""observations:
  - id: omsk-kz-trade-2022
    indicator: trade-turnover
    flow: turnover
    subject: [omsk-oblast]
    value: {value}{extra}
    unit: {unit}
    period: 2022
    evidence: [{{locator: "Table", quote: "trade in 2022"}}]
""")


def test_two_values_of_an_observation_are_one_conflict_on_the_value_field(small_dir):
    _observe_in_b(small_dir, 380)
    rows = _checked(small_dir)
    assert _of(rows, "value") == [{"record": "omsk-kz-trade-2022", "label": "", "field": "value",
                                   "property": "rdf:value", "claims": [{"value": "380", "sources": ["paper-b"]},
                                                                       {"value": "402.1", "sources": ["paper-a"]}]}]
    assert _of(rows, "unit") == []


def test_two_units_of_an_observation_are_one_conflict_on_the_unit_field(small_dir):
    _observe_in_b(small_dir, 402.1, unit="billion USD")
    rows = _checked(small_dir)
    assert [(c["record"], c["field"], c["claims"]) for c in rows if c["record"] == "omsk-kz-trade-2022"] == [
        ("omsk-kz-trade-2022", "unit", [{"value": "billion USD", "sources": ["paper-b"]},
                                        {"value": "million USD", "sources": ["paper-a"]}])]


def test_an_observation_period_that_differs_only_in_precision_is_not_a_conflict(small_dir):
    _observe_in_b(small_dir, 402.1)
    edit(small_dir / "paper-a.yaml", "    period: 2022\n", "    period: 2022-06\n")
    assert [c for c in _checked(small_dir) if c["record"] == "omsk-kz-trade-2022"] == []


def test_an_observation_period_that_differs_is_a_conflict_on_the_period_field(small_dir):
    _observe_in_b(small_dir, 402.1)
    edit(small_dir / "paper-a.yaml", "    period: 2022\n", "    period: 2021\n")
    edit(small_dir / "paper-a.yaml", "в 2022 г.", "в 2021 г.")  # paper-a prints 2021
    rows = [c for c in _checked(small_dir) if c["record"] == "omsk-kz-trade-2022"]
    assert [(c["field"], c["property"]) for c in rows] == [("period", "date")]


@pytest.mark.parametrize("in_a, value_b, in_b, shown", [
    (None, 1000, "about", "about 1000"),  # 'about 1000' against 402.1: listed, qualifier shown
    (None, 402.1, "about", None),  # the same figure, once printed as approximate
    (None, 400, "more-than", None),  # 402.1 is more than 400
    (None, 402.1, "more-than", "more-than 402.1"),  # but not more than itself
    (None, 500, "less-than", None),
    (None, 402.1, "up-to", None),
    (None, 402.1, "less-than", "less-than 402.1"),
    ("more-than", 300, "more-than", None),  # more than 402.1 is also more than 300
    ("more-than", 500, "less-than", "less-than 500"),  # overlapping, yet neither says all the other says
    ("less-than", 402.1, "up-to", None),
])
def test_a_qualified_figure_disagrees_only_with_figures_it_does_not_admit(small_dir, in_a, value_b, in_b, shown):
    _observe_in_b(small_dir, value_b, qualifier=in_b, in_a=in_a)
    rows = _of(_checked(small_dir), "value")
    assert [c["claims"] for c in rows] == ([] if shown is None else [sorted(
        [{"value": " ".join(filter(None, (in_a, "402.1"))), "sources": ["paper-a"]},
         {"value": shown, "sources": ["paper-b"]}], key=lambda c: c["value"])])


def test_an_exact_qualifier_is_the_same_as_none(small_dir):
    _observe_in_b(small_dir, 380, qualifier="exact")
    assert [c["claims"] for c in _of(_checked(small_dir), "value")] == [
        [{"value": "380", "sources": ["paper-b"]}, {"value": "402.1", "sources": ["paper-a"]}]]


# ---------------------------------------------------------------- ratifies, amends, qualifier as data

@pytest.mark.parametrize("field", ["ratifies", "amends"])
def test_ratifies_and_amends_point_to_an_agreement(small_dir, field):
    edit(small_dir / "paper-a.yaml", "    date: 2019-11\n", f"    date: 2019-11\n    {field}: {AGREEMENT}\n")
    dataset = load_dataset(small_dir)
    assert validate(dataset).problems == []
    assert f"<{ID}omsk-nko-memorandum> <{PD}{field}> <{ID}{AGREEMENT}> <{GRAPH}paper-a> .".encode() \
        in dataset_nquads(dataset)
    edit(small_dir / "paper-a.yaml", f"    {field}: {AGREEMENT}\n", f"    {field}: omsk-oblast\n")
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.record, p.field) for p in problems] == [("wrong-reference", "omsk-nko-memorandum", field)]


def test_the_shapes_allow_the_qualifiers_of_the_model():
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    prop = next(shapes.subjects(sh.path, rdflib.URIRef(PD + "qualifier")))
    allowed = rdflib.collection.Collection(shapes, shapes.value(prop, sh["in"]))
    assert tuple(str(v) for v in allowed) == QUALIFIERS


def test_an_unknown_qualifier_is_refused_with_the_choices(small_dir):
    _observe_in_b(small_dir, 380, qualifier="roughly")
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.record, p.field) for p in problems] == [("invalid-field", "omsk-kz-trade-2022", "qualifier")]
    assert "about" in problems[0].message and "more-than" in problems[0].message


# ---------------------------------------------------------------- the command

def test_conflicts_csv_is_one_row_per_claim_with_the_field(runner, small_kg):
    result = runner.invoke(cli, ["conflicts", "--data", str(SMALL), "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(CONFLICT_COLUMNS)
    table = conflict_table(conflicts(small_kg.store))
    assert len(lines) == 1 + len(table) == 1 + 4
    assert lines[1] == "omsk-pavlodar-agreement,Omsk–Pavlodar agreement,date,date,2007,paper-b"


def test_conflicts_table_names_the_field(runner):
    result = runner.invoke(cli, ["conflicts", "--data", str(SMALL)])
    assert result.exit_code == 0, result.output
    assert "omsk-pavlodar-agreement signatories (signatory):" in result.stdout.splitlines()
    assert "2 disagreement(s)" in result.stderr


@pytest.mark.parametrize("in_b, conflict", [
    ("2014/2016", False),  # an interval that holds 2015-03-16: no disagreement
    ("2015~", False),  # about 2015 holds it too
    ("2008~", True),  # about 2008 (2007–2009) does not
    ("../2014", True),  # before 2014 does not
])
def test_edtf_dates_disagree_only_when_neither_span_holds_the_other(small_dir, in_b, conflict):
    edit(small_dir / "paper-b.yaml", "    date: 2007\n", f'    date: "{in_b}"\n')
    edit(small_dir / "paper-b.yaml", '"agreement of 2007"', f'"agreement of {in_b}"')  # the date is printed
    rows = _of(_checked(small_dir), "date")  # the command and disagreements.rq agree
    assert bool(rows) == conflict, rows
