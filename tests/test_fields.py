"""records.FIELDS: a field is declared once, and everything else is derived from it."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from graph.load import load_dataset
from graph.provenance import conflicts, contestable_properties
from graph.rdf import GRAPH, ID, PD, dataset_nquads, load_store, prop_iri
from graph.records import FIELDS, KIND_MODELS, Actor, FieldSpec, Id, fields_of
from graph.validate import _field_name, validate


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_field_of_every_record_is_declared_once():
    declared = {name for model in KIND_MODELS.values() for name in model.model_fields} - {"id"}
    assert declared == set(FIELDS)


@pytest.mark.parametrize("kind", sorted(KIND_MODELS))
def test_multi_valued_fields_are_the_lists_of_the_models(kind):
    for spec in fields_of(KIND_MODELS[kind]):
        annotation = KIND_MODELS[kind].model_fields[spec.name].annotation
        assert spec.multi == (typing.get_origin(annotation) is list), spec.name


def test_references_point_to_kinds_and_properties_resolve():
    for spec in FIELDS.values():
        assert spec.target is None or set(spec.target) <= set(KIND_MODELS), spec
        assert prop_iri(spec.prop).startswith("http"), spec


def test_a_field_is_a_reference_or_a_literal():
    with pytest.raises(ValueError):
        FieldSpec("x", "x")
    with pytest.raises(ValueError):
        FieldSpec("x", "x", target=("actors",), literal="text")
    with pytest.raises(ValueError):
        FieldSpec("x", "x", literal="colour")


def test_conflicts_look_at_the_contestable_fields():
    assert set(contestable_properties()) == {PD + p for p in (
        "date", "endDate", "place", "signedAt", "editionNumber", "editionOf", "validUntil", "status", "country",
        "founded", "signatory", "unit", "instrument")} | {prop_iri("rdf:value")}


class RivalActor(Actor):
    """An actor with one field more, as a scholar might add it."""

    rival: Id | None = None


@pytest.fixture
def rival(monkeypatch):
    """A new field, declared in FIELDS and in a model: nothing else."""
    monkeypatch.setitem(KIND_MODELS, "actors", RivalActor)
    monkeypatch.setitem(FIELDS, "rival", FieldSpec("rival", "rivalOf", target=("actors",), contestable=True))


def _give_rivals(folder: Path, in_a: str, in_b: str) -> None:
    _edit(folder / "paper-a.yaml", "    label: {en: Omsk Oblast, ru: Омская область}\n",
          f"    label: {{en: Omsk Oblast, ru: Омская область}}\n    rival: {in_a}\n")
    _edit(folder / "paper-b.yaml", "    label: {en: Omsk Region}\n", f"    label: {{en: Omsk Region}}\n    rival: {in_b}\n")


def test_a_field_added_to_fields_reaches_rdf_and_conflicts(rival, small_dir):
    _give_rivals(small_dir, "pavlodar-oblast", "north-kazakhstan-oblast")
    dataset = load_dataset(small_dir)
    assert validate(dataset).problems == []
    nquads = dataset_nquads(dataset)
    assert f"<{ID}omsk-oblast> <{PD}rivalOf> <{ID}pavlodar-oblast> <{GRAPH}paper-a> .".encode() in nquads
    rows = [c for c in conflicts(load_store(nquads)) if c["property"] == "rivalOf"]
    assert rows == [{"record": "omsk-oblast", "label": "Omsk Oblast", "field": "rival", "property": "rivalOf", "claims": [
        {"value": "north-kazakhstan-oblast", "sources": ["paper-b"]},
        {"value": "pavlodar-oblast", "sources": ["paper-a"]}]}]


def test_a_field_added_to_fields_is_checked_as_a_reference(rival, small_dir):
    _give_rivals(small_dir, "pavlodar-oblast", "pavlodar-oblst")
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.record, p.field, p.message) for p in problems] == [
        ("unknown-reference", "omsk-oblast", "rival", "no record 'pavlodar-oblst'; did you mean 'pavlodar-oblast'?")]
    lines = (small_dir / "paper-b.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[problems[0].line - 1] == "    rival: pavlodar-oblst"
    assert _field_name(PD + "rivalOf") == "rival"  # a SHACL result on its property names the field


def test_shacl_results_name_the_field_that_wrote_the_property():
    assert [_field_name(prop_iri(p)) for p in ("signatory", "about", "sharesBorderWith", "skos:prefLabel", "quote",
                                              "editionNumber", "date")] == [
        "signatories", "subject", "borders", "label", "evidence", "number", "date"]
    assert _field_name("http://www.w3.org/ns/prov#wasDerivedFrom") == "wasDerivedFrom"
