"""The static site (`paradiplo publish`): a page per record, JSON-LD isomorphic to the record's
triples in the store, no dead internal link, escaped text, identical bytes, VoID counts as `stats`."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urldefrag, urlparse

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from graph import open_graph
from graph.provenance import stats
from graph.publish import site_files
from graph.rdf import GRAPH, ID, ONTOLOGY_GRAPH, SOURCE

from .conftest import edit

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph inside: not ours to fix
pytestmark = [pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")]

HOSTILE = '</script><script>alert(1)</script><!--&"\'<img src=x onerror=alert(2)>'
ONTOLOGY = Path(__file__).parent.parent / "ontology" / "paradiplomacy.ttl"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def site(kg) -> dict[str, str | bytes]:
    return site_files(kg)


def _text(content: str | bytes) -> str:
    return content.decode("utf-8") if isinstance(content, bytes) else content


def _scripts(page: str, kind: str) -> list[str]:
    return re.findall(rf'<script type="{re.escape(kind)}"[^>]*>(.*?)</script>', page, flags=re.S)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)
            if name.startswith("on"):
                self.handlers.append(name)


def _parsed(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def _store_records(kg) -> set[str]:
    """Independently of graph.publish: every IRI under id/ or source/ (one path segment) with a type."""
    rows = kg.store.query(f"""SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }}
        FILTER((STRSTARTS(STR(?s), "{ID}") || STRSTARTS(STR(?s), "{SOURCE}"))
               && !CONTAINS(REPLACE(REPLACE(STR(?s), "{ID}", ""), "{SOURCE}", ""), "/")) }}""")
    return {row["s"].value for row in rows}


def test_one_page_per_record_and_source(kg, site):
    pages = {name for name in site if name.startswith(("id/", "source/"))}
    expected = {("id/" + iri[len(ID):] if iri.startswith(ID) else "source/" + iri[len(SOURCE):]) + ".html"
                for iri in _store_records(kg)}
    assert pages == expected
    counts = stats(kg.store)
    kinds = ("actors", "agreements", "forums", "sectors", "observations", "projects", "claims")
    # every record stats counts, plus the sector scheme itself; every paper plus general knowledge
    assert sum(n.startswith("id/") for n in pages) == sum(counts[k] for k in kinds) + 1 and "id/sectors.html" in pages
    assert sum(n.startswith("source/") for n in pages) == counts["sources"] + 1


def _record_graphs(kg, iri: str) -> dict[str, rdflib.Graph]:
    """A record's triples per named graph, straight from the store: subject the record or one of its
    attestations (``<record>/evidence/…``)."""
    out: dict[str, rdflib.Graph] = {}
    for row in kg.store.query(f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
            FILTER(?s = <{iri}> || STRSTARTS(STR(?s), "{iri}/evidence/")) }}"""):
        line = f"{row['s']} {row['p']} {row['o']} .\n"
        out.setdefault(row["g"].value, rdflib.Graph()).parse(data=line, format="nt")
    return out


def test_every_pages_json_ld_is_the_records_triples_in_the_store(kg, site):
    checked = 0
    for name, content in site.items():
        if not name.startswith(("id/", "source/")):
            continue
        (script,) = _scripts(_text(content), "application/ld+json")
        parsed = rdflib.Dataset()
        parsed.parse(data=script, format="json-ld")
        iri = (ID if name.startswith("id/") else SOURCE) + PurePosixPath(name).stem
        expected = _record_graphs(kg, iri)
        got = {g.identifier.toPython(): g for g in parsed.graphs() if len(g)}
        assert sorted(got) == sorted(expected), name
        for g, graph in expected.items():
            if not isomorphic(got[g], graph):
                _, missing, extra = graph_diff(to_isomorphic(graph), to_isomorphic(got[g]))
                pytest.fail(f"{name} {g}: missing {sorted(missing)[:3]}, extra {sorted(extra)[:3]}")
        checked += 1
    assert checked == len(_store_records(kg))


def test_no_dead_internal_link(site):
    ids = {name: _parsed(_text(c)).ids for name, c in site.items() if name.endswith(".html")}
    followed = 0
    for name in ids:
        for link in _parsed(_text(site[name])).links:
            if urlparse(link).scheme:
                continue
            target, fragment = urldefrag(link)
            path = str(PurePosixPath(os.path.normpath(PurePosixPath(name).parent / target))) if target else name
            assert path in site, f"{name}: dead link {link}"
            assert not fragment or fragment in ids[path], f"{name}: no #{fragment} in {path}"
            followed += 1
    assert followed > 10 * len(ids)


def test_an_actor_page_shows_labels_quotes_by_source_and_ties(kg, site):
    page = _text(site["id/omsk-oblast.html"])
    assert "Омская область" in page and "Omsk Oblast" in page
    for row in kg.store.query(f"""SELECT ?quote ?g WHERE {{ GRAPH ?g {{ <{ID}omsk-oblast> <https://w3id.org/paradiplo/ontology#evidence>/<https://w3id.org/paradiplo/ontology#quote> ?quote }} }}"""):
        section = page[page.index(f"named graph <code>{row['g'].value}</code>"):].split("</section>")[0]
        assert row["quote"].value.replace("\"", "&#34;").replace("'", "&#39;") in section
    ties = page[page.index("<h2>Ties"):]
    signed = [row["a"].value[len(ID):] for row in kg.store.query(
        f"SELECT DISTINCT ?a WHERE {{ ?a <https://w3id.org/paradiplo/ontology#signatory> <{ID}omsk-oblast> }}")]
    assert len(signed) > 3
    for agreement in signed:
        assert f'href="../id/{agreement}.html"' in ties


def test_disagreements_are_shown_side_by_side(site):
    page = _text(site["id/omsk-pavlodar-cooperation-agreement.html"])
    side = page[page.index("<h2>Disagreements"):page.index("<h2>Statements")]
    assert side.count('<div class="side">') == 1 and "2007" in side and "2015-03-16" in side
    assert "makashev-2026" in side and "omsk-kazakhstan-soft-power" in side


def test_ontology_page_documents_every_class_and_property_with_en_and_ru_labels(site):
    onto = rdflib.Graph().parse(ONTOLOGY)
    page = _text(site["ontology.html"])
    owl = rdflib.OWL
    terms = {s for kind in (owl.Class, owl.ObjectProperty, owl.DatatypeProperty, owl.AnnotationProperty, rdflib.RDF.Property)
             for s in onto.subjects(rdflib.RDF.type, kind) if str(s).startswith("https://w3id.org/paradiplo/ontology#")}
    assert len(terms) > 50
    for term in terms:
        row = html.unescape(page[page.index(f'<tr id="{str(term).split("#")[1]}">'):].split("</tr>")[0])
        for label in onto.objects(term, rdflib.RDFS.label):
            assert f'lang="{label.language}">{label}</td>' in row
        for definition in onto.objects(term, rdflib.SKOS.definition):
            assert str(definition) in row


def test_void_counts_match_stats(kg, site):
    void = rdflib.Graph().parse(data=site["void.ttl"], format="turtle")
    counts = stats(kg.store)
    dataset = rdflib.URIRef("https://w3id.org/paradiplo/dataset")
    assert void.value(dataset, VOID.triples).toPython() == counts["triples"]
    subsets = {str(s): void.value(s, VOID.triples).toPython() for s in void.objects(dataset, VOID.subset)}
    assert len(subsets) == counts["named_graphs"]
    for g, n in subsets.items():
        assert n == int(next(iter(kg.store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")))["n"].value)
    assert sum(n for g, n in subsets.items() if g != ONTOLOGY_GRAPH) == counts["quads"]
    dumps = {str(d).rsplit("/", 1)[1] for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {"dataset.trig", "dataset.nq", "dataset.jsonld"} and dumps <= set(site)
    assert str(void.value(dataset, rdflib.URIRef("http://www.w3.org/ns/dcat#version"))) in _text(site["index.html"])


def test_dumps_hold_the_whole_dataset(kg, site):
    trig = rdflib.Dataset().parse(data=site["dataset.trig"], format="trig")
    assert sum(len(g) for g in trig.graphs() if str(g.identifier).startswith(GRAPH)) == len(kg.quads)


def test_index_has_dataset_markup_and_a_search_entry_per_page(site):
    index = _text(site["index.html"])
    (markup,) = _scripts(index, "application/ld+json")
    dataset = rdflib.Graph().parse(data=markup, format="json-ld")  # inline vocabulary: no network
    assert (None, rdflib.RDF.type, rdflib.URIRef("https://schema.org/Dataset")) in dataset
    (search,) = _scripts(index, "application/json")
    entries = json.loads(search)
    assert sorted(e[0] for e in entries) == sorted(n for n in site if n.startswith(("id/", "source/")))
    assert "innerHTML" not in index and "textContent" in index


def _strings(value) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_hostile_labels_are_escaped_everywhere(small_dir):
    edit(small_dir / "paper-a.yaml", "label: {en: Omsk Oblast,", f"label: {{en: {json.dumps(HOSTILE)},")
    files = site_files(open_graph(small_dir))
    pages = {n: _text(c) for n, c in files.items() if n.endswith(".html")}
    for name, page in pages.items():
        assert HOSTILE not in page, name
        parsed = _parsed(page)
        assert parsed.handlers == [] and "img" not in parsed.tags, name
        for script in _scripts(page, "application/ld+json") + _scripts(page, "application/json"):
            assert "<" not in script and ">" not in script, name
            json.loads(script)  # the whole JSON, not cut short by the hostile label
    labelled = [n for n, p in pages.items()
                if any(HOSTILE in _strings(json.loads(s)) for s in _scripts(p, "application/ld+json"))]
    assert "id/omsk-oblast.html" in labelled
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in pages["id/omsk-oblast.html"]
    index = pages["index.html"]
    assert any(HOSTILE == e[1] for e in json.loads(_scripts(index, "application/json")[0]))


def test_same_data_same_bytes_whatever_hash_seed_or_locale(tmp_path, site):
    env = {**os.environ, "PYTHONHASHSEED": "12345", "LC_ALL": "C", "LANG": "C"}
    subprocess.run([sys.executable, "-c", "import cli; cli.main()", "publish", "-o", "site"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    written = {str(p.relative_to(tmp_path / "site")): p.read_bytes()
               for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert sorted(written) == sorted(site)
    for name, content in site.items():
        assert written[name] == (content.encode("utf-8") if isinstance(content, str) else content), name


def test_cli_refuses_a_folder_with_other_files_and_leaves_it_alone(runner, tmp_path):
    from cli import cli

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "thesis.docx").write_text("mine")
    result = runner.invoke(cli, ["publish", "-o", str(tmp_path / "site")])
    assert result.exit_code == 1 and "cannot write" in result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["thesis.docx"]


def _rewrite(rules: str, path: str, rdf: bool) -> str | None:
    """Apply the .htaccess rules as mod_rewrite would: the first matching rule whose condition
    (an Accept header for RDF) holds."""
    lines = [line for line in rules.splitlines() if line.startswith(("RewriteCond", "RewriteRule"))]
    needs_rdf = False
    for line in lines:
        if line.startswith("RewriteCond"):
            needs_rdf = True
            continue
        _, pattern, target, _flags = line.split(" ")
        match = re.match(pattern, path)
        if match and (rdf or not needs_rdf):
            return re.sub(r"\$(\d)", lambda m: match.group(int(m.group(1))), target)
        needs_rdf = False
    return None


def test_w3id_rules_send_every_minted_iri_to_its_page(kg):
    base = "https://example.org/paradiplo/"
    files = site_files(kg, base_url=base)
    rules = _text(files["w3id.htaccess"])
    minted = {t.value for q in kg.quads for t in (q.subject, q.object, q.graph_name)
              if isinstance(t, ox.NamedNode) and t.value.startswith("https://w3id.org/paradiplo/")}
    minted |= {"https://w3id.org/paradiplo/dataset"}
    assert len(minted) > 1000
    ids = {}
    for iri in sorted(minted):
        path = iri[len("https://w3id.org/paradiplo/"):].split("#")[0]
        target = _rewrite(rules, path, rdf=False)
        assert target and target.startswith(base), iri
        page, _, fragment = target[len(base):].partition("#")
        assert page in files, f"{iri} → {target}"
        if fragment:
            ids.setdefault(page, _parsed(_text(files[page])).ids)
            assert fragment in ids[page], f"{iri} → {target}"
        assert _rewrite(rules, path, rdf=True)[len(base):] in files
    with pytest.raises(ValueError):
        site_files(kg, base_url='https://x.org/" onload=')
