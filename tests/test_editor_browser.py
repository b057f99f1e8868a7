"""The editor's loop in a real browser: Debian's Chromium driven by Playwright against
`foramen serve --editor`, on a small corpus and judgments written into tmp_path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import SMALL_ARTICLE
from tests.test_browser import _axe_violations, _page, browser  # noqa: F401 (a fixture)
from tests.test_checking import BROKEN, QRELS, write_suite
from tests.web_server import ROOT, foramen_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def foramen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "foramen", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, Path, Path]]:
    """(base URL, corpus, index, suite): `foramen serve --editor` on a small corpus."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "knee.md").write_text(SMALL_ARTICLE, "utf-8")
    suite = write_suite(tmp_path / "suite")
    extra = ("--editor", "--suite", str(suite))
    with foramen_serve(corpus, index, tmp_path / "serve.log", *extra) as base:
        yield base, corpus, index, suite


def test_an_edit_that_breaks_a_judged_query_is_refused_and_shown(
    browser: Browser,  # noqa: F811
    site: tuple[str, Path, Path, Path],
) -> None:
    base, corpus, index, suite = site
    paths = ["--corpus", str(corpus), "--index", str(index), "--suite", str(suite)]
    (corpus / "knee.md").write_text(BROKEN, "utf-8")

    check = foramen("build", "--check", *paths)
    assert check.returncode == 3, check.stdout + check.stderr
    assert "worse  term-01" in check.stdout and "refused:" in check.stdout
    diff = foramen("diff", *paths)
    assert diff.returncode == 0
    assert "term-01        'meniscus tear'\n  before: meniscus-tear\n" in diff.stdout

    page, errors = _page(browser)
    page.goto(f"{base}/search?q=meniscus+tear")
    expect(page.locator("[data-section-id=meniscus-tear]")).to_be_visible()  # still live
    page.goto(f"{base}/editor")
    banner = page.locator("[data-check]")
    expect(banner).to_have_attribute("data-check", "refused")
    expect(banner).to_contain_text("term-01 nDCG@10 falls from 1.000 to 0.000")
    page.get_by_role("link", name="What the corpus on disk changes").click()
    row = page.locator("[data-diff-query=term-01]")
    expect(row).to_contain_text("meniscus-tear")
    expect(row).to_contain_text("nothing found")
    expect(page.locator("[data-diff-summary]")).to_contain_text("1 of 3 queries")
    page.context.close()
    assert errors == []


def test_a_grade_given_in_the_browser_changes_eval(
    browser: Browser,  # noqa: F811
    site: tuple[str, Path, Path, Path],
    tmp_path: Path,
) -> None:
    base, corpus, index, suite = site
    paths = ["--corpus", str(corpus), "--index", str(index), "--suite", str(suite)]
    run_file = ["--run-file", str(tmp_path / "eval.run")]
    before = foramen("eval", *paths, *run_file)
    assert before.returncode == 0, before.stdout + before.stderr

    page, errors = _page(browser)
    page.goto(f"{base}/editor/judge?qid=term-01")
    hit = page.locator("[data-section-id=meniscus-tear]")
    expect(hit).to_have_attribute("data-grade", "2")
    page.get_by_role("button", name="Grade Meniscus Tear 0").click()
    expect(page.locator("[data-graded=meniscus-tear]")).to_contain_text("(was 2)")
    expect(hit).to_have_attribute("data-grade", "0")
    page.context.close()
    assert errors == []

    assert (suite / "qrels.txt").read_text("utf-8") == QRELS.replace(
        "meniscus-tear 2", "meniscus-tear 0"
    )
    after = foramen("eval", *paths, *run_file)
    assert after.returncode == 1
    assert "FAIL: nDCG@10 of kind 'term' 0.500 is below 0.80" in after.stderr
    assert before.stdout.splitlines()[1] != after.stdout.splitlines()[1]  # the 'all' row


@pytest.mark.parametrize("where", ["home", "judge", "gaps", "diff"])
def test_axe_finds_no_violations_on_the_editor_pages(
    browser: Browser,  # noqa: F811
    site: tuple[str, Path, Path, Path],
    where: str,
) -> None:
    url = {
        "home": "/editor",
        "judge": "/editor/judge?q=knee",
        "gaps": "/editor/gaps",
        "diff": "/editor/diff",
    }[where]
    violations = _axe_violations(browser, site[0] + url, "light")
    assert violations == [], "\n".join(violations)
