"""Score tables: every match of a Whoosh matcher and its score, without walking matcher trees.

Whoosh scores a query document by document through a tree of Python matchers. Here each
sub-matcher is read into a docnum -> score table (terms a posting block at a time,
phrases by chaining word positions) and tables are combined with the same arithmetic as
Whoosh's ``score()``, so the floats are identical. Term tables are remembered per
generation (``TermTables``), scorers per searcher, and every loop looks at a
:class:`Budget` so no query runs past its time.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left
from typing import Any

from whoosh import query as q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import (
    AndNotMatcher,
    IntersectionMatcher,
    ListMatcher,
    Matcher,
    NullMatcherClass,
    ReadTooFar,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.query.spans import SpanNear2
from whoosh.reading import IndexReader
from whoosh.scoring import BM25FScorer, WeightingModel
from whoosh.searching import Searcher
from whoosh.util import make_binary_tree

from indexer.matching import TIEBREAK, BestOfMatcher

TIME_BUDGET = 2.0  # seconds one query may spend collecting matches


CHECK_EVERY = 256  # matches between two looks at the clock


class OutOfTime(Exception):
    """A query used up its time budget; what was collected so far stands."""


class Budget:
    """A deadline checked every ``CHECK_EVERY`` matches (a clock read per match costs)."""

    __slots__ = ("_countdown", "_deadline")

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds
        self._countdown = 1  # the first match looks at the clock

    def check(self) -> None:
        """Look at the clock now (between two pieces of work that are not single matches)."""
        if time.monotonic() > self._deadline:
            raise OutOfTime

    def tick(self) -> None:
        self._countdown -= 1
        if self._countdown <= 0:
            self._countdown = CHECK_EVERY
            if time.monotonic() > self._deadline:
                raise OutOfTime


SCORER_MEMO = 16384  # term scorers remembered per searcher


class _RememberedScorers(WeightingModel):
    """The searcher's weighting model, with each term's scorer set up once per searcher.

    A BM25F scorer looks up the term's statistics (idf, the field's average length, the
    term's best weight) when it is made, and a query makes one per term per field,
    again for every query; a generation's searcher and statistics never change, and a
    scorer keeps no state between documents, so one per term serves every query.
    """

    def __init__(self, base: WeightingModel) -> None:
        self.base = base
        self.use_final = base.use_final

    def idf(self, searcher: Searcher, fieldname: str, text: Any) -> float:
        return float(self.base.idf(searcher, fieldname, text))

    def scorer(self, searcher: Searcher, fieldname: str, text: Any, qf: int = 1) -> Any:
        memo: dict[tuple[str, Any, int], Any] = searcher.__dict__.setdefault("_foramen_scorers", {})
        key = (fieldname, text, qf)
        found = memo.get(key)
        if found is None:
            if len(memo) >= SCORER_MEMO:
                memo.clear()  # typed nonsense must not grow it without bound
            found = memo[key] = self.base.scorer(searcher, fieldname, text, qf=qf)
        return found

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        return float(self.base.final(searcher, docnum, score))


def scoring_context(
    searcher: Searcher, tables: TermTables | None = None, clock: Budget | None = None
) -> Any:
    """``searcher.context()`` with the scorers remembered (see :class:`_RememberedScorers`);
    with ``tables``, phrases list their matches as they are made (:class:`ListedPhrase`)."""
    weighting = searcher.weighting
    if not isinstance(weighting, _RememberedScorers):
        weighting = _RememberedScorers(weighting)
    context = searcher.context(weighting=weighting)
    if tables is not None:
        context.foramen_tables = tables
        context.foramen_clock = clock
    return context


class _AndNotMatcher(AndNotMatcher):
    """Whoosh 2.7's ``AndNotMatcher`` only excludes its first document when both sides
    start on the same one: when the excluded side starts earlier, a first positive
    document that is also excluded slips through (it shows up in the second segment of
    an index, or whenever the excluded word occurs in an earlier document)."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class ExactAndNot(q.AndNot):
    def matcher(self, searcher: Searcher, context: Any = None) -> Matcher:
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return _AndNotMatcher(self.a.matcher(searcher, context), excluded)


class TermTables:
    """Each term's score table (docnum -> BM25F score), read once and handed out as copies.

    The same title and body terms are read again and again within a query (a concept in
    every field, the same concept in the heading only, the words of a phrase) and across
    queries; a term's table depends only on the segment, the term and its scorer.
    Bounded by the number of stored entries; the concept cache empties it with itself.
    """

    def __init__(self, budget: int = 2_000_000) -> None:
        self.budget = budget
        self._tables: dict[tuple[int, Any, int], dict[int, float]] = {}
        self._phrases: dict[tuple[Any, ...], tuple[int, dict[int, float]]] = {}
        self._size = 0

    def scores(self, matcher: W3LeafMatcher, reader: IndexReader) -> dict[int, float]:
        """What :func:`_term_scores` would read from ``matcher``'s current posting on."""
        if not matcher.is_active():
            return {}
        term = matcher.term()
        slot = (id(reader), term, id(matcher.scorer))
        table = self._tables.get(slot)
        if table is None:
            start = matcher.id()
            table = _term_scores(matcher, _field_lengths(reader, term[0]))
            if len(table) != reader.doc_frequency(*term):
                return table  # read from a later posting: not the whole term
            if self._size + len(table) > self.budget:
                self.clear()
            self._tables[slot] = table
            self._size += len(table)
            return dict(table) if start == next(iter(table)) else table
        start = matcher.id()
        if start == next(iter(table)):
            return dict(table)
        return {docnum: score for docnum, score in table.items() if docnum >= start}

    def phrase(self, key: tuple[Any, ...], start: int) -> dict[int, float] | None:
        """A phrase's remembered matches from docnum ``start`` on (None: not known)."""
        found = self._phrases.get(key)
        if found is None or start < found[0]:
            return None
        if start == found[0]:
            return dict(found[1])
        return {docnum: score for docnum, score in found[1].items() if docnum >= start}

    def remember_phrase(self, key: tuple[Any, ...], start: int, table: dict[int, float]) -> None:
        """Keep a phrase's matches (every one from docnum ``start`` on); a copy."""
        if self._size + len(table) > self.budget:
            self.clear()
        self._phrases[key] = (start, dict(table))
        self._size += len(table)

    def clear(self) -> None:
        self._tables.clear()
        self._phrases.clear()
        self._size = 0


def every_score(
    matcher: Matcher,
    clock: Budget | None = None,
    reader: IndexReader | None = None,
    tables: TermTables | None = None,
) -> dict[int, float]:
    """Every match of ``matcher`` and its score, by docnum, a sub-matcher at a time.

    Walking a tree of Whoosh matchers document by document costs several Python calls
    per document per level; here each leaf (a term's or a phrase's postings, a
    remembered concept) is read on its own and the tree's nodes are applied to whole
    score tables, with the same arithmetic as their ``score()`` (so the same floats): a
    union adds ``a + b`` where both match, an intersection adds ``a + b`` where both
    match and drops the rest, an exclusion keeps ``a``'s scores outside ``b``, a
    :class:`BestOfMatcher` takes the best plus ``TIEBREAK`` of the other, a wrapper
    multiplies by its boost. Any other matcher is iterated as it is.
    """
    if clock is not None:
        clock.check()
    kind = type(matcher)
    if kind is TableMatcher and "_ids" not in matcher.__dict__:
        return dict(matcher.table)
    if kind is ArrayMatcher or kind is TableMatcher:
        start = matcher._i
        return dict(zip(matcher._ids[start:], matcher._weights[start:], strict=True))
    if kind is UnionMatcher or kind is BestOfMatcher or kind is IntersectionMatcher:
        first = every_score(matcher.a, clock, reader, tables)
        second = every_score(matcher.b, clock, reader, tables)
        if kind is IntersectionMatcher:
            if len(second) < len(first):
                return {d: first[d] + s for d, s in second.items() if d in first}
            return {d: s + second[d] for d, s in first.items() if d in second}
        if kind is UnionMatcher:
            for docnum, score in second.items():
                other = first.get(docnum)
                first[docnum] = score if other is None else other + score
        else:
            for docnum, score in second.items():
                other = first.get(docnum)
                if other is None:
                    first[docnum] = score
                else:
                    best = max(other, score)
                    first[docnum] = best + TIEBREAK * (other + score - best)
        return first
    if kind is _AndNotMatcher:
        kept = every_score(matcher.a, clock, reader, tables)
        for docnum in every_score(matcher.b, clock):
            kept.pop(docnum, None)
        return kept
    if kind is WrappingMatcher:
        boost = matcher.boost
        found = every_score(matcher.child, clock, reader, tables)
        return {docnum: score * boost for docnum, score in found.items()}
    if (
        kind is SpanNear2.SpanNear2Matcher
        and reader is not None
        and matcher.ordered
        and matcher.mindist == 1
        and all(type(m) is W3LeafMatcher for m in matcher.ms)
    ):
        return _phrase_scores(matcher, clock, reader, tables)
    if kind is W3LeafMatcher and reader is not None and type(matcher.scorer) is BM25FScorer:
        if tables is not None:
            return tables.scores(matcher, reader)
        return _term_scores(matcher, _field_lengths(reader, matcher.term()[0]))
    found = {}
    is_active, ident, score_of, advance = matcher.is_active, matcher.id, matcher.score, matcher.next
    while is_active():
        found[ident()] = score_of()
        advance()
    return found


def _phrase_scores(
    matcher: SpanNear2.SpanNear2Matcher,
    clock: Budget | None,
    reader: IndexReader,
    tables: TermTables | None = None,
) -> dict[int, float]:
    """A phrase (Whoosh's ordered ``SpanNear2``): the sections with every word, scored as
    its intersection of the words scores them, kept where the words' positions chain up.

    Whoosh's check builds span objects per document; for single-word spans in order
    with ``mindist`` 1 it comes down to positions ``p0 < p1 < ...`` of the words with
    ``1 <= p[i+1] - p[i] <= slop``, which is what is checked here.
    """
    if not matcher.is_active():
        return {}
    start = matcher.id()  # every word's postings are on it: the phrase's first match
    key = (
        id(reader),
        tuple(m.term() for m in matcher.ms),
        tuple(id(m.scorer) for m in matcher.ms),
        matcher.slop,
        matcher.boost,
    )
    if tables is not None:
        remembered = tables.phrase(key, start)
        if remembered is not None:
            return remembered
    found = _chained(matcher.child, matcher.ms, matcher.slop, matcher.boost, clock, reader, tables)
    if tables is not None:
        tables.remember_phrase(key, start, found)
    return found


def _chained(
    child: Matcher,
    ms: list[Any],
    slop: int,
    boost: float,
    clock: Budget | None,
    reader: IndexReader,
    tables: TermTables | None,
) -> dict[int, float]:
    """The documents of ``child`` (the words' intersection) where the words of ``ms``
    chain up within ``slop``, with the intersection's score times ``boost``."""
    together = every_score(child, clock, reader, tables)
    if not together:
        return {}
    words = [reader.postings(*m.term()) for m in ms]  # positions, read afresh
    found: dict[int, float] = {}
    for docnum in sorted(together):
        reached: set[int] | None = None
        for word in words:
            word.skip_to(docnum)
            positions = word.value_as("positions")
            if reached is None:
                reached = set(positions)
            else:
                reached = {
                    p for p in positions if any(p - gap in reached for gap in range(1, slop + 1))
                }
            if not reached:
                break
        if reached:
            found[docnum] = together[docnum] * boost
    return found


def _term_scores(matcher: W3LeafMatcher, lengths: list[int]) -> dict[int, float]:
    """A term's postings scored a block at a time: ``BM25FScorer.score`` is
    ``_score(weight, length)`` with the length read from the segment's column per
    posting; here the weights come from the block and the lengths from a list."""
    score = matcher.scorer._score
    found: dict[int, float] = {}
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        start = matcher._i
        for docnum, weight in zip(matcher._ids[start:], matcher._weights[start:], strict=True):
            found[docnum] = score(weight, lengths[docnum])
        matcher._i = matcher._blocklength - 1
        matcher.next()  # on to the next block, as Whoosh moves
    return found


def _field_lengths(reader: IndexReader, fieldname: str) -> list[int]:
    """Each document's length in ``fieldname`` as the scorer reads it (default 1), kept
    on the segment's reader: a generation's readers never change."""
    tables: dict[str, list[int]] = reader.__dict__.setdefault("_foramen_lengths", {})
    table = tables.get(fieldname)
    if table is None:
        length = reader.doc_field_length
        table = [length(d, fieldname, 1) for d in range(reader.doc_count_all())]
        tables[fieldname] = table
    return table


class ListedConstantScore(q.ConstantScoreQuery):
    """Whoosh's ``ConstantScoreQuery`` with its child's matches listed by
    :func:`every_score` instead of walking the child's matcher tree."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Matcher:
        from whoosh.searching import SearchContext

        context = context or SearchContext()
        child = self.child.matcher(searcher, context)
        if context.needs_current or isinstance(child, NullMatcherClass):
            return child
        ids = array("I", sorted(every_score(child)))
        return ListMatcher(ids, all_weights=self.score, term=child.term())


class ArrayMatcher(ListMatcher):
    """Docnums and scores from arrays; ``skip_to`` by binary search."""

    def __init__(self, ids: array, scores: array) -> None:
        super().__init__(ids, weights=scores)

    def skip_to(self, target: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if target > self._ids[self._i]:
            self._i = bisect_left(self._ids, target, self._i)

    def supports_block_quality(self) -> bool:
        return False


class ListedPhrase(q.Phrase):
    """Whoosh's ``Phrase``, whose matcher in a :func:`scoring_context` with tables is its
    list of matches (what :func:`_phrase_scores` reads from the ``SpanNear2`` matcher,
    the same docnums and floats), made without Whoosh looking for the first match span
    by span; the list is remembered like a term's table."""

    def matcher(self, searcher: Searcher, context: Any = None) -> Matcher:
        tables = getattr(context, "foramen_tables", None)
        fieldname = self.fieldname
        if tables is None or context.needs_current or fieldname not in searcher.schema:
            return super().matcher(searcher, context)
        field = searcher.schema[fieldname]
        reader = searcher.reader()
        if not field.format or not field.format.supports("positions"):
            return super().matcher(searcher, context)
        ms = []
        for word in self.words:
            try:
                text = field.to_bytes(word)
            except ValueError:
                return super().matcher(searcher, context)
            if (fieldname, text) not in reader:
                return super().matcher(searcher, context)
            ms.append(q.Term(fieldname, text).matcher(searcher, context))
        if not all(type(m) is W3LeafMatcher for m in ms) or not all(m.is_active() for m in ms):
            return super().matcher(searcher, context)
        key = (
            id(reader),
            tuple(m.term() for m in ms),
            tuple(id(m.scorer) for m in ms),
            self.slop,
            1.0,
        )
        found = tables.phrase(key, 0)
        if found is None:
            child = make_binary_tree(IntersectionMatcher, ms)
            clock = getattr(context, "foramen_clock", None)
            found = _chained(child, ms, self.slop, 1.0, clock, reader, tables)
            tables.remember_phrase(key, 0, found)
        m: Matcher = TableMatcher(found)
        if self.boost != 1.0:
            m = WrappingMatcher(m, boost=self.boost)
        return m


class TableMatcher(ArrayMatcher):
    """A docnum -> score table as a matcher: :func:`every_score` takes the table as it
    is; the sorted arrays Whoosh walks are made only when something walks it."""

    def __init__(self, table: dict[int, float]) -> None:
        self.table = table

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or "table" not in self.__dict__ or "_ids" in self.__dict__:
            raise AttributeError(name)
        ordered = sorted(self.table)
        ArrayMatcher.__init__(
            self, array("I", ordered), array("d", [self.table[d] for d in ordered])
        )
        return getattr(self, name)

    def copy(self) -> Matcher:
        if "_ids" not in self.__dict__:
            return TableMatcher(dict(self.table))
        walked = ArrayMatcher(self._ids, self._weights)
        walked._i = self._i
        return walked
