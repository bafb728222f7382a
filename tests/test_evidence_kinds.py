"""Issue 13, item 2: evidence from a paper's body or its reference list, told apart in RDF and
left out on request (--exclude-references)."""

from __future__ import annotations

import json

import rdflib
import rdflib.collection

from cli import cli
from graph.load import load_dataset
from graph.project import Filters, reference_only
from graph.rdf import ID, PD, dataset_nquads, load_store
from graph.records import EVIDENCE_KINDS
from graph.store import open_graph
from graph.validate import validate

from .conftest import HERE, edit

FORUM_QUOTE = '[{locator: "Результаты", quote: "XVI форум, 7 ноября 2019 г."}]'
AS_REFERENCE = '[{locator: "[7]", quote: "XVI форум, 7 ноября 2019 г.", kind: reference}]'


def _kinds(store) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in store.query("SELECT ?x ?k WHERE { GRAPH ?g { ?x pd:evidence ?a . ?a pd:evidenceKind ?k } }",
                           prefixes={"pd": PD}):
        out.setdefault(row["x"].value.removeprefix(ID), set()).add(row["k"].value)
    return out


def test_every_attestation_has_a_kind_body_by_default(small_kg):
    kinds = _kinds(small_kg.store)
    assert kinds and set().union(*kinds.values()) == {"body"}


def test_reference_entries_are_written_as_such(small_dir):
    edit(small_dir / "paper-a.yaml", FORUM_QUOTE, AS_REFERENCE)
    dataset = load_dataset(small_dir)
    assert validate(dataset).problems == []
    store = load_store(dataset_nquads(dataset))
    assert _kinds(store)["forum-2019"] == {"reference"}
    assert reference_only(store) == frozenset({"forum-2019"})


def test_an_unknown_kind_is_refused_with_the_choices(small_dir):
    edit(small_dir / "paper-a.yaml", FORUM_QUOTE, AS_REFERENCE.replace("kind: reference", "kind: footnote"))
    problems = validate(load_dataset(small_dir)).problems
    [bad] = [p for p in problems if p.code == "invalid-field"]
    assert (bad.record, bad.field) == ("forum-2019", "evidence[0].kind")
    assert "'body' or 'reference'" in bad.message


def test_the_shapes_allow_the_kinds_of_the_model():
    shapes = rdflib.Graph().parse(HERE.parent / "ontology" / "shapes.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    prop = next(shapes.subjects(sh.path, rdflib.URIRef(PD + "evidenceKind")))
    assert tuple(str(v) for v in rdflib.collection.Collection(shapes, shapes.value(prop, sh["in"]))) == EVIDENCE_KINDS


def test_a_tie_attested_only_by_references_is_left_out_on_request(small_dir, runner):
    edit(small_dir / "paper-a.yaml", FORUM_QUOTE, AS_REFERENCE)
    kg = open_graph(small_dir)
    every = {t.id for t in kg.ties(Filters())}
    kept = {t.id for t in kg.ties(Filters(exclude_references=True))}
    assert every - kept == {"forum-2019"}
    result = runner.invoke(cli, ["centrality", "--data", str(small_dir), "--exclude-references", "--format", "json"])
    assert result.exit_code == 0, result.output
    graph = kg.actor_graph(Filters(exclude_references=True))
    assert {r["id"] for r in json.loads(result.stdout)} == set(graph)
    assert len(graph) < len(kg.actor_graph(Filters())) or graph.size() < kg.actor_graph(Filters()).size()


def test_a_tie_with_body_evidence_too_is_kept(kg):
    only = reference_only(kg.store)
    assert "utair-kazaviaspas-emergency-assistance-agreement" not in only  # footnote 16 and the body
    assert {"irtysh-river-of-friendship-forum-2025", "pavlodar-delegation-omsk-2025-07",
            "omsk-delegation-pavlodar-2025-07"} <= only
    assert "russia-kazakhstan-interregional-cooperation-forum-2019" not in only  # reference [13], and a body
    kept = {t.id for t in kg.ties(Filters(exclude_references=True))}
    assert "pavlodar-delegation-omsk-2025-07" not in kept
    assert "russia-kazakhstan-interregional-cooperation-forum-2019" in kept  # another paper's body states it
