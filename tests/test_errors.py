"""The error catalogue: every problem code emitted anywhere is catalogued and documented.

Two ways to catch an uncatalogued code: the source is scanned for the codes it can emit, and
validation runs on broken data folders, one per code, checking what it actually emits.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graph.errors import CATALOGUE, UNREADABLE_CODES, WARNING_CODES, Problem, catalogue_table
from graph.load import load_dataset
from graph.validate import validate

ROOT = Path(__file__).resolve().parents[1]
#: Calls whose first argument is a problem code.
_EMITTERS = {"Problem", "_problem", "UnreadableFile"}
#: First arguments that pass on a code chosen elsewhere (at a call that is scanned itself).
_PASS_THROUGH = {"graph/validate.py": {"code"}, "graph/quotes.py": {"code"}, "graph/load.py": {"exc.code", "code"},
                 "graph/tables.py": {"code"}}


def _emitted_codes() -> dict[str, set[str]]:
    """Code → files that emit it, from every ``Problem(...)``-like call under ``graph/``."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "graph").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if func not in _EMITTERS:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, set()).add(name)
            else:
                assert ast.unparse(first) in _PASS_THROUGH.get(name, set()), (
                    f"{name}:{node.lineno}: a problem code that is not a literal; write the code at the call")
    return found


def test_every_code_the_source_emits_is_catalogued():
    emitted = _emitted_codes()
    assert len(emitted) >= 15  # the scan finds the emitters
    missing = {code: sorted(files) for code, files in emitted.items() if code not in CATALOGUE}
    assert not missing, f"codes emitted but not in graph.errors.CATALOGUE: {missing}"


def test_every_catalogued_code_is_emitted_somewhere():
    assert set(CATALOGUE) - set(_emitted_codes()) == set()


def test_data_readme_lists_the_catalogue():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert catalogue_table() in readme, (
        "data/README.md's problem table differs from graph.errors.CATALOGUE; paste the output of\n"
        "  python -c 'from graph.errors import catalogue_table; print(catalogue_table())'")


def test_exit_classes_come_from_the_catalogue():
    assert {t.exit_code for t in CATALOGUE.values()} == {0, 1, 2} and WARNING_CODES == {"confusable"}
    for code, t in CATALOGUE.items():
        assert t.code == code and t.title and t.description.endswith("."), t
        problem = Problem(code, "a.yaml", 1, "", "", "m")
        assert (problem.unreadable, problem.warning) == (t.exit_code == 2, t.exit_code == 0), code
        assert (code in UNREADABLE_CODES, code in WARNING_CODES) == (t.exit_code == 2, t.exit_code == 0), code


# ------------------------------------------------------------------ broken folders, one code each

def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _text(folder: Path, content: str | None) -> None:
    """Name a text for paper-a (written with ``content``, or missing when ``None``)."""
    _edit(folder / "sources.yaml", "  - id: paper-a\n", "  - id: paper-a\n    text: paper-a.txt\n")
    if content is not None:
        _write(folder / "paper-a.txt", content)


def _actor(folder: Path, body: str) -> None:
    _write(folder / "zz-extra.yaml", "source: paper-b\nactors:\n  - id: zz-extra\n" + body)


_EVIDENCE = '    evidence: [{locator: "1", quote: "zz"}]\n'
A, B = "paper-a.yaml", "paper-b.yaml"

BREAKAGES = {  # code → how to break the small fixture so that validation emits it
    "no-data": lambda d: (d / "sources.yaml").unlink(),
    "unreadable": lambda d: (d / "zz-link.yaml").symlink_to(d.parent / "elsewhere.yaml"),
    "not-a-regular-file": lambda d: (d / "zz-folder.yaml").mkdir(),
    "not-utf8": lambda d: (d / "zz-cp1251.yaml").write_bytes("source: paper-b # Омск\n".encode("cp1251")),
    "empty-file": lambda d: _write(d / "zz-empty.yaml", "# nothing yet\n"),
    "yaml-syntax": lambda d: _edit(d / B, "    label: {en: Omsk Region}", "    label: {en: Omsk Region"),
    "table-limit": lambda d: (d / "zz-notes.xlsx").write_bytes(b"not a zip: a workbook saved in another format"),
    "yaml-limit": lambda d: _write(d / "zz-deep.yaml", "source: paper-b\nx: " + "[" * 65 + "]" * 65 + "\n"),
    "duplicate-key": lambda d: _edit(d / B, "    label: {en: Omsk Region}",
                                     "    label: {en: Omsk Region}\n    label: {en: Omsk}"),
    "invalid-file": lambda d: _write(d / "zz-list.yaml", "- a\n- b\n"),
    "invalid-field": lambda d: _edit(d / B, "    label: {en: Omsk Region}", "    label: {en: Omsk Region}\n    colour: red"),
    "bad-date": lambda d: _edit(d / A, "    date: 2015-03-16", "    date: 2015-02-30"),
    "unattested-date": lambda d: _edit(d / A, "    date: 2015-03-16", "    date: 2016-03-16"),
    "duplicate-id": lambda d: _edit(d / A, "  - id: forum-series", "  - id: forum-2019"),
    "unknown-source": lambda d: _edit(d / B, "source: paper-b", "source: paper-z"),
    "no-evidence": lambda d: _edit(d / B, '    evidence: [{locator: "Results", quote: "Omsk region"}]\n', ""),
    "conflicting-type": lambda d: _edit(d / B, "  - id: omsk-oblast\n    type: Region", "  - id: omsk-oblast\n    type: City"),
    "missing-type": lambda d: _actor(d, "    label: {en: Zz}\n" + _EVIDENCE),
    "missing-label": lambda d: _actor(d, "    type: City\n    label: {ru: Зз}\n" + _EVIDENCE),
    "unknown-reference": lambda d: _edit(d / A, "    hosts: [omsk-oblast]", "    hosts: [omsk]"),
    "wrong-reference": lambda d: _edit(d / A, "    signed_at: forum-2019", "    signed_at: omsk-oblast"),
    "quote-wrong-language": lambda d: _edit(d / B, 'quote: "Omsk region"', 'quote: "Омская область"'),
    "no-text": lambda d: _text(d, None),
    "quote-not-found": lambda d: _text(d, "Россия и Казахстан.\n"),
    "shacl": lambda d: _edit(d / A, "    edition_of: forum-series", "    edition_of: pavlodar-visit-2021"),
    "not-checked": lambda d: _edit(d / B, "    label: {en: Omsk Region}", "    label: {en: Omsk Region"),
    "confusable": lambda d: _actor(d, "    type: City\n    label: {en: Zz, ru: Oмская область}\n" + _EVIDENCE),
}


def test_every_catalogued_code_has_a_breakage():
    assert set(BREAKAGES) == set(CATALOGUE)


@pytest.mark.parametrize("code", sorted(BREAKAGES))
def test_broken_data_emits_only_catalogued_codes_with_their_exit_class(small_dir, code):
    BREAKAGES[code](small_dir)
    report = validate(load_dataset(small_dir))
    codes = {p.code for p in report.problems}
    assert code in codes, report.problems
    assert codes <= set(CATALOGUE), codes - set(CATALOGUE)
    assert report.exit_code == max(CATALOGUE[c].exit_code for c in codes)
    assert all(p.file and p.line >= 1 and p.message for p in report.problems)
    if code == "not-checked":
        assert codes == {"yaml-syntax", "not-checked"}

