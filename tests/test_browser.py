"""The app in a real browser: Debian's Chromium driven by Playwright against `foramen serve`.

A missing browser fails these tests (CI installs it); they are never skipped.
Screenshots land in tests/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.web_server import foramen_serve

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "tests" / "screenshots"
QUERY = "femoral nerve stretch"
TARGET = "femoral-nerve-stretch-test"


@pytest.fixture(scope="module")
def server(real_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`foramen serve` on a free local port, as a person would start it."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with foramen_serve(REAL_CORPUS, real_index, log) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


class ConsoleErrors(list[str]):
    """Every console error and uncaught page error seen by a page."""

    def attach(self, page: Page) -> Page:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"pageerror: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.append(f"{message.type}: {message.text}")


def _page(browser: Browser, *, javascript: bool = True) -> tuple[Page, ConsoleErrors]:
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 860}
    )
    errors = ConsoleErrors()
    return errors.attach(context.new_page()), errors


def _in_view(page: Page, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            "el => { const r = el.getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0; }",
        )
    )


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_type_see_highlights_open_and_land_on_the_section(browser: Browser, server: str) -> None:
    page, errors = _page(browser)
    page.goto(server + "/")
    box = page.get_by_role("searchbox", name="Search the articles")
    expect(box).to_be_focused()
    _shot(page, "home")
    box.press_sequentially(QUERY, delay=20)
    results = page.locator("[data-live-results] .result")
    expect(page.locator("#result-count")).to_contain_text("for “femoral nerve stretch”")
    expect(results.first.locator(".snippet mark").first).to_be_visible()
    _shot(page, "live-results")
    first_id = results.first.get_attribute("data-section-id")
    results.first.locator("a.result-link").click()
    page.wait_for_url(f"**/articles/l1-l2-foraminal-narrowing?q=*#{first_id}")
    expect(page.locator(f"#{first_id}")).to_be_visible()
    assert _in_view(page, f"#{first_id}")
    section = page.locator(f"section[data-section-id='{first_id}']")
    expect(section).to_have_class("doc-section is-target")
    expect(section.locator("mark").first).to_be_visible()
    _shot(page, "landed-section")
    assert errors == []


def test_without_javascript_the_form_searches_and_links_land(browser: Browser, server: str) -> None:
    page, errors = _page(browser, javascript=False)
    page.goto(server + "/")
    page.get_by_role("searchbox", name="Search the articles").fill(QUERY)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=femoral+nerve+stretch")
    result = page.locator("ol.results > li.result").first
    expect(result.locator(".result-title mark").first).to_be_visible()
    expect(result.locator(".snippet mark").first).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text("for “femoral nerve stretch”")
    _shot(page, "results")
    first_id = result.get_attribute("data-section-id")
    result.locator("a.result-link").click()
    page.wait_for_url(f"**#{first_id}")
    assert _in_view(page, f"#{first_id}")
    expect(page.locator(f"section[data-section-id='{first_id}'] mark").first).to_be_visible()
    # The section the query names, landed on directly: heading in view, its words marked.
    page.goto(f"{server}/articles/l1-l2-foraminal-narrowing?q=femoral+nerve+stretch#{TARGET}")
    assert _in_view(page, f"#{TARGET}")
    expect(page.locator(f"#{TARGET} mark")).to_have_count(3)
    # Without the script's class, CSS :target alone sets the landed section apart.
    edge = page.eval_on_selector(
        f"section[data-section-id='{TARGET}']", "el => getComputedStyle(el).borderLeftColor"
    )
    other = page.eval_on_selector(
        "section[data-section-id='kemps-test']", "el => getComputedStyle(el).borderLeftColor"
    )
    assert edge != other
    _shot(page, "landed-section")
    assert errors == []


def test_keyboard_slash_arrows_and_enter(browser: Browser, server: str) -> None:
    page, errors = _page(browser)
    page.goto(f"{server}/search?q=nerve+root")
    box = page.locator("[data-search-input]")
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    links = page.locator(".results .result-link")
    page.keyboard.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    outline = links.nth(1).evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # keyboard focus is visible
    page.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()
    page.keyboard.press("ArrowDown")
    target = links.nth(0).get_attribute("href") or ""
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    section_id = target.rsplit("#", 1)[1]
    assert _in_view(page, f"#{section_id}")
    assert errors == []


def test_phone_and_dark_scheme_render_without_errors(browser: Browser, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
    )
    errors = ConsoleErrors()
    page = errors.attach(context.new_page())
    page.goto(f"{server}/search?q=tylenol+dose")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling on a phone
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    _shot(page, "phone-dark-results")
    context.close()
    assert errors == []
