"""Dereferenceable IRIs: ``paradiplo serve`` answers ``/id/<id>``, ``/source/<id>``, ``/graph/<source>``
and ``/ontology`` in the media type asked for, started for real on a loopback port."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.publish import record_triples
from graph.rdf import GRAPH, ONTOLOGY_GRAPH

from .conftest import serving

RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
          "application/rdf+xml": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def base():
    with serving() as (port, _):
        yield f"http://127.0.0.1:{port}"


def _get(url, accept=""):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _expected(quads) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data="".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads), format="nt")
    return g


def _parsed(body: bytes, media: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body.decode("utf-8"), format=RDFLIB[media])


def _record(kg, folder="id"):
    """A record of the dataset with statements in more than one graph (or the first)."""
    pages = record_triples(kg.quads)
    keys = [k for k in pages if k[0] == folder]
    rid = next((k[1] for k in keys if len(pages[k]) > 1), keys[0][1])
    return rid, [q for qs in pages[(folder, rid)].values() for q in qs]


@pytest.mark.parametrize("media", sorted(RDFLIB))
def test_record_in_each_media_type_is_its_triples(base, kg, media):
    rid, quads = _record(kg)
    status, headers, body = _get(f"{base}/id/{rid}", media)
    assert status == 200, body
    assert headers["Content-Type"].startswith(media)
    assert "Accept" in headers["Vary"]
    assert isomorphic(_parsed(body, media), _expected(quads))


def test_format_parameter_overrides_accept(base, kg):
    rid, quads = _record(kg)
    status, headers, body = _get(f"{base}/id/{rid}?format=nt", BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert isomorphic(_parsed(body, "application/n-triples"), _expected(quads))
    assert _get(f"{base}/id/{rid}?format=docx")[0] == 400


def test_browser_gets_the_published_page(base, kg):
    rid, _ = _record(kg)
    status, headers, body = _get(f"{base}/id/{rid}", BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Accept" in headers["Vary"]
    assert f"https://w3id.org/paradiplo/id/{rid}".encode() in body and b"<html" in body.lower()


def test_source_page_and_source_graph(base, kg):
    sid, quads = _record(kg, "source")
    status, _, body = _get(f"{base}/source/{sid}", "text/turtle")
    assert status == 200 and isomorphic(_parsed(body, "text/turtle"), _expected(quads))
    status, headers, body = _get(f"{base}/graph/{sid}", "application/n-triples")
    assert status == 200 and "Accept" in headers["Vary"]
    expected = [q for q in kg.quads if q.graph_name.value == GRAPH + sid]
    assert expected and isomorphic(_parsed(body, "application/n-triples"), _expected(expected))


def test_ontology_graph(base, kg):
    status, headers, body = _get(f"{base}/ontology", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    expected = [q for q in kg.quads if q.graph_name.value == ONTOLOGY_GRAPH]
    assert expected and isomorphic(_parsed(body, "text/turtle"), _expected(expected))


@pytest.mark.parametrize("path", ["/id/no-such-record", "/graph/no-such-source", "/id/", "/id/../README.md",
                                  "/id/%2e%2e/README.md", "/id/..%2fREADME.md", "/id/%2Fetc%2Fpasswd",
                                  "/source/../../pyproject.toml", "/graph/ontology/x", "/ontology/x"])
def test_unknown_or_hostile_paths_are_404(base, path):
    status, headers, body = _get(base + path, "text/turtle")
    assert status == 404, (path, body)
    assert headers["Content-Type"].startswith("text/plain")
    assert b"[project]" not in body and b"root:" not in body and b"# paradiplo" not in body
