"""``paradiplo draft``: candidate records from a paper's text, kept out of the graph until curated.

The paper is tests/fixtures/draft/paper.md, a synthetic fixture (not a source) written in the
style of the seeds; actors are recognised against the small fixture dataset.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest
import rdflib
import yaml

from cli import cli
from graph import draft as draft_module
from graph.draft import dates_in, paragraphs
from graph.load import load_dataset
from graph.quotes import Text
from graph.validate import validate

from .conftest import HERE, SMALL, requires

PAPER = HERE / "fixtures" / "draft" / "paper.md"
NATASHA = requires(importlib.util.find_spec("natasha") is not None,
                   "natasha is not installed: pip install -e '.[test]' (or '.[draft]')")


@pytest.mark.parametrize("sentence, dates", [
    ("подписан 16.03.2015 г.", ["2015-03-16"]),
    ("подписан 16 марта 2015 года", ["2015-03-16"]),
    ("в сентябре 2019 года прошел форум", ["2019-09"]),
    ("в мае 2020 г.", ["2020-05"]),
    ("в 2018 г. и в 2021–2022 гг.", ["2018", "2021/2022"]),
    ("31.02.2015 — нет такого дня; страница 2015", []),
])
def test_dates_are_found_as_edtf(sentence, dates):
    assert [d for _, _, d in dates_in(sentence)] == dates


def test_paragraphs_are_located_by_heading_and_number_and_the_bibliography_is_left_out():
    found = paragraphs(PAPER.read_text(encoding="utf-8"))
    assert [p.locator for p in found][-4:] == ["Результаты ¶2", "Результаты ¶3", "Обсуждение ¶1", "Обсуждение ¶2"]
    assert found[0].locator.startswith("¶1")  # the comment before any heading: numbered in the text
    assert not any("Иванов" in p.text for p in found)  # ЛИТЕРАТУРА is skipped


def _with_draft(small_dir, record: str) -> None:
    (small_dir / "paper-a-drafts.yaml").write_text(f"source: paper-a\nactors:\n{record}", encoding="utf-8")


DRAFT_ACTOR = ("- id: petropavlovsk\n  type: City\n  label: {en: Petropavlovsk, ru: Петропавловск}\n"
               "  country: kazakhstan\n  draft: true\n"
               "  evidence:\n    - {locator: Результаты, quote: Петропавловск}\n")


def test_a_draft_is_read_counted_and_kept_out_of_the_graph_until_the_flag_is_removed(small_dir, runner):
    _with_draft(small_dir, DRAFT_ACTOR)
    dataset = load_dataset(small_dir)
    assert "petropavlovsk" not in dataset.by_id and [e.record.id for e in dataset.drafts] == ["petropavlovsk"]
    report = validate(dataset)
    assert report.ok and report.drafts == 1
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 0 and "1 drafts remain" in result.stderr
    result = runner.invoke(cli, ["stats", "--data", str(small_dir), "--format", "json"])
    actors = yaml.safe_load(result.stdout)["actors"]
    _with_draft(small_dir, DRAFT_ACTOR.replace("  draft: true\n", ""))  # the curator removes the flag
    assert "petropavlovsk" in load_dataset(small_dir).by_id
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 0 and "drafts remain" not in result.stderr
    result = runner.invoke(cli, ["stats", "--data", str(small_dir), "--format", "json"])
    assert yaml.safe_load(result.stdout)["actors"] == actors + 1


def test_a_draft_must_still_be_a_well_formed_record(small_dir, runner):
    _with_draft(small_dir, DRAFT_ACTOR.replace("type: City", "type: Town"))
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 1 and "petropavlovsk: type" in result.stderr
    _with_draft(small_dir, DRAFT_ACTOR.replace("draft: true", "draft: maybe"))
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 1 and "paper-a-drafts.yaml:7: petropavlovsk: draft: Input should be a valid boolean" \
        in result.stderr


def test_without_the_extra_the_cli_says_how_to_install_it(runner, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "natasha", None)  # import natasha now raises ImportError
    draft_module._pipeline.cache_clear()
    try:
        result = runner.invoke(cli, ["draft", str(PAPER), "--source", "paper-c", "--data", str(SMALL),
                                     "-o", str(tmp_path / "out.yaml")])
    finally:
        draft_module._pipeline.cache_clear()
    assert result.exit_code == 1
    assert "pip install 'paradiplo[draft]'" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("draft") / "paper-c.yaml"
    result = CliRunner().invoke(cli, ["draft", str(PAPER), "--source", "paper-c", "--data", str(SMALL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))


def _records(data):
    return {r["id"]: r for kind in ("actors", "agreements", "forums") for r in data.get(kind) or []}


@NATASHA
def test_known_actors_are_found_in_any_case_and_new_ones_by_ner(drafted):
    _, data = drafted
    ids = [r["id"] for r in data["actors"]]
    # "Правительством Омской области", "Северо-Казахстанской областью": known, by their ids, no label
    for known in ("omsk-oblast", "omsk-oblast-government", "pavlodar-oblast", "north-kazakhstan-oblast", "russia"):
        assert known in ids and "label" not in _records(data)[known]
    person = _records(data)["aleksandr-burkov"]
    assert (person["type"], person["label"]) == ("Person", {"ru": "Александр Бурков"})
    university = next(r for r in data["actors"] if r.get("label", {}).get("ru", "").startswith("Омский государственный"))
    assert university["label"]["ru"] == "Омский государственный технический университет"  # dictionary form


@NATASHA
def test_agreements_and_forums_come_with_signatories_dates_and_their_sentence(drafted):
    _, data = drafted
    [memo] = [a for a in data["agreements"] if a["type"] == "Memorandum"]
    assert memo["signatories"] == ["omsk-oblast-government", "pavlodar-oblast"] and memo["date"] == "2015-03-16"
    assert memo["evidence"][0]["locator"] == "Результаты ¶2"
    forum = next(f for f in data["forums"] if f["type"] == "ForumEdition" and "date" in f)
    assert forum["date"] == "2019-09" and "north-kazakhstan-oblast" in forum["participants"]
    visit = next(f for f in data["forums"] if f["type"] == "DelegationVisit")
    assert visit["date"] == "2021/2022"  # the date nearest "Визит", not the sentence's first


@NATASHA
def test_every_candidate_is_a_draft_with_a_verbatim_quote_and_none_comes_from_the_bibliography(drafted):
    _, data = drafted
    text = Text(PAPER.read_text(encoding="utf-8"))
    for record in _records(data).values():
        assert record["draft"] is True
        [evidence] = record["evidence"]
        assert text.contains(evidence["quote"]) and evidence["locator"]
        assert "Иванов" not in evidence["quote"]


@NATASHA
def test_the_draft_is_a_valid_data_file_and_curated_records_enter_the_graph(drafted, small_dir, runner):
    out, data = drafted
    (small_dir / "sources.yaml").write_text((SMALL / "sources.yaml").read_text(encoding="utf-8") +
                                            "  - id: paper-c\n    title: {en: Synthetic fixture}\n    language: ru\n"
                                            "    text: paper-c.md\n", encoding="utf-8")
    (small_dir / "paper-c.md").write_text(PAPER.read_text(encoding="utf-8"), encoding="utf-8")
    (small_dir / "paper-c.yaml").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    n = len(_records(data))
    result = runner.invoke(cli, ["validate", "--data", str(small_dir)])
    assert result.exit_code == 0 and f"{n} drafts remain" in result.stderr, result.stderr
    [memo] = [a for a in data["agreements"] if a["type"] == "Memorandum"]
    del memo["draft"]
    memo["label"]["en"] = "Omsk–Pavlodar memorandum"
    (small_dir / "paper-c.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    dataset = load_dataset(small_dir)
    assert memo["id"] in dataset.by_id and len(dataset.drafts) == n - 1
    report = validate(dataset)  # the quote is checked against the paper's text
    assert report.ok, [str(p) for p in report.problems]
    # ... and the curated record reaches the report (the README's worked example), the drafts do not
    out_dir = small_dir.parent / "report"
    result = runner.invoke(cli, ["report", "--data", str(small_dir), "-o", str(out_dir)])
    assert result.exit_code == 0, result.output
    graph = rdflib.Dataset(default_union=True)
    graph.parse(out_dir / "dataset.trig", format="trig")
    subjects = {str(s).rsplit("/id/", 1)[-1] for s in graph.subjects(unique=True)}
    still_drafts = [i for i, r in _records(data).items() if r.get("draft") and i not in dataset.by_id]
    assert memo["id"] in subjects and still_drafts and not subjects & set(still_drafts)
    assert "Omsk–Pavlodar memorandum" in (out_dir / "map.html").read_text(encoding="utf-8")


@NATASHA
def test_the_draft_is_the_same_on_every_run(drafted, runner, tmp_path):
    out, _ = drafted
    result = runner.invoke(cli, ["draft", str(PAPER), "--source", "paper-c", "--data", str(SMALL)])
    assert result.stdout == out.read_text(encoding="utf-8")
