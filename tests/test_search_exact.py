"""The engine's fast paths return exactly what a plain Whoosh search returns.

The reference runs the same compiled query through ``Searcher.search`` with no limit
(every match scored, Whoosh's default collector): same total, same ranked ids and
scores, same facet counts, whatever the page, limit or part filter.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from whoosh import query as wq

from indexer.query import compile_query, parse_user_query
from indexer.search import Engine

SUITE = Path(__file__).resolve().parent / "relevance" / "queries.tsv"
QUERIES = [
    "femoral nerve stretch",
    "pain",
    "groin pain",
    "tylenol dose",
    "pins and needles in thigh",
    "Diagnostic Tests for Unilateral Neural Foraminal Narrowing at L1–L2",
    "what causes unilateral foraminal narrowing at L1-L2?",
    '"nerve root" injection',
    "nerve -root",
    "vitamin b12",
    "advil",
    "numbness weakness thigh groin",
    "surgery",
]


def _suite_queries() -> list[str]:
    with SUITE.open(encoding="utf-8") as stream:
        rows = [r for r in csv.reader(stream, delimiter="\t") if r and not r[0].startswith("#")]
    return [r[3] for r in rows if len(r) > 3][:60]


def _reference(engine: Engine, text: str, part: str | None = None) -> tuple[int, list, Counter]:
    with engine.searcher() as searcher:
        plan = compile_query(parse_user_query(text), engine.analyzer, engine._context)
        if plan.query is None:
            return 0, [], Counter()
        results = searcher.search(
            plan.query, limit=None, filter=wq.Term("part", part) if part else None
        )
        ranked = [(hit["id"], hit.score) for hit in results]
        parts = Counter(hit["part"] for hit in results)
    return len(ranked), ranked, parts


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize(("limit", "page"), [(10, 1), (5, 3), (50, 1)])
def test_same_page_total_and_scores_as_plain_whoosh(
    real_engine: Engine, text: str, limit: int, page: int
) -> None:
    total, ranked, parts = _reference(real_engine, text)
    result = real_engine.search(text, limit=limit, page=page)
    assert result.total == total
    expected = ranked[(page - 1) * limit : page * limit]
    assert [h.id for h in result.hits] == [i for i, _ in expected]
    assert [h.score for h in result.hits] == pytest.approx([s for _, s in expected])
    assert result.facets == dict(parts)


def test_relevance_suite_queries_match_plain_whoosh(real_engine: Engine) -> None:
    queries = _suite_queries()
    assert len(queries) >= 50
    for text in queries:
        total, ranked, _ = _reference(real_engine, text)
        result = real_engine.search(text)
        assert result.total == total, text
        assert [h.id for h in result.hits] == [i for i, _ in ranked[:10]], text


def test_part_filter_counts_only_that_part(real_engine: Engine) -> None:
    everything = real_engine.search("pain", limit=50)
    part = max(everything.facets, key=everything.facets.__getitem__)
    total, ranked, _ = _reference(real_engine, "pain", part)
    filtered = real_engine.search("pain", limit=50, part=part)
    assert filtered.total == total == everything.facets[part]
    assert [h.id for h in filtered.hits] == [i for i, _ in ranked[:50]]
    assert {h.part for h in filtered.hits} == {part}


def test_an_excluded_word_excludes_the_first_match_too(
    write_corpus,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from indexer.build import build_index

    corpus = write_corpus(
        {
            "x.md": "# X\n\n## Alpha\n\nAn injection.\n\n## Beta\n\nSurgery or an injection.\n\n"
            "## Gamma\n\nSurgery alone.\n"
        }
    )
    build_index(corpus, tmp_path / "i")
    # Whoosh's AndNotMatcher lets "beta" through: the excluded side starts on "alpha".
    result = Engine(tmp_path / "i").search("surgery -injection")
    assert [h.id for h in result.hits] == ["gamma"] and result.total == 1
