"""Citing: CITATION.cff validates and agrees with data/sources.yaml; `paradiplo cite` prints the
record and exactly the papers whose records state it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cli import cli
from graph.cite import cite, sources_of
from graph.publish import data_version
from graph.records import GENERAL_KNOWLEDGE

ROOT = Path(__file__).parent.parent
CFF = ROOT / "CITATION.cff"
SCHEMA = Path(__file__).parent / "schemas" / "cff-1.2.0" / "schema.json"


def test_citation_cff_validates_against_the_official_schema():
    """What ``cffconvert --validate`` checks: the official CFF 1.2.0 JSON schema (stored in
    tests/schemas/cff-1.2.0 with its licence; cffconvert 2.0 itself needs jsonschema < 4)."""
    import jsonschema

    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(cff),
                    key=str)
    assert errors == [], [e.message for e in errors]
    broken = {**cff, "authors": [{"nickname": 3}]}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))  # the schema does reject


def test_citation_cff_agrees_with_the_bibliography_and_the_version():
    cff = yaml.safe_load(CFF.read_text(encoding="utf-8"))
    sources = yaml.safe_load((ROOT / "data" / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
    assert cff["version"] == version and cff["references"][0]["version"] == version
    articles = [r for r in cff["references"] if r["type"] == "article"]
    assert len(articles) == len(sources)
    for source, ref in zip(sources, articles):
        assert ref["title"] in source["title"].values()
        assert ref.get("doi") == source.get("doi") and ref.get("year") == source.get("year")
        family = [a.get("family-names") for a in ref["authors"] if "family-names" in a]
        assert [a.split(" ")[0] for a in source["authors"]] == [f.split(" ")[0] for f in family]


def _papers_stating(kg, record_id: str) -> list[str]:
    """Independently of graph.cite: the data files (sources) that hold a record with this id."""
    return sorted({e.source for e in kg.dataset.entries if e.record.id == record_id} - {GENERAL_KNOWLEDGE})


@pytest.mark.parametrize("record_id", ["omsk-oblast", "omsk-pavlodar-cooperation-agreement", "kazakhstan"])
def test_cite_names_exactly_the_papers_stating_the_record(kg, record_id):
    papers = _papers_stating(kg, record_id)
    assert papers and sources_of(kg, record_id) == papers
    text = cite(kg, record_id, "bibtex")
    keys = re.findall(r"^@(\w+)\{([^,]+),$", text, flags=re.M)
    assert keys[0] == ("misc", f"paradiplo:{record_id}") and [k for _, k in keys[1:]] == papers
    assert text.count("{") == text.count("}") and f"https://w3id.org/paradiplo/id/{record_id}" in text
    apa = cite(kg, record_id, "apa")
    assert data_version(kg) in apa and data_version(kg) in text
    for source in kg.dataset.sources.values():
        stated = source.id in papers
        assert (source.doi is not None and f"https://doi.org/{source.doi}" in apa) == (stated and source.doi is not None)
        assert any(t in apa for t in source.title.values()) == stated


def test_cite_cli_prints_what_the_library_returns(kg, runner):
    for style in ("apa", "bibtex"):
        result = runner.invoke(cli, ["cite", "omsk-oblast", "--style", style])
        assert result.exit_code == 0 and result.output == cite(kg, "omsk-oblast", style)


@pytest.mark.parametrize("bad", ["no-such-record", "Omsk Oblast", "omsk-oblast/evidence"])
def test_cite_unknown_or_malformed_id_is_a_clear_error(runner, bad):
    result = runner.invoke(cli, ["cite", bad])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no record" in result.output or "not a record id" in result.output
