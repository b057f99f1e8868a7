"""The engine's result cache: bounded, keyed by everything that shapes a result, and
emptied by every build so a rebuilt index is never answered from stale results."""

from __future__ import annotations

from pathlib import Path

from indexer.build import build_index
from indexer.cache import LruCache
from indexer.search import Engine
from tests.conftest import SMALL_ARTICLE, WriteCorpus


def test_lru_keeps_the_most_recently_used() -> None:
    cache: LruCache[int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1 and cache.get("c") == 3
    assert len(cache) == 2


def test_repeated_query_is_answered_from_the_cache(small_index: tuple[Path, Path]) -> None:
    _, index = small_index
    engine = Engine(index)
    first = engine.search("knee  pain")
    again = engine.search("knee pain")
    assert engine.cache_info()[0] == 1
    assert again.hits == first.hits and again.total == first.total
    assert again.query == "knee pain"  # the text as typed, not the cache key


def test_page_limit_and_part_are_part_of_the_key(small_index: tuple[Path, Path]) -> None:
    _, index = small_index
    engine = Engine(index)
    whole = engine.search("knee", limit=10)
    first = engine.search("knee", limit=1)
    second = engine.search("knee", limit=1, page=2)
    treatments = engine.search("knee", part="Treatments")
    assert engine.cache_info()[0] == 0
    assert len(first.hits) == 1 and second.hits[0].id != first.hits[0].id
    assert [h.id for h in whole.hits[:2]] == [first.hits[0].id, second.hits[0].id]
    assert {h.part for h in treatments.hits} == {"Treatments"}
    assert treatments.total < whole.total


def test_a_rebuild_invalidates_cached_results(
    small_index: tuple[Path, Path], write_corpus: WriteCorpus
) -> None:
    corpus, index = small_index
    engine = Engine(index)
    before = engine.search("cartilage")
    assert [h.id for h in before.hits] == ["meniscus-tear"]
    edited = SMALL_ARTICLE.replace(
        "Straight leg raises build", "Straight leg raises protect the cartilage and build"
    )
    write_corpus({"knee.md": edited})
    build_index(corpus, index)
    after = engine.search("cartilage")
    assert after.total == 2
    assert {h.id for h in after.hits} == {"meniscus-tear", "quadriceps-strengthening"}
    assert engine.cache_info()[0] == 0


def test_a_full_rebuild_invalidates_cached_results(
    small_index: tuple[Path, Path], write_corpus: WriteCorpus
) -> None:
    corpus, index = small_index
    engine = Engine(index)
    assert engine.search("meniscus").total == 1
    write_corpus({"knee.md": SMALL_ARTICLE.replace("Meniscus Tear", "Ligament Sprain")})
    build_index(corpus, index, full=True)
    assert engine.search("meniscus").total == 0


def test_a_zero_sized_cache_caches_nothing(small_index: tuple[Path, Path]) -> None:
    _, index = small_index
    engine = Engine(index, cache_size=0)
    engine.search("knee")
    engine.search("knee")
    assert engine.cache_info() == (0, 0)


def test_a_rebuild_changes_what_a_running_engine_finds(
    small_index: tuple[Path, Path], write_corpus: WriteCorpus
) -> None:
    corpus, index = small_index
    engine = Engine(index)
    assert engine.search("thigh").total == 1
    write_corpus({"knee.md": SMALL_ARTICLE.replace("twisting injury", "twisting thigh injury")})
    build_index(corpus, index)
    assert engine.search("thigh").total == 2
