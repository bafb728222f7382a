"""GraphML and GEXF exports (issue 16, item 1): valid against the official XSDs kept in
tests/schemas/, byte-identical whatever the day, coordinates typed as numbers and absent when
unknown, an XML declaration and plain UTF-8, and read back by NetworkX and igraph with the
library's node and edge counts."""

from __future__ import annotations

import time
from pathlib import Path

import igraph
import networkx as nx
import pytest
from lxml import etree

from cli import cli
from graph.formats import network_xml
from graph.project import PROJECTIONS, actors, bipartite_graph

from .conftest import SMALL

SCHEMAS = Path(__file__).parent / "schemas"
XSD = {"gexf": SCHEMAS / "gexf-1.2draft" / "gexf.xsd", "graphml": SCHEMAS / "graphml-1.0" / "graphml.xsd"}
GEXF = "{http://www.gexf.net/1.2draft}"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
FORMATS = ("graphml", "gexf")


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    # the parser never fetches anything: every schema the XSDs include is a file beside them
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return {fmt: etree.XMLSchema(etree.parse(str(path), parser)) for fmt, path in XSD.items()}


def _assert_valid(schema: etree.XMLSchema, content: bytes) -> etree._Element:
    root = etree.fromstring(content)
    assert schema.validate(root), "\n".join(str(e) for e in schema.error_log)
    return root


def _graphs(kg) -> dict[str, nx.Graph]:
    out = {"actor": kg.actor_graph(), "region": kg.actor_graph(level="region")}
    out.update({p: bipartite_graph(kg.store, p) for p in PROJECTIONS[1:]})
    return out


def test_the_schemas_reject_what_networkx_writes_unaided(kg, schemas):
    """The check has teeth: NetworkX's own GEXF (``<graph name="">``) fails the official XSD."""
    root = etree.fromstring("\n".join(nx.generate_gexf(kg.actor_graph())).encode("utf-8"))
    assert not schemas["gexf"].validate(root)
    assert "'name' is not allowed" in str(schemas["gexf"].error_log)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_projection_is_valid_against_the_official_schema(kg, schemas, fmt):
    for name, g in _graphs(kg).items():
        assert g.number_of_edges() > 0, name
        _assert_valid(schemas[fmt], network_xml(g, fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_xml_declaration_and_readable_utf8(kg, fmt):
    content = network_xml(kg.actor_graph(), fmt)
    assert content.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    text = content.decode("utf-8")
    assert "Омская область" in text
    assert "&#" not in text  # no numeric character references


def test_coordinates_are_numbers_and_absent_when_unknown(kg, schemas):
    g = kg.actor_graph()
    info = actors(kg.store)
    located = {n for n in g if info[n]["lat"]}
    assert located and set(g) - located  # the bundled network has both kinds

    root = _assert_valid(schemas["gexf"], network_xml(g, "gexf"))
    ids = {a.get("title"): (a.get("id"), a.get("type")) for a in root.iter(f"{GEXF}attribute")
           if a.getparent().get("class") == "node"}
    assert ids["lat"][1] == ids["lon"][1] == "double"
    for node in root.iter(f"{GEXF}node"):
        values = {v.get("for"): v.get("value") for v in node.iter(f"{GEXF}attvalue")}
        n = node.get("id")
        if n in located:
            assert float(values[ids["lat"][0]]) == float(info[n]["lat"])
            assert float(values[ids["lon"][0]]) == float(info[n]["lon"])
        else:
            assert ids["lat"][0] not in values and ids["lon"][0] not in values

    root = _assert_valid(schemas["graphml"], network_xml(g, "graphml"))
    types = {k.get("attr.name"): k.get("attr.type") for k in root.iter(f"{GRAPHML}key") if k.get("for") == "node"}
    assert types["lat"] == types["lon"] == "double"


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_networkx_reads_back_the_library_graph(kg, tmp_path, fmt, reader):
    for name, g in _graphs(kg).items():
        path = tmp_path / f"{name}.{fmt}"
        path.write_bytes(network_xml(g, fmt))
        back = reader(path)
        assert sorted(back.nodes) == sorted(g.nodes), name
        assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in g.edges}, name
        located = [n for n, lat in g.nodes(data="lat") if lat]
        assert all(isinstance(back.nodes[n]["lat"], float) for n in located)
        assert all("lat" not in back.nodes[n] for n in set(g) - set(located))


def test_igraph_reads_back_the_library_graph(kg, tmp_path):
    """igraph reads GraphML (it has no GEXF reader)."""
    for name, g in _graphs(kg).items():
        path = tmp_path / f"{name}.graphml"
        path.write_bytes(network_xml(g, "graphml"))
        back = igraph.Graph.Read_GraphML(str(path))
        assert (back.vcount(), back.ecount()) == (g.number_of_nodes(), g.number_of_edges()), name
        ids = back.vs["id"]
        assert sorted(ids) == sorted(g.nodes)
        assert {frozenset((ids[e.source], ids[e.target])) for e in back.es} == {frozenset(e) for e in g.edges}


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_byte_identical_whatever_the_day(runner, tmp_path, monkeypatch, fmt):
    outputs = []
    for day in ("2024-02-29", "2031-12-31"):
        monkeypatch.setattr(time, "strftime", lambda *a, day=day: day)  # what NetworkX dates GEXF with
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "0" if day < "2030" else "1956528000")
        target = tmp_path / f"{day}.{fmt}"
        result = runner.invoke(cli, ["export", "--data", str(SMALL), "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and b"<node" in outputs[0]


def test_unknown_network_format_is_refused(kg):
    with pytest.raises(ValueError, match="graphml or gexf"):
        network_xml(kg.actor_graph(), "dot")
