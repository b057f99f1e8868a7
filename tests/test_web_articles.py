"""The pages when the corpus holds many articles (a made-up corpus of three)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.multi_articles import TITLES


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
