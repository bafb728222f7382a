"""The persistent store: built once, reused while the data are unchanged, rebuilt when they change."""

from __future__ import annotations

from cli import cli
from graph import open_graph
from graph.rdf import serialize
from graph.summary import stats


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
