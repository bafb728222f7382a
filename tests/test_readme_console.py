"""The README's console examples, executed and compared: a README that cannot drift.

Every ```console block of README.md is read as a terminal session: a line ``$ paradiplo …``
is a command (a trailing ``# comment`` is not part of it), and the lines up to the next ``$``
line or the end of the block are what the terminal shows: stdout and stderr interleaved, as
click's ``CliRunner`` records them. Each command runs in process on the bundled data, in a
fresh temporary working folder (commands that write files write them there; ``~`` is that
folder too, and ``..`` a temporary folder holding it: ``../shared/seeds`` links to the seed papers), and its output must equal the README's text, with these rules and no others:

* a line that is exactly ``…`` matches any run of lines, none included (the README shortens
  long output this way); a ``…`` anywhere else is literal text, because the table formatter
  itself cuts long labels with ``…`` (``graph/formats.py``: ``text[:width - 1] + "…"``);
* trailing spaces are ignored on every line (editors strip them from Markdown);
* a command whose README shows no output must print nothing; the README writes ``…`` under
  a command whose output it does not show.

Commands that need a server, the network or a Virtuoso instance are listed in
:data:`NOT_RUN`, each with the reason; every other command of every block is run, and the
test checks that the two lists together cover all the README's commands.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from cli import cli

from .conftest import SEEDS, SMALL

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
QUOTES = Path(__file__).parent / "fixtures" / "quotes"

#: Commands not run, by design, each with the reason (the README text, comment stripped).
NOT_RUN = {
    "paradiplo serve --port 8000 --timeout 30":
        "starts a server that runs until Ctrl-C (tests/test_server.py tests the endpoint)",
    "paradiplo push --endpoint http://127.0.0.1:8890/sparql-auth --user dba --password dba":
        "needs a running Virtuoso (tests/test_virtuoso.py)",
    "paradiplo query --endpoint http://127.0.0.1:8890/sparql --name shared-borders":
        "needs a running remote SPARQL endpoint (tests/test_virtuoso.py)",
    "paradiplo centrality --endpoint http://127.0.0.1:8890/sparql --top 10":
        "needs a running remote SPARQL endpoint (tests/test_virtuoso.py)",
}


def _mydata(cwd: Path) -> None:
    """``mydata/``: the small fixture with the two mistakes the README's example shows."""
    shutil.copytree(SMALL, cwd / "mydata")
    paper = cwd / "mydata" / "paper-a.yaml"
    text = paper.read_text(encoding="utf-8")
    text = text.replace("date: 2015-03-16", "date: 2015-02-30", 1)
    text = text.replace("signatories: [omsk-oblast, north-kazakhstan-oblast]",
                        "signatories: [omsk-oblst, north-kazakhstan-oblast]", 1)
    paper.write_text(text, encoding="utf-8")


def _myquotes(cwd: Path) -> None:
    """``myquotes/``: the quotes fixture (a data folder with its texts), one quote mistyped."""
    shutil.copytree(QUOTES, cwd / "myquotes")
    paper = cwd / "myquotes" / "paper-q.yaml"
    text = paper.read_text(encoding="utf-8")
    assert "обсуждались на форуме" in text, "tests/fixtures/quotes changed: update this setup"
    paper.write_text(text.replace("обсуждались на форуме", "обсуждались на фоурме", 1), encoding="utf-8")


def _seeds(cwd: Path) -> None:
    """``../shared/seeds``: the seed papers beside the checkout, as on the project's machine."""
    if not SEEDS.is_dir():
        reason = f"the seed papers are not at {SEEDS}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, but {reason}", pytrace=False)
        pytest.skip(reason)
    (cwd.parent / "shared").mkdir()
    (cwd.parent / "shared" / "seeds").symlink_to(SEEDS, target_is_directory=True)


def _sheets(cwd: Path) -> None:
    """``sheets/``: the bundled data exported as one workbook (the example before it)."""
    from graph.load import load_dataset
    from graph.tables import table_sheets, xlsx_bytes

    (cwd / "sheets").mkdir()
    (cwd / "sheets" / "paradiplo.xlsx").write_bytes(xlsx_bytes(table_sheets(load_dataset())))


def _mysheets(cwd: Path) -> None:
    """``mysheets/``: the small fixture as a workbook, with the two mistakes of ``mydata/`` typed into cells."""
    from graph.load import load_dataset
    from graph.tables import table_sheets, xlsx_bytes

    sheets = table_sheets(load_dataset(SMALL))
    header = sheets["agreements"][0]
    edits = {"omsk-pavlodar-agreement": ("date", "2015-02-30"),
             "omsk-nko-memorandum": ("signatories", "omsk-oblst; north-kazakhstan-oblast")}
    for row in sheets["agreements"][1:]:
        if row[header.index("id")] in edits:
            column, value = edits.pop(row[header.index("id")])
            row[header.index(column)] = value
    assert not edits, "tests/fixtures/small changed: update this setup"
    (cwd / "mysheets").mkdir()
    (cwd / "mysheets" / "paper.xlsx").write_bytes(xlsx_bytes(sheets))


def _question(cwd: Path) -> None:
    """``my-question.rq``: the user's own query file."""
    (cwd / "my-question.rq").write_text(
        "SELECT ?r WHERE { ?r a pd:Region } ORDER BY ?r LIMIT 2\n", encoding="utf-8")


#: Files a command's example assumes the user has, made in the working folder before it runs.
SETUP: dict[str, Callable[[Path], None]] = {
    "paradiplo validate --data mydata/": _mydata,
    "paradiplo validate --data myquotes/": _myquotes,
    "paradiplo validate --texts ../shared/seeds": _seeds,
    "paradiplo query my-question.rq --format json": _question,
    "paradiplo validate --data sheets/": _sheets,
    "paradiplo validate --data mysheets/": _mysheets,
}


@dataclass(frozen=True)
class Example:
    line: int  # README line of the ``$`` line
    command: str  # without ``$`` and the trailing comment, quoted as shlex.join quotes it
    expected: tuple[str, ...]


def examples(text: str) -> list[Example]:
    """Every ``$ paradiplo`` command of the ```console blocks of ``text``, with its output."""
    found: list[Example] = []
    block: list[tuple[int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if block is None:
            block = [] if line.strip() == "```console" else None
        elif line.strip() == "```":
            found += _split(block)
            block = None
        else:
            block.append((number, line))
    return found


def _split(block: list[tuple[int, str]]) -> list[Example]:
    found: list[Example] = []
    for i, (number, line) in enumerate(block):
        if not line.startswith("$ "):
            continue
        end = next((j for j in range(i + 1, len(block)) if block[j][1].startswith("$ ")), len(block))
        command = shlex.join(shlex.split(line[2:], comments=True))
        found.append(Example(number, command, tuple(text for _, text in block[i + 1:end])))
    return found


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` equals ``expected``, a line ``…`` standing for any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "…":
        return any(matches(expected[1:], actual[k:]) for k in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and matches(expected[1:], actual[1:])


EXAMPLES = examples(README.read_text(encoding="utf-8"))
RUN = [e for e in EXAMPLES if e.command not in NOT_RUN]


def test_every_readme_command_is_run_or_listed_as_not_run():
    commands = {e.command for e in EXAMPLES}
    assert all(e.command.startswith("paradiplo ") for e in EXAMPLES)
    assert set(NOT_RUN) <= commands, f"listed but not in the README: {sorted(set(NOT_RUN) - commands)}"
    assert set(SETUP) <= commands, f"set up but not in the README: {sorted(set(SETUP) - commands)}"
    assert len(RUN) + len(NOT_RUN) == len(EXAMPLES)
    assert len(RUN) >= 25  # the examples did not silently vanish (e.g. a block renamed from console)


def test_elision_rule():
    assert matches(["a", "…", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "…", "d"], ["a", "d"])
    assert not matches(["a", "…", "d"], ["a", "b"])
    assert not matches(["Omsk Branch of Al-Farabi Kazakh National Univer…"],
                       ["Omsk Branch of Al-Farabi Kazakh National University"])
    assert not matches([], ["printed"])


@pytest.mark.parametrize("example", RUN, ids=[f"README.md:{e.line}" for e in RUN])
def test_readme_example(example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cwd = tmp_path / "paradiplo"  # a checkout's folder: ``..`` is still inside tmp_path
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("HOME", str(cwd))
    SETUP.get(example.command, lambda cwd: None)(cwd)
    args = [os.path.expanduser(a) for a in shlex.split(example.command)[1:]]
    result = CliRunner().invoke(cli, args, prog_name="paradiplo")
    actual = [re.sub(r"[ \t]+$", "", line) for line in result.output.splitlines()]
    expected = [re.sub(r"[ \t]+$", "", line) for line in example.expected]
    diff = "\n".join(difflib.unified_diff(expected, actual, "README.md", "paradiplo", lineterm=""))
    assert matches(expected, actual), (
        f"README.md:{example.line}: `{example.command}` printed something else "
        f"(exit {result.exit_code}):\n{diff}")
