"""Validation: the bundled data is clean; SHACL catches what the record checks cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli import cli
from graph.load import load_dataset
from graph.rdf import GRAPH, ID, PD, dataset_quads
from graph.validate import check_shacl, top_sectors, validate

from .conftest import SMALL


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


def _problems(folder: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.record, p.field) for p in validate(load_dataset(folder)).problems]


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


def test_shacl_gets_the_ontology_as_ont_graph_not_as_data(monkeypatch):
    """With ``engine="pyshacl"``, the ontology graph's classes reach pySHACL as ``ont_graph`` (they once went in as data,
    with ``ont_graph`` empty: ``str(graph_name)`` has angle brackets); the sector scheme's
    top concepts, which records point to, stay with the data."""
    import pyshacl
    import rdflib

    seen = {}
    real = pyshacl.validate

    def spy(data_graph, *args, **kwargs):
        seen["data"], seen["ont"] = set(data_graph), set(kwargs["ont_graph"])
        return real(data_graph, *args, **kwargs)

    monkeypatch.setattr(pyshacl, "validate", spy)
    ds = load_dataset(SMALL)
    assert check_shacl(ds, engine="pyshacl") == []
    subclass = (rdflib.URIRef(PD + "Region"), rdflib.RDFS.subClassOf, rdflib.URIRef(PD + "Actor"))
    top = (rdflib.URIRef(ID + "economy"), rdflib.RDF.type, rdflib.URIRef(PD + "Sector"))
    assert subclass in seen["ont"] and subclass not in seen["data"]
    assert top in seen["data"] and top not in seen["ont"]
    assert not any(str(s).startswith(PD) for s, _, _ in seen["data"])  # no class or property validated as data
    assert any(str(s) == ID + "omsk-oblast" for s, _, _ in seen["data"])


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


# single-valued references are checked like lists: (file, text, broken text, record, field)
SINGLE_VALUED = [
    ("paper-a.yaml", "    country: russia", "    country: rusia", "omsk-oblast", "country"),
    ("paper-a.yaml", "    governs: [omsk-oblast]\n", "    governs: [omsk-oblast]\n    located_in: omsk-cty\n",
     "omsk-oblast-government", "located_in"),
    ("paper-a.yaml", "    date: 2015-03-16\n", "    date: 2015-03-16\n    place: omks\n", "omsk-pavlodar-agreement",
     "place"),
    ("paper-a.yaml", "    signed_at: forum-2019", "    signed_at: forum-2091", "omsk-nko-memorandum", "signed_at"),
    ("paper-a.yaml", "    edition_of: forum-series", "    edition_of: forum-serie", "forum-2019", "edition_of"),
]


@pytest.mark.parametrize("name, old, new, record, field", SINGLE_VALUED, ids=[c[-1] for c in SINGLE_VALUED])
def test_an_unknown_single_valued_reference_is_reported_at_its_line(small_dir, name, old, new, record, field):
    _edit(small_dir / name, old, new)
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.record, p.field) for p in problems] == [("unknown-reference", record, field)]
    assert problems[0].line == _line_of(small_dir / name, new.strip().splitlines()[-1])
    assert problems[0].message.startswith(f"no record '{new.split(': ')[-1].strip()}'")


def test_a_record_without_an_english_label_is_reported(small_dir):
    _edit(small_dir / "paper-b.yaml", "label: {en: Akimat of Pavlodar Oblast}", "label: {ru: Акимат}")
    assert _problems(small_dir) == [("missing-label", "pavlodar-oblast-akimat", "label")]


def test_a_record_no_file_gives_a_type_is_reported(small_dir):
    _edit(small_dir / "paper-b.yaml", "    type: ExecutiveBody\n", "")
    assert _problems(small_dir) == [("missing-type", "pavlodar-oblast-akimat", "type")]


def test_an_unknown_source_is_reported_once_with_a_suggestion(small_dir):
    _edit(small_dir / "paper-b.yaml", "source: paper-b", "source: paper-c")
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.file.endswith("paper-b.yaml"), p.line, p.field) for p in problems] == [
        ("unknown-source", True, 1, "source")]
    assert problems[0].message.startswith("no source 'paper-c' in sources.yaml; did you mean 'paper-")


def test_a_country_that_is_not_a_state_is_reported(small_dir):
    _edit(small_dir / "general-knowledge.yaml", "    country: kazakhstan", "    country: pavlodar-oblast")
    problems = validate(load_dataset(small_dir)).problems
    assert [(p.code, p.record, p.field, p.message) for p in problems] == [
        ("wrong-reference", "pavlodar-oblast-akimat", "country", "'pavlodar-oblast' is not a State")]


def test_top_sectors_are_read_from_the_sector_scheme():
    assert top_sectors() == {"economy", "humanitarian", "governance", "infrastructure", "environment", "security"}


def test_a_record_named_like_a_top_sector_is_reported(small_dir):
    _edit(small_dir / "paper-a.yaml", "  - id: forum-series", "  - id: security")
    _edit(small_dir / "paper-a.yaml", "    edition_of: forum-series", "    edition_of: security")
    assert ("duplicate-id", "security", "id") in _problems(small_dir)


# the CLI's JSON is the library's report (frictionless: commands/__spec__/test_validate.py)

def _break_nothing(folder: Path) -> None:
    pass


def _break_records(folder: Path) -> None:
    _edit(folder / "paper-a.yaml", "    hosts: [omsk-oblast]", "    hosts: [omsk]")
    _edit(folder / "paper-a.yaml", "    date: 2015-03-16", "    date: 2015-02-30")


def _break_reading(folder: Path) -> None:
    _edit(folder / "paper-b.yaml", "    label: {en: Omsk Region}", "    label: {en: Omsk Region")


@pytest.mark.parametrize("breakage, exit_code", [(_break_nothing, 0), (_break_records, 1), (_break_reading, 2)])
def test_validate_json_is_the_librarys_report(runner, small_dir, breakage, exit_code):
    breakage(small_dir)
    result = runner.invoke(cli, ["validate", "--data", str(small_dir), "--format", "json"])
    report = validate(load_dataset(small_dir))
    assert json.loads(result.stdout) == report.to_dict()
    assert result.exit_code == report.exit_code == exit_code
    assert bool(report.problems) == (exit_code > 0)
