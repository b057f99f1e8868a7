"""Searching while building: threads and a second process search while builds run.

Every build rewrites the whole corpus with a new marker word and a different number of
sections (``marked_corpus``), alternating incremental updates and ``--full`` swaps. Each
answer must be one complete version: one marker, the total of that version, never an
error and never a missing index.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from pathlib import Path

import pytest

import indexer.manifest
import indexer.search
from indexer.build import build_index
from indexer.search import Engine
from indexer.store import read_pointer
from tests.marked_corpus import (
    QUERY,
    SYNONYM_QUERY,
    Shape,
    check,
    marker,
    markers,
    write_version,
)

BUILDS = int(os.environ.get("FORAMEN_REBUILDS", "9"))  # more for a longer soak
THREADS = 4
SHAPE = Shape(articles=4, sections=9)
EXPECTED = {marker(v): SHAPE.count(v) for v in range(BUILDS + 1)}

pytestmark = pytest.mark.slow  # threads searching while builds run


def search_until(index: Path, stop: threading.Event, tally: Counter[str], fresh: bool) -> None:
    """Search until ``stop``; count answers, and file every failure by its reason.

    Fresh readers alternate the plain query with one only the synonyms file makes match,
    so a generation served before its synonyms arrived shows up as a wrong total.
    """
    engine = Engine(index)
    queries = [QUERY, SYNONYM_QUERY] if fresh else [QUERY]
    try:
        while not stop.is_set():
            if fresh:  # a new reader each time: opens whatever CURRENT names right now
                engine.close()
                engine = Engine(index)
            queries.reverse()
            try:
                result = engine.search(queries[0], limit=50)
            except Exception as error:  # any failure is what this test looks for
                tally[f"error: {type(error).__name__}: {error}"] += 1
                continue
            problem = check(result, EXPECTED)
            tally[f"bad answer: {problem}" if problem else "ok"] += 1
            tally.update(f"saw {word}" for word in markers(result))
    finally:
        engine.close()


def _search_process(index: Path, stop, queue) -> None:  # type: ignore[no-untyped-def]
    tally: Counter[str] = Counter()
    search_until(index, stop, tally, fresh=False)
    queue.put(dict(tally))


def test_searches_during_builds_always_see_one_whole_version(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_version(corpus, 0, SHAPE)
    build_index(corpus, index, full=True)
    context = multiprocessing.get_context("spawn")
    stop_process, queue = context.Event(), context.Queue()
    process = context.Process(target=_search_process, args=(index, stop_process, queue))
    process.start()
    stop = threading.Event()
    tallies = [Counter[str]() for _ in range(THREADS)]
    shared = Engine(index)  # like the server: one engine, many threads

    def on_shared(tally: Counter[str]) -> None:
        while not stop.is_set():
            try:
                result = shared.search(QUERY, limit=50)
            except Exception as error:  # any failure is what this test looks for
                tally[f"error: {type(error).__name__}: {error}"] += 1
                continue
            problem = check(result, EXPECTED)
            tally[f"bad answer: {problem}" if problem else "ok"] += 1

    threads = [
        threading.Thread(target=search_until, args=(index, stop, tallies[0], True)),
        threading.Thread(target=search_until, args=(index, stop, tallies[1], False)),
        *(threading.Thread(target=on_shared, args=(t,)) for t in tallies[2:]),
    ]
    for thread in threads:
        thread.start()
    reports = []
    try:
        for version in range(1, BUILDS + 1):
            write_version(corpus, version, SHAPE)
            reports.append(build_index(corpus, index, full=version % 3 == 0))
    finally:
        stop.set()
        stop_process.set()
        for thread in threads:
            thread.join(30)
        from_process = Counter(queue.get(timeout=30))
        process.join(30)
        shared.close()
    total = sum(tallies, Counter()) + from_process
    failures = {k: v for k, v in total.items() if k.startswith(("error", "bad answer"))}
    assert failures == {}
    assert [r.full for r in reports].count(True) == BUILDS // 3
    assert all(r.changed for r in reports), "every build rewrote the index"
    assert total["ok"] > BUILDS, "the searches ran while the builds did"
    assert from_process["ok"] > 0, "the second process searched too"
    seen = {k for k in total if k.startswith("saw ")}
    assert len(seen) > 2, f"searches saw several versions come and go: {seen}"
    print(f"searches during {BUILDS} rebuilds: {total['ok']} answered, {len(failures)} failed")


def test_an_editor_saving_during_a_build_is_never_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save between the build's hash of a file and its parse: the index and the
    manifest describe the same bytes, so a later revert is picked up too (were the
    index to hold the new text under the old hash, the revert would look unchanged)."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_version(corpus, 0, SHAPE)
    build_index(corpus, index)
    engine = Engine(index)
    write_version(corpus, 1, SHAPE)
    version_1 = {p.name: p.read_bytes() for p in corpus.glob("*.md")}
    real_read = indexer.manifest.read_article

    def read_while_editor_saves(path: Path, *args: object) -> object:
        write_version(corpus, 2, SHAPE)  # the editor saves version 2 in the middle
        return real_read(path, *args)

    monkeypatch.setattr(indexer.manifest, "read_article", read_while_editor_saves)
    build_index(corpus, index)
    monkeypatch.undo()
    for name, data in version_1.items():  # the editor reverts to version 1
        (corpus / name).write_bytes(data)
    build_index(corpus, index)
    result = engine.search(QUERY, limit=50)
    assert check(result, EXPECTED) is None and markers(result) == {marker(1)}
    engine.close()


def test_a_reader_retries_when_its_generation_vanishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CURRENT read just before two full swaps names a deleted generation: reopen again."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    write_version(corpus, 0, SHAPE)
    build_index(corpus, index, full=True)
    gone = read_pointer(index)
    build_index(corpus, index, full=True)
    build_index(corpus, index, full=True)
    assert gone is not None and not (index / gone.dir).exists()
    stale = iter([gone, gone])
    real_read = indexer.search.read_pointer
    monkeypatch.setattr(
        indexer.search, "read_pointer", lambda root: next(stale, None) or real_read(root)
    )
    engine = Engine(index)
    assert check(engine.search(QUERY, limit=50), EXPECTED) is None
    assert next(stale, None) is None, "the engine read CURRENT again after the failure"
    engine.close()
