"""Records → RDF: golden dataset by isomorphism, named graphs, IRIs, export formats."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from graph.load import load_dataset
from graph.rdf import FORMATS, GRAPH, ID, ONTOLOGY_GRAPH, dataset_quads, serialize

from .conftest import HERE, SMALL


def _graphs(trig: bytes) -> dict[str, rdflib.Graph]:
    ds = rdflib.Dataset()
    ds.parse(data=trig, format="trig")
    return {str(g.identifier): g for g in ds.graphs() if len(g)}


def test_small_dataset_matches_the_golden_trig_by_isomorphism():
    built = _graphs(serialize(dataset_quads(load_dataset(SMALL), ontology=False), "trig"))
    golden = _graphs((HERE / "golden" / "small.trig").read_bytes())
    assert sorted(built) == sorted(golden)
    for name, graph in golden.items():
        if not isomorphic(built[name], graph):
            _, only_built, only_golden = graph_diff(to_isomorphic(built[name]), to_isomorphic(graph))
            pytest.fail(f"graph {name} differs.\nonly built:\n{only_built.serialize(format='nt')}"
                        f"\nonly golden:\n{only_golden.serialize(format='nt')}")


def test_one_named_graph_per_source_plus_ontology_and_general_knowledge(small_kg):
    names = {str(q.graph_name) for q in small_kg.quads}
    assert names == {f"<{GRAPH}paper-a>", f"<{GRAPH}paper-b>", f"<{GRAPH}general-knowledge>",
                     f"<{ONTOLOGY_GRAPH}>"}


def test_each_source_graph_holds_only_that_sources_claims(small_kg):
    rows = small_kg.store.query(
        "SELECT ?g ?d WHERE { GRAPH ?g { pdr:omsk-pavlodar-agreement pd:date ?d } } ORDER BY ?g",
        prefixes={"pd": "https://w3id.org/paradiplo/ontology#", "pdr": ID})
    assert [(r["g"].value.rsplit("/", 1)[1], r["d"].value) for r in rows] == [
        ("paper-a", "2015-03-16"), ("paper-b", "2007")]


def test_dates_keep_their_precision_as_xsd_datatypes(small_kg):
    by_subject = {(str(q.subject), q.predicate.value.rsplit("#", 1)[1]): q.object for q in small_kg.quads
                  if q.predicate.value.endswith("#date")}
    assert by_subject[(f"<{ID}omsk-nko-memorandum>", "date")].datatype.value.endswith("#gYearMonth")
    assert by_subject[(f"<{ID}forum-2019>", "date")].datatype.value.endswith("#date")


def test_iris_come_from_record_ids():
    quads = dataset_quads(load_dataset(SMALL), ontology=False)
    subjects = {q.subject.value for q in quads if q.subject.value.startswith(ID)}
    assert f"{ID}omsk-oblast" in subjects and f"{ID}forum-2019" in subjects


def test_union_default_graph_counts_each_triple_once(small_kg):
    n = small_kg.store.query("SELECT (COUNT(*) AS ?n) WHERE { pdr:omsk-oblast a pd:Region }",
                             prefixes={"pd": "https://w3id.org/paradiplo/ontology#", "pdr": ID})
    assert int(next(iter(n))["n"].value) == 1  # stated by paper-a and paper-b, counted once


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_rdf_export_parses_back_with_all_data(small_kg, fmt):
    data = serialize(small_kg.quads, fmt)
    rdf_format, has_graphs = FORMATS[fmt]
    parsed = list(ox.parse(data, format=rdf_format))
    distinct_triples = {(q.subject, q.predicate, q.object) for q in small_kg.quads}
    if has_graphs:
        assert len(parsed) == len(small_kg.quads)
    else:
        assert len(parsed) == len(distinct_triples)  # the union, never an empty Turtle file


def test_cyrillic_and_kazakh_labels_round_trip(small_kg):
    trig = serialize(small_kg.quads, "trig").decode("utf-8")
    assert '"Павлодар облысы"@kk' in trig and '"Омская область"@ru' in trig
    jsonld = json.loads(serialize(small_kg.quads, "jsonld"))
    assert "Павлодар облысы" in json.dumps(jsonld, ensure_ascii=False)
