"""Shared fixtures: the bundled graph (built once), a small hand-made dataset, a CLI runner."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph import KnowledgeGraph, open_graph

HERE = Path(__file__).parent
# verdicts on valid data are remembered per test run, not in the user's cache
os.environ["PARADIPLO_CACHE"] = tempfile.mkdtemp(prefix="paradiplo-cache.")
SMALL = HERE / "fixtures" / "small"
SEEDS = HERE.parent.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The bundled data, validated and loaded into Oxigraph."""
    return open_graph()


@pytest.fixture(scope="session")
def small_kg() -> KnowledgeGraph:
    """The small fixture dataset (tests/fixtures/small)."""
    return open_graph(SMALL)


@pytest.fixture
def small_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture dataset, to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(SMALL, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, proc: subprocess.Popen, within: float, what: str) -> None:
    """Poll ``url`` until it answers; fail (and kill ``proc``) if it exits or takes too long."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"{what} exited with code {proc.returncode}")
            time.sleep(0.2)
    proc.kill()
    pytest.fail(f"{what} did not answer within {within:g} s")


def stop(proc: subprocess.Popen, within: float = 30) -> None:
    """Terminate a process started by a test; kill it if it does not end in time."""
    proc.terminate()
    try:
        proc.wait(timeout=within)
    except subprocess.TimeoutExpired:
        proc.kill()


def requires(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip tests that need a missing tool, except under ``CI=true``, where CI installs every
    tool the tests need: there a missing one fails the run instead of skipping silently."""
    if not available and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but {reason}", pytrace=False)
    return pytest.mark.skipif(not available, reason=reason)


def validate_cli(runner, data: Path):
    """``paradiplo validate --data DATA`` through click: never an exception, never a traceback."""
    from cli import cli

    result = runner.invoke(cli, ["validate", "--data", str(data)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a fixture file (which must contain it)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The first line of ``path`` that contains ``needle``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


@contextlib.contextmanager
def serving(*args: str):
    """``paradiplo serve`` on a free loopback port, as a real process; yields ``(port, process)``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), *args],
                            cwd=HERE.parent, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc, 60, "paradiplo serve")
        yield port, proc
    finally:
        stop(proc, 10)
