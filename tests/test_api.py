"""The JSON API, /healthz and /openapi.json exactly as CONTRACT.md describes them."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from indexer.search import Engine
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"
HIT_KEYS = {
    "id",
    "title",
    "path",
    "url",
    "score",
    "snippet",
    "article",
    "article_title",
}


@pytest.fixture(scope="module")
def client(real_index: Path) -> Iterator[TestClient]:
    with TestClient(create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)) as test_client:
        yield test_client


def test_search_body_has_the_contract_shape(client: TestClient) -> None:
    response = client.get("/api/search", params={"q": "femoral nerve stretch", "limit": 5})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "query",
        "total",
        "page",
        "limit",
        "suggestion",
        "missing",
        "relaxed",
        "results",
        "corrected",
        "next",
        "prev",
        "facets",
        "article_facets",
    }
    assert body["query"] == "femoral nerve stretch"
    assert (body["page"], body["limit"]) == (1, 5)
    assert body["total"] >= len(body["results"]) > 0
    ids = [hit["id"] for hit in body["results"]]
    assert "femoral-nerve-stretch-test" in ids
    for hit in body["results"]:
        assert set(hit) == HIT_KEYS
        assert hit["url"] == f"/articles/l1-l2-foraminal-narrowing#{hit['id']}"
        assert isinstance(hit["path"], list) and isinstance(hit["score"], float)


def test_snippets_are_escaped_text_with_only_mark_tags(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "nerve root pain", "limit": 50}).json()
    assert body["results"]
    for hit in body["results"]:
        tags = {tag.name for tag in BeautifulSoup(hit["snippet"], "html.parser").find_all()}
        assert tags <= {"mark"}
    assert any("<mark>" in hit["snippet"] for hit in body["results"])


def test_pages_do_not_overlap_and_a_page_past_the_end_is_empty(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "nerve", "limit": 3}).json()
    second = client.get("/api/search", params={"q": "nerve", "limit": 3, "page": 2}).json()
    assert second["page"] == 2 and first["total"] == second["total"] > 6
    assert not {h["id"] for h in first["results"]} & {h["id"] for h in second["results"]}
    past = client.get("/api/search", params={"q": "nerve", "page": 1000})
    assert past.status_code == 200 and past.json()["results"] == []


@pytest.mark.parametrize("q", ["", "   ", "\t"])
def test_an_empty_query_is_no_results(client: TestClient, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200
    assert response.json()["total"] == 0 and response.json()["results"] == []
    assert client.get("/api/search").json()["total"] == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "51"),
        ("limit", "-1"),
        ("limit", "1.5"),
        ("limit", "ten"),
        ("limit", ""),
        ("limit", " 5"),
        ("limit", "５"),
        ("limit", "1e1"),
        ("page", "0"),
        ("page", "-2"),
        ("page", "2.0"),
        ("page", "last"),
        ("page", "9" * 40),
    ],
)
def test_bad_numbers_are_a_400_naming_the_parameter(
    client: TestClient, name: str, value: str
) -> None:
    response = client.get("/api/search", params={"q": "nerve", name: value})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert name in response.json()["error"]


@pytest.mark.parametrize(("limit", "count"), [("1", 1), ("50", 50), ("007", 7)])
def test_limits_in_range_are_accepted(client: TestClient, limit: str, count: int) -> None:
    body = client.get("/api/search", params={"q": "pain", "limit": limit}).json()
    assert body["limit"] == count and len(body["results"]) == min(count, body["total"])


def test_a_query_over_256_characters_is_a_400(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "n" * 256}).status_code == 200
    response = client.get("/api/search", params={"q": "nerve " * 43})
    assert response.status_code == 400
    assert "256" in response.json()["error"]


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed phrase',
        "title:nerve OR body:*",
        "-",
        "--",
        "((()))",
        "nerve AND NOT",
        "<script>alert(1)</script>",
        "\x00",
        "%",
        "L1–L2 B₁₂ Kemp’s",
    ],
)
def test_odd_queries_never_fail(client: TestClient, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200
    assert response.json()["query"] == q


@pytest.mark.parametrize(
    "raw", ["q=%ED%A0%80", "q=%FF%FE", "q=%", "q=nerve&q=root", "limit=1&limit=2&q=x", "q=a&page"]
)
def test_malformed_query_strings_are_not_server_errors(client: TestClient, raw: str) -> None:
    response = client.get(f"/api/search?{raw}")
    assert response.status_code in (200, 400)
    assert response.headers["content-type"] == "application/json"


def test_a_filter_by_part_keeps_only_that_part(client: TestClient) -> None:
    part = "Diagnostic Tests for Unilateral Neural Foraminal Narrowing at L1–L2"
    body = client.get("/api/search", params={"q": "nerve", "part": part, "limit": 50}).json()
    assert body["results"]
    assert all(hit["path"][0] == part for hit in body["results"])


def test_section_by_id(client: TestClient) -> None:
    response = client.get("/api/sections/kemps-test")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"id", "title", "path", "url", "text"}
    assert body["id"] == "kemps-test" and body["title"] == "Kemp’s Test"
    assert body["path"][-1] == "Manual Tests"
    assert body["url"] == "/articles/l1-l2-foraminal-narrowing#kemps-test"
    assert "extension and rotation" in body["text"]


@pytest.mark.parametrize("section_id", ["no-such-section", "KEMPS-TEST", "kemps test", "%00"])
def test_an_unknown_section_is_a_json_404(client: TestClient, section_id: str) -> None:
    response = client.get(f"/api/sections/{section_id}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()


def test_healthz_counts_the_sections(client: TestClient, real_engine: Engine) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "sections": real_engine.count()}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nothing-here", 404),
        ("GET", "/api/sections/", 404),
        ("POST", "/api/search", 405),
        ("DELETE", "/api/sections/kemps-test", 405),
        ("PUT", "/healthz", 405),
    ],
)
def test_api_errors_are_json(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]


def test_openapi_describes_the_api(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/search", "/api/sections/{id}", "/healthz"} <= set(document["paths"])
    parameters = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["maximum"] == 50
    assert parameters["q"]["schema"]["maxLength"] == 256


def test_security_headers_on_json(client: TestClient) -> None:
    for path in ("/api/search?q=nerve", "/api/sections/nope", "/healthz", "/openapi.json"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


@pytest.mark.slow  # hundreds of generated requests
def test_generated_requests_never_get_a_server_error(real_index: Path) -> None:
    """Schemathesis sends requests built from /openapi.json, valid and not; every answer
    must be documented, and none may be a 5xx."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    app = create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    for operation, mode in product(operations, schemathesis.GenerationMode):
        if mode is schemathesis.GenerationMode.NEGATIVE and operation.path != "/api/search":
            continue  # the other routes take no parameter a client could get wrong

        @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(mode))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()


def test_exact_turns_spelling_correction_off(client: TestClient) -> None:
    corrected = client.get("/api/search", params={"q": "femorl nerve strech"}).json()
    assert corrected["suggestion"] == "femoral nerve stretch"
    assert corrected["results"][0]["id"] == "femoral-nerve-stretch-test"
    exact = client.get("/api/search", params={"q": "femorl nerve strech", "exact": 1}).json()
    assert exact["suggestion"] is None
    assert "femoral-nerve-stretch-test" not in [r["id"] for r in exact["results"]]


def test_prefix_completes_the_last_word(client: TestClient) -> None:
    live = client.get("/api/search", params={"q": "ibupro", "prefix": "1"}).json()
    assert live["results"] and live["results"][0]["id"] == "ibuprofen-nsaid"
    assert live["suggestion"] is None
    bad = client.get("/api/search", params={"q": "ibupro", "prefix": "yes"})
    assert bad.status_code == 400 and "prefix" in bad.json()["error"]


def test_explain_adds_the_parts_of_each_score(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "femoral nerve stretch", "explain": "1"}).json()
    for hit in body["results"]:
        assert sum(p["score"] for p in hit["explain"]["parts"]) == pytest.approx(
            hit["score"], abs=1e-3
        )
    plain = client.get("/api/search", params={"q": "femoral nerve stretch"}).json()
    assert "explain" not in plain["results"][0]
    assert client.get("/api/search", params={"q": "x", "explain": "2"}).status_code == 400
