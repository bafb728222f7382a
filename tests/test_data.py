"""The curated data: sources name their seed papers; the dataset is as large as promised.

That every quote is verbatim in its seed paper is checked in tests/test_quotes.py.
"""

from __future__ import annotations

from graph.load import load_dataset
from graph.provenance import stats
from graph.records import GENERAL_KNOWLEDGE

from .conftest import SEEDS

DATASET = load_dataset()


def test_every_source_names_its_seed_file():
    assert all(s.file for s in DATASET.sources.values())
    if SEEDS.is_dir():
        assert {s.file for s in DATASET.sources.values()} == {p.name for p in SEEDS.glob("*.txt")}


def test_general_knowledge_is_kept_apart_and_unquoted():
    general = [e for e in DATASET.entries if e.source == GENERAL_KNOWLEDGE]
    assert general and all(not e.record.evidence for e in general)
    assert all(e.source in DATASET.sources for e in DATASET.entries if e.source != GENERAL_KNOWLEDGE)


def test_dataset_is_as_large_as_the_curation_promises(kg):
    counts = stats(kg.store)
    assert counts["actors"] >= 120 and counts["agreements"] >= 40 and counts["forums"] >= 15
    assert counts["sectors"] >= 10 and counts["sources"] == 5
    assert counts["records_without_source"] == 7  # the regions general knowledge adds (Mangystau, Shirak, …)
