"""The pages when the corpus holds many articles (a made-up corpus of three)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from indexer.build import build_index
from tests.conftest import REAL_CORPUS
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
    counts = {
        li.a.get_text(): li.select_one("[data-sections]").get_text()
        for li in home.select(".article-list li")
    }
    assert counts["Knee Pain"] == "8 sections" and counts["Ankle Sprain"] == "4 sections"


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


def test_results_are_grouped_by_article_best_first(multi_client: TestClient) -> None:
    soup = soup_of(multi_client, "/search?q=nerve")
    groups = soup.select("[data-groups] > section.group[data-article]")
    assert [g["data-article"] for g in groups] == ["thumb-numbness", "knee-pain"]
    titles = [g.select_one(".group-title a").get_text() for g in groups]
    assert titles == ["Numbness in the Thumb", "Knee Pain"]
    flat = multi_client.get("/api/search", params={"q": "nerve", "limit": 50}).json()["results"]
    firsts = {g["data-article"]: g.select("li.result")[0]["data-section-id"] for g in groups}
    best = {}
    for hit in flat:  # best first: each article's first hit is its best
        best.setdefault(hit["article"], hit["id"])
    assert firsts == best
    assert len(groups[0].select("li.result")) == 3  # the thumb has 4 matches: 3 shown
    more = groups[0].select_one("a[data-more]")
    assert more is not None and more.get_text(strip=True) == "1 more from this article"
    rest = soup_of(multi_client, more["href"])
    assert not rest.select("[data-groups]")
    assert {li["data-section-id"] for li in rest.select("li.result")} == {
        hit["id"] for hit in flat if hit["article"] == "thumb-numbness"
    }
    assert groups[1].select_one("a[data-more]") is None  # its one match is shown


def test_group_0_gives_the_flat_list_in_rank_order(multi_client: TestClient) -> None:
    soup = soup_of(multi_client, "/search?q=nerve&group=0")
    assert not soup.select("[data-groups]")
    shown = [li["data-section-id"] for li in soup.select("ol.results > li.result")]
    flat = multi_client.get("/api/search", params={"q": "nerve"}).json()["results"]
    assert shown == [hit["id"] for hit in flat]


def test_an_article_filter_counts_and_pages_within_it(multi_client: TestClient) -> None:
    soup = soup_of(multi_client, "/search?q=nerve&article=thumb-numbness&limit=2")
    count = soup.select_one("#result-count").get_text(" ", strip=True)
    assert "4 sections" in count and "in Numbness in the Thumb" in count and "of 2" in count
    assert len(soup.select("li.result")) == 2
    chosen = soup.select_one("nav.facets--articles a[aria-current]")
    assert chosen is not None and chosen["data-article"] == "thumb-numbness"
    page_two = soup_of(multi_client, soup.select_one("a[rel=next]")["href"])
    assert {li.select_one("[data-crumb-article]").get_text() for li in results_of(page_two)} == {
        "Numbness in the Thumb"
    }


def results_of(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("li.result[data-section-id]")


def test_part_chips_name_their_article_when_two_share_the_name(multi_client: TestClient) -> None:
    soup = soup_of(multi_client, "/search?q=pins+and+needles")
    chips = {
        (a["data-part"], a.get("data-part-article")): a.get_text(" ", strip=True)
        for a in soup.select("nav.facets a[data-part]")
    }
    assert chips[("Symptoms", "knee-pain")].startswith("Symptoms · Knee Pain")
    assert chips[("Symptoms", "thumb-numbness")].startswith("Symptoms · Numbness in the Thumb")
    link = soup.select_one("a[data-part='Symptoms'][data-part-article='knee-pain']")
    chosen = soup_of(multi_client, link["href"])
    assert [li["data-section-id"] for li in results_of(chosen)] == ["knee-pins-and-needles"]


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("q=nerve&article=nope", 400, "There is no article “nope”"),
        ("q=nerve&article=Knee_Pain", 400, "invalid “article”"),
        ("q=nerve&group=2", 400, "invalid “group”"),
    ],
)
def test_a_bad_article_filter_is_a_friendly_400(
    multi_client: TestClient, query: str, status: int, says: str
) -> None:
    soup = soup_of(multi_client, f"/search?{query}", status)
    assert says in soup.select_one("[role=alert]").get_text()


def test_the_api_filters_by_article_and_keeps_its_flat_results(multi_client: TestClient) -> None:
    every = multi_client.get("/api/search", params={"q": "nerve", "limit": 50}).json()
    assert {hit["article"] for hit in every["results"]} == {"thumb-numbness", "knee-pain"}
    body = multi_client.get(
        "/api/search", params={"q": "nerve", "article": "thumb-numbness", "limit": 3}
    ).json()
    thumb = [hit["id"] for hit in every["results"] if hit["article"] == "thumb-numbness"]
    assert body["total"] == len(thumb) == 4
    assert [hit["id"] for hit in body["results"]] == thumb[:3]
    assert "article=thumb-numbness" in body["next"]
    rest = multi_client.get(body["next"]).json()
    assert [hit["id"] for hit in rest["results"]] == thumb[3:]
    assert sum(facet["count"] for facet in body["facets"]) == 4


@pytest.mark.parametrize("article", ["Knee Pain", "../x", "a" * 300])
def test_the_api_says_what_is_wrong_with_an_article_filter(
    multi_client: TestClient, article: str
) -> None:
    response = multi_client.get("/api/search", params={"q": "nerve", "article": article})
    assert response.status_code == 400
    assert "article" in response.json()["error"]


def test_a_well_formed_unknown_article_finds_nothing(multi_client: TestClient) -> None:
    body = multi_client.get("/api/search", params={"q": "nerve", "article": "nope"}).json()
    assert (body["total"], body["results"]) == (0, [])


def test_the_articles_page_lists_titles_sections_and_dates(multi_client: TestClient) -> None:
    home = soup_of(multi_client, "/")
    link = home.select_one("a[data-articles-link]")
    assert link is not None and link["href"] == "/articles"
    soup = soup_of(multi_client, link["href"])
    rows = {row["data-article"]: row for row in soup.select("[data-articles] tr[data-article]")}
    assert set(rows) == set(TITLES)
    sections = multi_client.get("/healthz").json()["sections"]
    assert sum(int(row.select_one("[data-sections]").get_text()) for row in rows.values()) == (
        sections
    )
    knee = rows["knee-pain"]
    assert knee.select_one("a")["href"] == "/articles/knee-pain"
    assert knee.select_one("a").get_text() == "Knee Pain"
    assert knee.select_one("[data-sections]").get_text() == "8"  # the lead and 7 headings
    assert knee.select_one("[data-updated] time")["datetime"] == "2025-01-01"
    assert rows["thumb-numbness"].select_one("time").get_text() == "2025-03-02"
    assert soup_of(multi_client, knee.select_one("a")["href"]).select_one("#knee-ibuprofen")


def test_the_articles_page_is_cached_per_index_generation(multi_client: TestClient) -> None:
    first = multi_client.get("/articles")
    assert first.headers["etag"].startswith('W/"')
    again = multi_client.get("/articles", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_live_results_name_the_words_no_section_holds(multi_client: TestClient) -> None:
    live = BeautifulSoup(
        multi_client.get("/search/live", params={"q": "ibuprofen pregnant"}).text, "html.parser"
    )
    notice = live.select_one("[data-live-body] [data-missing]")
    assert notice is not None and [em.get_text() for em in notice.select("em")] == ["pregnant"]
    clean = multi_client.get("/search/live", params={"q": "ibuprofen"}).text
    assert BeautifulSoup(clean, "html.parser").select_one("[data-missing]") is None


def test_the_api_counts_matches_per_article(multi_client: TestClient) -> None:
    body = multi_client.get("/api/search", params={"q": "nerve", "part": "Causes"}).json()
    assert body["article_facets"] == [
        {"article": "thumb-numbness", "title": "Numbness in the Thumb", "count": 4},
        {"article": "knee-pain", "title": "Knee Pain", "count": 1},
    ]
    assert [hit["id"] for hit in body["results"]] == ["thumb-carpal-tunnel"]
    filtered = multi_client.get("/api/search", params={"q": "nerve", "article": "knee-pain"})
    assert filtered.json()["article_facets"] == body["article_facets"]


def test_the_api_counts_the_one_article_of_the_real_corpus(real_index: Path) -> None:
    with TestClient(create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)) as client:
        body = client.get("/api/search", params={"q": "nerve", "part": "Symptoms"}).json()
        every = client.get("/api/search", params={"q": "nerve"}).json()
        nothing = client.get("/api/search", params={"q": "zzzzqqq"}).json()
    [only] = body["article_facets"]
    assert only["article"] == "l1-l2-foraminal-narrowing" and only["count"] == every["total"]
    assert body["total"] < every["total"]
    assert nothing["article_facets"] == []


def test_grouped_pages_are_pages_of_articles(multi_client: TestClient) -> None:
    second = soup_of(multi_client, "/search?q=nerve&limit=1&page=2")
    assert [g["data-article"] for g in second.select("section.group")] == ["knee-pain"]
    assert "page 2 of 2" in second.select_one("#result-count").get_text()
    past = soup_of(multi_client, "/search?q=nerve&limit=1&page=3")
    assert not past.select("li.result")
    assert "only 2 pages" in past.select_one(".notice").get_text()
