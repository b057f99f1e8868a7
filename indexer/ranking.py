"""Ranking a compiled query: the top N hits, the exact total and the per-part counts.

Whoosh's own ``search(limit=N)`` followed by ``len(results)`` runs the query twice (the
top N may skip documents, so counting needs a second, unscored pass). Here one pass
scores every match, keeps the top N and counts totals and parts as it goes.

A query whose top is ``AndMaybe(main, bonus)`` (optionally under ``AndNot``) is ranked in
two cheaper steps with the same scores: every match of ``main`` is scored once, then the
``bonus`` query walks its own (much shorter) match list and its score is added where it
matches — instead of Whoosh asking the whole bonus tree to ``skip_to`` every match of
``main``, which dominates on large indexes.

Every query runs under a time budget: past it, collection stops and the matches found
so far are ranked (``Ranking.partial``), so no query can hold a worker for long.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass

from whoosh import query as q
from whoosh.searching import Searcher

from indexer.concepts import ConceptCache, memoize_concepts
from indexer.scoring import (
    TIME_BUDGET,
    Budget,
    ExactAndNot,
    ListedConstantScore,
    ListedPhrase,
    OutOfTime,
    TermTables,
    every_score,
    scoring_context,
)

Ranked = list[tuple[float, int]]  # (score, docnum), best first


@dataclass(frozen=True, slots=True)
class Ranking:
    top: Ranked
    total: int
    facets: dict[str, int]
    partial: bool = False  # the time budget ran out: top and total cover what was found


def rank(
    searcher: Searcher,
    query: q.Query,
    n: int,
    parts: list[str],
    part: str | None = None,
    concepts: ConceptCache | None = None,
    budget: float = TIME_BUDGET,
) -> Ranking:
    """The best ``n`` matches of ``query`` (ties: lower docnum first), all counted exactly.

    ``parts`` is the part name of every document by docnum; ``part`` keeps only
    matches in that part; ``concepts`` remembers recurring sub-queries' matches;
    ``budget`` is the seconds it may take before it ranks what it found so far.
    """
    clock = Budget(budget)
    prefer_union_matchers(query)
    if concepts is not None:
        query = memoize_concepts(query, concepts)
    base, bonus = split_bonus(query)
    tables = concepts.terms if concepts is not None else TermTables()
    scored, facets, partial = _every_match(searcher, base, parts, part, clock, tables)
    if bonus is not None and not partial:
        try:
            extra = bonus_scores(searcher, bonus, clock, tables)
        except OutOfTime:
            partial = True  # rank by the main query alone
        else:
            scored = [(s + extra[d], d) if d in extra else (s, d) for s, d in scored]
    ranked = heapq.nsmallest(n, scored, key=lambda item: (-item[0], item[1]))
    return Ranking(ranked, len(scored), dict(facets), partial)


def _every_match(
    searcher: Searcher,
    query: q.Query,
    parts: list[str],
    part: str | None,
    clock: Budget,
    tables: TermTables | None = None,
) -> tuple[Ranked, Counter[str], bool]:
    """Every match of ``query`` (in ``part`` when given) with its score, in docnum order,
    the count of each part, and whether the time budget cut it short.

    What Whoosh's collectors did, without a matcher walked document by document: the
    matches come from :func:`every_score`, with the context ``search_with_collector``
    would have given them.
    """
    scored: Ranked = []
    facets: Counter[str] = Counter()
    context = scoring_context(searcher, tables, clock)
    try:
        for subsearcher, offset in searcher.leaf_searchers():
            matcher = query.matcher(subsearcher, context)
            found = every_score(matcher, clock, subsearcher.reader(), tables)
            for docnum in sorted(found):
                name = parts[docnum + offset]
                if part and name != part:
                    continue
                clock.tick()
                scored.append((found[docnum], docnum + offset))
                facets[name] += 1
    except OutOfTime:
        return scored, facets, True
    return scored, facets, False


def split_bonus(query: q.Query) -> tuple[q.Query, q.Query | None]:
    """``AndMaybe(main, bonus)`` -> (main, bonus); ``AndNot`` of one keeps its exclusion."""
    if isinstance(query, q.AndMaybe):
        return query.a, query.b
    if isinstance(query, q.AndNot):
        base, bonus = split_bonus(query.a)
        if bonus is not None:
            return type(query)(base, query.b), bonus
    return query, None


def bonus_scores(
    searcher: Searcher,
    bonus: q.Query,
    clock: Budget | None = None,
    tables: TermTables | None = None,
) -> dict[int, float]:
    """The score of ``bonus`` on every document it matches, by docnum."""
    scores: dict[int, float] = {}
    context = scoring_context(searcher, tables, clock)
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = bonus.matcher(subsearcher, context)
        found = every_score(matcher, clock, subsearcher.reader(), tables)
        scores.update((docnum + offset, score) for docnum, score in found.items())
    return scores


def prefer_union_matchers(query: q.Query) -> None:
    """Make every ``Or`` walk its postings in step, and every ``AndNot`` exclude correctly.

    On indexes under 5,000 documents Whoosh preloads an ``Or`` whose scores the parent
    does not need per document into a 2,048-slot array filled and cleared in Python:
    most of a query's time on the real corpus. ``AndNot`` nodes get the matcher of
    :class:`ExactAndNot` (same query, same fields; only the matcher differs).
    """
    if isinstance(query, q.Or):
        query.matcher_type = q.Or.DEFAULT_MATCHER
    if type(query) is q.AndNot:
        query.__class__ = ExactAndNot
    if type(query) is q.ConstantScoreQuery:
        query.__class__ = ListedConstantScore
    if type(query) is q.Phrase:
        query.__class__ = ListedPhrase
    for child in query.children():
        prefer_union_matchers(child)
