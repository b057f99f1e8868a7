from pathlib import Path

import pytest

from indexer.errors import IndexMissingError
from indexer.search import Engine


def test_femoral_nerve_stretch_first(real_engine: Engine) -> None:
    result = real_engine.search("femoral nerve stretch")
    assert result.hits[0].id == "femoral-nerve-stretch-test"
    top = result.hits[0]
    assert top.title == "Femoral Nerve Stretch Test"
    assert top.url == "/articles/l1-l2-foraminal-narrowing#femoral-nerve-stretch-test"
    assert "<mark>femoral</mark> <mark>nerve</mark>" in top.snippet
    assert result.total >= len(result.hits)


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("L1-L2 types", "types-of-unilateral-neural-foraminal-narrowing-at-l1-l2"),
        ("kemps test", "kemps-test"),
        ("Kemp's", "kemps-test"),
        ("b12", "vitamin-b12-cobalamin"),
        ("vitamin D3", "vitamin-d3-cholecalciferol"),
    ],
)
def test_character_variants(real_engine: Engine, query: str, section: str) -> None:
    assert real_engine.search(query).hits[0].id == section


@pytest.mark.parametrize(
    "query", ["", "   ", "AND", "OR NOT", '"', "((", "title:", "id:*", "*", "?", "~^", "-"]
)
def test_odd_queries_never_raise(real_engine: Engine, query: str) -> None:
    result = real_engine.search(query)
    assert result.total >= 0


def test_paging(real_engine: Engine) -> None:
    first = real_engine.search("pain", limit=5, page=1)
    second = real_engine.search("pain", limit=5, page=2)
    assert len(first.hits) == 5 and len(second.hits) == 5
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    beyond = real_engine.search("pain", limit=5, page=1000)
    assert beyond.hits == () and beyond.total == first.total


def test_json_shape(real_engine: Engine) -> None:
    body = real_engine.search("groin pain", limit=2).to_json()
    assert set(body) == {"query", "total", "page", "limit", "suggestion", "results"}
    assert set(body["results"][0]) == {"id", "title", "path", "url", "score", "snippet"}  # type: ignore[index]


def test_snippet_escapes_corpus_html(write_corpus, tmp_path: Path) -> None:
    from indexer.build import build_index

    corpus = write_corpus({"x.md": "# X\n\n## Tricks\n\n<b>bold</b> & <script>alert(1)</script>\n"})
    build_index(corpus, tmp_path / "i")
    hit = Engine(tmp_path / "i").search("alert").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>alert</mark>" in hit.snippet


def test_section_lookup(real_engine: Engine) -> None:
    section = real_engine.section("kemps-test")
    assert section is not None and section.title == "Kemp’s Test"
    assert real_engine.section("no-such-id") is None


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError):
        Engine(tmp_path / "nothing").search("x")


def test_correction_can_be_turned_off(real_engine: Engine) -> None:
    corrected = real_engine.search("kemps tset")
    assert (corrected.suggestion, corrected.corrected) == ("kemps test", True)
    assert corrected.hits[0].id == "kemps-test"
    exact = real_engine.search("kemps tset", correct=False)
    assert (exact.suggestion, exact.corrected) == (None, False)


def test_time_budget_ranks_what_it_found(real_index: Path) -> None:
    hurried = Engine(real_index, cache_size=0, time_budget=0.0)
    try:
        for query in ("pain", "surgery options", "pins and needles in thigh"):
            result = hurried.search(query)
            assert result.partial
            assert 0 <= len(result.hits) <= result.total
    finally:
        hurried.close()
    assert not Engine(real_index).search("pain").partial


def test_partial_results_are_not_cached(real_index: Path) -> None:
    engine = Engine(real_index, time_budget=0.0)
    try:
        assert engine.search("pain").partial
        engine.time_budget = 10.0
        again = engine.search("pain")
        assert not again.partial and again.total > 1
    finally:
        engine.close()
