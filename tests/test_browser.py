"""The app in a real browser: Debian's Chromium driven by Playwright against `foramen serve`.

A missing browser fails these tests (CI installs it); they are never skipped.
Screenshots land in tests/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

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


def test_live_results_are_rendered_by_the_server(browser: Browser, server: str) -> None:
    """As typed, the results are the results page's own items: same links, headings and
    short part labels (the marks may differ: as typed, the last word is read as a prefix),
    and the results page's URL kept up to date."""
    page, errors = _page(browser)
    page.goto(f"{server}/search?q=kemp")
    box = page.locator("[data-search-input]").first
    box.fill("")
    box.press_sequentially("tylenol dose", delay=20)
    expect(page.locator("#result-count")).to_contain_text("for “tylenol dose”")
    live = page.locator("[data-live-results] li.result")
    expect(live.first.locator(".result-title mark").first).to_be_visible()
    assert page.url.endswith("/search?q=tylenol+dose")
    shown = """items => items.map((li) => [li.dataset.sectionId,
        li.querySelector(".result-link").getAttribute("href"),
        li.querySelector(".result-title").textContent, li.querySelector(".crumbs").outerHTML])"""
    typed = live.evaluate_all(shown)
    page.goto(f"{server}/search?q=tylenol+dose")
    served = page.locator("ol.results > li.result").evaluate_all(shown)
    assert typed and typed == served[: len(typed)]
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


AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\\n` +
    v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary}`).join("\\n"));
}"""


def _axe_violations(browser: Browser, url: str, scheme: str, typed: str = "") -> list[str]:
    """Every axe-core violation on ``url`` in the colour ``scheme``, after typing ``typed``."""
    assert AXE.is_file(), f"{AXE} is missing: run 'npm ci --prefix tests/axe' (.ci/run does)"
    # The pages forbid inline scripts (CSP); axe comes in through Playwright instead.
    context = browser.new_context(
        bypass_csp=True, color_scheme=scheme, viewport={"width": 1280, "height": 860}
    )
    errors = ConsoleErrors()
    page = errors.attach(context.new_page())
    page.goto(url)
    if typed:
        page.get_by_role("searchbox", name="Search the articles").press_sequentially(typed)
        expect(page.locator("[data-live-results] .result").first).to_be_visible()
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.version").startswith("4.")
    violations: list[str] = page.evaluate(AXE_RUN)
    context.close()
    assert errors == []
    return violations


def _selected_part(server: str, q: str) -> str:
    with urllib.request.urlopen(f"{server}/api/search?{urlencode({'q': q})}") as response:
        return str(json.load(response)["facets"][0]["part"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "where", ["home", "home-typed", "results", "results-part", "article", "docs"]
)
def test_axe_finds_no_violations(browser: Browser, server: str, where: str, scheme: str) -> None:
    typed = QUERY if where == "home-typed" else ""
    url = {
        "home": "/",
        "home-typed": "/",
        "results": "/search?" + urlencode({"q": "nerve", "page": 2}),
        "results-part": "/search?"
        + urlencode({"q": "nerve", "part": _selected_part(server, "nerve")}),
        "article": "/articles/l1-l2-foraminal-narrowing?" + urlencode({"q": QUERY}) + f"#{TARGET}",
        "docs": "/docs",
    }[where]
    violations = _axe_violations(browser, server + url, scheme, typed)
    assert violations == [], "\n".join(violations)


def test_landing_marks_its_section_strongly_and_keeps_the_way_back(
    browser: Browser, server: str
) -> None:
    page, errors = _page(browser)
    page.goto(f"{server}/articles/l1-l2-foraminal-narrowing?{urlencode({'q': QUERY})}#{TARGET}")
    strong = page.locator(f"section[data-section-id='{TARGET}'] mark").first
    faint = page.locator(f"section.doc-section:not([data-section-id='{TARGET}']) mark").first
    background = "el => getComputedStyle(el).backgroundColor"
    assert strong.evaluate(background) != faint.evaluate(background)
    notice = page.locator(".highlight-note")
    heading_top = page.locator(f"#{TARGET}").evaluate("el => el.getBoundingClientRect().top")
    assert heading_top >= notice.evaluate("el => el.getBoundingClientRect().bottom")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.get_by_role("link", name="Back to results")).to_be_in_viewport()
    _shot(page, "landed-scrolled")
    assert errors == []


def test_the_live_preview_says_when_it_corrected(browser: Browser, server: str) -> None:
    page, errors = _page(browser)
    page.goto(server + "/")
    page.get_by_role("searchbox", name="Search the articles").press_sequentially("femorl nerve")
    suggestion = page.locator("[data-live-results] .suggestion")
    expect(suggestion).to_contain_text("Showing results for femoral nerve")
    expect(suggestion).not_to_contain_text("Did you mean")
    expect(suggestion.locator("a[data-exact]")).to_have_attribute(
        "href", "/search?q=femorl+nerve&exact=1"
    )
    assert errors == []


def test_the_api_docs_page_sends_requests(browser: Browser, server: str) -> None:
    page, errors = _page(browser)
    page.goto(server + "/docs")
    search = page.locator("section.api-operation", has_text="GET /api/search")
    search.get_by_label("q", exact=True).fill("nerve")
    search.get_by_label("limit", exact=True).fill("2")
    search.get_by_role("button", name="Send").click()
    expect(search.locator(".api-status")).to_contain_text("→ 200 · ETag W/")
    answer = json.loads(search.locator(".api-output").inner_text())
    assert answer["query"] == "nerve" and len(answer["results"]) == 2 and answer["next"]
    section = page.locator("section.api-operation", has_text="GET /api/sections/{id}")
    section.get_by_label("id", exact=True).fill("no-such-section")
    section.get_by_role("button", name="Send").click()
    expect(section.locator(".api-status")).to_contain_text("→ 404")
    assert "error" in json.loads(section.locator(".api-output").inner_text())
    _shot(page, "api-docs")
    assert [error for error in errors if "404" not in error] == []  # the 404 asked for
