"""The data side of the adversarial audit: what a hostile data folder must not be able to do.

Injected quads through language tags, ids that only look checked, figures that are not
numbers, control and bidi characters, YAML bombs and deep nesting, FIFOs and symbolic
links, cascades of problems after one syntax error, look-alike names. Every case must end
in a located problem (``FILE:LINE: …``), never in a traceback, a hang or a swollen process.

New names are imported inside the tests, so that each test fails on its own on code
without the fix.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import InvalidData, Problem, open_graph
from graph.load import load_dataset
from graph.records import Actor, Evidence
from graph.validate import validate

from .conftest import edit, line_of, validate_cli

ROOT = Path(__file__).resolve().parents[1]
PD = "https://w3id.org/paradiplo/ontology#"




def _problem_lines(output: str) -> list[tuple[str, int]]:
    """(file name, line) of every problem the CLI printed, in order."""
    return [(Path(m.group(1)).name, int(m.group(2))) for m in re.finditer(r"^(\S+?\.ya?ml):(\d+): ", output, re.M)]


# ------------------------------------------------------------------ 1. quads injected through language tags

PLANTED = ('ru <https://w3id.org/paradiplo/graph/paper-b> .\\n'
           '<https://w3id.org/paradiplo/id/omsk-nko-memorandum> <https://w3id.org/paradiplo/ontology#date> '
           '\\"2001-01-01\\"^^<http://www.w3.org/2001/XMLSchema#date> <https://w3id.org/paradiplo/graph/paper-a> .\\n'
           '<https://w3id.org/paradiplo/id/x> <https://w3id.org/paradiplo/ontology#x> \\"x\\"@ru')


def test_evidence_lang_cannot_plant_a_claim_in_another_papers_graph(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, '    evidence: [{locator: "Results", quote: "agreement of 2007"}]',
          f'    evidence: [{{locator: "Results", quote: "agreement of 2007", lang: "{PLANTED}"}}]')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "agreement of 2007")
    assert f"paper-b.yaml:{line}: omsk-pavlodar-agreement: evidence[0].lang: " in result.output
    assert "is not a language tag" in result.output
    with pytest.raises(InvalidData):
        open_graph(small_dir)


def test_a_language_with_a_space_is_a_located_problem(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, '{locator: "Results", quote: "Omsk region"}', '{locator: "Results", quote: "Omsk region", lang: en GB}')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "lang: en GB")
    assert f"paper-b.yaml:{line}: omsk-oblast: evidence[0].lang: 'en GB' is not a language tag" in result.output


def test_a_sources_language_is_checked_where_it_is_written(runner, small_dir):
    sources = small_dir / "sources.yaml"
    edit(sources, "    language: en", '    language: "en> . } ; DROP ALL ; INSERT DATA { <a> <b> <c"')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(sources, "DROP ALL")
    assert f"sources.yaml:{line}: paper-b: language: " in result.output and "is not a language tag" in result.output
    # one bad source does not hide the others: paper-a's records still know their source
    assert "no source 'paper-a'" not in result.output


@pytest.mark.parametrize("where, old, new", [
    ("paper-b.yaml", "label: {en: Omsk Region}", "label: {en-abcdefghi: Omsk Region}"),  # subtag of 9
    ("paper-b.yaml", "label: {en: Omsk Region}", 'label: {en: Omsk Region, "ru> .": x}'),
    ("paper-a.yaml", "    period: 2022\n", '    period: 2022\n    category: {"ru DROP ALL": Машины}\n'),
    ("sources.yaml", "title: {en: Paper B}", 'title: {"en\\"@": Paper B}'),
])
def test_every_language_key_is_a_language_tag(runner, small_dir, where, old, new):
    edit(small_dir / where, old, new)
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1, result.output
    assert f"{where}:" in result.output and "is not a language tag" in result.output


VALID_TAGS = ["en", "EN", "ru", "kk", "en-GB", "zh-Hant-TW", "sr-Latn-RS", "de-CH-1901", "es-419", "x-private",
              "kk-Cyrl-KZ", "en-a-bbb-x-c", "qaa-Qaaa-QM-x-southern", "zh-yue-HK"]
INVALID_TAGS = ["en GB", "en_GB", "e", "en-", "-en", "en--ltr", "en-abcdefghi", "123", "en@x", 'ru" .', "ru>",
                "\u212aa", "enﬀ", "ru\u0000", "a" * 65, "en-GB-", "x", "en-x"]


@pytest.mark.parametrize("tag", VALID_TAGS)
def test_well_formed_tags_are_accepted_lowercased_as_oxigraph_stores_them(tag):
    ev = Evidence(locator="p. 1", quote="x", lang=tag)
    assert ev.lang == tag.lower() == ox.Literal("x", language=tag).language


@pytest.mark.parametrize("tag", INVALID_TAGS)
def test_malformed_tags_are_refused(tag):
    with pytest.raises(ValueError, match="is not a language tag"):
        Evidence(locator="p. 1", quote="x", lang=tag)
    from graph.records import check_language

    with pytest.raises(ValueError):
        check_language(tag)


def test_the_quad_writer_refuses_what_the_models_would_have_refused():
    """Records built without validation (model_construct) still cannot inject anything."""
    from graph.load import Entry
    from graph.rdf import graph_iri, iri, record_quads

    bad = Evidence.model_construct(locator="p", quote="q", lang="ru> . <x> <y> <z")
    actor = Actor.model_construct(id="zz-a", evidence=[bad])
    with pytest.raises(ValueError, match="language tag"):
        record_quads(Entry("actors", actor, "paper-a", "x.yaml", 1))
    plain = Actor.model_construct(id="zz-a", evidence=[Evidence.model_construct(locator="p", quote="q", lang=None)])
    with pytest.raises(ValueError, match="language tag"):
        record_quads(Entry("actors", plain, "paper-a", "x.yaml", 1), language="en GB")
    assert record_quads(Entry("actors", plain, "paper-a", "x.yaml", 1), language="en")  # the same, well formed
    for bad_id in ("zz-a\n", "a b", "x> <y", "Omsk", ""):
        with pytest.raises(ValueError):
            iri(bad_id)
        with pytest.raises(ValueError):
            graph_iri(bad_id)


# ------------------------------------------------------------------ 2. ids: the whole string, everywhere

def test_ids_are_matched_whole():
    from graph.records import is_id

    assert is_id("zz-a") and not is_id("zz-a\n") and not is_id("\nzz-a") and not is_id("zz-a-")


@pytest.mark.parametrize("field, value", [("country", "rus sia"), ("located_in", "omsk>"), ("part_of", ["a\nb"]),
                                          ("country", "Russia")])
def test_every_reference_is_an_id(field, value):
    with pytest.raises(ValueError, match="not a valid id"):
        Actor.model_validate({"id": "zz-a", field: value})


# ------------------------------------------------------------------ 3. figures must be finite

@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "1e400", "-1e400"])
def test_non_finite_figures_are_refused_with_the_field_named(runner, small_dir, value):
    paper = small_dir / "paper-a.yaml"
    edit(paper, "    value: 402.1", f"    value: {value}")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, f"value: {value}")
    assert f"paper-a.yaml:{line}: omsk-kz-trade-2022: value: " in result.output and "finite" in result.output


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_coordinates_are_finite_too(value):
    from graph.records import Coordinates

    with pytest.raises(ValueError):
        Coordinates(lat=value, lon=0)


# ------------------------------------------------------------------ 4. control, bidi and escape characters

@pytest.mark.parametrize("old, new, needle, message", [
    ("label: {en: Omsk Region}", r'label: {en: "Omsk \e[31mRegion"}', "Omsk \\e", "U+001B is not allowed in a label"),
    ("label: {en: Omsk Region}", r'label: {en: "Omsk\x7f"}', "Omsk\\x7f", "U+007F is not allowed in a label"),
    ("label: {en: Omsk Region}", r'label: {en: "Omsk \NRegion"}', "Omsk \\N", "U+0085 is not allowed in a label"),
    ("label: {en: Omsk Region}", r'label: {en: "Omsk\nRegion"}', "Omsk\\nRegion",
     "U+000A is not allowed in a label; write it on one line"),
    ("label: {en: Omsk Region}", r'label: {en: "Omsk \LRegion"}', "Omsk \\L", "U+2028 is not allowed in a label"),
    ('quote: "Omsk region"', r'quote: "Omsk \u202Enoiger"', "noiger", "U+202E is not allowed in a quote"),
    ('quote: "Omsk region"', r'quote: "Omsk \u2066region"', "2066region", "U+2066 is not allowed in a quote"),
    ('locator: "Results", quote: "Omsk region"', r'locator: "Res\0ults", quote: "Omsk region"', "Res\\0ults",
     "U+0000 is not allowed in a locator"),
    ("label: {en: Omsk Region}", 'label: {en: Omsk Region}\n    note: "a\\x9bb"', "a\\x9bb",
     "U+009B is not allowed in a note"),
])
def test_control_and_bidi_characters_are_refused_with_field_and_code_point(runner, small_dir, old, new, needle,
                                                                           message):
    paper = small_dir / "paper-b.yaml"
    edit(paper, old, new)
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1, result.output
    assert f"paper-b.yaml:{line_of(paper, needle)}: omsk-oblast: " in result.output
    assert message in result.output


def test_lone_surrogates_are_refused():
    """libyaml refuses an escaped surrogate itself; the models refuse one from anywhere else."""
    with pytest.raises(ValueError, match="string"):
        Actor(id="zz-a", label={"en": "x\ud800"})
    from graph.records import check_text

    with pytest.raises(ValueError, match="U\\+D800 is not allowed in a label"):
        check_text("x\ud800", "label")


def test_notes_may_hold_tabs_and_line_breaks(runner, small_dir):
    edit(small_dir / "paper-b.yaml", "label: {en: Omsk Region}", 'label: {en: Omsk Region}\n    note: "one\\ttwo\\nthree"')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 0, result.output
    entry = next(e for e in load_dataset(small_dir).entries if e.record.id == "omsk-oblast" and e.record.note)
    assert entry.record.note == "one\ttwo\nthree"


def test_titles_and_authors_are_checked_too(runner, small_dir):
    sources = small_dir / "sources.yaml"
    edit(sources, "title: {en: Paper B}", r'title: {en: "Paper \e]0;owned\aB"}')
    edit(sources, "authors: [Smith J.]", r'authors: ["Smith\u202e J."]')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    assert "U+001B is not allowed in a title" in result.output
    assert "U+202E is not allowed in an author's name" in result.output


def test_problems_never_print_raw_control_characters(runner, small_dir):
    edit(small_dir / "paper-b.yaml", "  - id: omsk-oblast", '  - id: "omsk\\e]0;owned\\a\\u202e"')
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
    assert "omsk\\x1b]0;owned\\x07\\u202e" in result.output


# ------------------------------------------------------------------ 5. hostile YAML: fast, bounded, located

HOSTILE_SCRIPT = r"""
import json, resource, sys, time
limit = 1 << 30  # 1 GiB of address space: a bomb or a read of /dev/zero dies here, not on the machine
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from graph.load import load_dataset
from graph.validate import validate
start = time.perf_counter()
report = validate(load_dataset(sys.argv[1]), shacl=False)
print(json.dumps({"seconds": time.perf_counter() - start, "exit": report.exit_code,
                  "problems": [str(p) for p in report.problems]}))
"""


def _run_hostile(data: Path, script: str = HOSTILE_SCRIPT, timeout: float = 60) -> dict:
    try:
        proc = subprocess.run([sys.executable, "-c", script, str(data)], cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {timeout} s")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, (proc.returncode, proc.stderr[-2000:])
    return json.loads(proc.stdout)


def _laughs(levels: int = 9) -> str:
    lines = ["source: paper-b", "actors:", "  - id: zz-bomb", "    type: Region", "    label: {en: Bomb}",
             '    evidence: [{locator: "1", quote: "x"}]', "    note: &l0 lol"]
    for n in range(1, levels + 1):
        lines.append(f"    x{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _merge_bomb(levels: int = 9) -> str:
    lines = ["source: paper-b", "m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(9)) + "}"]
    for n in range(1, levels + 1):
        lines.append(f"m{n}: &m{n} {{" + ", ".join(f"k{i}: {{<<: *m{n - 1}}}" for i in range(9)) + "}")
    return "\n".join(lines) + "\n"


def _nested(depth: int, flow: bool) -> str:
    if flow:
        return "source: paper-b\nx: " + "[" * depth + "]" * depth + "\n"
    return "source: paper-b\n" + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


HOSTILE_FILES = {  # name → (content, line of the problem, words of the message)
    "billion-laughs": (_laughs(), 13, "expands to more than 200,000 YAML nodes (aliases *name repeat"),
    "merge-bomb": (_merge_bomb(), 7, "expands to more than 200,000 YAML nodes (aliases *name repeat"),
    "recursive-alias": ("source: paper-b\nx: &a [1, [2, *a]]\n", 2, "alias *a refers to a node that contains it"),
    "deep-flow": (_nested(100_000, flow=True), 2, "nested deeper than 64 levels"),
    "deep-block": (_nested(65, flow=False), 66, "nested deeper than 64 levels"),
    "deep-alias": ("source: paper-b\na: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n", 3,
                   "alias *a nests deeper than 64 levels"),
    "long-scalar": ("source: paper-b\nnote: " + "x" * 100_001 + "\n", 2, "a scalar of 100,001 characters"),
    "long-key": ("source: paper-b\n? " + "k" * 100_001 + "\n: v\n", 2, "a scalar of 100,001 characters"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_yaml_fails_fast_located_and_bounded(small_dir, name):
    content, line, words = HOSTILE_FILES[name]
    (small_dir / f"zz-{name}.yaml").write_text(content, encoding="utf-8")
    out = _run_hostile(small_dir)
    assert out["exit"] == 2, out
    mine = [p for p in out["problems"] if f"zz-{name}.yaml:" in p]
    assert any(f"zz-{name}.yaml:{line}: -: -: {words}" in p for p in mine), mine
    assert out["seconds"] < 1.0, out["seconds"]


def test_limits_are_not_hit_by_ordinary_nesting_and_aliases(small_dir):
    from graph.load import MAX_DEPTH

    ok = "source: paper-b\nx: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    (small_dir / "zz-ok.yaml").write_text(ok, encoding="utf-8")
    problems = [str(p) for p in validate(load_dataset(small_dir), shacl=False).problems]
    assert problems == [p for p in problems if "unknown section" in p], problems


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(small_dir):
    big = small_dir / "zz-huge.yaml"
    with big.open("wb") as f:
        f.truncate(1 << 30)  # sparse: 1 GiB that costs nothing, unless someone reads it
    out = _run_hostile(small_dir)
    assert out["exit"] == 2
    assert any("zz-huge.yaml:1: -: -: 1,073,741,824 bytes: larger than the limit of 52,428,800 bytes" in p
               for p in out["problems"]), out["problems"]
    assert out["seconds"] < 1.0


def test_merge_keys_are_not_duplicate_keys(runner, small_dir):
    (small_dir / "zz-merge.yaml").write_text(
        "source: paper-b\n"
        "actors:\n"
        "  - &base\n"
        "    id: zz-one\n"
        "    type: Region\n"
        "    label: {en: Zz One}\n"
        '    evidence: [{locator: "1", quote: "zz"}]\n'
        "  - <<: *base\n"
        "    id: zz-two\n"
        "    label: {en: Zz Two}\n", encoding="utf-8")
    result = validate_cli(runner, small_dir)
    assert "appears twice" not in result.output and result.exit_code == 0, result.output
    two = next(e for e in load_dataset(small_dir).entries if e.record.id == "zz-two")
    assert two.record.label == {"en": "Zz Two"} and two.record.type.value == "Region" and two.line == 8


# ------------------------------------------------------------------ 6. where problems are, and in what order

def test_a_nul_byte_is_reported_at_its_line_and_column(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, "    label: {en: Omsk Region}", "    label: {en: Omsk\x00 Region}")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    line = line_of(paper, "Omsk\x00")
    column = paper.read_text(encoding="utf-8").splitlines()[line - 1].index("\x00") + 1
    assert line > 1 and column > 1
    assert f"paper-b.yaml:{line}: -: -: U+0000 at column {column}: YAML does not allow this character" in result.output


def test_a_syntax_error_does_not_cascade_into_other_files(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, "    label: {en: Omsk Region}", "    label: {en: Omsk Region")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    printed = [l for l in result.output.splitlines() if re.match(r"\S+\.yaml:\d+: ", l)]
    assert len(printed) == 2, printed  # not a word about references into paper-b from the other files
    assert "paper-b.yaml:" in printed[0] and "YAML syntax error: did not find expected ',' or '}'" in printed[0]
    assert "were not checked, since this file could not be read" in printed[1]


def test_an_unreadable_bibliography_does_not_blame_every_file(runner, small_dir):
    edit(small_dir / "sources.yaml", "  - id: paper-b", "  - id: [paper-b")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    assert "no source" not in result.output and "sources.yaml:" in result.output


def test_problems_are_sorted_by_file_then_line(runner, small_dir):
    edit(small_dir / "paper-a.yaml", "    hosts: [omsk-oblast]", "    hosts: [omsk]")  # unknown-reference, late
    edit(small_dir / "paper-a.yaml", "    date: 2015-03-16", "    date: 2015-02-30")  # bad-date, early
    edit(small_dir / "paper-b.yaml", "    label: {en: Omsk Region}", "    label: {en: Omsk Region}\n    colour: red")
    edit(small_dir / "general-knowledge.yaml", "    coordinates: {lat: 54.9885, lon: 73.3242}",
          "    coordinates: {lat: 54.9885, lon: 73.3242}\n    colour: blue")
    result = validate_cli(runner, small_dir)
    where = _problem_lines(result.output)
    assert len(where) == 4 and where == sorted(where), where
    a, b = Problem("x-code", "a.yaml", 9, "", "", "m"), Problem("a-code", "b.yaml", 1, "", "", "m")
    assert sorted([b, a]) == [a, b] and InvalidData([b, a]).problems == [a, b]


# ------------------------------------------------------------------ 7. what the data folder holds

def test_yml_files_are_read_like_yaml_files(runner, small_dir):
    (small_dir / "paper-c.yml").write_text("source: paper-b\nactors:\n  - id: zz-yml\n    colour: red\n",
                                           encoding="utf-8")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    assert "paper-c.yml:4: zz-yml: colour: unknown field" in result.output


def test_the_store_fingerprint_sees_yml_files(small_dir):
    from graph.store import _fingerprint

    extra = small_dir / "paper-c.yml"
    extra.write_text("source: paper-b\n", encoding="utf-8")
    before = _fingerprint(small_dir)
    extra.write_text("source: paper-a\n", encoding="utf-8")
    assert _fingerprint(small_dir) != before


def test_a_symlink_out_of_the_folder_is_refused(runner, small_dir, tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("source: paper-b\nactors:\n  - {id: zz-outside, type: Region, label: {en: X}}\n",
                       encoding="utf-8")
    (small_dir / "zz-link.yaml").symlink_to(outside)
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    assert "zz-link.yaml:1: -: -: a symbolic link to" in result.output and "outside the data folder" in result.output
    assert "zz-outside" not in {e.record.id for e in load_dataset(small_dir).entries}


def test_a_symlink_inside_the_folder_is_followed(small_dir):
    (small_dir / "sub").mkdir()
    (small_dir / "sub" / "real.yaml").write_text(
        "source: paper-b\nactors:\n  - id: zz-inside\n    type: Region\n    label: {en: Zz Inside}\n"
        '    evidence: [{locator: "1", quote: "zz"}]\n', encoding="utf-8")
    (small_dir / "zz-link.yaml").symlink_to(small_dir / "sub" / "real.yaml")
    assert validate(load_dataset(small_dir), shacl=False).problems == []


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_only_regular_files_are_read(runner, small_dir, kind):
    target = small_dir / f"zz-{kind}.yaml"
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    out = _run_hostile(small_dir, timeout=30)
    assert out["exit"] == 2
    assert any(f"zz-{kind}.yaml:1: -: -: a {kind.upper() if kind == 'fifo' else kind}, not a regular file" in p
               for p in out["problems"]), out["problems"]


STORE_SCRIPT = r"""
import resource, sys
limit = 1 << 30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from graph import InvalidData, open_graph
try:
    open_graph(sys.argv[1], store=sys.argv[1] + "-store")
except InvalidData as exc:
    print(exc.exit_code, exc)
"""


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_building_a_store_neither_hangs_nor_swells_on_special_files(small_dir, kind):
    target = small_dir / f"zz-{kind}.yaml"
    os.mkfifo(target) if kind == "fifo" else target.symlink_to("/dev/zero")
    try:
        proc = subprocess.run([sys.executable, "-c", STORE_SCRIPT, str(small_dir)], cwd=ROOT, capture_output=True,
                              text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("open_graph(store=...) hung on a special file")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stdout.startswith("2 ") and f"zz-{kind}.yaml:1:" in proc.stdout


# ------------------------------------------------------------------ 8. Unicode: one form, look-alikes flagged

def test_text_is_normalised_to_nfc_on_load(small_dir):
    decomposed = "Омск Регион И\u0306"
    edit(small_dir / "paper-b.yaml", "label: {en: Omsk Region}", f"label: {{en: Omsk Region, ru: {decomposed}}}")
    kg = open_graph(small_dir)
    labels = {q.object.value for q in kg.quads if isinstance(q.object, ox.Literal) and q.object.language == "ru"}
    assert unicodedata.normalize("NFC", decomposed) in labels and decomposed not in labels


@pytest.mark.parametrize("first, second", [("Омск", "Oмск"), ("Omsk City", "Ｏmsk City"), ("Павлодар", "Пaвлодар")])
def test_look_alike_labels_of_two_records_are_a_warning(runner, small_dir, first, second):
    (small_dir / "zz-look.yaml").write_text(yaml.safe_dump({"source": "paper-b", "actors": [
        {"id": "zz-first", "type": "City", "label": {"en": "First", "ru": first},
         "evidence": [{"locator": "1", "quote": "zz"}]},
        {"id": "zz-second", "type": "City", "label": {"en": "Second", "ru": second},
         "evidence": [{"locator": "1", "quote": "zz"}]}]}, allow_unicode=True), encoding="utf-8")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 0, result.output
    assert "zz-look.yaml:" in result.output and "zz-second: label: warning: " in result.output
    assert f"looks like {first!r} of 'zz-first'" in result.output
    report = validate(load_dataset(small_dir))
    assert report.ok and [p.code for p in report.problems] == ["confusable"] and report.shacl_checked
    open_graph(small_dir)  # a warning does not stop anything


def test_look_alike_ids_are_a_warning(small_dir):
    edit(small_dir / "paper-a.yaml", "    signed_at: forum-2019", "    signed_at: forum-2o19")
    edit(small_dir / "paper-a.yaml", "  - id: forum-2019", "  - id: forum-2o19")
    (small_dir / "zz-ids.yaml").write_text(
        "source: paper-b\nforums:\n  - id: forum-2019\n    type: Conference\n    label: {en: Another forum}\n"
        '    evidence: [{locator: "1", quote: "zz"}]\n', encoding="utf-8")
    problems = validate(load_dataset(small_dir), shacl=False).problems
    assert [(p.code, p.record, p.field) for p in problems] == [("confusable", "forum-2019", "id")], problems


def test_the_bundled_data_has_no_problem_and_no_warning():
    assert validate(load_dataset()).problems == []


# ------------------------------------------------------------------ 9. random text in every field

_SPECIAL = ("\x00\x01\x08\x0b\x1b\x7f\x85\x9b\t\n\r \"'\\<>@#&*!%{}[],:|-?^`_.\u00a0\u00ad\u061c\u200b\u200e"
            "\u202e\u2028\u2066\ufeff\ufffe\ud800\U0001f600ОмскИ\u0306ﬁＯ")
_HOSTILE = st.one_of(st.text(max_size=12), st.text(alphabet=_SPECIAL, min_size=1, max_size=12))
# mostly benign values, so that a hostile one usually meets an otherwise valid record
_TEXT = st.one_of(st.sampled_from(["x", "Омск", "a \"b\" <c> @d \\e"]), st.text(min_size=1, max_size=12), _HOSTILE)
_ALL_TAGS = st.one_of(st.sampled_from(["en", "ru", "kk", "en-GB", "sr-Latn"]),
                      st.from_regex(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,3}", fullmatch=True), _HOSTILE)
_IDS = st.one_of(st.sampled_from(["zz-a", "omsk"]), st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True),
                 _HOSTILE)


def _record(rid, texts: list[str], tags: list[str]) -> dict:
    return {"id": rid, "type": "Region", "label": {tags[0]: texts[0]}, "alt_labels": {tags[1]: [texts[1]]},
            "historical_labels": {tags[2]: [texts[2]]}, "note": texts[3],
            "evidence": [{"locator": texts[4], "quote": texts[5], "lang": tags[3]}]}


def _write(folder: Path, record: dict, language: str = "ru") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "sources.yaml").write_text(yaml.safe_dump({"sources": [
        {"id": "paper-p", "title": {"en": "P"}, "language": language}]}), encoding="utf-8")
    (folder / "paper-p.yaml").write_text(yaml.safe_dump({"source": "paper-p", "actors": [record]}, allow_unicode=True),
                                         encoding="utf-8")


def _quads(folder: Path):
    from graph.rdf import dataset_nquads, parse_nquads

    dataset = load_dataset(folder)
    report = validate(dataset, shacl=False)
    if not report.ok:
        return dataset, report, None
    return dataset, report, parse_nquads(dataset_nquads(dataset, ontology=False))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> int:
    folder = tmp_path_factory.mktemp("baseline")
    _write(folder, _record("zz-base", list("abcdef"), ["en", "ru", "kk", "en"]))
    dataset, report, quads = _quads(folder)
    assert report.problems == [] and quads
    return len(quads)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rid=_IDS, texts=st.lists(_TEXT, min_size=6, max_size=6), tags=st.lists(_ALL_TAGS, min_size=4, max_size=4),
       language=_ALL_TAGS)
def test_random_text_round_trips_exactly_or_is_refused_with_file_and_line(tmp_path, baseline, rid, texts, tags,
                                                                          language):
    folder = tmp_path / "p"
    _write(folder, _record(rid, texts, tags), language)
    dataset, report, quads = _quads(folder)
    if quads is None:  # refused: every problem located in a file that exists, at a line it has
        for p in report.problems:
            assert p.file and p.message and p.line >= 1, p
            assert p.line <= len((folder / Path(p.file).name).read_text(encoding="utf-8").splitlines()) + 1, p
        return
    raw = [unicodedata.normalize("NFC", t.strip()) for t in texts]  # what the models keep: stripped, NFC
    rec = dataset.entries[0].record
    assert (rec.id, rec.label, rec.note or "", rec.evidence[0].quote) == (rid.strip(), {tags[0].lower(): raw[0]},
                                                                           raw[3], raw[5])
    assert len(quads) == baseline - (raw[3] == "")  # never a quad more than the record makes (no note, no comment)
    expected = {(RDFS_LABEL, raw[0], tags[0].lower()), (SKOS_ALT, raw[1], tags[1].lower()),
                (PD + "historicalName", raw[2], tags[2].lower()), (PD + "locator", raw[4], None),
                (PD + "quote", raw[5], tags[3].lower()), (PD + "evidenceKind", "body", None)} | \
        ({(RDFS_COMMENT, raw[3], "en")} if raw[3] else set())
    mine = "https://w3id.org/paradiplo/id/" + rec.id
    for fmt in ("nq", "trig", "jsonld"):
        back = _round_trip(quads, fmt)
        assert back == set(quads), fmt
        got = {(q.predicate.value, q.object.value, q.object.language) for q in back
               if isinstance(q.object, ox.Literal) and q.subject.value.startswith(mine)
               and q.predicate.value != PD + "year"}
        assert got == expected, fmt
    assert {q.graph_name.value for q in quads} == {"https://w3id.org/paradiplo/graph/paper-p"}


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def _round_trip(quads, fmt: str) -> set:
    from graph.rdf import FORMATS, serialize

    data = serialize(quads, fmt)
    return set(ox.parse(data, format=FORMATS[fmt][0]))
