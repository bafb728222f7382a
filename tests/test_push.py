"""What ``push`` sends, without a store to send it to: a store's named graphs, dumped by
Oxigraph, are the same triples as paradiplo's N-Quads (tests/test_virtuoso.py sends them)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.rdf import load_store
from graph.remote import PushError, batches, graph_sizes, graph_texts, graphs_as_ntriples, push

from .test_hardening_outputs import FakeStore


def _triples(text: bytes) -> set:
    return set(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))


def test_a_store_gives_the_same_graphs_as_the_nquads(small_kg):
    from_text = graph_texts(small_kg.nquads)
    from_store = graph_texts(load_store(small_kg.nquads))
    assert list(from_store) == list(from_text) == sorted(from_text)  # the same graphs, sorted by IRI
    for graph, text in from_text.items():
        assert from_store[graph].count(b"\n") == text.count(b"\n") == len(_triples(text)), graph
        assert _triples(from_store[graph]) == _triples(text), graph
    assert sum(t.count(b"\n") for t in from_store.values()) == len(small_kg.quads)  # not the union default graph
    assert graph_sizes(load_store(small_kg.nquads)) == {g: t.count(b"\n") for g, t in from_text.items()}


def test_push_from_a_store_sends_every_graph_and_stops_at_a_failure(small_kg):
    """The graphs are dumped one at a time as they are sent; a refusal ends the push."""
    fake = FakeStore()
    try:
        store = load_store(small_kg.nquads)
        counts = push(store, fake.url, batch=20)
        assert counts == fake.graphs == graph_sizes(store) and sum(counts.values()) == len(small_kg.quads)
        fake.mode = "truncated"
        with pytest.raises(PushError, match="cut its reply short"):
            push(store, fake.url, batch=20)
    finally:
        fake.close()


def test_the_lines_of_a_graph_are_its_triples(small_kg):
    lines = graphs_as_ntriples(small_kg.nquads)
    texts = graph_texts(small_kg.nquads)
    assert {g: "".join(line + "\n" for line in v).encode("utf-8") for g, v in lines.items()} == texts
    assert all(line.endswith(" .") for v in lines.values() for line in v)


def test_batches_cut_every_line_once():
    lines = [f"<urn:{i}> <urn:p> <urn:o> .".encode() for i in range(7)]
    assert batches(lines, 3) == [lines[0:3], lines[3:6], lines[6:]]
    assert batches([], 3) == [[]]  # an empty graph is still dropped (one request)
