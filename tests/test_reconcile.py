"""The reconciliation service (/reconcile) of a real ``paradiplo serve``, checked against the
Reconciliation Service API 0.2 JSON schemas (tests/reconciliation/) and the library."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from graph.rdf import load_store
from graph.reconcile import DEFAULT_LIMIT, Reconciler, ReconcileError
from graph.sparql import run_query

from .conftest import serving

SPEC = Path(__file__).parent / "reconciliation" / "0.2"
RECORDED = Path(__file__).parent / "reconciliation" / "openrefine-request.txt"


def _schemas() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((SPEC / "schemas").glob("*.json"))}


SCHEMAS = _schemas()
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)) for schema in SCHEMAS.values())


def validate(name: str, instance: object) -> None:
    """Fail with every schema error when ``instance`` does not follow the 0.2 schema ``name``."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in Draft7Validator(SCHEMAS[name], registry=REGISTRY).iter_errors(instance)]
    assert errors == [], errors


@pytest.fixture(scope="module")
def service():
    with serving() as (port, _):
        yield f"http://127.0.0.1:{port}/reconcile"


def _http(url: str, data: bytes | None = None, method: str | None = None,
          headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _reconcile(service: str, batch: dict) -> tuple[int, bytes]:
    status, _, body = _http(service, urllib.parse.urlencode({"queries": json.dumps(batch)}).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status, body


def _exact(kg, text: str) -> set[str]:
    """Actors with a label, alternative or historical name equal to ``text`` (case aside)."""
    query = ("SELECT DISTINCT ?a WHERE { ?a rdfs:label|skos:altLabel|pd:historicalName ?l "
             f"FILTER(LCASE(STR(?l)) = LCASE({json.dumps(text, ensure_ascii=False)})) }}")
    return {row[0].value.rsplit("/", 1)[1] for row in run_query(kg.store, query).rows}


def test_the_manifest_follows_the_schema(service):
    status, headers, body = _http(service)
    manifest = json.loads(body)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    validate("manifest", manifest)
    assert manifest["versions"] == ["0.2"]
    assert manifest["preview"]["url"] == service + "/preview?id={{id}}"
    assert "Region" in {t["id"] for t in manifest["defaultTypes"]}


def test_the_recorded_openrefine_request_round_trips(service, kg):
    body = RECORDED.read_bytes().strip()
    batch = json.loads(urllib.parse.parse_qs(body.decode("utf-8"))["queries"][0])
    validate("reconciliation-query-batch", batch)
    status, _, answer = _http(service, body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    results = json.loads(answer)
    assert status == 200 and set(results) == set(batch)
    validate("reconciliation-result-batch", results)
    for key, query in batch.items():
        [expected] = _exact(kg, query["query"]) & {e.id for e in Reconciler(kg.store).entities.values()
                                                    if e.type == query.get("type", e.type)}
        top = results[key]["result"][0]
        assert (top["id"], top["score"], top["match"]) == (expected, 100.0, True), key
        assert len(results[key]["result"]) <= query["limit"]
        assert [r["match"] for r in results[key]["result"][1:]] == [False] * (len(results[key]["result"]) - 1)


@pytest.mark.parametrize("path", sorted((SPEC / "examples" / "valid").glob("*.json")), ids=lambda p: p.stem)
def test_the_specs_valid_query_batches_are_answered(service, path):
    batch = json.loads(path.read_text(encoding="utf-8"))
    status, body = _reconcile(service, batch)
    assert status == 200, body
    results = json.loads(body)
    validate("reconciliation-result-batch", results)
    assert set(results) == set(batch)


@pytest.mark.parametrize("path", sorted((SPEC / "examples" / "invalid").glob("*.json")), ids=lambda p: p.stem)
def test_the_specs_invalid_query_batches_are_refused_naming_the_query(service, path):
    batch = json.loads(path.read_text(encoding="utf-8"))
    status, body = _reconcile(service, batch)
    assert status == 400 and f"query {sorted(batch)[0]!r}".encode() in body


def test_type_and_country_filter_the_candidates(kg):
    service = Reconciler(kg.store)
    entities = service.entities
    cities = service.reconcile({"q": {"query": "Omsk", "type": "City", "limit": 20}})["q"]["result"]
    assert cities and {entities[c["id"]].type for c in cities} == {"City"}
    for country in ("Kazakhstan", "kazakhstan", {"id": "kazakhstan", "name": "Kazakhstan"}):
        found = service.reconcile({"q": {"query": "Pavlodar", "limit": 20,
                                         "properties": [{"pid": "country", "v": country}]}})["q"]["result"]
        assert found and {entities[c["id"]].country for c in found} == {"kazakhstan"}
    russian = service.reconcile({"q": {"query": "Pavlodar", "properties": [{"pid": "country", "v": "Russia"}]}})
    assert "pavlodar" not in {c["id"] for c in russian["q"]["result"]}
    by_type = service.reconcile({"q": {"query": "Pavlodar", "properties": [{"pid": "type", "v": "Region"}]}})
    assert by_type["q"]["result"][0]["id"] == "pavlodar-oblast"
    unknown = service.reconcile({"q": {"query": "Pavlodar", "properties": [{"pid": "P17", "v": "x"}]}})
    assert unknown["q"]["result"] == []


def test_any_label_in_any_language_matches_and_scores_order_the_candidates(kg):
    service = Reconciler(kg.store)
    entity = service.entities["semipalatinsk-oblast"]
    for label in entity.labels:
        top = service.reconcile({"q": {"query": label.upper()}})["q"]["result"][0]
        assert top["id"] in _exact(kg, label) and top["score"] == 100.0
    fuzzy = service.reconcile({"q": {"query": "Omsk Oblst"}})["q"]["result"]
    assert fuzzy[0]["id"] == "omsk-oblast" and not any(c["match"] for c in fuzzy)
    assert [c["score"] for c in fuzzy] == sorted((c["score"] for c in fuzzy), reverse=True)
    assert len(fuzzy) <= DEFAULT_LIMIT and all(c["score"] < 100 for c in fuzzy)


def test_suggest_follows_the_schema_and_finds_by_prefix(service):
    status, _, body = _http(service + "/suggest/entity?" + urllib.parse.urlencode({"prefix": "павлод"}))
    answer = json.loads(body)
    assert status == 200
    validate("suggest-entities-response", answer)
    assert {"pavlodar", "pavlodar-oblast"} <= {e["id"] for e in answer["result"]}


def test_preview_is_an_escaped_html_card(small_kg):
    store = load_store(small_kg.nquads)
    store.update('INSERT DATA { <https://w3id.org/paradiplo/id/omsk-oblast> '
                 '<http://www.w3.org/2004/02/skos/core#altLabel> "<script>alert(1)</script>" }')
    card = Reconciler(store).preview("omsk-oblast")
    assert "<script>" not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert Reconciler(store).preview("no-such-actor") is None


def test_preview_over_http(service):
    status, headers, body = _http(service + "/preview?id=omsk-oblast")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"Omsk Oblast" in body
    assert _http(service + "/preview?id=nothing")[0] == 404


@pytest.mark.parametrize("queries, message", [
    ("{not json", b"queries is not JSON"),
    ("[]", b"must be a JSON object"),
    (json.dumps({"q0": {"query": 5}}), b"query 'q0': 'query' must be a string"),
    (json.dumps({"q0": {"query": "x", "limit": 0}}), b"query 'q0': 'limit'"),
    (json.dumps({"q0": {"query": "x" * 1001}}), b"query 'q0': 'query' is longer than 1000 characters"),
    (json.dumps({"q0": {"query": "x", "properties": [{"pid": "country"}]}}), b"query 'q0': each of 'properties'"),
])
def test_bad_batches_are_400_with_the_reason(service, queries, message):
    status, _, body = _http(service + "?" + urllib.parse.urlencode({"queries": queries}))
    assert status == 400 and message in body


def test_cors_preflight_and_jsonp(service):
    status, headers, _ = _http(service, method="OPTIONS")
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, body = _http(service + "?callback=jQuery_1")
    assert status == 200 and body.startswith(b"/**/jQuery_1(") and body.endswith(b");")
    assert _http(service + "?callback=alert(1)")[0] == 400


def test_a_batch_larger_than_the_limit_is_refused(kg):
    with pytest.raises(ReconcileError, match="at most"):
        Reconciler(kg.store).reconcile({f"q{i}": {"query": "x"} for i in range(1001)})
