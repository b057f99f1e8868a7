import multiprocessing
import threading
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.errors import CorpusError, IndexBusyError
from indexer.search import Engine
from indexer.store import build_lock, read_pointer


def ids(engine: Engine, query: str) -> list[str]:
    return [hit.id for hit in engine.search(query, limit=50).hits]


def edit(corpus: Path, old: str, new: str) -> None:
    path = corpus / "knee.md"
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def test_first_build_adds_everything(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    report = build_index(corpus, index)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 7)
    assert read_pointer(index).sections == 7  # type: ignore[union-attr]


def test_edit_one_section(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    engine = Engine(index)
    assert ids(engine, "twisting") == ["meniscus-tear"]
    edit(corpus, "twisting injury", "pivoting accident")
    report = build_index(corpus, index)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert report.summary().startswith("0 added, 1 updated, 0 removed, 6 unchanged in ")
    assert ids(engine, "pivoting") == ["meniscus-tear"]
    assert ids(engine, "twisting") == []


def test_delete_and_add_sections(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    engine = Engine(index)
    edit(
        corpus, "#### Meniscus Tear\n\nA twisting injury tears the cartilage pad of the knee.\n", ""
    )
    edit(corpus, "## Treatments", "#### Bursitis\n\nInflamed bursa swelling.\n\n## Treatments")
    report = build_index(corpus, index)
    assert (report.added, report.removed) == (1, 1)
    assert ids(engine, "cartilage") == []
    assert ids(engine, "bursa") == ["bursitis"]


def test_whitespace_only_edit_changes_nothing(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    edit(corpus, "Knee pain is common", "Knee pain   is common")
    assert build_index(corpus, index).changed == 0


def test_full_build_swaps_generation(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    engine = Engine(index)
    before = read_pointer(index)
    assert ids(engine, "meniscus") == ["meniscus-tear"]
    report = build_index(corpus, index, full=True)
    after = read_pointer(index)
    assert report.full and report.added == 7
    assert before is not None and after is not None and after.dir != before.dir
    assert ids(engine, "meniscus") == ["meniscus-tear"]
    assert engine.generation == after.build
    build_index(corpus, index, full=True)
    generations = sorted(p.name for p in index.glob("gen-*"))
    assert len(generations) == 2, "the previous generation is kept one round, older ones go"


def test_bad_corpus_leaves_old_index_answering(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    engine = Engine(index)
    before = read_pointer(index)
    (corpus / "broken.md").write_bytes(b"# Fine\n\n## \n")
    for full in (False, True):
        with pytest.raises(CorpusError, match=r"broken\.md:3"):
            build_index(corpus, index, full=full)
    assert read_pointer(index) == before
    assert ids(engine, "meniscus") == ["meniscus-tear"]
    (corpus / "broken.md").write_text("# Fine\n\n## Mended\n\nrepaired text\n", "utf-8")
    assert build_index(corpus, index).added == 2
    assert ids(engine, "repaired") == ["mended"]


def _hold_lock(index: Path, ready: Event, release: Event) -> None:
    with build_lock(index):
        ready.set()
        release.wait(60)  # a bound: the test releases it, or kills this process


def test_second_build_waits_then_refuses(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(index, ready, release))
    holder.start()
    waited: list[int] = []
    waiting = threading.Thread(
        target=lambda: waited.append(build_index(corpus, index, wait=30).changed)
    )
    try:
        assert ready.wait(20)
        with pytest.raises(IndexBusyError, match="another build is running"):
            build_index(corpus, index, wait=0.2)
        waiting.start()  # waits for the lock rather than refusing
        assert not waited, "a build ran while another held the lock"
    finally:
        release.set()
        holder.join(20)
        if waiting.ident is not None:  # started
            waiting.join(30)
    assert waited == [0]
    assert build_index(corpus, index).changed == 0


def test_killed_lock_holder_leaves_no_stale_lock(small_index: tuple[Path, Path]) -> None:
    corpus, index = small_index
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(index, ready, release))
    holder.start()
    assert ready.wait(20)
    holder.kill()
    holder.join()
    assert build_index(corpus, index, wait=5).changed == 0


def test_schema_change_rebuilds_from_scratch(small_index: tuple[Path, Path], monkeypatch) -> None:
    corpus, index = small_index
    import indexer.build

    monkeypatch.setattr(indexer.build, "SCHEMA_VERSION", 999)
    report = build_index(corpus, index)
    assert report.full and report.added == 7
