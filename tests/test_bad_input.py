"""Whatever people type: every bad input on the engine, the API, the HTML pages and the CLI.

Each input gets a clear 4xx (JSON ``{"error"}`` on the API, a friendly page in HTML) or a
sensible, possibly empty, result: never a 5xx, never a traceback. The tables below are
the inputs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from starlette.testclient import TestClient

from foramen.cli import main
from indexer.query import QueryPlan
from indexer.search import Engine
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"
ARTICLE = "/articles/l1-l2-foraminal-narrowing"

QUERIES = [
    "",
    " ",
    "   \t\n  ",
    "\u3000\u00a0",  # ideographic and no-break spaces
    "nerve " * 1667,  # 10,000 characters of words
    "x" * 10_000,  # one 10,000-character word
    "abcdefghij" * 1000,  # one long word with many distinct letters (spelling blow-up)
    "ǆ" * 3000,  # grows under NFKC folding
    '"femoral nerve',
    'femoral nerve"',
    '"""',
    '"' * 5000,
    '"a" ' * 2500,
    "((nerve)",
    "nerve))",
    "(((((((((((((((((((((((((((((((((((((",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "nerve AND",
    "OR nerve",
    "NOT nerve",
    "-",
    "--",
    "-nerve",
    "- - -",
    "-" * 5000,
    "*",
    "?",
    "~",
    "^",
    "*:*",
    "ner*",
    "*erve",
    "*e*",
    "?????",
    "n?rve",
    "nerve~",
    "nerve~10",
    "nerve^1000",
    "title:",
    "title:nerve",
    "id:*",
    "body:*a*",
    "path:[a TO z]",
    "{a TO z}",
    "[* TO *]",
    "the",
    "the of and a to in",
    "\x00",
    "nerve\x00stretch",
    "\x01\x02\x03\x1b[31m\x7f",
    "\ud800",
    "nerve \udfff",
    "\u202enerve\u202c",
    "\u200f\u200e\u200b",
    "💥🦴 nerve 🩺",
    "👨‍👩‍👧‍👦",
    "\ufeffnerve",
    "\uffff\ufffe",
    "e\u0301" * 500,  # combining accents
    "Ω≈ç√∫˜µ≤≥÷",
    "%zz",
    "%00",
    "%E0%A4%A",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "&lt;b&gt; &amp; &#x3C;",
    "'; DROP TABLE sections; --",
    "{{7*7}} ${7*7} {% raw %}",
    "../../etc/passwd",
    "\\",
    "nerve\r\nSet-Cookie: x=1",
    '"nerve root" ' * 800,  # 800 phrases: took 28 s before phrases were capped
    '"nerve" ' * 1200,  # overflowed Whoosh's matcher tree (RecursionError)
    "nerve " + "-root " * 1500,  # excluded words
]
# Raw query strings, sent as bytes on the wire: invalid percent-encoding among them.
RAW_QUERY_STRINGS = [
    "q=%zz",
    "q=%",
    "q=%%",
    "q=%2",
    "q=%E0%A4%A",
    "q=%ED%A0%80",  # an encoded lone surrogate
    "q=%C0%AF",  # an overlong '/'
    "q=%FF%FE",
    "q=%00nerve",
    "q=nerve&q=stretch",
    "q",
    "=nerve",
    "&&&",
    "q=nerve&limit=5&limit=x",
    "q=%3Cscript%3E&page=%31",
]
BAD_NUMBERS = ["0", "-1", "-0", "1.5", "2.0", "abc", "", " 1", "1 ", "+1", "1e3", "0x10"]
BAD_NUMBERS += ["９", "½", "NaN", "inf", "9" * 40, "1;2", "1,2"]
TOO_BIG_LIMITS = ["51", "1000", "99999999999999999999"]
UNKNOWN_SECTIONS = [
    "no-such-section",
    "KEMPS-TEST",
    "kemps-test ",
    "%20",
    "..",
    "%2e%2e",
    "..%2F..%2Fpyproject.toml",
    "%2e%2e%2f%2e%2e%2fpyproject.toml",
    "a" * 5000,
    "%00",
    "%ED%A0%80",
    "kemps-test%00",
    "*",
    "id:*",
    "kemps-test%3Fq%3D1",
]
PATH_TRICKS = [
    "/articles/..",
    "/articles/%2e%2e",
    "/articles/..%2F..%2Fpyproject.toml",
    "/articles/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/articles/..%5C..%5Cpyproject.toml",
    "/articles/l1-l2-foraminal-narrowing%2F..%2F..%2Fpyproject.toml",
    "/articles/l1-l2-foraminal-narrowing.md",
    "/articles/synonyms",
    "/articles/synonyms.txt",
    "/articles/L1-L2-FORAMINAL-NARROWING",
    "/articles/%00",
    "/articles/%ED%A0%80",
    "/articles/" + "a" * 5000,
    "/static/%2e%2e/pyproject.toml",
    "/static/..%2F..%2Fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fcorpus/l1-l2-foraminal-narrowing.md",
    "/static/..%5C..%5Cpyproject.toml",
    "/static/%00",
    "//etc/passwd",
    "/api/search/../../pyproject.toml",
    "/articles",
    "/articles/",
    "/api/sections/",
]
CLI_INTEGERS = (" 1", "1 ", "+1", "９")  # int() reads these, and so does click
SECRETS = ("[build-system]", "root:x:0:0", "title: ")  # pyproject, passwd, front matter


@pytest.fixture(scope="module")
def client(real_index: Path) -> Iterator[TestClient]:
    app = create_app(index_dir=real_index, corpus_dir=REAL_CORPUS)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def only_marks(snippet: str) -> bool:
    return all(tag.name == "mark" for tag in BeautifulSoup(snippet, "html.parser").find_all())


def check_json(response, ok: tuple[int, ...] = (200, 400)) -> dict:  # type: ignore[no-untyped-def]
    """A JSON answer with an allowed status; an error is ``{"error": "<message>"}``."""
    assert response.status_code in ok, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error"} and body["error"].strip()
    else:
        assert all(only_marks(hit["snippet"]) for hit in body["results"])
    return body


def check_page(response, ok: tuple[int, ...] = (200, 400)) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    """A whole HTML page with a search box; a 4xx explains itself in an alert."""
    assert response.status_code in ok, (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Traceback" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("form[role=search] input[name=q]") is not None
    if response.status_code >= 400:
        assert soup.select_one("[role=alert], h1") is not None
    for snippet in soup.select("[data-section-id] .snippet"):
        assert {tag.name for tag in snippet.find_all()} <= {"mark"}
    return soup


def check_any(response, ok: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    """JSON under /api/, a page elsewhere: clients resolve '..' before sending, so
    '/api/sections/..' arrives as '/api', which is a page."""
    if response.request.url.path.startswith("/api/"):
        check_json(response, ok)
    else:
        check_page(response, ok)


def visible(text: str) -> str:
    """What survives the trip through a URL: a lone surrogate cannot be encoded (a '?')."""
    return text.encode("utf-8", "replace").decode("utf-8")


# -- the engine ------------------------------------------------------------------------


@pytest.mark.parametrize("text", QUERIES)
def test_engine_answers_any_query(real_engine: Engine, text: str) -> None:
    result = real_engine.search(text, limit=50)
    assert result.total >= len(result.hits) >= 0
    assert all(only_marks(hit.snippet) for hit in result.hits)
    if not text.strip():
        assert result.total == 0


def lookups(plan: QueryPlan) -> int:
    """The posting lists a plan reads: each word of each alternative in each field."""
    if plan.plan is None:
        return 0
    words = [w for c in plan.plan.concepts for w in c.options] + list(plan.plan.phrases)
    return sum(len(w.terms) * len(w.fields) for w in words) + 3 * len(plan.plan.excluded)


def test_every_query_compiles_to_a_bounded_plan(real_engine: Engine) -> None:
    """How expensive forms stay bounded without a clock: the plan the scorer runs is small.

    Words, phrases, excluded words, synonyms and corrections are all capped, so no input
    reads more than a few hundred posting lists.
    """
    for text in QUERIES:
        plan = real_engine.plan(text)
        assert lookups(plan) <= 1000, text[:60]


@pytest.mark.parametrize(("limit", "page"), [(0, 1), (-5, 1), (10**9, 1), (10, 0), (10, -3)])
def test_engine_clamps_numbers_it_is_given(real_engine: Engine, limit: int, page: int) -> None:
    result = real_engine.search("nerve", limit=limit, page=page)
    assert 1 <= result.limit <= 50 and result.page >= 1 and result.hits


def test_engine_past_the_last_page_is_empty(real_engine: Engine) -> None:
    result = real_engine.search("nerve", limit=50, page=10**17)
    assert result.total > 0 and result.hits == ()


# -- the API ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", QUERIES)
def test_api_answers_any_query(client: TestClient, text: str) -> None:
    body = check_json(client.get("/api/search", params={"q": visible(text)}))
    if "error" in body:
        assert len(text) > 256 and "256" in body["error"]
    else:
        assert body["query"] == visible(text)
        if not text.strip():
            assert body["total"] == 0 and body["results"] == []


@pytest.mark.parametrize("raw", RAW_QUERY_STRINGS)
def test_api_and_page_survive_raw_query_strings(client: TestClient, raw: str) -> None:
    check_json(client.get(f"/api/search?{raw}"))
    check_page(client.get(f"/search?{raw}"))


@pytest.mark.parametrize("value", BAD_NUMBERS + TOO_BIG_LIMITS)
@pytest.mark.parametrize("name", ["limit", "page"])
def test_api_rejects_bad_numbers_naming_them(client: TestClient, name: str, value: str) -> None:
    response = client.get("/api/search", params={"q": "nerve", name: value})
    if name == "page" and value in TOO_BIG_LIMITS[:2]:
        assert check_json(response, ok=(200,))["results"] == []  # a page past the end
        return
    body = check_json(response, ok=(400,))
    assert f"'{name}'" in body["error"]


@pytest.mark.parametrize("section_id", UNKNOWN_SECTIONS)
def test_api_unknown_sections_are_404_json(client: TestClient, section_id: str) -> None:
    response = client.get(f"/api/sections/{section_id}")
    check_any(response, ok=(404,))
    assert not any(secret in response.text for secret in SECRETS[:2])


# -- the HTML pages --------------------------------------------------------------------


@pytest.mark.parametrize("text", QUERIES)
def test_results_page_answers_any_query(client: TestClient, text: str) -> None:
    soup = check_page(client.get("/search", params={"q": visible(text)}))
    box = soup.select_one("form[role=search] input[name=q]")
    assert box is not None
    if text.strip() and len(text) <= 256:
        assert box.get("value", "") == visible(text), "the query comes back as typed, escaped"
    elif not text.strip():
        assert box.get("value", "") == "" and not soup.select("[data-section-id]")
    assert not soup.select("img[onerror], script:not([src])")


@pytest.mark.parametrize("text", QUERIES)
def test_article_page_highlights_any_query(client: TestClient, text: str) -> None:
    response = client.get(ARTICLE, params={"q": visible(text)})
    assert response.status_code == 200 and "Traceback" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one("#kemps-test") is not None
    assert not soup.select("img[onerror], script:not([src])")


@pytest.mark.parametrize("value", BAD_NUMBERS + TOO_BIG_LIMITS)
@pytest.mark.parametrize("name", ["limit", "page"])
def test_results_page_explains_bad_numbers(client: TestClient, name: str, value: str) -> None:
    response = client.get("/search", params={"q": "nerve", name: value})
    if name == "page" and value in TOO_BIG_LIMITS[:2]:
        check_page(response, ok=(200,))
        return
    soup = check_page(response, ok=(400,))
    alert = soup.select_one("[role=alert]")
    assert alert is not None and name in alert.get_text()


@pytest.mark.parametrize("url", PATH_TRICKS)
def test_path_tricks_reach_nothing(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert not any(secret in response.text for secret in SECRETS), url
    if response.request.url.path in ("/", "/articles"):
        # '/articles/..' resolves to the home page; '/articles/' to the list of articles
        check_page(response, ok=(200,))
    else:
        check_any(response, ok=(404, 405))


def test_only_get_and_head_are_served(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        api = client.request(method, "/api/search?q=nerve")
        assert api.status_code == 405 and "error" in api.json()
        assert client.request(method, "/search?q=nerve").status_code == 405
    assert client.head("/api/search?q=nerve").status_code == 200


# -- the command line ------------------------------------------------------------------


def paths(index: Path) -> tuple[str, ...]:
    return ("--index", str(index), "--corpus", str(REAL_CORPUS))


def cli(index: Path, command: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [command, *paths(index), *args], catch_exceptions=False)


@pytest.fixture
def shared_engine(real_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The CLI searches with the session's engine: no vocabulary load per invocation.
    (test_cli_arguments_that_are_not_utf8_still_print_utf8_json runs the real thing.)

    The CLI imports Engine when a search runs, so patching the module's name reaches it;
    the index folders it was opened on are returned, so a test can check that it did.
    """
    opened: list[Path] = []

    def engine(index_dir: Path) -> Engine:
        opened.append(index_dir)
        return real_engine

    monkeypatch.setattr("indexer.search.Engine", engine)
    return opened


def test_cli_a_query_that_looks_like_an_option_is_a_usage_error(real_index: Path) -> None:
    result = cli(real_index, "search", "-nerve")
    assert result.exit_code == 2 and "No such option '-n'" in result.output
    assert cli(real_index, "search", "--", "-nerve").exit_code == 0


@pytest.mark.parametrize("text", QUERIES)
def test_cli_answers_any_query(real_index: Path, text: str, shared_engine: list[Path]) -> None:
    result = cli(real_index, "search", "--json", "--", text)
    assert result.exit_code == 0, result.output
    assert shared_engine == [real_index], "the CLI no longer opens indexer.search.Engine"
    body = json.loads(result.stdout)
    assert body["total"] >= len(body["results"])
    assert all(only_marks(hit["snippet"]) for hit in body["results"])
    readable = cli(real_index, "search", "--", text)
    assert readable.exit_code == 0 and " results for " in readable.stdout


@pytest.mark.parametrize("value", BAD_NUMBERS + TOO_BIG_LIMITS)
@pytest.mark.parametrize("name", ["--limit", "--page"])
@pytest.mark.usefixtures("shared_engine")
def test_cli_rejects_bad_numbers_naming_them(real_index: Path, name: str, value: str) -> None:
    result = cli(real_index, "search", "--json", name, value, "nerve")
    if value in CLI_INTEGERS or (name == "--page" and value in (*TOO_BIG_LIMITS, "9" * 40)):
        assert result.exit_code == 0, result.output  # a whole number click reads as such
        assert json.loads(result.stdout)["page"] >= 1
        return
    assert result.exit_code == 2
    assert f"Invalid value for '{name}'" in result.output
    assert "Traceback" not in result.output


def test_cli_arguments_that_are_not_utf8_still_print_utf8_json(real_index: Path) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; the output stays UTF-8."""
    for query in (b"\xff\xfe nerve", b"femoral \xed\xa0\x80", b"\xc0\xaf"):
        done = subprocess.run(
            [sys.executable, "-m", "foramen", "search", query, "--json", *paths(real_index)],
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        body = json.loads(done.stdout.decode("utf-8"))  # strict: raises on any bad byte
        assert "\ufffd" in body["query"]
        assert b"Traceback" not in done.stderr
