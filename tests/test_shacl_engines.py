"""The two SHACL engines give the same verdicts: the shapes run as SPARQL in Oxigraph
(graph/shacl.py, the default) and pySHACL, on the bundled data and on a violation of every
constraint component that ontology/shapes.ttl uses.

A verdict is the set of (focus node, path, constraint component, value, message); for
results that pySHACL reports as details of a failed ``sh:node`` (``sh:detail``), the value
that failed is the focus node, as pySHACL has it.
"""

from __future__ import annotations

import ast
from dataclasses import replace

import pyoxigraph as ox
import pytest

from cli import cli
from graph.load import load_dataset, resource_dir
from graph.rdf import GRAPH, ID, PD, graph_nquads
from graph.shacl import SH, UnsupportedShape, Violation, pyshacl_violations, run_shapes
from graph.validate import check_shacl

from .conftest import SMALL

GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
AGREEMENT, OMSK, OBSERVATION = f"<{ID}omsk-pavlodar-agreement>", f"<{ID}omsk-oblast>", f"<{ID}omsk-kz-trade-2022>"
EVIDENCE = f"<{ID}omsk-pavlodar-agreement/evidence/paper-a/1>"

#: one quad (subject, predicate, object) added to paper-a's graph per violation, and the
#: (focus node, constraint component) that each must be reported as
INJECTED = [
    ((AGREEMENT, f"<{PD}signatory>", f"<{ID}trade>"), (AGREEMENT, "ClassConstraintComponent")),
    ((OMSK, f"<{RDFS}label>", '"no language tag"'), (OMSK, "DatatypeConstraintComponent")),
    ((OBSERVATION, f"<{RDF}value>", f'"many"^^<{XSD}double>'), (OBSERVATION, "DatatypeConstraintComponent")),
    ((OMSK, f"<{GEO}lat>", f'"95.5"^^<{XSD}decimal>'), (OMSK, "MaxInclusiveConstraintComponent")),
    ((OMSK, f"<{GEO}long>", f'"-190"^^<{XSD}decimal>'), (OMSK, "MinInclusiveConstraintComponent")),
    ((OMSK, f"<{GEO}long>", f'"73.4"^^<{XSD}decimal>'), (OMSK, "MaxCountConstraintComponent")),  # a second value
    ((AGREEMENT, f"<{PD}status>", '"lapsed"'), (AGREEMENT, "InConstraintComponent")),
    ((OBSERVATION, f"<{PD}about>", '"Omsk"'), (OBSERVATION, "NodeKindConstraintComponent")),
    ((OBSERVATION, f"<{PD}table>", '""'), (OBSERVATION, "MinLengthConstraintComponent")),
    ((EVIDENCE, f"<{PD}quote>", '"' + "слово " * 60 + '"@ru'), (EVIDENCE, "MaxLengthConstraintComponent")),
    ((OMSK, f"<{PD}founded>", '"soon"'), (OMSK, "NodeConstraintComponent")),
    ((OMSK, f"<{PD}founded>", '"soon"'), ('"soon"', "OrConstraintComponent")),  # pySHACL's sh:detail
    ((OMSK, f"<{PD}memberOf>", f"<{ID}trade>"), (OMSK, "OrConstraintComponent")),
    ((AGREEMENT, f"<{PD}earliest>", '"2015"'), (AGREEMENT, "NodeConstraintComponent")),  # sh:node at node level
]
#: a record left without its source: sh:minCount
DROPPED = (f"<{ID}forum-series>", "wasDerivedFrom", (f"<{ID}forum-series>", "MinCountConstraintComponent"))


def _broken_graphs() -> dict[str, bytes]:
    """The small data's graphs (graph IRI → N-Quads), with the violations injected."""
    graphs = dict(graph_nquads(load_dataset(SMALL)))
    for name, quads in graphs.items():
        lines = quads.decode("utf-8").splitlines(keepends=True)
        lines = [line for line in lines if not (line.startswith(DROPPED[0] + " ") and DROPPED[1] in line)]
        if name == GRAPH + "paper-a":
            lines += [f"{s} {p} {o} <{name}> .\n" for (s, p, o), _ in INJECTED]
        graphs[name] = "".join(lines).encode("utf-8")
    return graphs


def _broken_nquads() -> bytes:
    return b"".join(_broken_graphs().values())


def _normal(message: str) -> str:
    """Two differences in pySHACL's default messages that are not verdicts: rdflib binds
    ``geo:`` to GeoSPARQL, so pySHACL prints the shapes' ``geo:lat`` as ``geo1:lat``; and it
    lists ``sh:in`` values in a set's order, which changes with PYTHONHASHSEED (the Oxigraph
    engine keeps the shape's order). Both are brought to one form here."""
    message = message.replace("->geo:", "->geo1:")
    if " not in list [" in message:
        head, listed = message.split(" not in list ")
        message = f"{head} not in list {sorted(ast.literal_eval(listed))}"
    return message


def _as_pyshacl_prints(v: Violation) -> Violation:
    return replace(v, message=_normal(v.message))


@pytest.fixture(scope="module")
def verdicts() -> tuple[set, set]:
    nquads = _broken_nquads()
    return ({_as_pyshacl_prints(v) for v in run_shapes(nquads)},
            {_as_pyshacl_prints(v) for v in pyshacl_violations(nquads)})


def _components_in_shapes() -> set[str]:
    """The constraint components ontology/shapes.ttl uses, from its constraint parameters."""
    shapes = ox.parse(path=str(resource_dir("ontology") / "shapes.ttl"), format=ox.RdfFormat.TURTLE)
    names = {t.predicate.value[len(SH):] for t in shapes if t.predicate.value.startswith(SH)}
    parameters = names - {"targetClass", "property", "path", "message", "name", "description"}
    return {p[0].upper() + p[1:] + "ConstraintComponent" for p in parameters}


def test_the_engines_agree_on_the_bundled_data():
    graphs = graph_nquads(load_dataset())
    assert run_shapes(graphs) == pyshacl_violations(b"".join(graphs.values())) == []


def test_graph_by_graph_and_as_one_text_the_engine_finds_the_same(verdicts):
    """validate gives the engine the graphs one by one (their names cut as bytes); a test or a
    scoped check gives one N-Quads text (parsed by Oxigraph)."""
    ours, _ = verdicts
    assert {_as_pyshacl_prints(v) for v in run_shapes(_broken_graphs())} == ours


def test_the_engines_agree_on_a_violation_of_every_component_the_shapes_use(verdicts):
    ours, theirs = verdicts
    assert ours == theirs, (sorted(ours - theirs), sorted(theirs - ours))
    expected = {found for _, found in INJECTED} | {DROPPED[2]}
    assert expected <= {(v.focus, v.component) for v in ours}, expected - {(v.focus, v.component) for v in ours}
    assert _components_in_shapes() <= {component for _, component in expected}  # every one is injected


def test_every_injected_violation_is_reported_with_its_path_value_and_message(verdicts):
    ours, _ = verdicts
    by_value = {(v.focus, v.path, v.value): v for v in ours}
    signatory = by_value[(AGREEMENT, PD + "signatory", f"<{ID}trade>")]
    assert signatory.message == "a signatory must be an Actor"  # sh:message
    lat = by_value[(OMSK, GEO + "lat", f'"95.5"^^<{XSD}decimal>')]
    assert lat.message == 'Value is not <= Literal("90", datatype=xsd:integer)'  # pySHACL's wording
    assert any(v.component == "MinCountConstraintComponent" and v.value == "" and v.path.endswith("wasDerivedFrom")
               for v in ours)
    assert {v.component for v in ours if v.focus == OMSK and v.path == GEO + "lat"} == {
        "MaxInclusiveConstraintComponent", "MaxCountConstraintComponent"}


def test_both_engines_give_the_same_located_problems():
    ds = load_dataset(SMALL)
    nquads = _broken_nquads()
    ours, theirs = check_shacl(ds, nquads, engine="oxigraph"), check_shacl(ds, nquads, engine="pyshacl")
    assert len(ours) == len(theirs) >= len(INJECTED)
    assert sorted(_normal(str(p)) for p in ours) == sorted(_normal(str(p)) for p in theirs)
    signatory = next(p for p in ours if p.record == "omsk-pavlodar-agreement" and p.field == "signatories")
    assert signatory.file.endswith("paper-a.yaml") and signatory.line > 1


def test_a_shape_the_engine_cannot_translate_is_refused(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(f"@prefix sh: <{SH}> .\n@prefix pd: <{PD}> .\n"
                      "<urn:s> a sh:NodeShape ; sh:targetClass pd:Actor ;\n"
                      "    sh:property [ sh:path pd:code ; sh:pattern \"^[A-Z]+$\" ] .\n", encoding="utf-8")
    with pytest.raises(UnsupportedShape, match="pattern"):
        run_shapes(b"", shapes)


def test_validate_takes_the_engine_as_an_option(small_dir, runner, monkeypatch, tmp_path):
    import graph.validate

    monkeypatch.setenv("PARADIPLO_CACHE", str(tmp_path / "cache"))
    engines = []
    real = graph.validate.violations

    def spy(nquads, engine="oxigraph"):
        engines.append(engine)
        return real(nquads, engine)

    monkeypatch.setattr(graph.validate, "violations", spy)
    assert runner.invoke(cli, ["validate", "--data", str(small_dir)]).exit_code == 0
    assert runner.invoke(cli, ["validate", "--shacl-engine", "pyshacl", "--data", str(small_dir)]).exit_code == 0
    assert engines == ["oxigraph", "pyshacl"]
    result = runner.invoke(cli, ["validate", "--shacl-engine", "nope", "--data", str(small_dir)])
    assert result.exit_code == 2 and "nope" in result.output
