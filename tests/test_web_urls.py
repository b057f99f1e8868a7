"""One URL builder and one renderer: every link comes from the routes, live results from
the results page's own partials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from tests.conftest import REAL_CORPUS
from webui import create_app

ARTICLE = "/articles/l1-l2-foraminal-narrowing"
PAGES = ["/", "/search?q=nerve+root", "/search?q=tylenol&part=x", f"{ARTICLE}?q=nerve", "/nope"]


@pytest.fixture(scope="module")
def client(real_index: Path) -> Iterator[TestClient]:
    with TestClient(create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)) as test_client:
        yield test_client


def links(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [str(a["href"]) for a in soup.select("[href]")]
    found += [str(form["action"]) for form in soup.select("form[action]")]
    found += [str(script["src"]) for script in soup.select("script[src]")]
    found += [str(element["data-live-url"]) for element in soup.select("[data-live-url]")]
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_link_is_a_path_of_this_app_that_answers(client: TestClient, page: str) -> None:
    response = client.get(page, headers={"host": "attacker.example"})
    assert response.status_code in (200, 404)
    assert "attacker.example" not in response.text  # no absolute URL from the Host header
    found = links(response.text)
    assert found
    for href in found:
        if href.startswith("#"):
            continue
        assert href.startswith("/") and not href.startswith("//"), href
        target = client.get(href.split("#")[0])
        assert target.status_code == 200, href


def test_the_api_url_of_a_section_is_its_article_route(client: TestClient) -> None:
    # indexer.models.Section.url writes the address the web app's "article" route answers.
    body = client.get("/api/search", params={"q": "nerve", "limit": "5"}).json()
    assert body["results"]
    for hit in body["results"]:
        path = client.app.url_path_for("article", slug=hit["article"])
        assert hit["url"] == f"{path}#{hit['id']}"


def test_live_results_are_the_results_page_items(client: TestClient) -> None:
    live = client.get("/search/live", params={"q": "femoral nerve stretch"})
    assert live.status_code == 200
    assert live.headers["content-type"] == "text/html; charset=utf-8"
    fragment = BeautifulSoup(live.text, "html.parser")
    count = fragment.select_one("[data-live-count]")
    assert count is not None and "for “femoral nerve stretch”" in count.get_text()
    page = BeautifulSoup(client.get("/search?q=femoral+nerve+stretch").text, "html.parser")

    def items(soup: BeautifulSoup) -> list[str]:
        return [str(li) for li in soup.select("ol.results > li.result[data-section-id]")]

    assert items(fragment) and items(fragment) == items(page)
    first = fragment.select_one("li.result")
    assert isinstance(first, Tag)
    assert first.select(".result-title mark"), "the server highlights the heading"
    see_all = fragment.select_one(".see-all a")
    assert see_all is not None and see_all["href"] == "/search?q=femoral+nerve+stretch"


def test_live_results_complete_the_last_word(client: TestClient) -> None:
    fragment = BeautifulSoup(
        client.get("/search/live", params={"q": "femoral nerve str", "prefix": "1"}).text,
        "html.parser",
    )
    ids = [li["data-section-id"] for li in fragment.select("li.result")]
    assert "femoral-nerve-stretch-test" in ids


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ({"q": ""}, 200, ""),
        ({"q": "   "}, 200, ""),
        ({"q": "x" * 300}, 400, "too long"),
        ({"q": "nerve", "limit": "0"}, 400, "invalid “limit”"),
        ({"q": "zzzzqqq"}, 200, "No sections match “zzzzqqq”"),
    ],
)
def test_live_results_of_odd_input(
    client: TestClient, query: dict[str, str], status: int, says: str
) -> None:
    response = client.get("/search/live", params=query)
    assert response.status_code == status
    fragment = BeautifulSoup(response.text, "html.parser")
    count = fragment.select_one("[data-live-count]")
    assert count is not None and says in count.get_text()
    assert fragment.select("li.result") == []


def test_a_corrected_live_search_offers_the_words_as_typed(client: TestClient) -> None:
    fragment = BeautifulSoup(client.get("/search/live?q=gabapetin").text, "html.parser")
    exact = fragment.select_one("a[data-exact]")
    assert exact is not None
    assert urlsplit(str(exact["href"])).query == "q=gabapetin&exact=1"
