"""The curated data: every quote is verbatim in its seed paper; the dataset is as large as promised."""

from __future__ import annotations

import pytest

from graph.load import load_dataset
from graph.provenance import stats
from graph.quotes import quote_found
from graph.records import GENERAL_KNOWLEDGE

from .conftest import SEEDS, requires

DATASET = load_dataset()


def _quotes():
    for entry in DATASET.entries:
        for n, ev in enumerate(entry.record.evidence, start=1):
            yield pytest.param(entry, ev, id=f"{entry.source}:{entry.record.id}:{n}")


@requires(SEEDS.is_dir(), f"seed papers not found at {SEEDS}: put the shared folder beside the clone (../shared/seeds)")
@pytest.mark.parametrize("entry, evidence", list(_quotes()))
def test_every_quote_occurs_in_its_seed_paper(entry, evidence, seed_texts):
    source = DATASET.sources[entry.source]
    assert quote_found(evidence.quote, seed_texts[source.file]), (
        f"{entry.file}:{entry.line}: {entry.record.id}: quote not found in {source.file}: {evidence.quote!r}")


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}


def test_every_source_names_its_seed_file():
    assert all(s.file for s in DATASET.sources.values())
    if SEEDS.is_dir():
        assert {s.file for s in DATASET.sources.values()} == {p.name for p in SEEDS.glob("*.txt")}


def test_quote_matching_ignores_only_whitespace_and_hyphenation():
    text = "Павлодарская область на севере граничит с Омской облас-\nтью."
    assert quote_found("Павлодарская область на севере граничит с Омской областью.", text)
    assert not quote_found("Павлодарская область на юге граничит с Омской областью.", text)


def test_general_knowledge_is_kept_apart_and_unquoted():
    general = [e for e in DATASET.entries if e.source == GENERAL_KNOWLEDGE]
    assert general and all(not e.record.evidence for e in general)
    assert all(e.source in DATASET.sources for e in DATASET.entries if e.source != GENERAL_KNOWLEDGE)


def test_dataset_is_as_large_as_the_curation_promises(kg):
    counts = stats(kg.store)
    assert counts["actors"] >= 120 and counts["agreements"] >= 40 and counts["forums"] >= 15
    assert counts["sectors"] >= 10 and counts["sources"] == 5
    assert counts["records_without_source"] == 7  # the regions general knowledge adds (Mangystau, Shirak, …)
