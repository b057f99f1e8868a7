"""A slow search on one request does not hold up the others: the engine runs off the loop."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from indexer.models import SearchResult
from indexer.search import Engine
from tests.web_server import ROOT, free_port
from webui import create_app

REAL_CORPUS = ROOT / "corpus"
SLOW_QUERY = "femoral nerve stretch"
WAIT = 10.0  # seconds; a bound on anything going wrong, never reached when all is well

pytestmark = pytest.mark.slow


class HeldEngine(Engine):
    """An engine whose searches for SLOW_QUERY wait until the test releases them."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir)
        self.entered = threading.Event()
        self.release = threading.Event()

    def search(self, text: str, *args: Any, **kwargs: Any) -> SearchResult:
        if text == SLOW_QUERY:
            self.entered.set()
            self.release.wait(WAIT)
        return super().search(text, *args, **kwargs)


@contextmanager
def serve(index: Path) -> Iterator[tuple[str, HeldEngine]]:
    """The app under uvicorn in a thread, as `foramen serve` runs it, with a HeldEngine."""
    engines: list[HeldEngine] = []

    def factory(index_dir: Path) -> HeldEngine:
        engines.append(HeldEngine(index_dir))
        return engines[-1]

    app = create_app(index_dir=index, corpus_dir=REAL_CORPUS, engine_factory=factory)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-under-test")
    thread.start()
    try:
        deadline = time.monotonic() + WAIT
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}", engines[0]
    finally:
        if engines:
            engines[0].release.set()
        server.should_exit = True
        thread.join(WAIT)


def get_json(url: str) -> tuple[int, dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        return response.status, json.loads(response.read())


def test_a_held_search_does_not_delay_other_requests(real_index: Path) -> None:
    with serve(real_index) as (base, engine):
        slow: list[tuple[int, dict[str, Any]]] = []
        query = urllib.request.quote(SLOW_QUERY)
        searching = threading.Thread(
            target=lambda: slow.append(get_json(f"{base}/api/search?q={query}"))
        )
        searching.start()
        assert engine.entered.wait(WAIT), "the slow search never reached the engine"

        started = time.perf_counter()
        health = get_json(f"{base}/healthz")
        other = get_json(f"{base}/api/search?q=tylenol")
        with urllib.request.urlopen(f"{base}/search?q=vitamin", timeout=WAIT) as page:
            page_status = page.status
        elapsed = time.perf_counter() - started

        # All three answered while the first search was still held in the engine.
        assert searching.is_alive() and not slow
        assert health == (200, {"status": "ok", "sections": engine.count()})
        assert other[0] == 200 and other[1]["total"] > 0
        assert page_status == 200
        assert elapsed < WAIT / 2

        engine.release.set()
        searching.join(WAIT)
        assert slow and slow[0][0] == 200
        assert slow[0][1]["results"][0]["id"] == "femoral-nerve-stretch-test"
