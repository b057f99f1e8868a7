"""What the pages share: the landed article marks the query's terms without a search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from indexer.models import SearchResult
from indexer.search import Engine
from tests.conftest import REAL_CORPUS
from webui import create_app


class CountingEngine(Engine):
    """An engine that counts the searches it runs."""

    searches = 0

    def search(self, text: str, *args: Any, **kwargs: Any) -> SearchResult:
        CountingEngine.searches += 1
        return super().search(text, *args, **kwargs)


@pytest.fixture(scope="module")
def client(real_index: Path) -> Iterator[TestClient]:
    app = create_app(index_dir=real_index, corpus_dir=REAL_CORPUS, engine_factory=CountingEngine)
    with TestClient(app) as test_client:
        yield test_client


def test_a_landed_article_marks_the_query_without_searching(client: TestClient) -> None:
    CountingEngine.searches = 0
    page = client.get("/articles/l1-l2-foraminal-narrowing?q=femoral+nerve")
    assert page.status_code == 200
    assert CountingEngine.searches == 0
    marked = {mark.get_text().lower() for mark in BeautifulSoup(page.text, "html.parser")("mark")}
    assert {"femoral", "nerve"} <= marked


def test_results_and_landed_article_mark_the_same_synonyms(client: TestClient) -> None:
    results = client.get("/search", params={"q": "tylenol dose"})
    soup = BeautifulSoup(results.text, "html.parser")
    first = soup.select_one("[data-section-id] .result-link")
    assert first is not None
    on_results = {m.get_text().lower() for m in soup.select(".snippet mark")}
    landed = BeautifulSoup(client.get(str(first["href"])).text, "html.parser")
    on_article = {m.get_text().lower() for m in landed("mark")}
    assert on_results and on_results <= on_article
