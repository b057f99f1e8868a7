"""Hostile content and bad edits while serving.

- Corpus text with HTML and Markdown tricks, and queries made of markup, come out escaped
  on every page, in every snippet and in the JSON.
- An edit that breaks an article's Markdown or the synonyms file fails the build with the
  file and line; the running app keeps serving the old index; fixing and rebuilding
  restores everything.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from starlette.testclient import TestClient

from foramen.cli import main
from indexer.build import build_index
from indexer.errors import CorpusError
from indexer.store import read_pointer
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
LOADTEST = ROOT / "bench" / "loadtest.py"
REAL_CORPUS = ROOT / "corpus"

HOSTILE = """\
---
title: "Tricks <script>alert('title')</script>"
---

Lead text with <b>bold</b> tags, <mark>a fake mark</mark> and &lt;escaped&gt; &amp; entities.
Terminal tricks: \x1b[2J\x1b]0;pwned\x07 clear screen, \x01 and \x00 stray controls.

## Heading <img src=x onerror=alert(1)> tricks

<script>alert('block')</script>

<div onclick="alert(1)">raw html block</div>

<iframe src="https://evil.example/"></iframe>

A [javascript link](javascript:alert(1)) and a [data link](data:text/html;base64,PHNjcmlwdD4=)
and an ![image](javascript:alert(2)) and <javascript:alert(3)> autolink, plus
`<script>alert('code')</script>` in code and a [fine link](https://example.org/ok).

```html
<script>alert('fenced')</script>
```

| column <b>one</b> | <style>body{}</style> |
|---|---|
| <svg onload=alert(1)> | cell |

## Quotes " and ' and </mark> closers

Attribute breakers: " onmouseover="alert(1) and ' onfocus='alert(2) and </mark><script>x</script>.
"""
QUERIES = [
    "tricks",
    "script alert",
    "<script>alert(1)</script>",
    "mark closers",
    '" onmouseover="alert(1)',
    "iframe evil",
    "svg onload",
    "javascript link",
]
DANGEROUS_TAGS = ("script", "iframe", "img", "svg", "object", "embed", "style")
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[TestClient]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tricks.md").write_text(HOSTILE, "utf-8")
    build_index(corpus, tmp_path / "index")
    app = create_app(index_dir=tmp_path / "index", corpus_dir=corpus)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def assert_inert(html: str, where: str) -> BeautifulSoup:
    """No element or attribute the corpus or the query could have smuggled in."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        if tag.name == "script":
            assert tag.get("src", "").startswith("/static/") and not tag.string, (where, tag)
        else:
            assert tag.name not in DANGEROUS_TAGS, (where, tag)
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), (where, tag)
            text = " ".join(value) if isinstance(value, list) else value
            assert not text.strip().lower().startswith(BAD_SCHEMES), (where, tag)
    return soup


def test_hostile_article_is_escaped_on_its_page(hostile: TestClient) -> None:
    for q in ("", *QUERIES):
        response = hostile.get("/articles/tricks", params={"q": q})
        assert response.status_code == 200
        soup = assert_inert(response.text, f"article q={q!r}")
        text = soup.get_text()
        assert "<script>alert('block')</script>" in text, "raw HTML is shown as text"
        assert '<div onclick="alert(1)">' in text
        assert "<mark>a fake mark</mark>" in text, "a literal <mark> is text, not a mark"
    links = [a["href"] for a in soup.select("a[href]")]
    assert "https://example.org/ok" in links


def test_hostile_results_are_escaped_in_pages_and_json(hostile: TestClient) -> None:
    seen = 0
    for q in QUERIES:
        page = hostile.get("/search", params={"q": q})
        assert page.status_code == 200
        soup = assert_inert(page.text, f"results q={q!r}")
        assert soup.select_one("input[name=q]")["value"] == q  # type: ignore[index]
        api = hostile.get("/api/search", params={"q": q, "limit": 50})
        assert api.status_code == 200 and api.json()["query"] == q
        for hit in api.json()["results"]:
            seen += 1
            snippet = BeautifulSoup(hit["snippet"], "html.parser")
            assert {tag.name for tag in snippet.find_all(True)} <= {"mark"}, hit["snippet"]
            assert all(not tag.attrs for tag in snippet.find_all(True)), hit["snippet"]
            section = hostile.get(f"/api/sections/{hit['id']}").json()
            assert "<" not in hit["title"] or "<" in section["title"]  # titles are plain text
    assert seen >= len(QUERIES), "the tricks were found, so their snippets were checked"


def test_a_literal_mark_in_the_corpus_is_not_a_highlight(hostile: TestClient) -> None:
    hits = hostile.get("/api/search", params={"q": "fake", "limit": 5}).json()["results"]
    assert hits, "the lead is found"
    snippet = hits[0]["snippet"]
    assert "&lt;mark&gt;a <mark>fake</mark> mark&lt;/mark&gt;" in snippet


# -- bad edits while serving -----------------------------------------------------------

ARTICLE = """\
---
title: "Back Pain"
---

Back pain is common.

## Lumbar Strain

A pulled muscle in the lower back; rest and paracetamol help.

## Sciatica

Pain down the leg from an irritated nerve root.
"""
SYNONYMS = """\
# groups
paracetamol, acetaminophen, tylenol
sciatica, leg pain
"""


def build(corpus: Path, index: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["build", "--corpus", str(corpus), "--index", str(index)], catch_exceptions=False
    )
    return result.exit_code, result.output


def ids(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def _built_back_pain_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """(corpus, index): the back-pain article and its synonyms, built."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "back-pain.md").write_text(ARTICLE, "utf-8")
    (corpus / "synonyms.txt").write_text(SYNONYMS, "utf-8")
    assert build(corpus, index)[0] == 0
    return corpus, index


@pytest.mark.parametrize(
    ("file", "broken", "where"),
    [
        ("back-pain.md", ARTICLE.replace("## Sciatica", "## "), "back-pain.md:11"),
        ("back-pain.md", ARTICLE.replace('title: "Back Pain"', "title: [oops"), "back-pain.md:2"),
        ("back-pain.md", ARTICLE.replace("## Lumbar Strain", "## Strain {#Bad Id}"), "md:7"),
        ("back-pain.md", ARTICLE.encode("utf-8").replace(b"rest", b"r\xffst"), "back-pain.md:9"),
        ("synonyms.txt", SYNONYMS + "a => b => c\n", "synonyms.txt:4"),
        ("synonyms.txt", SYNONYMS.replace("sciatica, leg pain", "sciatica,, leg"), "txt:3"),
        ("synonyms.txt", SYNONYMS + "lonely\n", "synonyms.txt:4"),
        ("synonyms.txt", SYNONYMS.encode() + b"\xff\xfe\n", "synonyms.txt"),
    ],
)
def test_a_broken_edit_fails_the_build_and_the_old_index_keeps_serving(
    tmp_path: Path, file: str, broken: str | bytes, where: str
) -> None:
    corpus, index = _built_back_pain_corpus(tmp_path)
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        before = {q: ids(client, q) for q in ("tylenol", "sciatica", "leg pain", "muscle")}
        assert before["tylenol"] == ["lumbar-strain"] and before["leg pain"][0] == "sciatica"
        assert client.get("/articles/back-pain").status_code == 200
        path = corpus / file
        original = path.read_bytes()
        path.write_bytes(broken if isinstance(broken, bytes) else broken.encode("utf-8"))
        code, output = build(corpus, index)
        assert code == 1, output
        assert where in output and str(corpus) in output, output
        assert "Traceback" not in output
        assert {q: ids(client, q) for q in before} == before, "the old index keeps serving"
        page = client.get("/articles/back-pain")  # the last good render of the article
        assert page.status_code == 200 and 'id="lumbar-strain"' in page.text
        path.write_bytes(original)
        article = corpus / "back-pain.md"
        article.write_text(ARTICLE.replace("paracetamol help", "paracetamol help; heat too"))
        code, output = build(corpus, index)
        assert code == 0 and output.startswith("0 added, 1 updated"), output
        assert ids(client, "heat") == ["lumbar-strain"]
        assert {q: ids(client, q) for q in before} == before, "fixed: everything is back"
        assert client.get("/articles/back-pain").status_code == 200


def test_a_deleted_synonyms_file_drops_the_rules_and_restoring_it_brings_them_back(
    tmp_path: Path,
) -> None:
    corpus, index = _built_back_pain_corpus(tmp_path)
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        assert ids(client, "tylenol") == ["lumbar-strain"]
        (corpus / "synonyms.txt").unlink()
        assert build(corpus, index)[0] == 0
        assert ids(client, "tylenol") == []
        (corpus / "synonyms.txt").write_text(SYNONYMS, "utf-8")
        assert build(corpus, index)[0] == 0
        assert ids(client, "tylenol") == ["lumbar-strain"]


def test_hostile_article_builds_from_the_cli(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "tricks.md").write_text(textwrap.dedent(HOSTILE), "utf-8")
    code, output = build(corpus, tmp_path / "index")
    assert code == 0, output
    result = CliRunner().invoke(
        main,
        [
            "search",
            "script alert terminal",
            "--index",
            str(tmp_path / "index"),
            "--corpus",
            str(corpus),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0 and "Tricks" in result.output
    assert not any(c in result.output for c in "\x00\x01\x07\x1b"), "no terminal escapes"
    assert "<script>alert" in result.output, "markup is shown as the text it is"


# -- a short load ----------------------------------------------------------------------


@pytest.mark.slow  # a served app under load, rebuilt every second
def test_short_load_while_rebuilding_has_no_errors(tmp_path: Path) -> None:
    """bench/loadtest.py for 3 s: the real server, wrk, rebuilds; zero errors (no timings)."""
    out = tmp_path / "load.json"
    options = ("--duration", "3", "--connections", "16", "--rebuild-every", "1")
    done = subprocess.run(
        [sys.executable, str(LOADTEST), *options, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(out.read_text("utf-8"))
    assert summary["errors"] == 0 and summary["server_errors"] == 0
    assert summary["ok"]["requests"] > 0 and summary["refused"]["requests"] > 0
    assert summary["builds"] >= 1 and summary["failed_builds"] == []


# -- raw HTTP against the real server --------------------------------------------------

RAW_REQUESTS = [
    b"GET /api/search?q=" + b"n" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=%ff%fe%00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    b"GET /\x00\xff HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /api/search?q=a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /articles/%2e%2e/%2e%2e/pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/../../pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/%2e%2e/%2e%2e/pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://evil.example/api/sections/..%2f..%2fpyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=nerve HTTP/1.0\r\n\r\n",
    b"POST /api/search?q=nerve HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
    b"GET /api/search?q=nerve&limit=50&page=999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n",
]


@pytest.fixture(scope="module")
def live_server(real_index: Path) -> Iterator[int]:
    """``foramen serve`` on a free port of 127.0.0.1, stopped by its process id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "foramen", "serve", "--port", str(port)]
    command += ["--index", str(real_index), "--corpus", str(REAL_CORPUS)]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGINT)
        _, log = server.communicate(timeout=15)
        assert b"Traceback" not in log, log.decode("utf-8", "replace")[-2000:]


def send_raw(port: int, request: bytes) -> bytes:
    """The status line the server answers ``request`` with (b"" if it just closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        if b"HTTP/1.1\r\n" in request:
            request = request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
        connection.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.slow  # a served app, spoken to over raw sockets
@pytest.mark.parametrize("request_bytes", RAW_REQUESTS, ids=range(len(RAW_REQUESTS)))
def test_raw_http_never_gets_a_server_error(live_server: int, request_bytes: bytes) -> None:
    status = send_raw(live_server, request_bytes)
    assert status.startswith(b"HTTP/1.1 "), status
    code = int(status.split()[1])
    assert 200 <= code < 500, status
    if b"pyproject" in request_bytes:
        assert code == 404


def test_a_build_without_checks_still_refuses_bad_synonyms_before_writing(
    tmp_path: Path,
) -> None:
    """``foramen serve --watch`` calls build_index without the CLI's corpus checks: a bad
    synonyms file must still stop the build before any article change lands."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "back-pain.md").write_text(ARTICLE, "utf-8")
    (corpus / "synonyms.txt").write_text(SYNONYMS, "utf-8")
    build_index(corpus, index)
    (corpus / "back-pain.md").write_text(ARTICLE.replace("rest and", "ice and"), "utf-8")
    (corpus / "synonyms.txt").write_text(SYNONYMS + "a => b => c\n", "utf-8")
    before = read_pointer(index)
    with pytest.raises(CorpusError, match=r"synonyms\.txt:4"):
        build_index(corpus, index)
    assert read_pointer(index) == before, "nothing was announced"
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        assert ids(client, "ice") == [] and ids(client, "rest") == ["lumbar-strain"]
        assert ids(client, "tylenol") == ["lumbar-strain"]
