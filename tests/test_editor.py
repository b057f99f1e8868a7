"""Editor mode through Starlette's TestClient: absent when off, loopback or a token, CSRF
on every post, every field validated, grades written to the judgments without loss."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from pathlib import Path

import httpx2 as httpx
import pytest
from bs4 import BeautifulSoup
from starlette.applications import Starlette
from starlette.testclient import TestClient

from indexer import judgments
from indexer.build import build_index
from indexer.chunk import chunk_article
from indexer.corpus import read_article
from indexer.querylog import QueryCount, QueryLog
from indexer.staging import CheckStatus, record_check
from tests.conftest import SMALL_ARTICLE, WriteCorpus
from tests.test_checking import BROKEN, QRELS, write_suite
from webui import create_app
from webui.editor import EditorConfig

# Every section of the small article, in order.
KNEE = read_article(Path("knee.md"), SMALL_ARTICLE.encode())
SECTIONS = [section.id for section in chunk_article(KNEE)]


@pytest.fixture
def site(write_corpus: WriteCorpus, tmp_path: Path) -> tuple[Path, Path, Path]:
    """(corpus, index, suite) of the small article, built, with two judged queries."""
    corpus = write_corpus()
    build_index(corpus, tmp_path / "index")
    return corpus, tmp_path / "index", write_suite(tmp_path / "suite")


def editor_app(
    site: tuple[Path, Path, Path], token: str | None = None, log: bool = False
) -> Starlette:
    corpus, index, suite = site
    return create_app(
        index_dir=index,
        corpus_dir=corpus,
        editor=EditorConfig(suite, index, corpus, token),
        query_log=QueryLog(index / "q.sqlite3", flush_seconds=0) if log else None,
    )


def csrf(client: TestClient, url: str = "/editor/judge?qid=term-01") -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    field = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf]")
    assert field is not None
    return str(field["value"])


def post(client: TestClient, url: str, **fields: str) -> httpx.Response:
    return client.post(url, data=fields, follow_redirects=False)


def said(response: httpx.Response) -> str:
    """The text a person reads on the page."""
    return BeautifulSoup(response.text, "html.parser").get_text(" ")


def test_editor_routes_are_absent_when_off(site: tuple[Path, Path, Path]) -> None:
    corpus, index, _ = site
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        for url in ["/editor", "/editor/judge?q=knee", "/editor/gaps", "/editor/diff"]:
            assert client.get(url).status_code == 404, url
        assert client.post("/editor/grade", data={"grade": "2"}).status_code == 404


def test_without_a_token_only_this_machine_may_edit(site: tuple[Path, Path, Path]) -> None:
    app = editor_app(site)
    with TestClient(app, client=("203.0.113.7", 4000)) as outsider:
        assert outsider.get("/editor").status_code == 404
        assert outsider.post("/editor/grade", data={"grade": "2"}).status_code == 404
    with TestClient(app, client=("127.0.0.1", 4000)) as local:
        assert local.get("/editor").status_code == 200
        assert local.get("/editor/login", follow_redirects=False).status_code == 303


def test_with_a_token_editors_sign_in(site: tuple[Path, Path, Path]) -> None:
    with TestClient(editor_app(site, token="s3cret"), client=("203.0.113.7", 4000)) as client:
        first = client.get("/editor/gaps", follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/editor/login"
        assert "Last check" not in client.get("/editor/login").text
        token = csrf(client, "/editor/login")
        wrong = post(client, "/editor/login", csrf=token, token="guess")
        assert wrong.status_code == 403 and "not the editor token" in said(wrong)
        assert post(client, "/editor/grade", grade="2").status_code == 403
        right = post(client, "/editor/login", csrf=token, token="s3cret")
        assert right.status_code == 303
        assert "httponly" in right.headers["set-cookie"].lower()
        assert "samesite=strict" in right.headers["set-cookie"].lower()
        assert client.get("/editor").status_code == 200
    with TestClient(editor_app(site, token="s3cret"), client=("203.0.113.7", 4000)) as bearer:
        headers = {"Authorization": "Bearer s3cret"}
        assert bearer.get("/editor", headers=headers).status_code == 200


def test_a_grade_lands_in_the_judgments_as_a_small_diff(
    site: tuple[Path, Path, Path],
) -> None:
    suite = site[2]
    with TestClient(editor_app(site)) as client:
        page = BeautifulSoup(client.get("/editor/judge?qid=term-01").text, "html.parser")
        grades = {li["data-section-id"]: li["data-grade"] for li in page.select("[data-grade]")}
        assert grades == {"meniscus-tear": "2"}
        assert page.select("[data-unjudged]") == []
        other = BeautifulSoup(client.get("/editor/judge?q=knee").text, "html.parser")
        hits = other.select("[data-section-id]")
        assert hits and len(other.select("[data-unjudged]")) == len(hits)
        token = csrf(client)
        new = post(client, "/editor/grade", csrf=token, qid="term-01", section="causes", grade="1")
        assert new.status_code == 303
        assert new.headers["location"] == "/editor/judge?qid=term-01&graded=causes&was=unjudged"
        changed = post(
            client, "/editor/grade", csrf=token, qid="term-01", section="meniscus-tear", grade="1"
        )
        assert changed.headers["location"].endswith("graded=meniscus-tear&was=2")
        shown = client.get(changed.headers["location"]).text
        assert "Graded" in shown and "(was 2)" in shown
    assert (suite / "qrels.txt").read_text("utf-8").splitlines() == [
        "term-01 0 meniscus-tear 1",
        "term-01 0 causes 1",
        "term-02 0 quadriceps-strengthening 2",
    ]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"qid": "term-01", "section": "causes", "grade": "3"}, 400, "'grade' must be 0"),
        ({"qid": "term-01", "section": "causes", "grade": ""}, 400, "'grade' must be 0"),
        ({"qid": "term-01", "section": "causes"}, 400, "'grade' must be 0"),
        ({"qid": "TERM 1", "section": "causes", "grade": "1"}, 400, "'qid' must be"),
        ({"qid": "term-99", "section": "causes", "grade": "1"}, 400, "no query 'term-99'"),
        ({"qid": "none-01", "section": "causes", "grade": "1"}, 400, "no-answer query"),
        ({"qid": "term-01", "section": "../etc", "grade": "1"}, 400, "'section' must be"),
        ({"qid": "term-01", "section": "nope", "grade": "1"}, 400, "no section 'nope'"),
    ],
)
def test_every_field_is_validated(
    site: tuple[Path, Path, Path], fields: dict[str, str], status: int, message: str
) -> None:
    before = (site[2] / "qrels.txt").read_text("utf-8")
    with TestClient(editor_app(site)) as client:
        answer = post(client, "/editor/grade", csrf=csrf(client), **fields)
    assert answer.status_code == status
    assert message in said(answer)
    assert (site[2] / "qrels.txt").read_text("utf-8") == before


def test_posts_need_the_csrf_token_and_a_small_urlencoded_body(
    site: tuple[Path, Path, Path],
) -> None:
    fields = {"qid": "term-01", "section": "causes", "grade": "1"}
    with TestClient(editor_app(site)) as client:
        missing = post(client, "/editor/grade", **fields)
        assert missing.status_code == 403 and "CSRF token" in said(missing)
        forged = post(client, "/editor/grade", csrf="0" * 64, **fields)
        assert forged.status_code == 403
        token = csrf(client)
        client.cookies.clear()  # another browser: the token is not its own
        assert post(client, "/editor/grade", csrf=token, **fields).status_code == 403
        token = csrf(client)
        as_json = client.post("/editor/grade", json=fields | {"csrf": token})
        assert as_json.status_code == 415
        huge = post(client, "/editor/grade", csrf=token, junk="x" * 5000, **fields)
        assert huge.status_code == 413
        twice = client.post(
            "/editor/grade",
            content=f"csrf={token}&qid=term-01&qid=term-02&section=causes&grade=1",
            headers={"content-type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert twice.status_code == 400 and "sent once" in said(twice)
        bad_bytes = client.post(
            "/editor/grade",
            content=b"csrf=\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert bad_bytes.status_code == 400
    assert (site[2] / "qrels.txt").read_text("utf-8") == QRELS


def test_two_editors_grading_at_once_lose_nothing(site: tuple[Path, Path, Path]) -> None:
    app = editor_app(site)
    failures: list[str] = []

    def editor(sections: list[str], grade: str) -> None:
        with TestClient(app) as client:
            token = csrf(client)
            for section in sections:
                for qid in ("term-01", "term-02"):
                    answer = post(
                        client, "/editor/grade", csrf=token, qid=qid, section=section, grade=grade
                    )
                    if answer.status_code != 303:
                        failures.append(answer.text)

    threads = [threading.Thread(target=editor, args=(SECTIONS[n::3], str(n))) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    given = judgments.grades(site[2])
    assert given == {
        qid: {section: SECTIONS.index(section) % 3 for section in SECTIONS}
        for qid in ("term-01", "term-02")
    }


def _grade_many(suite: Path, worker: int) -> None:
    for number in range(25):
        judgments.set_grade(suite, f"term-{worker:02d}", f"section-{number}", number % 3)


@pytest.mark.slow
def test_processes_grading_one_file_at_once_lose_nothing(tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "suite")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_grade_many, args=(suite, n)) for n in range(3, 7)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    given = judgments.grades(suite)
    assert all(len(given[f"term-{n:02d}"]) == 25 for n in range(3, 7))
    assert given["term-01"] == {"meniscus-tear": 2}


def test_a_new_query_is_added_before_it_is_graded(site: tuple[Path, Path, Path]) -> None:
    with TestClient(editor_app(site)) as client:
        page = BeautifulSoup(client.get("/editor/judge?q=knee%20cartilage").text, "html.parser")
        assert page.select_one("[data-add-query]") is not None
        assert page.select(".grade-form") == []
        token = csrf(client)
        bad = post(client, "/editor/queries", csrf=token, kind="noanswer", q="knee cartilage")
        assert bad.status_code == 400 and "'kind' must be one of: term" in said(bad)
        empty = post(client, "/editor/queries", csrf=token, kind="term", q="   ")
        assert empty.status_code == 400
        added = post(client, "/editor/queries", csrf=token, kind="term", q="knee  cartilage")
        assert added.status_code == 303
        assert added.headers["location"] == "/editor/judge?qid=term-03"
        again = post(client, "/editor/queries", csrf=token, kind="term", q="knee cartilage")
        assert again.headers["location"] == "/editor/judge?qid=term-03", "not added twice"
    lines = (site[2] / "queries.tsv").read_text("utf-8").splitlines()
    assert lines[-1] == "term-03\tterm\tdev\tknee cartilage"


def test_judge_page_inputs_are_validated(site: tuple[Path, Path, Path]) -> None:
    with TestClient(editor_app(site)) as client:
        assert client.get("/editor/judge").status_code == 400
        assert client.get("/editor/judge?q=" + "x" * 300).status_code == 400
        assert client.get("/editor/judge?qid=term-77").status_code == 404
        assert client.get("/editor/judge?qid=%00").status_code == 404


def test_the_gaps_page_lists_missing_and_unjudged_sections(
    site: tuple[Path, Path, Path],
) -> None:
    judgments.set_grade(site[2], "term-02", "gone-section", 1)
    knee = judgments.add_query(site[2], "term", "knee")
    judgments.set_grade(site[2], knee, "knee-pain", 2)
    with TestClient(editor_app(site)) as client:
        page = BeautifulSoup(client.get("/editor/gaps").text, "html.parser")
    missing = page.select_one("[data-gaps=missing]")
    assert missing is not None and "gone-section" in missing.text
    link = missing.select_one("a")
    assert link is not None and link["href"] == "/editor/judge?qid=term-02"
    unjudged = page.select_one("[data-gaps=unjudged]")
    assert unjudged is not None and f"{knee} “knee”" in unjudged.text


def test_the_diff_page_and_the_banner(site: tuple[Path, Path, Path]) -> None:
    corpus, index, _ = site
    (corpus / "knee.md").write_text(BROKEN, "utf-8")
    record_check(index, CheckStatus("refused", "not published", ("term-01 fell",), None))
    with TestClient(editor_app(site)) as client:
        page = BeautifulSoup(client.get("/editor/diff").text, "html.parser")
        summary = page.select_one("[data-diff-summary]")
        assert summary is not None and "1 of 3 queries change their top 5" in summary.text
        row = page.select_one("[data-diff-query=term-01]")
        assert row is not None and "meniscus-tear" in row.text
        banner = page.select_one("[data-check]")
        assert banner is not None and banner["data-check"] == "refused"
        assert "term-01 fell" in banner.text
        (corpus / "bad.md").write_text("no front matter and no heading\n", "utf-8")
        broken = client.get("/editor/diff")
        assert broken.status_code == 200 and "bad.md" in said(broken)
    shutil.rmtree(corpus)


def test_searches_and_opened_results_are_counted(site: tuple[Path, Path, Path]) -> None:
    app = editor_app(site, log=True)
    with TestClient(app) as client:
        client.get("/search?q=Meniscus+tear")
        client.get("/search?q=meniscus+tear&page=2")  # paging is not searching again
        client.get("/api/search?q=zzyzx")
        client.get("/api/search?q=menis&prefix=1")  # typing, not searching
        client.get("/search/live?q=meniscus")
        client.get("/articles/knee?q=meniscus+tear")
        home = BeautifulSoup(client.get("/editor").text, "html.parser")
    log = app.state.web.query_log
    assert log.top(10) == [QueryCount("meniscus tear", 1, 0, 1), QueryCount("zzyzx", 1, 1, 0)]
    empty = home.select_one("[data-log=empty]")
    assert empty is not None and "zzyzx" in empty.text


@pytest.mark.parametrize(
    "q", ["<script>alert(1)</script>", "a\x00b", "' OR 1=1 --", "\u202e", "é" * 256]
)
def test_any_query_text_is_a_safe_judging_page(site: tuple[Path, Path, Path], q: str) -> None:
    with TestClient(editor_app(site)) as client:
        page = client.get("/editor/judge", params={"q": q})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    heading = BeautifulSoup(page.text, "html.parser").select_one("h1")
    assert heading is not None and " ".join(q.split()) in heading.text


def test_the_results_page_links_to_judging_only_in_editor_mode(
    site: tuple[Path, Path, Path],
) -> None:
    with TestClient(editor_app(site)) as client:
        page = BeautifulSoup(client.get("/search?q=knee+pain").text, "html.parser")
    link = page.select_one("[data-judge-link]")
    assert link is not None and link["href"] == "/editor/judge?q=knee+pain"
    with TestClient(create_app(index_dir=site[1], corpus_dir=site[0])) as client:
        plain = BeautifulSoup(client.get("/search?q=knee+pain").text, "html.parser")
    assert plain.select_one("[data-judge-link]") is None
