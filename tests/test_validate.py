"""Validation: the bundled data is clean; SHACL catches what the record checks cannot."""

from __future__ import annotations

import pyoxigraph as ox

from graph.load import load_dataset
from graph.rdf import GRAPH, ID, PD, dataset_quads
from graph.validate import check_shacl, validate

from .conftest import SMALL


def test_bundled_data_is_clean_including_shacl():
    report = validate(load_dataset())
    assert report.problems == []
    assert report.shacl_checked and report.exit_code == 0


def test_shacl_reports_a_signatory_that_is_not_an_actor_with_file_and_line():
    ds = load_dataset(SMALL)
    bad = ox.Quad(ox.NamedNode(ID + "omsk-pavlodar-agreement"), ox.NamedNode(PD + "signatory"),
                  ox.NamedNode(ID + "trade"), ox.NamedNode(GRAPH + "paper-a"))
    problems = check_shacl(ds, dataset_quads(ds) + [bad])
    assert len(problems) == 1
    p = problems[0]
    assert (p.record, p.field, p.code) == ("omsk-pavlodar-agreement", "signatories", "shacl")
    assert p.file.endswith("paper-a.yaml") and p.line > 1
    assert "signatory must be an Actor" in p.message


def test_shacl_reports_a_record_without_any_source():
    ds = load_dataset(SMALL)
    quads = [q for q in dataset_quads(ds)
             if not (q.subject.value == ID + "forum-series" and q.predicate.value.endswith("wasDerivedFrom"))]
    problems = check_shacl(ds, quads)
    assert [(p.record, p.field) for p in problems] == [("forum-series", "wasDerivedFrom")]


def test_references_of_the_wrong_kind_are_reported(small_dir):
    paper = small_dir / "paper-a.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("    signed_at: forum-2019",
                                                              "    signed_at: omsk-oblast"), encoding="utf-8")
    report = validate(load_dataset(small_dir))
    assert [(p.record, p.field, p.code) for p in report.problems] == [
        ("omsk-nko-memorandum", "signed_at", "wrong-reference")]
    assert report.exit_code == 1


def test_conflicting_types_across_sources_are_reported(small_dir):
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace(
        "  - id: omsk-oblast\n    type: Region", "  - id: omsk-oblast\n    type: City"), encoding="utf-8")
    report = validate(load_dataset(small_dir))
    assert [(p.record, p.code) for p in report.problems] == [("omsk-oblast", "conflicting-type")]
    assert "City here" in report.problems[0].message
