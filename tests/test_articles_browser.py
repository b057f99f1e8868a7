"""Many articles in a real browser: grouped results, both kinds of chips, the notice of
missing words, and the /articles page, on the made-up corpus of three articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.test_browser import _axe_violations, _page, _shot, browser  # noqa: F401 (a fixture)
from tests.web_server import foramen_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(multi_index: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`foramen serve` on the three articles."""
    corpus, index = multi_index
    log = tmp_path_factory.mktemp("serve-multi") / "serve.log"
    with foramen_serve(corpus, index, log) as base:
        yield base


def test_results_are_grouped_and_lead_to_the_rest_of_an_article(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    site: str,
) -> None:
    page, errors = _page(browser)
    page.goto(f"{site}/search?q=nerve")
    groups = page.locator("[data-groups] section.group")
    expect(groups).to_have_count(2)
    expect(groups.first.locator(".group-title")).to_contain_text("Numbness in the Thumb")
    expect(groups.first.locator("li.result")).to_have_count(3)
    expect(groups.first.locator("li.result .crumb-article").first).to_have_text(
        "Numbness in the Thumb"
    )
    expect(page.locator("#result-count")).to_contain_text("5 sections in 2 articles")
    _shot(page, "grouped-results")
    groups.first.get_by_role("link", name="1 more from this article").click()
    page.wait_for_url("**/search?q=nerve&article=thumb-numbness")
    expect(page.locator("[data-groups]")).to_have_count(0)
    expect(page.locator("ol.results > li.result")).to_have_count(4)
    chosen = page.locator("nav.facets--articles a[aria-current=true]")
    expect(chosen).to_contain_text("Numbness in the Thumb")
    assert errors == []


def test_part_and_article_chips_filter_the_results(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    site: str,
) -> None:
    page, errors = _page(browser)
    page.goto(f"{site}/search?q=pins+and+needles")
    chip = page.locator("nav.facets a[data-part='Symptoms'][data-part-article='knee-pain']")
    expect(chip).to_contain_text("Symptoms · Knee Pain")
    chip.click()
    page.wait_for_url("**/search?q=pins+and+needles&article=knee-pain&part=Symptoms")
    expect(page.locator("li.result")).to_have_count(1)
    expect(page.locator("li.result")).to_have_attribute("data-section-id", "knee-pins-and-needles")
    page.locator("nav.facets--articles a[data-article='thumb-numbness']").click()
    page.wait_for_url("**/search?q=pins+and+needles&article=thumb-numbness")
    expect(page.locator("li.result")).to_have_attribute("data-section-id", "thumb-tingling")
    page.get_by_role("link", name="All articles").click()
    expect(page.locator("[data-groups] section.group")).to_have_count(2)
    assert errors == []


def test_words_no_article_holds_are_named(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    site: str,
) -> None:
    page, errors = _page(browser)
    page.goto(f"{site}/search?q=ibuprofen+pregnant")
    notice = page.locator("[data-missing]")
    expect(notice).to_be_visible()
    expect(notice.locator("em")).to_have_text("pregnant")
    _shot(page, "missing-words")
    page.goto(f"{site}/")
    box = page.get_by_role("searchbox", name="Search the articles")
    box.press_sequentially("nerve pregnant", delay=20)
    typed = page.locator("[data-live-results] [data-missing]")
    expect(typed).to_be_visible()
    expect(typed.locator("em")).to_have_text("pregnant")
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("url", ["/", "/articles", "/search?q=nerve", "/search?q=pins+and+needles"])
def test_axe_finds_no_violations_with_many_articles(
    browser: Browser,  # noqa: F811 (the fixture imported above)
    site: str,
    url: str,
    scheme: str,
) -> None:
    violations = _axe_violations(browser, site + url, scheme)
    assert violations == [], "\n".join(violations)
