"""Provenance: stats count records no paper attests; conflicts list real disagreements only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from cli import cli
from graph.load import load_dataset
from graph.provenance import STATS_COVER, conflicts, stats
from graph.rdf import dataset_nquads, load_store

from .conftest import SMALL, edit



def _store(folder: Path):
    """The folder's quads in a store, unvalidated (validation would refuse an unsourced record)."""
    return load_store(dataset_nquads(load_dataset(folder)))


def test_records_without_source_counts_records_only_general_knowledge_states(small_dir):
    assert stats(_store(small_dir))["records_without_source"] == 0  # omsk-oblast: general knowledge and papers
    (small_dir / "general-knowledge.yaml").write_text(
        (small_dir / "general-knowledge.yaml").read_text(encoding="utf-8")
        + "  - id: zz-unsourced\n    type: City\n    label: {en: Unsourced}\n", encoding="utf-8")
    counts = stats(_store(small_dir))
    assert counts["records_without_source"] == 1 and counts["actors"] == 8


@pytest.mark.parametrize("other", ["2015", "2015-03", "2015-03-16"])
def test_dates_that_differ_only_in_precision_are_not_a_disagreement(small_dir, other):
    edit(small_dir / "paper-b.yaml", "    date: 2007", f"    date: {other}")
    assert [c for c in conflicts(_store(small_dir)) if c["field"] == "date"] == []


@pytest.mark.parametrize("other", ["2016", "2015-04", "2015-03-17"])
def test_dates_that_cannot_both_be_true_are_a_disagreement(small_dir, other):
    edit(small_dir / "paper-b.yaml", "    date: 2007", f"    date: {other}")
    assert [c for c in conflicts(_store(small_dir)) if c["field"] == "date"] == [{
        "record": "omsk-pavlodar-agreement", "label": "Omsk–Pavlodar agreement", "field": "date", "property": "date",
        "claims": [{"value": "2015-03-16", "sources": ["paper-a"]}, {"value": other, "sources": ["paper-b"]}]}]


def test_stats_totals_are_what_the_exports_carry(runner, tmp_path):
    """``total_quads`` / ``total_triples`` are the lines of the N-Quads / N-Triples exports;
    ``quads`` and ``ontology_triples`` split ``total_quads`` between data and ontology graphs."""
    def run(*args: str) -> Result:
        result = runner.invoke(cli, [*args, "--data", str(SMALL)])
        assert result.exit_code == 0, result.output
        return result

    counts = json.loads(run("stats", "--format", "json").stdout)
    run("export", "--format", "nq", "-o", str(tmp_path / "d.nq"))
    run("export", "--format", "nt", "-o", str(tmp_path / "d.nt"))
    nquads = (tmp_path / "d.nq").read_text(encoding="utf-8").splitlines()
    assert counts["total_quads"] == len(nquads)
    assert counts["total_triples"] == len((tmp_path / "d.nt").read_text(encoding="utf-8").splitlines())
    ontology = [q for q in nquads if q.endswith("<https://w3id.org/paradiplo/graph/ontology> .")]
    assert counts["ontology_triples"] == len(ontology) > 0
    assert counts["quads"] == len(nquads) - len(ontology)
    assert counts["named_graphs"] == len({q.rsplit(" ", 2)[-2] for q in nquads})
    assert counts["triples"] < counts["quads"]  # the papers share statements (labels, types)


def test_stats_table_says_what_each_count_covers(runner):
    lines = runner.invoke(cli, ["stats", "--data", str(SMALL)]).stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(STATS_COVER)
    assert all(line.endswith(STATS_COVER[line.split()[0]]) for line in lines)
