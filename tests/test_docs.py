"""Docs that cannot drift: every command is documented in the README and has an example."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_in_the_readme(name):
    assert f"paradiplo {name}" in README


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_a_docstring_with_an_example(name):
    assert "Example: paradiplo " + name in (cli.commands[name].help or "")


def test_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    test_line = next(line for line in README.splitlines() if "pip install" in line and "pytest" in line)
    assert test_line.strip() in ci
