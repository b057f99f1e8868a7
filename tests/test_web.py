"""The HTML pages through Starlette's TestClient, read with BeautifulSoup."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient

from indexer.models import SearchResult
from indexer.search import Engine
from webui import create_app
from webui.templating import short_label

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"
ARTICLE = "/articles/l1-l2-foraminal-narrowing"
LEAD_ID = "unilateral-neural-foraminal-narrowing-at-l1-l2"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@pytest.fixture(scope="module")
def client(real_index: Path) -> Iterator[TestClient]:
    with TestClient(create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)) as test_client:
        yield test_client


def soup_of(client: TestClient, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, url
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def results(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("ol.results > li.result[data-section-id]")


# -- the home page -------------------------------------------------------------------------


def test_home_has_a_focused_labelled_search_box_and_examples(client: TestClient) -> None:
    soup = soup_of(client, "/")
    form = soup.select_one("form[role=search][action='/search'][method=get]")
    assert form is not None
    box = form.select_one("input[name=q][type=search]")
    assert box is not None and box.has_attr("autofocus")
    label = soup.select_one(f"label[for='{box['id']}']")
    assert label is not None and label.get_text(strip=True) == "Search the articles"
    assert soup.select_one("main#main") and soup.select_one("header") and soup.select_one("footer")
    assert "195 sections" in soup.select_one(".lede").get_text()
    examples = soup.select(".examples a")
    assert len(examples) >= 4
    for link in examples:
        assert results(soup_of(client, link["href"])), link["href"]


# -- results -------------------------------------------------------------------------------


def test_results_link_highlight_and_show_their_place(client: TestClient) -> None:
    soup = soup_of(client, "/search?q=femoral+nerve+stretch")
    items = results(soup)
    assert items
    target = soup.select_one("li.result[data-section-id='femoral-nerve-stretch-test']")
    assert target is not None
    link = target.select_one("a.result-link")
    url = urlsplit(link["href"])
    assert url.path == ARTICLE and url.fragment == "femoral-nerve-stretch-test"
    assert parse_qs(url.query) == {"q": ["femoral nerve stretch"]}
    assert [m.get_text() for m in link.select("mark")] == ["Femoral", "Nerve", "Stretch"]
    crumbs = target.select_one(".crumbs").get_text(" ", strip=True)
    assert "Diagnostic Tests ›" in crumbs and crumbs.endswith("Manual Tests")
    assert {m.get_text().lower() for m in target.select(".snippet mark")} >= {"femoral", "nerve"}
    count = soup.select_one("#result-count[role=status][aria-live=polite]")
    assert count is not None
    text = count.get_text(" ", strip=True)
    assert "for “femoral nerve stretch”" in text and text.endswith("ms)")
    assert text.split()[0].isdigit()
    assert soup.select_one("input[name=q]")["value"] == "femoral nerve stretch"


def test_part_filters_show_counts_and_filter(client: TestClient) -> None:
    soup = soup_of(client, "/search?q=nerve")
    facets = soup.select("nav.facets a[data-part]")
    assert len(facets) >= 3
    total = int(soup.select_one("nav.facets a[aria-current]").select_one(".count").get_text())
    counts = {a["data-part"]: int(a.select_one(".count").get_text()) for a in facets}
    assert sum(counts.values()) == total
    part, expected = max(counts.items(), key=lambda item: item[1])
    filtered = soup_of(client, next(a["href"] for a in facets if a["data-part"] == part))
    current = filtered.select_one("nav.facets a[data-part][aria-current]")
    assert current is not None and current["data-part"] == part
    assert f"{expected} section" in filtered.select_one("#result-count").get_text()
    for item in results(filtered):
        assert item.select_one(".crumbs span[title]")["title"] == part


def test_pagination_moves_through_distinct_results(client: TestClient) -> None:
    first = soup_of(client, "/search?q=nerve&limit=5")
    nav = first.select_one("nav.pagination")
    assert nav is not None and nav.select_one("[aria-current=page]").get_text() == "1"
    second = soup_of(client, nav.select_one("a[rel=next]")["href"])
    assert second.select_one("ol.results")["start"] == "6"
    ids_one = {li["data-section-id"] for li in results(first)}
    ids_two = {li["data-section-id"] for li in results(second)}
    assert len(ids_one) == len(ids_two) == 5 and not ids_one & ids_two
    assert second.select_one("nav.pagination a[rel=prev]") is not None
    past = soup_of(client, "/search?q=nerve&page=500")
    assert not results(past) and past.select_one(".notice a")["href"] == "/search?q=nerve"


def test_no_results_page_helps(client: TestClient) -> None:
    soup = soup_of(client, "/search?q=xylophone+quasar")
    assert not results(soup)
    assert "No sections match" in soup.select_one("#result-count").get_text()
    assert soup.select(".no-results .tips li")
    assert len(soup.select(".no-results .examples a")) >= 4


@contextmanager
def served_by(index: Path, engine: type[Engine]) -> Iterator[TestClient]:
    """The app over ``engine``, an Engine subclass that changes what searches answer."""
    app = create_app(index_dir=index, corpus_dir=REAL_CORPUS, engine_factory=engine)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


class Suggesting(Engine):
    def search(self, text: str, *args: Any, **options: Any) -> SearchResult:
        found = super().search(text, *args, **options)
        return replace(found, suggestion="femoral nerve", corrected=False)


class Correcting(Engine):
    def search(self, text: str, *args: Any, **options: Any) -> SearchResult:
        found = super().search("kemp", *args, **options)
        return replace(found, query=text, suggestion="kemp", corrected=True)


class Broken(Engine):
    def search(self, text: str, *args: Any, **options: Any) -> SearchResult:
        raise RuntimeError("boom")


def test_did_you_mean_links_the_suggestion(real_index: Path) -> None:
    with served_by(real_index, Suggesting) as client:
        soup = soup_of(client, "/search?q=femorl+nerv")
    link = soup.select_one(".suggestion a")
    assert link is not None and link.get_text() == "femoral nerve"
    assert link["href"] == "/search?q=femoral+nerve"
    assert "Did you mean" in soup.select_one(".suggestion").get_text()


def test_a_corrected_query_says_so(real_index: Path) -> None:
    with served_by(real_index, Correcting) as client:
        soup = soup_of(client, "/search?q=kmep")
    assert "Showing results for kemp" in soup.select_one(".suggestion").get_text(" ", strip=True)
    link = results(soup)[0].select_one("a.result-link")["href"]
    assert parse_qs(urlsplit(link).query) == {"q": ["kemp"]}  # the landed page marks "kemp"


def test_an_empty_search_shows_the_examples(client: TestClient) -> None:
    soup = soup_of(client, "/search?q=+++")
    assert not results(soup) and soup.select(".examples a")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/search?q=" + "a" * 257, "keep it to 256 characters"),
        ("/search?q=nerve&page=0", "invalid “page”"),
        ("/search?q=nerve&limit=x", "invalid “limit”"),
    ],
)
def test_bad_input_gets_a_friendly_page(client: TestClient, url: str, says: str) -> None:
    soup = soup_of(client, url, status=400)
    alert = soup.select_one("[role=alert]")
    assert alert is not None and "could not run that search" in alert.get_text()
    assert says in alert.get_text()
    assert soup.select_one("form[role=search] input[name=q]") is not None


@pytest.mark.parametrize("url", ["/", "/search?q=nerve", ARTICLE, "/healthz"])
def test_head_requests_are_answered(client: TestClient, url: str) -> None:
    response = client.head(url)
    assert response.status_code == 200 and response.content == b""


def test_query_text_is_escaped_everywhere(client: TestClient) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for url in (f"/search?q={evil}", f"{ARTICLE}?q={evil}"):
        soup = soup_of(client, url)
        assert [s.get("src", "") for s in soup.find_all("script")] == [
            s["src"] for s in soup.select("script[src^='/static/']")
        ]
        assert not soup.select("img")
        assert soup.select_one("input[name=q]")["value"] == evil


def test_pages_have_no_inline_script_style_or_handlers(client: TestClient) -> None:
    for url in ("/", "/search?q=nerve", f"{ARTICLE}?q=nerve", "/missing"):
        response = client.get(url)
        soup = BeautifulSoup(response.text, "html.parser")
        assert all(script.has_attr("src") and not script.string for script in soup("script"))
        assert not soup("style")
        for tag in soup.find_all(True):
            assert not any(name == "style" or name.startswith("on") for name in tag.attrs), tag
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


# -- the article and the link back -------------------------------------------------------


def test_article_anchors_every_indexed_section(client: TestClient, real_engine: Engine) -> None:
    soup = soup_of(client, ARTICLE)
    sections = real_engine.article_sections("l1-l2-foraminal-narrowing")
    assert len(sections) == real_engine.count()
    for section in sections:
        heading = soup.find(id=section.id)
        assert heading is not None and heading.name in HEADINGS, section.id
        title = heading.get_text(" ", strip=True).removesuffix("¶").strip()
        assert title == section.title
        permalink = heading.select_one("a.permalink")
        assert permalink["href"] == f"#{section.id}" and permalink.get_text() == "¶"
        wrapper = heading.find_parent("section")
        assert wrapper["data-section-id"] == section.id
    assert soup.find(id=LEAD_ID).name == "h1"
    assert len(soup.select("h1")) == 1
    assert not soup.select("mark")


def test_article_highlights_the_query_stemmed(client: TestClient) -> None:
    soup = soup_of(client, f"{ARTICLE}?q=femoral+nerve+stretch")
    heading = soup.find(id="femoral-nerve-stretch-test")
    assert [m.get_text() for m in heading.select("mark")] == ["Femoral", "Nerve", "Stretch"]
    body = heading.find_parent("section").select("p mark")
    assert "stretches" in {m.get_text() for m in body}  # the stem matches, not the letters
    note = soup.select_one(".highlight-note").get_text(" ", strip=True)
    assert note.split()[0] == str(len(soup.select(".doc mark")))
    assert soup.select_one(".highlight-note a[href='/search?q=femoral+nerve+stretch']")
    assert soup.select_one(f".highlight-note a[href='{ARTICLE}']")  # clear highlights


@pytest.mark.parametrize("query", ["tylenol dose", "pins and needles in thigh", "femorl nerve"])
def test_the_landed_section_marks_what_the_result_marked(client: TestClient, query: str) -> None:
    """Synonyms and corrections the engine matched are marked where the result lands too."""
    page = soup_of(client, f"/search?q={query}")
    first = results(page)[0]
    snippet_words = {m.get_text().lower() for m in first.select(".snippet mark")}
    assert snippet_words, query
    landed = soup_of(client, first.select_one("a.result-link")["href"])
    section = landed.select_one(f"section[data-section-id='{first['data-section-id']}']")
    assert snippet_words <= {m.get_text().lower() for m in section.select("mark")}


def test_article_with_an_overlong_query_still_renders(client: TestClient) -> None:
    soup = soup_of(client, f"{ARTICLE}?q={'nerve ' * 60}")
    assert soup.select_one("[role=alert]") is not None and not soup.select(".doc mark")


@pytest.mark.parametrize(
    "query",
    ["femoral nerve stretch", "kemp's test", "vitamin b12", "ibuprofen", "acetaminophen", "MRI"],
)
def test_top_results_link_back_to_their_section(client: TestClient, query: str) -> None:
    body = client.get("/api/search", params={"q": query, "limit": 5}).json()
    assert body["results"], query
    page = soup_of(client, "/search?" + f"q={query}")
    page_links = {li["data-section-id"]: li.select_one("a")["href"] for li in results(page)}
    for hit in body["results"]:
        path, _, fragment = hit["url"].partition("#")
        assert fragment == hit["id"]
        landed = soup_of(client, path)
        heading = landed.find(id=hit["id"])
        assert heading is not None and heading.name in HEADINGS
        assert hit["title"] in heading.get_text()
        if hit["id"] in page_links:  # the HTML result carries the query to the same place
            link = urlsplit(page_links[hit["id"]])
            assert (link.path, link.fragment) == (path, hit["id"])


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/nothing", "/articles/nope", "/articles/..%2F..%2Fpyproject", "/static/nope.js"]
)
def test_unknown_pages_get_a_real_404_page(client: TestClient, url: str) -> None:
    soup = soup_of(client, url, status=404)
    assert soup.select_one("h1").get_text() == "Page not found"
    assert soup.select_one("form[role=search]") is not None
    assert soup.select(".examples a")


def test_method_not_allowed_is_an_html_page(client: TestClient) -> None:
    response = client.post("/search")
    assert response.status_code == 405
    assert BeautifulSoup(response.text, "html.parser").select_one("h1").get_text() == "Error 405"


def test_a_crash_is_a_500_page_and_json(real_index: Path) -> None:
    with served_by(real_index, Broken) as broken_client:
        page = broken_client.get("/search?q=nerve")
        assert page.status_code == 500
        assert "went wrong" in BeautifulSoup(page.text, "html.parser").get_text()
        assert page.headers["x-content-type-options"] == "nosniff"
        api = broken_client.get("/api/search?q=nerve")
        assert api.status_code == 500 and "error" in api.json()


def test_a_missing_index_is_a_503(tmp_path: Path) -> None:
    app = create_app(index_dir=tmp_path / "none", corpus_dir=REAL_CORPUS)
    with TestClient(app) as missing:
        assert missing.get("/healthz").status_code == 503
        assert "not built" in missing.get("/healthz").json()["error"]
        assert missing.get("/search?q=x").status_code == 503


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("Drugs for Unilateral Foraminal Narrowing", "Drugs"),
        ("Causes of Unilateral Neural Foraminal Narrowing at L1–L2", "Causes"),
        ("Types of Pain", "Types of Pain"),
        ("What to Do and What to Avoid", "What to Do and What to Avoid"),
    ],
)
def test_short_labels_drop_the_article_name(heading: str, label: str) -> None:
    assert short_label(heading) == label


def test_search_instead_for_the_words_as_typed(client: TestClient) -> None:
    soup = soup_of(client, "/search?q=gabapentn+dose")
    note = soup.select_one(".suggestion")
    assert note is not None
    assert "Showing results for gabapentin dose" in note.get_text(" ", strip=True)
    assert results(soup)[0]["data-section-id"] == "gabapentin-anticonvulsant-neuropathic-pain"
    instead = note.select_one("a[data-exact]")
    assert instead is not None and instead.get_text() == "gabapentn dose"
    assert parse_qs(urlsplit(instead["href"]).query) == {"q": ["gabapentn dose"], "exact": ["1"]}
    exact = soup_of(client, instead["href"])
    assert exact.select_one(".suggestion") is None
    assert not results(exact)


@pytest.mark.parametrize("value", ["2", "yes", "", "-1"])
def test_exact_must_be_0_or_1(client: TestClient, value: str) -> None:
    assert client.get(f"/api/search?q=x&exact={value}").status_code == 400
    assert client.get(f"/search?q=x&exact={value}").status_code == 400


def test_back_to_results_keeps_the_filter_page_and_size(client: TestClient) -> None:
    q = "nerve"
    part = client.get("/api/search", params={"q": q}).json()["facets"][0]["part"]
    wanted = {"q": [q], "part": [part], "limit": ["2"], "page": ["2"]}
    page = soup_of(client, "/search?" + urlencode({"q": q, "part": part, "limit": 2, "page": 2}))
    hrefs = [hit.select_one("a.result-link")["href"] for hit in results(page)]
    assert hrefs
    for href in hrefs:
        link = urlsplit(href)
        assert parse_qs(link.query) == wanted and link.fragment
    landed = soup_of(client, hrefs[0])
    back = landed.select_one(".highlight-note").find("a", string="Back to results")
    assert parse_qs(urlsplit(back["href"]).query) == wanted
    mangled = soup_of(client, f"{ARTICLE}?{urlencode({'q': q, 'page': 'x'})}")
    back = mangled.select_one(".highlight-note").find("a", string="Back to results")
    assert back["href"] == "/search?q=nerve"


def test_the_api_says_when_it_corrected(client: TestClient) -> None:
    corrected = client.get("/api/search", params={"q": "femorl nerve"}).json()
    assert (corrected["suggestion"], corrected["corrected"]) == ("femoral nerve", True)
    exact = client.get("/api/search", params={"q": "femorl nerve", "exact": 1}).json()
    assert exact["corrected"] is False


def test_results_page_names_missing_words_and_closest_matches(client) -> None:  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        client.get("/search", params={"q": "ibuprofen while pregnant"}).text, "html.parser"
    )
    missing = page.select_one("[data-missing]")
    assert missing is not None and missing.em is not None and missing.em.text == "pregnant"
    assert page.select("[data-section-id]")
    assert page.select_one("[data-relaxed]") is None
    long = client.get("/search", params={"q": "numb thigh after long drives in my truck"})
    relaxed = BeautifulSoup(long.text, "html.parser").select_one("[data-relaxed]")
    assert relaxed is not None and "closest matches" in relaxed.text


def test_a_hit_that_lacks_some_words_says_which(client) -> None:  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    text = client.get("/search", params={"q": "numbness weakness thigh groin"}).text
    notes = BeautifulSoup(text, "html.parser").select("[data-hit-missing]")
    assert notes and all(n.text.startswith("Missing: ") for n in notes)
    assert {s.text for n in notes for s in n.select("s")} <= {
        "numbness",
        "weakness",
        "thigh",
        "groin",
    }
