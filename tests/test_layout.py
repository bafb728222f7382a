"""The house rules of the code, checked: a package face that only re-exports, short functions,
imports that run one way (cli → graph → third-party), and a README that names every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MODULES = sorted((ROOT / "graph").rglob("*.py"))
MAX_LINES = 60


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def test_the_package_face_only_re_exports():
    """Nothing is defined in graph/__init__.py but PEP 562's ``__getattr__`` and ``__dir__``,
    which re-export names of other modules on first use (so that a cold ``query --store``
    imports only what it needs); every lazily re-exported name is one its module defines."""
    import importlib

    import graph

    tree = _tree(ROOT / "graph" / "__init__.py")
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
    assert sorted(defined) == ["__dir__", "__getattr__"]
    for name, module in graph._LAZY.items():
        assert getattr(graph, name) is getattr(importlib.import_module(module, "graph"), name)
    assert set(graph.__all__) <= set(dir(graph))


@pytest.mark.parametrize("path", MODULES + [ROOT / "cli.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_is_longer_than_60_lines(path):
    long = [f"{n.name} ({n.end_lineno - n.lineno + 1} lines, line {n.lineno})" for n in ast.walk(_tree(path))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_LINES]
    assert long == []


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_library_never_imports_the_cli(path):
    assert "cli" not in _imports(path)


def test_analysis_reads_graphs_not_the_store_maps_or_report():
    for path in sorted((ROOT / "graph" / "analysis").glob("*.py")):
        imported = " ".join(_imports(path))
        assert not re.search(r"\b(store|maps|report|server|remote)\b", imported), path.name


def test_the_readme_module_table_names_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| part | library |"):readme.index("Why Oxigraph")]
    for path in MODULES:
        rel = path.relative_to(ROOT)
        if path.name == "_version.py":
            continue
        if rel.parent.name != "graph":  # a package: the folder is named, and its public modules
            assert f"`{rel.parent}/`" in table, rel.parent
            assert path.name.startswith("_") or f"`{path.name}`" in table, rel
        else:
            assert f"`{rel}`" in table, rel
