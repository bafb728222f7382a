"""Docs that cannot drift: every command is documented in the README and has an example."""

from __future__ import annotations

import re
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


def test_ci_installs_exactly_the_packages_that_skipped_tests_ask_for():
    """A fresh Debian machine running .ci/run skips nothing: every ``apt-get install`` a skip
    message asks for is installed by .ci/run, and .ci/run installs nothing no test asks for."""
    root = Path(__file__).parent
    ci = (root.parent / ".ci" / "run").read_text(encoding="utf-8")
    installed = {pkg for names in re.findall(r"need\+=\(([^)]*)\)", ci) for pkg in names.split()}
    asked = {pkg for path in root.glob("test_*.py")
             for names in re.findall(r"apt-get install ([a-z][a-z0-9 .-]*)", path.read_text(encoding="utf-8"))
             for pkg in names.split()}
    assert asked == {"chromium", "chromium-driver", "virtuoso-opensource"}
    assert installed - asked == {"python3", "python3-venv"}  # what the test command itself needs
    assert 'apt-get install -y -qq "${need[@]}"' in ci
    assert "export CI=true" in ci  # under CI=true a missing tool fails instead of skipping
    assert f"apt-get install {' '.join(sorted(asked))}" in README
