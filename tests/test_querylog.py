"""The query log counts normalised queries, privately, within bounds, from many processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from foramen.cli import main
from indexer.querylog import QueryCount, QueryLog, normalise


@pytest.mark.parametrize(
    ("typed", "counted"),
    [
        ("Femoral  Nerve\tStretch ", "femoral nerve stretch"),
        ("ＴＹＬＥＮＯＬ dose", "tylenol dose"),
        ("call me on 0412345678", "call me on #"),
        ("jane.doe@example.org knee", "(e-mail) knee"),
        ("vitamin b12 500 mg", "vitamin b12 500 mg"),
        ("x" * 500, "x" * 200),
        ("   ", ""),
        ("\x1b[31mred", "[31mred"),
    ],
)
def test_queries_are_normalised_and_stripped_of_personal_data(typed: str, counted: str) -> None:
    assert normalise(typed) == counted


def test_counts_searches_empty_results_and_opens(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "q.sqlite3")
    for _ in range(3):
        log.record_search("Knee pain", 4)
    log.record_search("zzyzx", 0)
    log.record_search("zzyzx", 0)
    log.record_search("hip", 2)
    log.record_open("knee  PAIN")
    log.record_open("never searched")  # an article link with ?q= alone adds no row
    assert log.top(10) == [
        QueryCount("knee pain", 3, 0, 1),
        QueryCount("zzyzx", 2, 2, 0),
        QueryCount("hip", 1, 0, 0),
    ]
    assert log.top(10, no_results=True) == [QueryCount("zzyzx", 2, 2, 0)]
    assert log.top(10, unopened=True) == [QueryCount("hip", 1, 0, 0)]
    assert log.top(1) == [QueryCount("knee pain", 3, 0, 1)]
    with sqlite3.connect(tmp_path / "q.sqlite3") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(queries)")]
    assert columns == ["query", "searches", "empty", "opened", "day"], "nothing about who"


def test_the_log_is_bounded(tmp_path: Path) -> None:
    log = QueryLog(tmp_path / "q.sqlite3", max_rows=5)
    for number in range(20):
        for _ in range(number + 1):
            log.record_search(f"query {chr(97 + number)}", 1)
    log.flush()
    kept = log.top(100)
    assert len(kept) == 5
    assert kept[0] == QueryCount("query t", 20, 0, 0), "the most searched stay"


def test_a_broken_log_never_breaks_a_search(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "q.sqlite3").write_bytes(b"not a database at all" * 100)
    log = QueryLog(tmp_path / "q.sqlite3", flush_seconds=0)
    log.record_search("knee", 1)  # flushes, fails, says so, goes on
    assert "not written (file is not a database); these counts are lost" in caplog.text


def _search_many(path: Path, worker: int) -> None:
    log = QueryLog(path, flush_seconds=0.01)
    for number in range(200):
        log.record_search("shared query", 1)
        log.record_search(f"worker {worker} query {number % 10}", 0)
    log.flush()


@pytest.mark.slow
def test_several_processes_write_one_log(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_search_many, args=(path, n)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    counts = {c.query: c for c in QueryLog(path).top(1000)}
    assert counts["shared query"].searches == 800, "no count lost"
    assert counts["worker 3 query 9"] == QueryCount("worker 3 query 9", 20, 20, 0)
    assert len(counts) == 41


def test_foramen_queries_prints_the_top(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    log = QueryLog(path)
    for text, total in [("knee", 3), ("knee", 3), ("zzyzx", 0), ("hip", 1)]:
        log.record_search(text, total)
    log.flush()
    base = ["queries", "--index", str(tmp_path), "--query-log", str(path)]
    everything = CliRunner().invoke(main, [*base, "--top", "2"])
    assert everything.exit_code == 0
    assert everything.output.splitlines() == [
        " searches no results  opened  query",
        "        2          0       0  knee",
        "        1          0       0  hip",
    ]
    empty = CliRunner().invoke(main, [*base, "--top", "50", "--no-results"])
    assert empty.output.splitlines()[1:] == ["        1          1       0  zzyzx"]
    default = CliRunner().invoke(main, ["queries", "--index", str(tmp_path / "none")])
    assert default.exit_code == 0
    assert default.output == f"no queries logged in {tmp_path / 'none' / 'querylog.sqlite3'}\n"
    off = CliRunner().invoke(main, ["queries", "--query-log", "off"])
    assert off.exit_code == 1 and "the query log is off" in off.output
