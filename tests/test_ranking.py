"""The scoring model reproduces Whoosh: BM25F per term, phrase matches, field lengths.

Whoosh's own searcher is the reference: a term's scores from ``Searcher.search`` with its
default BM25F weighting, a phrase's matches from Whoosh's span queries.
"""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

from indexer.query.plan import Words
from indexer.query.score import Scorer, best_of, total
from indexer.query.score import Scores as S
from indexer.schema import SEARCH_FIELDS
from indexer.search import Engine

TERMS = ["nerv", "femor", "pain", "l1", "groin", "thigh", "surgeri", "kemp", "b12", "test"]


@pytest.mark.parametrize("term", TERMS)
def test_term_scores_equal_whooshs_bm25f(real_engine: Engine, term: str) -> None:
    with real_engine.snapshot() as current, current.lock:
        searcher = current.searcher
        for field in SEARCH_FIELDS:
            docs, scores = current.model.scores(field, term)
            ours = dict(zip(docs.tolist(), scores.tolist(), strict=True))
            theirs = {
                hit.docnum: hit.score for hit in searcher.search(wq.Term(field, term), limit=None)
            }
            assert ours.keys() == theirs.keys(), (field, term)
            assert [ours[d] for d in sorted(ours)] == pytest.approx(
                [theirs[d] for d in sorted(theirs)], rel=1e-12
            )


@pytest.mark.parametrize("slop", [1, 2, 3])
def test_phrases_match_where_whooshs_spans_do(real_engine: Engine, slop: int) -> None:
    phrases = [
        ("l1", "l2"),
        ("nerv", "root"),
        ("femor", "nerv", "stretch"),
        ("pain", "thigh"),
        ("foramin", "narrow"),
        ("type", "unilater", "neural", "foramin", "narrow", "l1", "l2"),
        ("l2", "l1"),
        ("pain", "pain"),
    ]
    matched = 0
    with real_engine.snapshot() as current, current.lock:
        scorer = Scorer(current.model)
        for words in phrases:
            for field in SEARCH_FIELDS:
                phrase = wq.Phrase(field, list(words), slop=slop, boost=0.7)
                theirs = {h.docnum: h.score for h in current.searcher.search(phrase, limit=None)}
                ours = scorer.in_field(Words(words, (field,), 0.7, slop), field)
                assert ours.docs.tolist() == sorted(theirs), (field, words)
                assert ours.values.tolist() == pytest.approx([theirs[d] for d in sorted(theirs)])
                matched += len(theirs)
    assert matched > 100


def test_field_lengths_are_whooshs(real_engine: Engine) -> None:
    with real_engine.snapshot() as current, current.lock:
        reader = current.searcher.reader()
        for segment in current.model.segments:
            for field in SEARCH_FIELDS:
                stored = [
                    reader.doc_field_length(d, field) or 0 for d in range(segment.arrays.doc_count)
                ]
                assert segment.lengths[field].tolist() == stored, field  # one byte, rounded up


def test_score_vectors_add_and_take_the_best() -> None:
    a = S(np.array([1, 3, 5]), np.array([1.0, 2.0, 3.0]))
    b = S(np.array([3, 4]), np.array([10.0, 1.0]))
    summed = total([a, b])
    assert summed.docs.tolist() == [1, 3, 4, 5]
    assert summed.values.tolist() == [1.0, 12.0, 1.0, 3.0]
    best = best_of([a, b])
    assert best.docs.tolist() == [1, 3, 4, 5]
    assert best.values.tolist() == pytest.approx([1.0, 10.0 + 0.3 * 2.0, 1.0, 3.0])
    assert a.at(np.array([0, 3, 6])).tolist() == [0.0, 2.0, 0.0]
    assert a.only(np.array([3, 4, 5])).docs.tolist() == [3, 5]
