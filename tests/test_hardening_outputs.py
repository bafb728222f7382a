"""The output side of the adversarial audit: CSV cells a spreadsheet would run, XML that does not
parse, pushes that lose data silently, half-replaced report folders, leftovers of killed runs,
hostile labels in HTML.

Every server here is bound to 127.0.0.1 on an ephemeral port; nothing leaves the machine.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import yaml

from cli import cli
from graph import KnowledgeGraph, open_graph
from graph.files import csv_cell, xml_safe_graph, xml_text
from graph.report import rows_to_csv
from graph.sparql import QueryResult, to_csv, to_tsv

from .conftest import SMALL

FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\r=1", '=HYPERLINK("http://x","y")']
HOSTILE = {  # actor id → English label, written into a copy of tests/fixtures/small
    "omsk-oblast": '=HYPERLINK("http://example.invalid","x")',
    "pavlodar-oblast": "<img src=x onerror=alert(1)>",
    "north-kazakhstan-oblast": '"><script>alert(2)</script>',
    "pavlodar-oblast-akimat": "{{7*7}}",
    "omsk-oblast-government": "@SUM(1+1)",
}


def hostile_data(tmp_path: Path, labels: dict[str, str] = HOSTILE) -> Path:
    """tests/fixtures/small with the English label of the given actors replaced in every file."""
    target = tmp_path / "hostile-data"
    target.mkdir()
    for path in sorted(SMALL.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for actor in doc.get("actors", []):
            if actor["id"] in labels and "label" in actor:
                actor["label"]["en"] = labels[actor["id"]]
        (target / path.name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    return hostile_data(tmp_path_factory.mktemp("hostile"))


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def _runs(cell: str) -> bool:
    """Would a spreadsheet read this cell as a formula (OWASP's list of first characters)?"""
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------ 1. CSV injection

@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_are_prefixed_with_a_quote(text):
    assert csv_cell(text) == "'" + text
    out = rows_to_csv([{"label": text, "score": -0.5}])
    assert _cells(out) == ["label", "score", "'" + text, "-0.5"]


@pytest.mark.parametrize("value", [-0.5, "-0.5", "+3", "-12", "1e-3", "-2.5E+3", 7, None, "", "Omsk", "a=b"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("command, columns", [
    (["centrality"], 4), (["communities"], 5), (["typology", "--pairs"], 7), (["timeline"], 5),
    (["centrality", "--periods", "1991-2013,2014-2021"], 6)])
def test_cli_csv_outputs_hold_no_formula(runner, hostile_dir, command, columns):
    result = runner.invoke(cli, [*command, "--data", str(hostile_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert not [c for c in cells if _runs(c)]
    if command[0] == "centrality":
        assert "'" + HOSTILE["omsk-oblast"] in cells and "'" + HOSTILE["omsk-oblast-government"] in cells


def test_report_csvs_hold_no_formula(runner, hostile_dir, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(cli, ["report", "--data", str(hostile_dir), "-o", str(out)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.glob("*.csv")):
        assert not [c for c in _cells(path.read_text(encoding="utf-8")) if _runs(c)], path.name
    assert "'" + HOSTILE["omsk-oblast"] in _cells((out / "communities.csv").read_text(encoding="utf-8"))


def test_sparql_csv_neutralises_and_tsv_is_inert(runner, hostile_dir):
    query = "SELECT ?l ?n WHERE { ?a rdfs:label ?l . BIND(-0.5 AS ?n) } ORDER BY ?l"
    result = runner.invoke(cli, ["query", query, "--data", str(hostile_dir), "--format", "csv"])
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    assert "'" + HOSTILE["omsk-oblast"] in cells and "-0.5" in cells and not [c for c in cells if _runs(c)]
    tsv = runner.invoke(cli, ["query", query, "--data", str(hostile_dir), "--format", "tsv"]).stdout
    rows = [line.split("\t") for line in tsv.splitlines()[1:]]
    assert all(len(r) == 2 and r[0][:1] in ('"', "<", "_") for r in rows)  # RDF terms: inert already
    assert any(r[0].startswith('"=HYPERLINK') for r in rows)


def test_sparql_csv_can_give_raw_values():
    import pyoxigraph as ox

    result = QueryResult("select", variables=["l"], rows=[[ox.Literal("=1+2")], [ox.Literal("a\tb")]])
    assert to_csv(result) == "l\r\n'=1+2\r\na\tb\r\n"
    assert to_csv(result, neutralise=False) == "l\r\n=1+2\r\na\tb\r\n"
    assert to_tsv(result) == '?l\n"=1+2"\n"a\\tb"\n'


# ------------------------------------------------------------------ 2. GraphML / GEXF well-formed

BAD_XML = "Omsk\x01 Oblast\x0b end\ufffe"


def _bad_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_node("a\x02", label=BAD_XML, type="Region", country="russia", lat="", lon="")
    g.add_node("b", label="Pavlodar", type="Region", country="kazakhstan", lat="", lon="")
    g.add_edge("a\x02", "b", weight=2, relations="agreement\x1f")
    return g


@pytest.mark.parametrize("generate", [nx.generate_graphml, nx.generate_gexf])
def test_network_xml_parses_whatever_the_labels(generate):
    with pytest.raises(ET.ParseError):  # what nx writes on its own
        ET.fromstring("\n".join(generate(_bad_graph())))
    root = ET.fromstring("\n".join(generate(xml_safe_graph(_bad_graph()))))
    texts = [e.text or "" for e in root.iter()] + [v for e in root.iter() for v in e.attrib.values()]
    assert "Omsk\ufffd Oblast\ufffd end\ufffd" in texts and "a\ufffd" in texts


def test_xml_text_keeps_every_allowed_character():
    allowed = "\t\n\r Омск €\ud7ff\ue000\ufffd\U0001f600\U0010ffff"
    assert xml_text(allowed) == allowed
    assert xml_text("\x00\x08\x0b\x0c\x1f\ud800\ufffe\uffff") == "\ufffd" * 8


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_is_well_formed_with_control_characters(runner, tmp_path, monkeypatch, fmt, reader):
    monkeypatch.setattr(KnowledgeGraph, "actor_graph", lambda self, *a, **k: _bad_graph())
    target = tmp_path / f"net.{fmt}"
    result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    ET.parse(target)
    g = reader(target)
    assert sorted(g.nodes) == ["a\ufffd", "b"] and g.nodes["a\ufffd"]["label"] == "Omsk\ufffd Oblast\ufffd end\ufffd"
