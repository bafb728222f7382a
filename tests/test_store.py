"""The persistent store: built once, reused while the data are unchanged, rebuilt when they change."""

from __future__ import annotations

import pytest

from cli import cli
from graph import open_graph
from graph.provenance import stats
from graph.rdf import serialize

from .conftest import SMALL


def test_store_is_reused_until_the_data_change(small_dir, tmp_path):
    store = tmp_path / "store"
    said: list[str] = []
    first = open_graph(small_dir, store=store, progress=said.append)
    assert said[-1].startswith("built the store")
    said.clear()
    again = open_graph(small_dir, store=store, progress=said.append)
    assert said == [f"reusing the store in {store}"] and again.dataset is None
    assert stats(again.store) == stats(first.store)
    paper = small_dir / "paper-b.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("Omsk Region", "Omsk Province"), encoding="utf-8")
    said.clear()
    changed = open_graph(small_dir, store=store, progress=said.append)
    assert said[-1].startswith("built the store")
    labels = {r["l"].value for r in changed.store.query(
        'SELECT ?l WHERE { <https://w3id.org/paradiplo/id/omsk-oblast> <http://www.w3.org/2000/01/rdf-schema#label> ?l }')}
    assert "Omsk Province" in labels and "Omsk Region" not in labels


def test_exports_from_a_reused_store_equal_exports_from_the_records(small_dir, tmp_path):
    fresh = open_graph(small_dir)
    open_graph(small_dir, store=tmp_path / "s")
    reused = open_graph(small_dir, store=tmp_path / "s")
    assert reused.nquads == fresh.nquads
    assert serialize(reused.quads, "trig") == serialize(fresh.quads, "trig")


def test_invalid_data_leave_the_earlier_store_untouched(runner, small_dir, tmp_path):
    store = tmp_path / "store"
    assert runner.invoke(cli, ["stats", "--data", str(small_dir), "--store", str(store)]).exit_code == 0
    before = (store / "paradiplo-store.json").read_bytes()
    paper = small_dir / "paper-a.yaml"
    paper.write_text(paper.read_text(encoding="utf-8").replace("2015-03-16", "2015-02-30"), encoding="utf-8")
    result = runner.invoke(cli, ["stats", "--data", str(small_dir), "--store", str(store)])
    assert result.exit_code == 1 and "impossible date" in result.output
    assert (store / "paradiplo-store.json").read_bytes() == before


def test_cli_commands_agree_with_and_without_a_store(runner, tmp_path):
    plain = runner.invoke(cli, ["centrality", "--format", "json"]).stdout
    built = runner.invoke(cli, ["centrality", "--format", "json", "--store", str(tmp_path / "s")]).stdout
    reused = runner.invoke(cli, ["centrality", "--format", "json", "--store", str(tmp_path / "s")]).stdout
    assert plain == built == reused and plain.startswith("[")


def _fresh_cache():
    import tempfile

    return tempfile.mkdtemp(prefix="paradiplo-cache.")


def _shacl_says(monkeypatch, problems):
    """Make SHACL report ``problems`` (data files cannot easily break only SHACL) and count calls."""
    import graph.validate

    calls = []
    monkeypatch.setenv("PARADIPLO_CACHE", str(_fresh_cache()))

    def fake(dataset, quads=None, scope=None, engine="oxigraph"):
        calls.append(1)
        return list(problems)
    monkeypatch.setattr(graph.validate, "check_shacl", fake)
    return calls


def test_every_command_refuses_data_that_only_shacl_rejects(monkeypatch, small_dir, runner, tmp_path):
    from graph import InvalidData, Problem

    bad = Problem("shacl", "paper-a.yaml", 3, "omsk-oblast", "label", "SHACL: a made-up violation")
    _shacl_says(monkeypatch, [bad])
    with pytest.raises(InvalidData, match="made-up violation"):
        open_graph(small_dir)
    for args in (["stats"], ["build"], ["centrality"], ["report", "-o", str(tmp_path / "r")],
                 ["stats", "--store", str(tmp_path / "s")]):
        result = runner.invoke(cli, [*args, "--data", str(small_dir)])
        assert result.exit_code == 1 and "made-up violation" in result.output, args
    assert runner.invoke(cli, ["validate", "--data", str(small_dir)]).exit_code == 1
    assert not (tmp_path / "s" / "oxigraph").exists() and not (tmp_path / "r").exists()


def test_the_shacl_verdict_is_computed_once_per_change(monkeypatch, small_dir):
    calls = _shacl_says(monkeypatch, [])
    open_graph(small_dir)
    open_graph(small_dir)
    assert len(calls) == 1  # the second time the cached verdict stands
    (small_dir / "paper-a.yaml").write_text((small_dir / "paper-a.yaml").read_text(encoding="utf-8") + "\n",
                                            encoding="utf-8")
    open_graph(small_dir)
    assert len(calls) == 2  # the data changed: SHACL runs again


def test_a_graph_read_from_a_store_gives_the_same_nquads_as_its_records(tmp_path):
    """The N-Quads of a store (each named graph written out by Oxigraph, sorted) are those of the
    records it was built from, byte for byte."""
    from graph import open_graph
    from graph.store import KnowledgeGraph

    built = open_graph(SMALL, store=tmp_path / "store")
    reused = open_graph(SMALL, store=tmp_path / "store")
    assert reused._parts is None and reused.nquads == built.nquads
    assert KnowledgeGraph(store=built.store).nquads == built.nquads
