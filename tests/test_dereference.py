"""Dereferenceable IRIs: ``paradiplo serve`` answers ``/id/<id>``, ``/source/<id>``, ``/graph/<source>``
and ``/ontology`` in the media type asked for, started for real on a loopback port."""

from __future__ import annotations

import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.publish import record_triples
from graph.rdf import GRAPH, ONTOLOGY_GRAPH, PD as ONTOLOGY

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # let the 303 through as an HTTPError


def _raw(url, accept=""):
    """One request, redirects not followed: status, headers, body."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def base303():
    with serving("--redirect", "303") as (port, _):
        yield f"http://127.0.0.1:{port}"


EXTENSIONS = {"text/turtle": "ttl", "application/n-triples": "nt", "application/ld+json": "jsonld",
              "application/rdf+xml": "rdf", "text/html": "html"}


@pytest.mark.parametrize("media", sorted(EXTENSIONS))
def test_redirect_303_sends_each_media_type_to_its_document(base303, kg, media):
    rid, quads = _record(kg)
    status, headers, body = _raw(f"{base303}/id/{rid}", media)
    assert status == 303 and headers["Location"] == f"/id/{rid}.{EXTENSIONS[media]}", body
    assert "Accept" in headers["Vary"]
    status, headers, body = _get(f"{base303}/id/{rid}", media)  # urllib follows the 303
    assert status == 200 and headers["Content-Type"].startswith(media)
    if media == "text/html":
        assert f"https://w3id.org/paradiplo/id/{rid}".encode() in body
    else:
        assert isomorphic(_parsed(body, media), _expected(quads))


@pytest.mark.parametrize("media", sorted(EXTENSIONS))
def test_direct_answers_name_their_document_which_answers_the_same(base, kg, media):
    rid, _ = _record(kg)
    status, headers, body = _raw(f"{base}/id/{rid}", media)
    assert status == 200 and headers["Content-Location"] == f"/id/{rid}.{EXTENSIONS[media]}"
    status, headers, document = _raw(base + headers["Content-Location"], "*/*")
    assert status == 200 and headers["Content-Type"].startswith(media) and document == body


def test_redirect_303_for_sources_graphs_and_the_ontology(base303, kg):
    sid, _ = _record(kg, "source")
    for path, media, target in [(f"/source/{sid}", "text/turtle", f"/source/{sid}.ttl"),
                                (f"/graph/{sid}", "application/n-triples", f"/graph/{sid}.nt"),
                                ("/ontology", "text/html", "/ontology.html"),
                                ("/ontology", "application/ld+json", "/ontology.jsonld")]:
        status, headers, _ = _raw(base303 + path, media)
        assert (status, headers["Location"]) == (303, target), path
        assert _raw(base303 + target)[0] == 200
    expected = [q for q in kg.quads if q.graph_name.value == GRAPH + sid]
    assert isomorphic(_parsed(_get(f"{base303}/graph/{sid}", "text/turtle")[2], "text/turtle"), _expected(expected))


def test_ontology_answers_browsers_with_the_published_page(base, site):
    status, headers, body = _get(f"{base}/ontology", BROWSER)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.decode("utf-8") == site["ontology.html"]


def test_a_record_s_served_page_is_the_published_page(base, kg, site):
    rid, _ = _record(kg)
    assert _get(f"{base}/id/{rid}", BROWSER)[2].decode("utf-8") == site[f"id/{rid}.html"]


@pytest.fixture(scope="module")
def site(kg):
    from graph.publish import site_files

    return site_files(kg, command="paradiplo serve")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append(value)
            elif name == "id":
                self.ids.add(value)


def _links(body: bytes) -> _Links:
    parser = _Links()
    parser.feed(body.decode("utf-8"))
    return parser


@pytest.mark.parametrize("mode", ["direct", "303"])
def test_every_internal_link_of_served_pages_answers(request, site, mode):
    """Crawl from an actor's IRI as a browser would: every page, dump and anchor reached answers."""
    root = request.getfixturevalue("base" if mode == "direct" else "base303")
    start = f"{root}/id/omsk-oblast"
    todo, seen, pages, anchors = [start], {start}, {}, []
    while todo:
        url = todo.pop()
        status, headers, body = _get(url, BROWSER)
        assert status == 200, f"{url}: {status}"
        if not headers["Content-Type"].startswith("text/html"):
            continue
        parsed = _links(body)
        pages[url] = parsed.ids
        for link in parsed.links:
            target, fragment = urldefrag(urljoin(url, link))
            if not target.startswith(root + "/"):
                continue
            if fragment:
                anchors.append((url, target, fragment))
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert {url[len(root) + 1:] for url in pages if url.endswith(".html")} == {n for n in site if n.endswith(".html")}
    for page, target, fragment in anchors:
        assert fragment in pages[target], f"{page}: no #{fragment} in {target}"


def test_attestation_iris_dereference(base, base303, kg):
    iri = next(q.subject.value for q in kg.quads if q.predicate.value == ONTOLOGY + "quote")
    path = iri[len("https://w3id.org/paradiplo"):]
    rid = path.split("/")[2]
    expected = [q for q in kg.quads if q.subject.value == iri or q.object.value == iri]
    for root in (base, base303):
        status, _, body = _get(root + path, "text/turtle")
        assert status == 200 and isomorphic(_parsed(body, "text/turtle"), _expected(expected))
        status, headers, _ = _raw(root + path, BROWSER)
        anchor = "-".join(path.split("/")[3:])
        assert (status, headers["Location"]) == (303, f"/id/{rid}.html#{anchor}")
        assert anchor in _links(_get(root + f"/id/{rid}.html")[2]).ids
