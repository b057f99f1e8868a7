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


def test_a_broken_article_file_keeps_its_last_good_page(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    broken = "---\ntitle: [unclosed\n---\n\n## Heading\n"
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        assert client.get("/articles/knee").status_code == 200
        (corpus / "knee.md").write_text(broken + "\nMore text.\n", encoding="utf-8")
        again = client.get("/articles/knee")
        assert again.status_code == 200
        assert BeautifulSoup(again.text, "html.parser").find(id="meniscus-tear") is not None
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as fresh:
        response = fresh.get("/articles/knee")
        assert response.status_code == 503
        assert "error in its source" in response.text
