"""Shared fixtures: the bundled graph (built once), a small hand-made dataset, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import KnowledgeGraph, open_graph

HERE = Path(__file__).parent
SMALL = HERE / "fixtures" / "small"
SEEDS = HERE.parent.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled data, validated and loaded into Oxigraph."""
    return open_graph()


@pytest.fixture(scope="session")
def small_kg() -> KnowledgeGraph:
    """The small fixture dataset (tests/fixtures/small)."""
    return open_graph(SMALL)


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture dataset, to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(SMALL, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
