"""A full build by several writer processes answers exactly like a single-process build."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.build import build_index
from indexer.errors import CorpusError
from indexer.search import Engine
from indexer.store import read_pointer
from tests.conftest import WriteCorpus

pytestmark = pytest.mark.slow  # builds in several processes

WORDS = [
    "nerve",
    "root",
    "pain",
    "thigh",
    "groin",
    "numbness",
    "weakness",
    "disc",
    "foramen",
    "stenosis",
    "lumbar",
    "spine",
    "injection",
    "therapy",
    "surgery",
    "rest",
    "ice",
    "heat",
    "stretch",
    "walking",
    "posture",
    "imaging",
    "mri",
    "reflex",
]
QUERIES = ["nerve pain", "groin numbness", "mri", "surgery -injection", '"lumbar spine"', "zzz"]


def _article(number: int, rng: random.Random) -> str:
    lines = [f"---\ntitle: Article {number}\n---\n", "An article about backs.\n"]
    for heading in range(150):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        lines.append(f"## Heading {number} {heading}\n\n{words.capitalize()}.\n")
    return "\n".join(lines)


@pytest.fixture
def big_corpus(write_corpus: WriteCorpus) -> Path:
    rng = random.Random(5)
    return write_corpus({f"article-{n}.md": _article(n, rng) for n in range(4)})


def test_multiprocess_build_answers_like_single_process(big_corpus: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    single = build_index(big_corpus, one, full=True, procs=1)
    multi = build_index(big_corpus, two, full=True, procs=2)
    assert single.sections == multi.sections == 604
    pointer = read_pointer(two)
    assert pointer is not None
    segments = whoosh_index.open_dir(str(two / pointer.dir)).reader().leaf_readers()
    assert len(segments) >= 2  # the writer really split the work
    a, b = Engine(one), Engine(two)
    for text in QUERIES:
        x, y = _everything(a, text), _everything(b, text)
        assert x.keys() == y.keys(), text  # the same sections match
        assert x == pytest.approx(y), text  # with the same scores
        first, second = a.search(text, limit=7), b.search(text, limit=7)
        assert (first.total, first.facets) == (second.total, second.facets)
        # Equal scores may rank in another order: documents are numbered differently.
        assert [h.score for h in first.hits] == pytest.approx([h.score for h in second.hits])
        assert {h.id: h.snippet for h in first.hits} == {
            h.id: _snippet(b, text, h.id) for h in first.hits
        }
    assert b.section("heading-2-17") == a.section("heading-2-17")


def _everything(engine: Engine, text: str) -> dict[str, float]:
    scores: dict[str, float] = {}
    page = 1
    while True:
        result = engine.search(text, limit=50, page=page)
        scores.update((h.id, h.score) for h in result.hits)
        if page * 50 >= result.total:
            assert len(scores) == result.total
            return scores
        page += 1


def _snippet(engine: Engine, text: str, section_id: str) -> str:
    return next(h.snippet for h in engine.search(text, limit=50).hits if h.id == section_id)


def test_incremental_build_after_a_multiprocess_build(
    big_corpus: Path, tmp_path: Path, write_corpus: WriteCorpus
) -> None:
    index = tmp_path / "index"
    build_index(big_corpus, index, full=True, procs=2)
    engine = Engine(index)
    assert engine.search("xylophone").total == 0
    text = (big_corpus / "article-1.md").read_text("utf-8")
    write_corpus(
        {"article-1.md": text.replace("## Heading 1 3\n\n", "## Heading 1 3\n\nXylophone. ")}
    )
    report = build_index(big_corpus, index)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    result = engine.search("xylophone")
    assert [h.id for h in result.hits] == ["heading-1-3"] and result.total == 1
    assert engine.count() == 604


def test_a_bad_file_stops_a_multiprocess_build_and_keeps_the_old_index(
    big_corpus: Path, tmp_path: Path, write_corpus: WriteCorpus
) -> None:
    index = tmp_path / "index"
    build_index(big_corpus, index, full=True, procs=2)
    before = read_pointer(index)
    # The bad file sorts last: three articles are already being indexed when it is read.
    write_corpus({"zz-bad.md": "---\ntitle: Bad\n---\n\n## Heading 2 5\n\nA duplicate id.\n"})
    with pytest.raises(CorpusError, match="heading-2-5"):
        build_index(big_corpus, index, full=True, procs=2)
    assert read_pointer(index) == before
    assert sorted(p.name for p in index.glob("gen-*")) == [before.dir]  # type: ignore[union-attr]
    assert Engine(index).search("nerve pain").total > 0


def test_multisegment_results_equal_a_one_segment_build(big_corpus: Path, tmp_path: Path) -> None:
    """Segments, deletions and merges change nothing: the same corpus ranks the same
    whether its index has one segment or several."""
    several, one = tmp_path / "several", tmp_path / "one"
    build_index(big_corpus, several, full=True, procs=2)
    build_index(big_corpus, one, full=True, procs=1)
    engines = Engine(several), Engine(one)
    with engines[0].snapshot() as current:
        assert len(current.model.segments) > 1
    for text in ("nerve pain", "groin numbness", "mri", '"lumbar spine"', "walking posture"):
        # (Ties are broken by index order, which differs: compare the scores per id.)
        split, whole = (e.search(text, limit=50) for e in engines)
        assert split.total == whole.total > 0, text
        assert [h.score for h in split.hits] == pytest.approx([h.score for h in whole.hits])
        scores = {h.id: h.score for h in whole.hits}
        last = whole.hits[-1].score
        for hit in split.hits:
            if hit.score > last + 1e-9:  # above the cut, every id is in both pages
                assert hit.score == pytest.approx(scores[hit.id]), (text, hit.id)


def test_segment_arrays_read_in_processes_equal_those_read_in_one(
    big_corpus: Path, tmp_path: Path
) -> None:
    from indexer.postings import (
        ARRAYS_DIR,
        FIELD_KEYS,
        load_segment,
        save_generation_arrays,
    )

    index = tmp_path / "index"
    build_index(big_corpus, index, full=True, procs=2)
    pointer = read_pointer(index)
    assert pointer is not None
    generation = index / pointer.dir
    serial = {p.name: load_segment(generation, p.name) for p in (generation / ARRAYS_DIR).iterdir()}
    assert len(serial) > 1
    shutil.rmtree(generation / ARRAYS_DIR)
    save_generation_arrays(generation, processes=2)
    for segment_id, expected in serial.items():
        found = load_segment(generation, segment_id)
        assert found is not None and expected is not None
        for name, field in expected.fields.items():
            for key in FIELD_KEYS:
                assert (getattr(found.fields[name], key) == getattr(field, key)).all(), key


def test_damaged_arrays_are_read_again_from_the_index(big_corpus: Path, tmp_path: Path) -> None:
    from indexer.postings import ARRAYS_DIR

    index = tmp_path / "index"
    build_index(big_corpus, index, full=True, procs=1)
    pointer = read_pointer(index)
    assert pointer is not None
    before = Engine(index).search("nerve pain", limit=20)
    for meta in (index / pointer.dir / ARRAYS_DIR).glob("*/meta.json"):
        meta.write_text("{not json", "utf-8")
    after = Engine(index).search("nerve pain", limit=20)
    assert after.total == before.total > 0
    assert [(h.id, h.score) for h in after.hits] == [(h.id, h.score) for h in before.hits]
