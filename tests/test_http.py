"""HTTP conventions: ETag and Cache-Control per index generation, 304 on revalidation,
gzip, CORS for the JSON API only, page links and facets in the API body, the docs page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from foramen.settings import CORS_ENV, Settings, parse_origins
from indexer.build import build_index
from webui import create_app
from webui.caching import etag_matches

CACHED_URLS = [
    "/",
    "/search?q=knee",
    "/articles/knee",
    "/api/search?q=knee",
    "/api/sections/meniscus-tear",
]


@pytest.fixture
def client(small_index: tuple[Path, Path]) -> TestClient:
    corpus, index = small_index
    return TestClient(create_app(index_dir=index, corpus_dir=corpus))


@pytest.mark.parametrize("url", CACHED_URLS)
def test_an_unchanged_answer_revalidates_as_304(client: TestClient, url: str) -> None:
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, no-cache"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["x-content-type-options"] == "nosniff"
    other = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.content, "another tag gets the whole answer"


def test_a_new_build_changes_the_etag(small_index: tuple[Path, Path], client: TestClient) -> None:
    corpus, index = small_index
    etag = client.get("/api/search?q=knee").headers["etag"]
    with (corpus / "knee.md").open("a", encoding="utf-8") as article:
        article.write("\n## Knee Braces\n\nA hinged brace steadies the knee.\n")
    build_index(corpus, index)
    fresh = client.get("/api/search?q=knee", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert "knee-braces" in [hit["id"] for hit in fresh.json()["results"]]


def test_errors_and_health_are_not_tagged(client: TestClient) -> None:
    missing = client.get("/articles/nope")
    assert missing.status_code == 404 and "etag" not in missing.headers
    bad = client.get("/api/search?q=knee&limit=0")
    assert bad.status_code == 400 and "etag" not in bad.headers
    assert client.get("/healthz").headers["cache-control"] == "no-store"
    page = BeautifulSoup(client.get("/").text, "html.parser")
    style = page.find("link", rel="stylesheet")["href"]
    assert "?v=" in style
    assert client.get(style).headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        (None, 'W/"a-1"', False),
        ('W/"a-1"', 'W/"a-1"', True),
        ('"a-1"', 'W/"a-1"', True),
        ('"b-2", W/"a-1"', 'W/"a-1"', True),
        ("*", 'W/"a-1"', True),
        ('W/"a-2"', 'W/"a-1"', False),
    ],
)
def test_etag_comparison_is_weak(header: str | None, etag: str, matches: bool) -> None:
    assert etag_matches(header, etag) is matches


@pytest.mark.parametrize("url", ["/articles/knee", "/api/search?q=knee&limit=20", "/"])
def test_pages_and_json_are_gzipped(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_cors_is_for_the_api_only(client: TestClient) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    api = client.get("/api/search?q=knee", headers=origin)
    assert api.headers["access-control-allow-origin"] == "*"
    assert "etag" in api.headers["access-control-expose-headers"].lower()
    assert client.get("/openapi.json", headers=origin).headers["access-control-allow-origin"]
    assert "access-control-allow-origin" not in client.get("/", headers=origin).headers
    preflight = client.options(
        "/api/search?q=knee",
        headers={**origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_cors_origins_are_configurable(small_index: tuple[Path, Path], monkeypatch) -> None:
    corpus, index = small_index
    monkeypatch.setenv(CORS_ENV, " https://a.example , https://b.example,")
    settings = Settings.from_env()
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert parse_origins("") == ()
    app = create_app(index_dir=index, corpus_dir=corpus, cors_origins=settings.cors_origins)
    client = TestClient(app)
    allowed = client.get("/api/search?q=knee", headers={"Origin": "https://b.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://b.example"
    other = client.get("/api/search?q=knee", headers={"Origin": "https://c.example"})
    assert "access-control-allow-origin" not in other.headers


def test_api_body_links_pages_and_counts_parts(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "knee", "limit": 2}).json()
    assert first["total"] > 2 and first["prev"] is None
    pages = [first]
    while pages[-1]["next"]:
        assert len(pages) < 10
        pages.append(client.get(pages[-1]["next"]).json())
    ids = [hit["id"] for page in pages for hit in page["results"]]
    assert len(ids) == len(set(ids)) == first["total"]
    last = pages[-1]
    assert last["next"] is None and last["page"] == len(pages)
    back = client.get(last["prev"]).json()
    assert back["results"] == pages[-2]["results"]

    facets = first["facets"]
    assert sum(f["count"] for f in facets) == first["total"]
    assert [f["count"] for f in facets] == sorted((f["count"] for f in facets), reverse=True)
    part = facets[0]["part"]
    narrowed = client.get("/api/search", params={"q": "knee", "limit": 1, "part": part}).json()
    assert narrowed["facets"] == facets, "parts are counted over every part, even filtered"
    if narrowed["next"]:
        query = parse_qs(urlsplit(narrowed["next"]).query)
        assert query["part"] == [part] and query["page"] == ["2"] and query["limit"] == ["1"]


def test_a_page_past_the_end_links_back_to_the_last(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "knee", "limit": 2, "page": 99}).json()
    assert body["results"] == [] and body["next"] is None
    last = client.get(body["prev"]).json()
    assert last["results"] and last["next"] is None
    empty = client.get("/api/search", params={"q": ""}).json()
    assert (empty["next"], empty["prev"], empty["facets"]) == (None, None, [])


def test_the_api_docs_page_is_served_locally(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    root = page.find(id="api-operations")
    assert root["data-openapi"] == "/openapi.json"
    scripts = [tag["src"] for tag in page.find_all("script")]
    assert all(src.startswith("/static/") for src in scripts)
    assert any(src.startswith("/static/apidocs.js?v=") for src in scripts)
    assert client.get(scripts[-1]).status_code == 200
    links = [a["href"] for a in BeautifulSoup(client.get("/").text, "html.parser").find_all("a")]
    assert "/docs" in links
