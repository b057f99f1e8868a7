"""``AtLeast(queries, n)``: documents that match at least ``n`` of ``queries``.

A filter, not a scorer: it is meant for the required side of ``Require`` (``Require(
scored, AtLeast(concepts, 3))``), where Whoosh only asks whether a document matches.
Spelling it as an ``Or`` of every ``n``-sized ``And`` grows combinatorially (35 ``And``s
of 4 for a seven-word query); this counts each sub-query's documents once instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from whoosh import matching
from whoosh.query import qcore
from whoosh.query.compound import CompoundQuery
from whoosh.searching import Searcher


class AtLeast(CompoundQuery):
    """Matches documents matched by at least ``count`` of ``subqueries``; scores 1.0."""

    JOINT = " | "

    def __init__(self, subqueries: Sequence[qcore.Query], count: int, boost: float = 1.0):
        super().__init__(list(subqueries), boost=boost)
        self.count = max(1, count)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.subqueries!r}, {self.count})"

    def __unicode__(self) -> str:
        return f"AtLeast{self.count}({super().__unicode__()})"

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AtLeast)
            and self.subqueries == other.subqueries
            and self.count == other.count
            and self.boost == other.boost
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.subqueries), self.count, self.boost))

    def apply(self, fn: Callable[[qcore.Query], qcore.Query]) -> AtLeast:
        return type(self)([fn(sub) for sub in self.subqueries], self.count, self.boost)

    def normalize(self) -> qcore.Query:
        subs = [s.normalize() for s in self.subqueries]
        subs = [s for s in subs if s is not qcore.NullQuery]
        if len(subs) < self.count:
            return qcore.NullQuery
        return type(self)(subs, self.count, self.boost)

    def estimate_size(self, ixreader: Any) -> int:
        return min(s.estimate_size(ixreader) for s in self.subqueries)

    def matcher(self, searcher: Searcher, context: Any = None) -> matching.Matcher:
        if len(self.subqueries) < self.count:
            return matching.NullMatcher()
        counts: Counter[int] = Counter()
        for sub in self.subqueries:
            counts.update(set(sub.docs(searcher)))
        ids = sorted(docnum for docnum, n in counts.items() if n >= self.count)
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=self.boost)
