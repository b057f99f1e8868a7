"""A working "best of" query: Whoosh 2.7's DisjunctionMax scores sub-queries on other documents.

``DisjunctionMaxMatcher.score`` takes the maximum of both sub-matchers' scores without
checking that both are on the current document, so a document that matches one synonym
gets the score another synonym earned elsewhere. :class:`BestOf` is the same query with a
matcher that only looks at the sub-matchers positioned on the current document.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as q
from whoosh.matching import DisjunctionMaxMatcher

TIEBREAK = 0.3  # how much the other matching alternatives add to the best one


class BestOfMatcher(DisjunctionMaxMatcher):
    def score(self) -> float:  # the best sub-matcher on this document, plus a share of the rest
        a, b = self.a, self.b
        if not a.is_active():
            return float(b.score())
        if not b.is_active():
            return float(a.score())
        current = self.id()
        scores = [float(m.score()) for m in (a, b) if m.id() == current]
        if not scores:
            return 0.0
        best = max(scores)
        return best + TIEBREAK * (sum(scores) - best)

    def replace(self, minquality: float = 0) -> Any:
        replaced = super().replace(minquality)
        if type(replaced) is DisjunctionMaxMatcher:
            return BestOfMatcher(replaced.a, replaced.b)
        return replaced


class BestOf(q.DisjunctionMax):
    """Matches any sub-query; scores a document by its best-scoring sub-query."""

    def _matcher(self, subs: Any, searcher: Any, context: Any) -> Any:
        reader = searcher.reader()
        return self._tree_matcher(
            subs, BestOfMatcher, searcher, context, lambda sub: sub.estimate_size(reader)
        )
