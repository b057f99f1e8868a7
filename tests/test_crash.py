"""Builds that die: SIGKILL at random and at chosen points, and two builds at once.

After every kill the last good index keeps answering (one complete corpus version, see
``marked_corpus``), the next build completes, and what the dead build left is cleared
with a message.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

import indexer.build
from indexer.build import build_index
from indexer.errors import IndexMissingError
from indexer.search import Engine
from indexer.store import LOCK, build_lock, read_pointer
from tests.marked_corpus import QUERY, Shape, check, marker, markers, write_version
from webui import create_app

BIG = Shape(articles=12, sections=50)  # ~600 sections: a full build takes ~0.5 s
SEED = int(os.environ.get("FORAMEN_CRASH_SEED", "20261125"))

pytestmark = pytest.mark.slow  # build processes, killed at random points


def foramen(*args: str, corpus: Path, index: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "foramen", *args, "--corpus", str(corpus), "--index", str(index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def answers(index: Path, engine: Engine, expected: dict[str, int]) -> set[str]:
    """Search with a long-lived engine and a fresh one: each answers one whole version."""
    fresh = Engine(index)
    try:
        results = [e.search(QUERY, limit=50) for e in (engine, fresh)]
    finally:
        fresh.close()
    for result in results:
        problem = check(result, expected)
        assert problem is None, problem
    return {word for result in results for word in markers(result)}


def assert_tidy(index: Path) -> None:
    """Only CURRENT, LOCK (empty), the current and at most one older generation remain."""
    pointer = read_pointer(index)
    assert pointer is not None
    names = sorted(p.name for p in index.iterdir())
    generations = [n for n in names if n.startswith("gen-")]
    assert pointer.dir in generations and len(generations) <= 2, names
    assert all(g <= pointer.dir for g in generations), f"abandoned generation left: {names}"
    assert set(names) - set(generations) == {"CURRENT", LOCK}, names
    assert (index / LOCK).read_text() == "", "a finished build empties the lock file"
    current = index / pointer.dir
    leftovers = [p.name for p in current.iterdir() if p.name.startswith(".") or ".toc." in p.name]
    assert leftovers == [], leftovers


def test_sigkill_at_random_points_never_loses_the_index(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, BIG)}
    code, out, err = finish(foramen("build", "--full", corpus=corpus, index=index))
    assert code == 0, err
    seconds = float(re.search(r"in ([0-9.]+) s", out).group(1))  # type: ignore[union-attr]
    engine = Engine(index)
    assert answers(index, engine, expected) == {marker(0)}
    rng = random.Random(SEED)
    interrupted = 0
    for version in range(1, 6):
        expected[marker(version)] = write_version(corpus, version, BIG)
        args = ("build", "--full") if version % 2 else ("build",)
        build = foramen(*args, corpus=corpus, index=index)
        deadline = time.monotonic() + 30
        while build.poll() is None and time.monotonic() < deadline:
            if (index / LOCK).read_text() == str(build.pid):
                break  # it holds the lock: the build proper has started
            time.sleep(0.002)
        time.sleep(rng.uniform(0, seconds * 1.2))
        build.send_signal(signal.SIGKILL)
        finish(build)
        # The last good index answers, whichever side of the swap the kill landed on.
        assert answers(index, engine, expected) <= {marker(version - 1), marker(version)}
        code, out, err = finish(foramen("build", corpus=corpus, index=index))
        assert code == 0, err
        assert " added, " in out and "Traceback" not in err
        interrupted += f"a previous build (pid {build.pid}) was interrupted" in err
        assert answers(index, engine, expected) == {marker(version)}
        assert_tidy(index)
    engine.close()
    print(f"SIGKILL: {interrupted} of 5 kills landed mid-build and were recovered (seed {SEED})")
    assert interrupted >= 1, f"no kill landed mid-build (seed {SEED})"


def _build_and_die(corpus: Path, index: Path, full: bool, where: str) -> None:
    """Run a build in this (spawned) process and SIGKILL it at ``where``."""

    def die(*_args: object, **_kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "halfway":

        def progress(done: int, total: int) -> None:
            if done >= total // 2:
                die()

        build_index(corpus, index, full=full, progress=progress)
    else:
        setattr(indexer.build, where, die)  # e.g. die instead of writing CURRENT
        build_index(corpus, index, full=full)


@pytest.mark.parametrize(
    ("full", "where", "note"),
    [
        (True, "halfway", "interrupted full build"),
        (False, "halfway", "was interrupted"),
        (True, "write_manifest", "interrupted full build"),
        (True, "write_pointer", "interrupted full build"),
        (False, "write_manifest", "was interrupted"),
        (False, "write_pointer", "announced changes an interrupted build had committed"),
    ],
)
def test_kill_at_each_step_is_recovered_with_a_message(
    tmp_path: Path, full: bool, where: str, note: str
) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, Shape())}
    build_index(corpus, index)
    if full:
        build_index(corpus, index, full=True)  # two generations, as after any full build
    engine = Engine(index)
    assert answers(index, engine, expected) == {marker(0)}
    expected[marker(1)] = write_version(corpus, 1, Shape())
    child = multiprocessing.get_context("spawn").Process(
        target=_build_and_die, args=(corpus, index, full, where)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    if not full and where in ("write_manifest", "write_pointer"):
        # The commit landed unannounced: engines opened before it still answer the old
        # version, fresh ones the new; each answer is whole. The next build announces it.
        assert answers(index, engine, expected) == {marker(0), marker(1)}
    else:
        assert answers(index, engine, expected) == {marker(0)}
    code, out, err = finish(foramen("build", corpus=corpus, index=index))
    assert code == 0, err
    assert "a previous build (pid " in err and note in err, err
    assert " added, " in out and "Traceback" not in err
    assert answers(index, engine, expected) == {marker(1)}
    assert_tidy(index)
    again = finish(foramen("build", corpus=corpus, index=index))
    assert again[0] == 0 and "note:" not in again[2], "the next build has nothing to clear"
    engine.close()


def test_two_builds_at_once_one_waits_and_the_index_stays_whole(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, BIG)}
    build_index(corpus, index, full=True)
    engine = Engine(index)
    expected[marker(1)] = write_version(corpus, 1, BIG)
    builds = [foramen("build", "--full", corpus=corpus, index=index) for _ in range(2)]
    builds.append(foramen("build", corpus=corpus, index=index))
    results = [finish(b) for b in builds]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    assert answers(index, engine, expected) == {marker(1)}
    assert_tidy(index)
    engine.close()


def _hold_lock(index: Path, ready, release) -> None:  # type: ignore[no-untyped-def]
    with build_lock(index):
        ready.set()
        release.wait(30)


def test_a_build_that_cannot_wait_refuses_clearly(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, Shape())}
    build_index(corpus, index)
    engine = Engine(index)
    write_version(corpus, 1, Shape())
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(index, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        code, out, err = finish(foramen("build", "--wait", "0", corpus=corpus, index=index))
    finally:
        release.set()
        holder.join(30)
    assert code == 1 and out == ""
    assert f"another build is running on {index} (pid {holder.pid}, waited 0 s)" in err
    assert "Traceback" not in err
    assert answers(index, engine, expected) == {marker(0)}, "the refused build wrote nothing"
    expected[marker(1)] = Shape().count(1)
    assert finish(foramen("build", "--wait", "0", corpus=corpus, index=index))[0] == 0
    assert answers(index, engine, expected) == {marker(1)}
    engine.close()


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"dir": "gen-000001"}', b"[1, 2]"])
def test_a_damaged_current_is_rebuilt_with_a_message(tmp_path: Path, damage: bytes) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, Shape())}
    build_index(corpus, index)
    before = read_pointer(index)
    assert before is not None
    (index / "CURRENT").write_bytes(damage)  # something outside foramen wrote it
    code, _, err = finish(foramen("build", corpus=corpus, index=index))
    assert code == 0, err
    assert "is damaged" in err and "rebuilding from scratch" in err, err
    after = read_pointer(index)
    assert after is not None and after.build > before.build and after.dir != before.dir
    engine = Engine(index)
    assert answers(index, engine, expected) == {marker(0)}
    engine.close()
    assert_tidy(index)


def test_engines_outlive_a_damaged_current_and_fresh_ones_say_what_is_wrong(
    tmp_path: Path,
) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    expected = {marker(0): write_version(corpus, 0, Shape())}
    build_index(corpus, index)
    engine = Engine(index)
    assert answers(index, engine, expected) == {marker(0)}
    pointer = read_pointer(index)
    assert pointer is not None
    for damage, problem in (
        (b"{oops", "is damaged"),
        (dataclasses.replace(pointer, dir="gen-999999").to_json().encode(), "cannot be opened"),
    ):
        (index / "CURRENT").write_bytes(damage)
        result = engine.search(QUERY, limit=50)  # the open searcher keeps answering
        assert check(result, expected) is None
        with pytest.raises(IndexMissingError, match=problem):
            Engine(index).search(QUERY)
        with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
            response = client.get("/api/search", params={"q": QUERY})
            assert response.status_code == 503 and "error" in response.json()
        code, _, err = finish(foramen("build", corpus=corpus, index=index))
        assert code == 0, err
        assert answers(index, engine, expected) == {marker(0)}
        assert_tidy(index)
        pointer = read_pointer(index)
        assert pointer is not None
    engine.close()
