"""A running app picks up new index generations, and `serve --watch` re-indexes edits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from foramen.server import watch_corpus
from foramen.settings import Settings
from indexer.build import build_index
from indexer.search import Engine
from webui import create_app

WATCH_TIMEOUT = 30.0  # seconds; generous for a loaded machine, never hit when watching works
NEW_SECTION = "\n## Zebra Crossing\n\nA zebrafish study of nerve regrowth.\n"


def _ids(client: TestClient, q: str) -> list[str]:
    return [hit["id"] for hit in client.get("/api/search", params={"q": q}).json()["results"]]


def _add_section(corpus: Path, extra: str = "") -> None:
    article = corpus / "knee.md"
    text = article.read_text(encoding="utf-8").split("\n## Zebra Crossing")[0]
    article.write_text(text + NEW_SECTION + extra, encoding="utf-8")


def test_a_new_build_is_served_without_a_restart(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        assert _ids(client, "zebrafish") == []
        before = client.get("/healthz").json()["sections"]
        page = BeautifulSoup(client.get("/articles/knee").text, "html.parser")
        assert page.find(id="zebra-crossing") is None

        _add_section(corpus)
        build_index(corpus, index)

        assert _ids(client, "zebrafish") == ["zebra-crossing"]
        assert client.get("/healthz").json()["sections"] == before + 1
        page = BeautifulSoup(client.get("/articles/knee?q=zebrafish").text, "html.parser")
        heading = page.find(id="zebra-crossing")
        assert heading is not None and heading.name == "h2"
        marked = heading.find_parent("section").select("p mark")
        assert [m.get_text() for m in marked] == ["zebrafish"]

        build_index(corpus, index, full=True)  # a full build swaps in a new generation folder
        assert _ids(client, "zebrafish") == ["zebra-crossing"]


def test_the_article_page_is_rendered_once_per_generation(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    app = create_app(index_dir=index, corpus_dir=corpus)
    with TestClient(app) as client:
        renderer = app.state.web.articles
        client.get("/articles/knee")
        first = renderer.get("knee", app.state.web.generation())
        client.get("/articles/knee?q=knee")
        assert renderer.get("knee", app.state.web.generation()) is first
        _add_section(corpus)
        build_index(corpus, index)
        client.get("/articles/knee")
        assert renderer.get("knee", app.state.web.generation()) is not first


def test_explicit_ids_anchor_headings_without_showing(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        soup = BeautifulSoup(client.get("/articles/knee").text, "html.parser")
        heading = soup.find(id="kemp-sign")
        assert heading is not None
        assert heading.get_text(" ", strip=True) == "Kemp’s Sign ¶"
        assert soup.find(id="knee-pain").name == "h1"  # the lead section is the title


def test_watch_reindexes_corpus_edits(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    engine = Engine(index)
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_corpus, args=(Settings(corpus, index), stop), daemon=True
    )
    watcher.start()
    try:
        assert engine.search("zebrafish").total == 0
        deadline = time.monotonic() + WATCH_TIMEOUT
        found = 0
        edit = 0
        while not found and time.monotonic() < deadline:
            # Edit again each round: the first edit may land before the watcher is ready.
            edit += 1
            _add_section(corpus, f"\nEdit {edit}.\n")
            round_end = time.monotonic() + 2.0
            while time.monotonic() < round_end and not found:
                found = engine.search("zebrafish").total
                time.sleep(0.05)
        assert found == 1, "the watcher did not re-index the edited article"
    finally:
        stop.set()
        watcher.join(timeout=10)
        engine.close()


def test_a_broken_article_file_keeps_the_published_page(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    broken = "---\ntitle: [unclosed\n---\n\n## Heading\n"
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        assert client.get("/articles/knee").status_code == 200
        (corpus / "knee.md").write_text(broken + "\nMore text.\n", encoding="utf-8")
        again = client.get("/articles/knee")
        assert again.status_code == 200
        assert BeautifulSoup(again.text, "html.parser").find(id="meniscus-tear") is not None
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as fresh:
        response = fresh.get("/articles/knee?q=cartilage")
        assert response.status_code == 200
        page = BeautifulSoup(response.text, "html.parser")
        assert page.find("h1").get_text(" ", strip=True) == "Knee Pain ¶"
        section = page.select_one('section[data-section-id="meniscus-tear"]')
        assert [m.get_text() for m in section.select("p mark")] == ["cartilage"]
        assert page.find(id="heading") is None


def _article_text(client: TestClient) -> str:
    page = BeautifulSoup(client.get("/articles/knee").text, "html.parser")
    return page.select_one("article.doc").get_text(" ", strip=True)


def test_the_article_page_shows_the_published_build(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    knee = corpus / "knee.md"
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        before = _article_text(client)
        assert "twisting injury" in before and "Last updated 2025-01-01" in before
        knee.write_text(knee.read_text("utf-8").replace("twisting", "sudden"), "utf-8")
        assert _article_text(client) == before, "an unbuilt edit must not be live"
        build_index(corpus, index)
        after = _article_text(client)
        assert "sudden injury" in after and "twisting" not in after
        knee.write_text(knee.read_text("utf-8").replace("sudden", "slow"), "utf-8")
        (corpus / "hip.md").write_text("---\ntitle: Hip\n---\n\nHip text.\n", "utf-8")
        assert client.get("/articles/hip").status_code == 404, "an unbuilt article is not live"
        home = BeautifulSoup(client.get("/").text, "html.parser")
        assert [a["href"] for a in home.select(".lede a")] == ["/articles/knee"]
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as fresh:
        # A new server has no page of this build yet: it shows the text the index holds.
        text = _article_text(fresh)
        assert "sudden injury" in text and "slow" not in text
        knee.unlink()
        assert _article_text(fresh) == text, "a deleted file stays published until a build"
        build_index(corpus, index)
        home = BeautifulSoup(fresh.get("/").text, "html.parser")
        assert [a["href"] for a in home.select(".lede a")] == ["/articles/hip"]
        assert fresh.get("/articles/knee").status_code == 404


def test_headings_skip_no_level(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    knee = corpus / "knee.md"
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        for edit in ("", "twisting"):  # the Markdown render, then the published fallback
            if edit:
                knee.write_text(knee.read_text("utf-8").replace(edit, "sudden"), "utf-8")
            page = BeautifulSoup(client.get("/articles/knee").text, "html.parser")
            article = page.select_one("article.doc")
            levels = [int(h.name[1]) for h in article.find_all(["h1", "h2", "h3", "h4", "h5"])]
            assert levels == [1, 2, 3, 3, 2, 3, 4]
            assert article.find(id="meniscus-tear").name == "h3"
