"""Search an index: one ``Engine`` per index folder, reused across queries and threads.

The engine holds a :class:`Snapshot` of the published generation — Whoosh's searcher
(stored fields, positions, offsets), the scoring model (:mod:`indexer.model`) and the
vocabulary — and swaps it for a new one when a build has landed (``CURRENT`` changed),
so a running server picks up a rebuilt index on its next query. Its lock covers only
that check and swap: queries run side by side, each on the snapshot it started with.

A query: parse -> understand -> plan (:mod:`indexer.query`) -> score on the model's
arrays -> rank -> the page's stored fields and snippets from Whoosh.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from indexer.analysis import text_analyzer
from indexer.cache import LruCache
from indexer.errors import IndexMissingError
from indexer.highlight import snippet, snippet_from_spans
from indexer.model import ScoringModel
from indexer.models import MAX_LIMIT, Hit, SearchResult, Section
from indexer.query.parse import parse_user_query
from indexer.query.plan import PHRASE_SLOP, Plan, QueryPlan, Words, compile_query
from indexer.query.rank import rank
from indexer.query.score import (
    EMPTY,
    PART_KINDS,
    TIME_BUDGET,
    Budget,
    Evaluation,
    Scorer,
    missing_words,
)
from indexer.query.score import explain as explain_score
from indexer.query.vocabulary import Terms, Vocabulary
from indexer.query.weights import load_weights
from indexer.schema import PATH_SEPARATOR, SEARCH_FIELDS
from indexer.store import pointer_stamp, read_pointer

OPEN_RETRIES = 5
CACHE_SIZE = 1024  # results of recent (query, part, page, limit); emptied by every build


@dataclass
class Snapshot:
    """One open generation: what every query on it reads. Whoosh's readers are not
    safe to share between threads, so reads of them take ``lock``; the model's arrays
    and the vocabulary are read-only and need none."""

    searcher: Searcher
    model: ScoringModel
    vocabulary: Vocabulary
    build: int
    stamp: tuple[int, int] | None
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: int = 0
    retired: bool = False

    @classmethod
    def open(
        cls,
        directory: Path,
        build: int,
        stamp: tuple[int, int] | None,
        previous: Snapshot | None = None,
    ) -> Snapshot:
        searcher = whoosh_index.open_dir(str(directory)).searcher()
        try:
            model = ScoringModel.open(searcher.reader(), directory)
        except Exception:
            searcher.close()
            raise
        before = previous.vocabulary if previous is not None else None
        vocabulary = Vocabulary.open(model, directory, previous=before)
        snapshot = cls(searcher, model, vocabulary, build, stamp)
        vocabulary.phrase_count = snapshot.phrase_count
        return snapshot

    def phrase_count(self, terms: Terms) -> int:
        """Live sections holding ``terms`` side by side in a search field."""
        scorer = Scorer(self.model)
        return len(scorer.words(Words(terms, SEARCH_FIELDS, slop=PHRASE_SLOP)))

    def close(self) -> None:
        with self.lock:
            self.searcher.close()


class Engine:
    """Answers queries against the index at ``index_root``."""

    def __init__(
        self,
        index_root: Path,
        cache_size: int = CACHE_SIZE,
        time_budget: float = TIME_BUDGET,
        weights: Mapping[str, float] | None = None,
    ) -> None:
        self.root = Path(index_root)
        # The learned weight of each kind of part of a score (indexer/query/weights.json).
        self.weights = dict(load_weights() if weights is None else weights)
        self.time_budget = time_budget  # seconds of position checks and bonuses per query
        self.analyzer = text_analyzer()
        self._cache: LruCache[SearchResult] = LruCache(cache_size)
        self._lock = threading.Lock()  # covers the check for a new generation and the swap
        self._current: Snapshot | None = None

    @property
    def generation(self) -> int:
        """The build number of the generation the engine answers from (0: none open)."""
        current = self._current
        return current.build if current is not None else 0

    # -- snapshots ----------------------------------------------------------------------

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """The current generation's snapshot, held open while the block runs."""
        with self._lock:
            self._refresh()
            current = self._current
            assert current is not None
            current.users += 1
        try:
            yield current
        finally:
            with self._lock:
                current.users -= 1
                if current.retired and current.users == 0:
                    current.close()

    def _refresh(self) -> None:
        """(Re)open the snapshot if a build landed since it was opened (under the lock)."""
        stamp = pointer_stamp(self.root)
        current = self._current
        if current is not None and stamp is not None and stamp == current.stamp:
            return
        for attempt in range(OPEN_RETRIES):
            try:
                pointer = read_pointer(self.root)
            except IndexMissingError:
                if current is None:
                    raise
                return  # CURRENT was damaged from outside: keep answering from what is open
            if pointer is None:
                raise IndexMissingError(f"no index at {self.root}; run 'foramen build'")
            try:
                fresh = Snapshot.open(self.root / pointer.dir, pointer.build, stamp, current)
            except (OSError, whoosh_index.EmptyIndexError) as error:
                # A full build swapped generations between our read of CURRENT and the open.
                if attempt == OPEN_RETRIES - 1 and current is None:
                    raise IndexMissingError(
                        f"the index {self.root / pointer.dir} cannot be opened ({error}); "
                        "run 'foramen build --full'"
                    ) from error
                time.sleep(0.01 * (attempt + 1))
                continue
            self._current = fresh
            self._cache.clear()  # results of the previous generation are stale
            if current is not None:
                current.retired = True
                if current.users == 0:
                    current.close()
            return

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """Whoosh's searcher of the current generation, for reading stored data."""
        with self.snapshot() as current, current.lock:
            yield current.searcher

    def close(self) -> None:
        with self._lock:
            current, self._current = self._current, None
            if current is not None:
                current.retired = True
                if current.users == 0:
                    current.close()

    # -- queries ------------------------------------------------------------------------

    def plan(self, text: str, correct: bool = True) -> QueryPlan:
        """What ``text`` is understood as on the current generation (no search)."""
        with self.snapshot() as current:
            return compile_query(parse_user_query(text), self.analyzer, current.vocabulary, correct)

    def search(
        self,
        text: str,
        limit: int = 10,
        page: int = 1,
        part: str | None = None,
        correct: bool = True,
        prefix: bool = False,
        explain: bool = False,
    ) -> SearchResult:
        """The ``page``-th page of ``limit`` hits for ``text``; never raises on user input.

        Words the index does not know are corrected (``suggestion``) unless ``correct`` is
        False, which searches the words exactly as typed. ``prefix`` reads the last word
        as unfinished (search as you type), unless the text ends with a space.
        ``explain`` adds to each hit the parts of its score (they add up to it).
        """
        started = time.perf_counter()
        limit = max(1, min(limit, MAX_LIMIT))
        page = max(1, page)
        user = parse_user_query(text)
        if user.empty:
            return SearchResult(text, 0, page, limit, (), elapsed_ms=_ms(started))
        prefix = prefix and not text[-1:].isspace() and bool(user.words)
        prefix = prefix and text.rstrip().endswith(user.words[-1])
        key = (" ".join(text.split()), part, page, limit, correct, prefix, explain)
        with self.snapshot() as current:
            cached = self._cache.get(key)
            if cached is not None:
                return dataclasses.replace(cached, query=text, elapsed_ms=_ms(started))
            plan = compile_query(user, self.analyzer, current.vocabulary, correct, prefix)
            result = self._run(current, plan, text, limit, page, part, explain)
            if not result.partial:  # a query cut short by its budget may do better next time
                self._cache.put(key, result)
        return dataclasses.replace(result, elapsed_ms=_ms(started))

    def evaluate(self, current: Snapshot, plan: QueryPlan) -> Evaluation:
        """Every section ``plan`` matches on ``current``, scored, with the parts."""
        return self._evaluate_relaxing(current, plan, self.weights)[0]

    def evaluate_plan(
        self, current: Snapshot, plan: Plan, weights: Mapping[str, float] | None = None
    ) -> Evaluation:
        weights = self.weights if weights is None else weights
        return Scorer(current.model, Budget(self.time_budget), weights).evaluate(plan)

    def _evaluate_relaxing(
        self, current: Snapshot, plan: QueryPlan, weights: Mapping[str, float]
    ) -> tuple[Evaluation, bool]:
        """The plan's evaluation, or its first fallback's that finds something."""
        if plan.plan is None:
            return Evaluation(EMPTY), False
        evaluation = self.evaluate_plan(current, plan.plan, weights)
        relaxed = False
        for looser in plan.fallbacks:
            if len(evaluation.scores):
                break
            evaluation = self.evaluate_plan(current, looser, weights)
            relaxed = True
        return evaluation, relaxed

    def features(self, text: str, depth: int = 100) -> tuple[list[str], np.ndarray]:
        """The ``depth`` best sections for ``text`` with every learned weight at 1, and
        the parts of each one's score by kind (rows: sections, columns: PART_KINDS),
        for learning the weights (:mod:`indexer.learning`)."""
        with self.snapshot() as current:
            plan = compile_query(parse_user_query(text), self.analyzer, current.vocabulary)
            evaluation, _ = self._evaluate_relaxing(current, plan, {})
            ranking = rank(evaluation.scores, current.model, depth)
            docs = np.asarray([d for _, d in ranking.top], dtype=np.int64)
            table = np.zeros((len(docs), len(PART_KINDS)))
            for part in evaluation.parts:
                table[:, PART_KINDS.index(part.kind)] += part.scores.at(docs)
            with current.lock:
                ids = [str(current.searcher.stored_fields(int(d))["id"]) for d in docs]
        return ids, table

    def _run(
        self,
        current: Snapshot,
        plan: QueryPlan,
        text: str,
        limit: int,
        page: int,
        part: str | None,
        explain: bool = False,
    ) -> SearchResult:
        evaluation, relaxed = self._evaluate_relaxing(current, plan, self.weights)
        ranking = rank(evaluation.scores, current.model, page * limit, part)
        ranked = ranking.top[(page - 1) * limit : page * limit]
        hits = tuple(
            dataclasses.replace(hit, missing=missing_words(evaluation, docnum))
            for hit, (_, docnum) in zip(
                self._hits(current, ranked, plan.highlight_terms), ranked, strict=True
            )
        )
        if explain:
            hits = tuple(
                dataclasses.replace(hit, explain=explain_score(evaluation, docnum))
                for hit, (_, docnum) in zip(hits, ranked, strict=True)
            )
        return SearchResult(
            text,
            ranking.total,
            page,
            limit,
            hits,
            plan.suggestion,
            plan.corrected,
            facets=ranking.facets,
            partial=evaluation.partial,
            highlight_terms=plan.highlight_terms,
            missing=plan.missing,
            relaxed=relaxed and bool(ranking.total),
        )

    def _hits(
        self, current: Snapshot, ranked: list[tuple[float, int]], terms: frozenset[str]
    ) -> tuple[Hit, ...]:
        """The page shown, with snippets from the character offsets stored at index time."""
        docnums = [d for _, d in ranked]
        spans = current.model.spans("body", docnums, terms)
        with current.lock:
            stored = [current.searcher.stored_fields(d) for d in docnums]
        hits = []
        for (score, docnum), fields in zip(ranked, stored, strict=True):
            section = _section(fields)
            if section.text:
                text = snippet_from_spans(section.text, spans[docnum])
            else:
                text = snippet(section.title, terms, self.analyzer)
            hits.append(
                Hit(
                    id=section.id,
                    title=section.title,
                    path=section.path,
                    url=section.url,
                    score=score,
                    snippet=text,
                    part=section.part,
                    article=section.article,
                    article_title=str(fields.get("article_title") or ""),
                )
            )
        return tuple(hits)

    def clear_cache(self) -> None:
        """Forget cached results and remembered phrase counts (a new generation does
        this by itself)."""
        self._cache.clear()
        current = self._current
        if current is not None:
            current.vocabulary.forget()

    def cache_info(self) -> tuple[int, int]:
        """(hits, entries) of the result cache."""
        return self._cache.hits, len(self._cache)

    # -- sections -----------------------------------------------------------------------

    def section(self, section_id: str) -> Section | None:
        with self.searcher() as searcher:
            stored = searcher.document(id=section_id)
        return _section(stored) if stored else None

    def article_sections(self, article: str) -> list[Section]:
        with self.searcher() as searcher:
            docs = [_section(d) for d in searcher.documents(article=article)]
        return sorted(docs, key=lambda s: s.order)

    def section_ids(self) -> frozenset[str]:
        """The ids of every live section of the current generation."""
        with self.searcher() as searcher:
            return frozenset(str(d["id"]) for d in searcher.reader().all_stored_fields())

    def count(self) -> int:
        with self.snapshot() as current:
            return current.model.live_count

    def articles(self) -> list[tuple[str, str, int]]:
        """(id, title, live sections) of every article of the current generation, by id:
        counted on the model's arrays, each title read from one stored section."""
        with self.snapshot() as current:
            live = np.flatnonzero(current.model.live)
            slugs, first, counts = np.unique(
                current.model.article[live], return_index=True, return_counts=True
            )
            with current.lock:
                stored = [current.searcher.stored_fields(int(live[i])) for i in first]
        return [
            (str(slug), str(fields.get("article_title") or slug), int(count))
            for slug, fields, count in zip(slugs, stored, counts, strict=True)
        ]


def _section(stored: dict[str, object]) -> Section:
    path = str(stored.get("path") or "")
    return Section(
        id=str(stored["id"]),
        article=str(stored["article"]),
        title=str(stored["title"]),
        path=tuple(path.split(PATH_SEPARATOR)) if path else (),
        level=int(stored["level"]),  # type: ignore[call-overload]
        order=int(stored["order"]),  # type: ignore[call-overload]
        text=str(stored.get("body") or ""),
    )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
