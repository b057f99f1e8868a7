"""Concepts that recur across queries, answered from memory per index generation.

A query's concepts ("pain", "nerve root", a drug and its synonyms) are the same sub-query
whenever they are typed; ``memoize_concepts`` routes them through a ``ConceptCache`` that
reads their matches once and hands them out as array matchers.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from typing import Any

from whoosh import query as q
from whoosh.matching import Matcher, NullMatcher
from whoosh.searching import Searcher

from indexer.scoring import ArrayMatcher, TermTables, every_score, scoring_context


class ConceptCache:
    """The matches and scores of sub-queries that recur across queries, per generation.

    A query's concepts ("pain", "nerve root", a drug and its synonyms) are the same
    sub-query whenever they are typed, and each appears several times in one query
    (scored, in the minimum-match filter, in the bonuses). Their matches are read from
    the postings once and kept, bounded by the number of stored matches; the engine
    empties it when it opens a new generation.
    """

    def __init__(self, budget: int = 2_000_000) -> None:
        self.budget = budget
        self._entries: OrderedDict[tuple[int, str], tuple[array, array]] = OrderedDict()
        self._size = 0
        self._estimates: dict[tuple[int, str, bool], int] = {}
        self.terms = TermTables(budget)
        self.hits = 0
        self.misses = 0

    def estimate(self, ixreader: Any, query: q.Query, key: str, least: bool = False) -> int:
        """Whoosh's size estimate of ``query`` (which orders matcher trees), remembered."""
        slot = (id(ixreader), key, least)
        found = self._estimates.get(slot)
        if found is None:
            method = query.estimate_min_size if least else query.estimate_size
            found = self._estimates[slot] = int(method(ixreader))
        return found

    def matches(self, searcher: Searcher, query: q.Query, key: str) -> tuple[array, array]:
        """(docnums, scores) of ``query`` in the segment of ``searcher``."""
        slot = (id(searcher.reader()), key)
        found = self._entries.get(slot)
        if found is not None:
            self._entries.move_to_end(slot)
            self.hits += 1
            return found
        self.misses += 1
        found_scores = every_score(
            query.matcher(searcher, scoring_context(searcher, self.terms)),
            None,
            searcher.reader(),
            self.terms,
        )
        ordered = sorted(found_scores)
        ids = array("i", ordered)
        scores = array("d", [found_scores[d] for d in ordered])
        if len(ids) <= self.budget // 4:
            self._entries[slot] = (ids, scores)
            self._size += len(ids)
            while self._size > self.budget:
                _, (old, _) = self._entries.popitem(last=False)
                self._size -= len(old)
        return ids, scores

    def clear(self) -> None:
        self._entries.clear()
        self._estimates.clear()
        self.terms.clear()
        self._size = 0


def memoize_concepts(query: q.Query, cache: ConceptCache) -> q.Query:
    """``query`` with each concept-like sub-query read through ``cache``.

    Concept-like: an ``Or`` of terms and phrases (a word in every field) or a
    ``DisjunctionMax`` (a word and its synonyms). Scores are the sub-query's own, and
    the parent combines them exactly as before (the memo reports the same size estimate,
    so Whoosh builds the same matcher tree). Not inside an ``Or`` with ``scale``, whose
    scoring counts the individual terms under it.
    """
    if _concept_like(query):
        return _Memo(query, cache)
    if isinstance(query, q.Or) and query.scale:
        return query
    if isinstance(query, q.BinaryQuery):
        query.a = memoize_concepts(query.a, cache)
        query.b = memoize_concepts(query.b, cache)
    elif isinstance(query, q.WrappingQuery):
        query.child = memoize_concepts(query.child, cache)
    elif isinstance(query, q.CompoundQuery):
        query.subqueries = [memoize_concepts(sub, cache) for sub in query.subqueries]
    return query


def _concept_like(query: q.Query) -> bool:
    if isinstance(query, q.DisjunctionMax):
        return True
    return (
        isinstance(query, q.Or)
        and not query.scale
        and all(isinstance(sub, (q.Term, q.Phrase)) for sub in query.subqueries)
    )


class _Memo(q.WrappingQuery):
    """A sub-query answered from a :class:`ConceptCache`."""

    def __init__(self, child: q.Query, cache: ConceptCache) -> None:
        super().__init__(child)
        self.cache = cache
        # repr misses DisjunctionMax's tiebreak; the key must not.
        self.key = f"{child!r}|{getattr(child, 'tiebreak', '')}"

    def _rewrap(self, child: q.Query) -> _Memo:
        return _Memo(child, self.cache)

    def estimate_size(self, ixreader: Any) -> int:
        return self.cache.estimate(ixreader, self.child, self.key)

    def estimate_min_size(self, ixreader: Any) -> int:
        return self.cache.estimate(ixreader, self.child, self.key, least=True)

    def matcher(self, searcher: Searcher, context: Any = None) -> Matcher:
        ids, scores = self.cache.matches(searcher, self.child, self.key)
        if not ids:
            return NullMatcher()
        return ArrayMatcher(ids, scores)
