"""Bad input: a clear FILE:LINE message, a non-zero exit, never a traceback, nothing clobbered."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import cli

from .conftest import edit, line_of, validate_cli


def test_yaml_syntax_error_names_file_and_line_and_exits_2(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, "    label: {en: Omsk Region}", "    label: {en: Omsk Region")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    assert "paper-b.yaml:" in result.output and "YAML syntax error" in result.output


def test_unknown_field_names_record_field_and_line(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    edit(paper, "    label: {en: Omsk Region}", "    label: {en: Omsk Region}\n    colour: red")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "colour: red")
    assert f"paper-b.yaml:{line}: omsk-oblast: colour: unknown field" in result.output


def test_wrong_type_names_the_field(runner, small_dir):
    paper = small_dir / "paper-a.yaml"
    edit(paper, "    number: 16", "    number: sixteen")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "number: sixteen")
    assert f"paper-a.yaml:{line}: forum-2019: number:" in result.output
    assert "integer" in result.output


def test_unknown_reference_suggests_the_closest_id(runner, small_dir):
    paper = small_dir / "paper-a.yaml"
    edit(paper, "    signatories: [omsk-oblast, north-kazakhstan-oblast]",
          "    signatories: [omsk-oblst, north-kazakhstan-oblast]")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "omsk-oblst")
    assert (f"paper-a.yaml:{line}: omsk-nko-memorandum: signatories: no record 'omsk-oblst'; "
            "did you mean 'omsk-oblast'?") in result.output


def test_duplicate_id_in_one_file_is_reported_with_both_lines(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    text = paper.read_text(encoding="utf-8")
    block = text[text.index("  - id: omsk-oblast"):text.index("  - id: pavlodar-oblast-akimat")]
    paper.write_text(text.replace(block, block + block.replace("Omsk Region}", "Omsk Region 2}"), 1),
                     encoding="utf-8")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    assert "omsk-oblast: id: id already used in this file at line" in result.output


def test_impossible_date_is_explained(runner, small_dir):
    paper = small_dir / "paper-a.yaml"
    edit(paper, "    date: 2015-03-16", "    date: 2015-02-30")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    line = line_of(paper, "2015-02-30")
    assert f"paper-a.yaml:{line}: omsk-pavlodar-agreement: date: impossible date 2015-02-30" in result.output
    assert _codes(small_dir) == ["bad-date"]


def test_end_before_start_is_a_bad_date_too(runner, small_dir):
    edit(small_dir / "paper-a.yaml", "    date: 2019-11-07", "    date: 2019-11-07\n    end_date: 2019-11-01")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 1
    assert "forum-2019: end_date: ends (2019-11-01) before it starts (2019-11-07)" in result.output
    assert _codes(small_dir) == ["bad-date"]


DATE_FORMS = ("YYYY, YYYY-MM or YYYY-MM-DD, or EDTF such as 2024~ (about), 2019? (uncertain), 2022/2025 (interval), "
              "../2024 (before) or 2024/.. (from)")


@pytest.mark.parametrize("old, new, message", [
    ("    date: 2019-11-07", "    date: 2019-11-07\n    end_date: 2019-11-31", "impossible date 2019-11-31: 2019-11 has 30 days"),
    ("    date: 2015-03-16", "    date: 16.03.2015", f"expected a date as {DATE_FORMS}, got '16.03.2015'"),
    ("    date: 2015-03-16", "    date: 2015-03-16\n    valid_until: soon",
     f"expected a date as {DATE_FORMS}, or 'indefinite', got 'soon'"),
    ("    date: 2015-03-16", "    date: 2016/2015", "impossible interval 2016/2015: it ends before it starts"),
    ("    date: 2015-03-16", "    date: 2015-03-16\n    valid_until: 2015-13", "impossible date 2015-13: month 13 is not 1–12"),
])
def test_every_bad_date_is_one_problem_with_a_precise_message(small_dir, old, new, message):
    edit(small_dir / "paper-a.yaml", old, new)
    problems = validate(load_dataset(small_dir), shacl=False).problems  # (a bad record's references dangle)
    assert [(p.code, p.message) for p in problems if p.code != "unknown-reference"] == [("bad-date", message)]


def _codes(folder: Path) -> list[str]:
    return [p.code for p in validate(load_dataset(folder), shacl=False).problems]


def test_non_utf8_file_names_the_line_and_exits_2(runner, small_dir):
    paper = small_dir / "paper-b.yaml"
    paper.write_bytes(paper.read_text(encoding="utf-8").replace("Omsk Region", "Омск").encode("cp1251"))
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    line = _line_of_bytes(paper.read_bytes(), "Омск".encode("cp1251"))
    assert f"paper-b.yaml:{line}: -: -: byte 0x" in result.output and "not UTF-8" in result.output


def _line_of_bytes(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def test_empty_file_is_reported_and_exits_2(runner, small_dir):
    (small_dir / "paper-b.yaml").write_text("# nothing yet\n", encoding="utf-8")
    result = validate_cli(runner, small_dir)
    assert result.exit_code == 2
    assert "paper-b.yaml:1: -: -: the file is empty" in result.output


def test_every_problem_is_reported_in_one_run(runner, small_dir):
    edit(small_dir / "paper-a.yaml", "    date: 2015-03-16", "    date: 2015-02-30")
    edit(small_dir / "paper-b.yaml", "    label: {en: Omsk Region}", "    label: {en: Omsk Region}\n    colour: red")
    edit(small_dir / "paper-a.yaml", "    hosts: [omsk-oblast]", "    hosts: [omsk]")
    result = validate_cli(runner, small_dir)
    assert "impossible date" in result.output
    assert "colour: unknown field" in result.output
    assert "hosts: no record 'omsk'" in result.output
    assert "3 problem(s)" in result.output


def test_missing_data_folder_exits_2(runner, tmp_path):
    result = validate_cli(runner, tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "not a folder" in result.output


@pytest.mark.parametrize("args, name", [
    (["build", "-o"], "out.trig"),
    (["export", "--format", "nq", "-o"], "out.nq"),
    (["map", "-o"], "map.html"),
])
def test_failed_command_leaves_earlier_output_untouched(runner, small_dir, tmp_path, args, name):
    target = tmp_path / name
    target.write_text("earlier output", encoding="utf-8")
    edit(small_dir / "paper-a.yaml", "    date: 2015-03-16", "    date: 2015-02-30")
    result = runner.invoke(cli, [*args, str(target), "--data", str(small_dir)])
    assert result.exit_code == 1
    assert "impossible date" in result.output
    assert target.read_text(encoding="utf-8") == "earlier output"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failed_report_leaves_earlier_report_untouched(runner, small_dir, tmp_path):
    out = tmp_path / "report"
    assert runner.invoke(cli, ["report", "-o", str(out), "--data", str(small_dir)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    edit(small_dir / "paper-a.yaml", "    date: 2015-03-16", "    date: 2015-02-30")
    result = runner.invoke(cli, ["report", "-o", str(out), "--data", str(small_dir)])
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st

from graph.errors import CATALOGUE  # noqa: E402
from graph.load import load_dataset  # noqa: E402
from graph.validate import validate  # noqa: E402

_YAMLISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
              st.sampled_from(["omsk-oblast", "2015-02-30", "Region", "evidence", "id"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["id", "type", "label", "date", "signatories",
                                                             "evidence", "actors", "agreements", "source", "x"]),
                                            inner, max_size=5)),
    max_leaves=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(_YAMLISH.map(lambda v: __import__("yaml").safe_dump(v, allow_unicode=True)),
                         st.text(max_size=200), st.binary(max_size=200)))
def test_random_input_never_crashes_validation(small_dir, content):
    target = small_dir / "zz-random.yaml"
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    report = validate(load_dataset(small_dir))
    assert all(p.file and p.line >= 1 and p.message for p in report.problems)
    assert {p.code for p in report.problems} <= set(CATALOGUE)
