"""``paradiplo find``: actors by any of their names, in any language and grammatical case."""

from __future__ import annotations

import functools
import json
import re

import pytest

from cli import cli
from graph.find import find, index_lookup, search_index, word_forms
from graph.project import actors

from .conftest import SMALL


def _ids(store, text: str) -> list[tuple[str, str]]:
    return [(m.id, m.match) for m in find(store, text)]


@pytest.mark.parametrize("text, first", [
    ("Омской области", "omsk-oblast"),  # genitive of the label Омская область
    ("Павлодаре", "pavlodar"),  # locative of Павлодар
    ("Nur-Sultan", "astana"),  # a historical name, in English
    ("Нур-Султане", "astana"),  # the same, in Russian, locative
    ("Павлодар облысы", "pavlodar-oblast"),  # the Kazakh label
    ("OMSK OBLAST", "omsk-oblast"),  # case does not matter
    ("Семипалатинской области", "semipalatinsk-oblast"),
])
def test_the_issue_s_examples_find_the_right_actor_first_and_exactly(kg, text, first):
    assert _ids(kg.store, text)[0] == (first, "exact")


def test_a_match_carries_the_actor_s_type_country_and_sources_from_the_graph(kg):
    [astana] = find(kg.store, "Nur-Sultan")
    assert (astana.id, astana.type, astana.country, astana.name) == ("astana", "City", "kazakhstan", "Nur-Sultan")
    assert astana.sources == ("rustamova-calderon-2025", "general-knowledge")  # papers first
    info = actors(kg.store)["omsk-oblast"]
    omsk = find(kg.store, "Омская область")[0]
    assert (omsk.type, omsk.country, omsk.label) == (info["type"], info["country"], info["label"])
    assert [m.sources for m in find(kg.store, "Mangystau")] == [("general-knowledge",)]


def test_exact_matches_come_first_then_names_holding_every_word(small_kg):
    assert _ids(small_kg.store, "Омской области") == [("omsk-oblast", "exact"), ("omsk-oblast-government", "words")]
    assert _ids(small_kg.store, "правительства омской") == [("omsk-oblast-government", "words")]
    assert _ids(small_kg.store, "Omsk") == [("omsk-oblast", "words"), ("omsk-oblast-government", "words")]


def test_a_word_the_names_do_not_have_finds_nothing(small_kg):
    assert find(small_kg.store, "Томской области") == []
    assert find(small_kg.store, "Omsk Oblast Parliament") == []


def test_word_forms_are_the_word_and_its_russian_dictionary_forms():
    nur, sultan, omsk = word_forms("Нур-Султане, Омской")
    assert nur == {"нур"} and {"султане", "султан"} <= sultan and omsk == {"омской", "омский"}
    assert word_forms("Ёлкино") == [{"елкино"}]


def test_text_without_a_word_is_refused(small_kg, runner):
    with pytest.raises(ValueError, match="no word to look for"):
        find(small_kg.store, " – , ")
    result = runner.invoke(cli, ["find", " – ", "--data", str(SMALL)])
    assert result.exit_code == 2 and "no word to look for" in result.output


def test_the_cli_prints_what_the_library_finds(small_kg, runner):
    result = runner.invoke(cli, ["find", "Омской области", "--data", str(SMALL), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [m.to_dict() for m in find(small_kg.store, "Омской области")]
    table = runner.invoke(cli, ["find", "Омской области", "--data", str(SMALL)])
    assert table.stdout.splitlines()[1].split()[:5] == ["omsk-oblast", "Region", "russia", "paper-a,", "paper-b,"]
    assert "2 actor(s)" in table.stderr
    nothing = runner.invoke(cli, ["find", "Томск", "--data", str(SMALL)])
    assert nothing.exit_code == 0 and "0 actor(s)" in nothing.stderr


def _inflected(name: str, case: str) -> str:
    """``name`` with each Russian word put in grammatical ``case`` (as pymorphy3 inflects it)."""
    from graph.find import _morph

    morph = _morph()
    words = []
    for word in name.split():
        parse = morph.parse(word)[0]
        form = parse.inflect({case}) if re.search("[а-яё]", word.lower()) else None
        words.append(form.word if form else word)
    return " ".join(words)


@pytest.fixture(scope="module")
def bundled_index(kg):
    return search_index(kg.store)


def test_the_pages_index_finds_what_find_finds_in_every_case(kg, bundled_index, monkeypatch):
    """The index shipped in the pages, looked up as their script does (index_lookup), gives the same
    actors in the same order as `paradiplo find`, for every name of every actor in four cases."""
    import graph.find

    for name in ("actors", "_sources", "_names"):  # the same for every text: read once
        monkeypatch.setattr(graph.find, name, functools.lru_cache(maxsize=1)(getattr(graph.find, name)))
    names = sorted({name for _, name, _ in bundled_index["names"]})
    texts = sorted({_inflected(n, case) for n in names for case in ("gent", "datv", "ablt", "loct")} | set(names))
    assert len(texts) > 800
    for text in texts:
        assert index_lookup(bundled_index, text) == [m.id for m in find(kg.store, text)], text


@pytest.mark.parametrize("text, first", [("Омской области", "omsk-oblast"), ("Павлодаре", "pavlodar"),
                                         ("Nur-Sultan", "astana"), ("Нур-Султане", "astana")])
def test_the_issue_s_examples_through_the_pages_index(bundled_index, text, first):
    assert index_lookup(bundled_index, text)[0] == first


def test_the_index_lists_inflections_only_for_the_names_words_and_is_json(kg, bundled_index):
    index = search_index(kg.store, ["pavlodar"])
    assert {aid for aid, _, _ in index["names"]} == {"pavlodar"}
    assert index["forms"]["павлодаре"] == ["павлодар"] and "омской" not in index["forms"]
    assert json.loads(json.dumps(bundled_index, ensure_ascii=False)) == bundled_index
    assert list(bundled_index["forms"]) == sorted(bundled_index["forms"])
