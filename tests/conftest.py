"""Shared fixtures: the bundled graph (built once), a small hand-made dataset, a CLI runner."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
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
