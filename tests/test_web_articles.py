"""The pages when the corpus holds many articles (a made-up corpus of three)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from indexer.build import build_index
from tests.multi_articles import KNEE, TITLES
from webui import create_app


def soup_of(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:300])
    return BeautifulSoup(response.text, "html.parser")


def test_the_corpus_holds_three_articles_with_shared_names(multi_client: TestClient) -> None:
    hits = multi_client.get("/api/search", params={"q": "ibuprofen nsaid", "limit": 50}).json()
    by_id = {hit["id"]: hit for hit in hits["results"]}
    assert by_id["knee-ibuprofen"]["title"] == by_id["thumb-ibuprofen"]["title"]
    assert by_id["knee-ibuprofen"]["article_title"] == "Knee Pain"
    assert by_id["thumb-ibuprofen"]["article"] == "thumb-numbness"
    home = soup_of(multi_client, "/")
    assert {a.get_text() for a in home.select(".article-list a")} == set(TITLES.values())


def crumbs(soup: BeautifulSoup) -> dict[str, list[str]]:
    """Each result's breadcrumb as it reads on screen, by section id."""
    shown = ".crumbs > span:not(.visually-hidden):not(.crumb-sep)"
    return {
        str(item["data-section-id"]): [span.get_text() for span in item.select(shown)]
        for item in soup.select("li.result[data-section-id]")
    }


def test_a_breadcrumb_starts_with_its_article(multi_client: TestClient) -> None:
    shown = crumbs(soup_of(multi_client, "/search?q=ibuprofen+nsaid&group=0"))
    assert shown["knee-ibuprofen"] == ["Knee Pain", "Treatments", "Drugs"]
    assert shown["thumb-ibuprofen"] == ["Numbness in the Thumb", "Drugs"]
    live = BeautifulSoup(multi_client.get("/search/live?q=ibuprofen").text, "html.parser")
    assert crumbs(live) and all(path[0] in TITLES.values() for path in crumbs(live).values())


def test_one_article_alone_is_not_named_in_breadcrumbs(tmp_path: Path) -> None:
    corpus = tmp_path / "one"
    (corpus).mkdir()
    (corpus / "knee-pain.md").write_text(KNEE, encoding="utf-8")
    build_index(corpus, tmp_path / "index")
    with TestClient(create_app(index_dir=tmp_path / "index", corpus_dir=corpus)) as client:
        soup = soup_of(client, "/search?q=ibuprofen")
    assert soup.select("li.result") and not soup.select("[data-crumb-article]")
