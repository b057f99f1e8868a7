"""Scoring a matcher tree a sub-matcher at a time gives exactly Whoosh's own scores."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.query import compile_query, parse_user_query
from indexer.ranking import prefer_union_matchers, split_bonus
from indexer.scoring import ListedPhrase, TermTables, every_score, scoring_context
from indexer.search import Engine

QUERIES = [
    "femoral nerve stretch",
    "pins and needles in thigh",
    "types of unilateral neural foraminal narrowing at l1–l2",
    "what causes unilateral foraminal narrowing at L1-L2?",
    '"nerve root" injection -surgery',
    "tylenol or advil for pain",
    "imaging",
]


def _walked(matcher: object) -> dict[int, float]:
    found = {}
    while matcher.is_active():  # type: ignore[attr-defined]
        found[matcher.id()] = matcher.score()  # type: ignore[attr-defined]
        matcher.next()  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("text", QUERIES)
def test_every_score_equals_walking_the_matcher(real_engine: Engine, text: str) -> None:
    with real_engine.searcher() as searcher:
        plan = compile_query(parse_user_query(text), real_engine.analyzer, real_engine._context)
        assert plan.query is not None
        prefer_union_matchers(plan.query)
        base, bonus = split_bonus(plan.query)
        parts = [base] if bonus is None else [base, bonus]
        assert _walked(base.matcher(searcher, searcher.context()))
        for query in parts:
            walked = _walked(query.matcher(searcher, searcher.context()))
            evaluated = every_score(query.matcher(searcher, searcher.context()))
            by_blocks = every_score(
                query.matcher(searcher, searcher.context()), None, searcher.reader()
            )
            assert by_blocks == walked
            assert evaluated == walked  # the same documents and the very same floats


def test_a_constant_score_filter_lists_the_same_documents(real_engine: Engine) -> None:
    with real_engine.searcher() as searcher:
        child = wq.Or([wq.Term("body", "nerv"), wq.And([wq.Term("title", "pain")])])
        plain = wq.ConstantScoreQuery(child, 2.0)
        fast = wq.ConstantScoreQuery(child, 2.0)
        prefer_union_matchers(fast)
        assert type(fast) is not wq.ConstantScoreQuery
        context = searcher.boolean_context()
        assert _walked(fast.matcher(searcher, context)) == _walked(plain.matcher(searcher, context))


@pytest.mark.parametrize("slop", [1, 2, 3])
def test_phrases_match_where_whooshs_spans_do(real_engine: Engine, slop: int) -> None:
    phrases = [
        ["l1", "l2"],
        ["nerv", "root"],
        ["femor", "nerv", "stretch"],
        ["pain", "thigh"],
        ["foramin", "narrow"],
        ["type", "unilater", "neural", "foramin", "narrow", "l1", "l2"],
        ["l2", "l1"],
        ["pain", "pain"],
    ]
    with real_engine.searcher() as searcher:
        matched = 0
        for words in phrases:
            for field in ("title", "path", "body"):
                phrase = wq.Phrase(field, words, slop=slop, boost=0.7)
                walked = _walked(phrase.matcher(searcher, searcher.context()))
                fast = every_score(
                    phrase.matcher(searcher, searcher.context()), None, searcher.reader()
                )
                assert fast == walked, (field, words)
                matched += len(walked)
        assert matched > 100


def test_term_tables_hand_out_what_reading_the_postings_gives(real_engine: Engine) -> None:
    with real_engine.searcher() as searcher:
        reader = searcher.reader()
        tables = TermTables()
        context = scoring_context(searcher)
        for text in ("nerv", "pain", "l1"):
            term = wq.Term("body", text)
            whole = _walked(term.matcher(searcher, context))
            assert len(whole) > 10
            assert tables.scores(term.matcher(searcher, context), reader) == whole
            later = sorted(whole)[len(whole) // 2]
            matcher = term.matcher(searcher, context)
            matcher.skip_to(later)
            expected = {d: s for d, s in whole.items() if d >= later}
            assert tables.scores(matcher, reader) == expected
            handed = tables.scores(term.matcher(searcher, context), reader)
            handed.clear()  # a copy: the remembered table is untouched
            assert tables.scores(term.matcher(searcher, context), reader) == whole


def test_remembered_phrases_match_walking_from_any_start(real_engine: Engine) -> None:
    with real_engine.searcher() as searcher:
        reader = searcher.reader()
        tables = TermTables()
        context = scoring_context(searcher)
        for words in (["l1", "l2"], ["nerv", "root"], ["foramin", "narrow"]):
            phrase = wq.Phrase("body", words, slop=1)  # no boost: the table itself comes back
            whole = _walked(phrase.matcher(searcher, context))
            assert len(whole) > 2
            for _ in range(2):  # read, then remembered
                found = every_score(phrase.matcher(searcher, context), None, reader, tables)
                assert found == whole
                found.clear()  # a copy: the remembered matches are untouched
            later = sorted(whole)[len(whole) // 2]
            matcher = phrase.matcher(searcher, context)
            matcher.skip_to(later)
            expected = {d: s for d, s in whole.items() if d >= later}
            assert every_score(matcher, None, reader, tables) == expected


def test_listed_phrases_match_whoosh_phrases_walked_and_tabled(real_engine: Engine) -> None:
    with real_engine.searcher() as searcher:
        reader = searcher.reader()
        tables = TermTables()
        plain = scoring_context(searcher)
        listing = scoring_context(searcher, tables)
        for words, slop, boost in (
            (["l1", "l2"], 1, 1.0),
            (["nerv", "root"], 1, 2.5),
            (["foramin", "narrow"], 2, 1.0),
            (["foramin", "narrow", "l1"], 2, 1.5),
        ):
            whole = _walked(
                wq.Phrase("body", words, slop=slop, boost=boost).matcher(searcher, plain)
            )
            assert len(whole) > 2
            listed = ListedPhrase("body", words, slop=slop, boost=boost)
            for _ in range(2):  # read, then remembered
                assert _walked(listed.matcher(searcher, listing)) == whole
                assert every_score(listed.matcher(searcher, listing), None, reader, tables) == whole
            # without tables in the context it is Whoosh's own phrase matcher
            assert _walked(listed.matcher(searcher, plain)) == whole
