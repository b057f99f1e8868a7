"""Search an index: one ``Engine`` per index folder, reused across queries.

The engine keeps one Whoosh searcher open and reopens it only when a build has landed
(``CURRENT`` changed), so a running server picks up a rebuilt index on its next query.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from indexer.analysis import text_analyzer
from indexer.cache import LruCache
from indexer.errors import IndexMissingError
from indexer.highlight import indexed_spans, snippet, snippet_from_spans
from indexer.models import MAX_LIMIT, Hit, SearchResult, Section
from indexer.query import QueryPlan, compile_query, parse_user_query
from indexer.ranking import TIME_BUDGET, ConceptCache, rank
from indexer.schema import PATH_SEPARATOR
from indexer.store import pointer_stamp, read_pointer
from indexer.vocabulary import QueryContext

OPEN_RETRIES = 5
CACHE_SIZE = 1024  # results of recent (query, part, page, limit); emptied by every build
TERM_CACHE = 8192  # term dictionary lookups remembered per open generation


class Engine:
    """Answers queries against the index at ``index_root``."""

    def __init__(
        self, index_root: Path, cache_size: int = CACHE_SIZE, time_budget: float = TIME_BUDGET
    ) -> None:
        self.root = Path(index_root)
        self.time_budget = time_budget  # seconds a query may collect before it ranks what it has
        self._cache: LruCache[SearchResult] = LruCache(cache_size)
        self._parts: list[str] | None = None  # the part of each document, by docnum
        self._concepts = ConceptCache()  # matches of recurring sub-queries, this generation
        self.analyzer = text_analyzer()
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._context = QueryContext()  # vocabulary and synonyms of the open generation
        self._stamp: tuple[int, int] | None = None
        self.generation = 0

    # -- the searcher -------------------------------------------------------------------

    def _open(self) -> None:
        """(Re)open the searcher if a build landed since it was opened."""
        stamp = pointer_stamp(self.root)
        if stamp is not None and stamp == self._stamp and self._searcher is not None:
            return
        for attempt in range(OPEN_RETRIES):
            try:
                pointer = read_pointer(self.root)
            except IndexMissingError:
                if self._searcher is None:
                    raise
                return  # CURRENT was damaged from outside: keep answering from what is open
            if pointer is None:
                raise IndexMissingError(f"no index at {self.root}; run 'foramen build'")
            try:
                searcher = whoosh_index.open_dir(str(self.root / pointer.dir)).searcher()
            except (OSError, whoosh_index.EmptyIndexError) as error:
                # A full build swapped generations between our read of CURRENT and the open.
                if attempt == OPEN_RETRIES - 1 and self._searcher is None:
                    raise IndexMissingError(
                        f"the index {self.root / pointer.dir} cannot be opened ({error}); "
                        "run 'foramen build --full'"
                    ) from error
                time.sleep(0.01 * (attempt + 1))
                continue
            _memoize_term_lookups(searcher)
            old, self._searcher = self._searcher, searcher
            self._context = QueryContext.open(searcher, self.root / pointer.dir)
            self._stamp = stamp
            self.generation = pointer.build
            self._cache.clear()  # results of the previous generation are stale
            self._concepts.clear()
            self._parts = None
            if old is not None:
                old.close()
            return

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        with self._lock:
            self._open()
            assert self._searcher is not None
            yield self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
                self._stamp = None

    # -- queries ------------------------------------------------------------------------

    def search(
        self,
        text: str,
        limit: int = 10,
        page: int = 1,
        part: str | None = None,
        correct: bool = True,
    ) -> SearchResult:
        """The ``page``-th page of ``limit`` hits for ``text``; never raises on user input.

        Words the index does not know are corrected (``suggestion``) unless ``correct`` is
        False, which searches the words exactly as typed.
        """
        started = time.perf_counter()
        limit = max(1, min(limit, MAX_LIMIT))
        page = max(1, page)
        user = parse_user_query(text)
        if user.empty:
            return SearchResult(text, 0, page, limit, (), elapsed_ms=_ms(started))
        key = (" ".join(text.split()), part, page, limit, correct)
        with self.searcher() as searcher:
            cached = self._cache.get(key)
            if cached is not None:
                return dataclasses.replace(cached, query=text, elapsed_ms=_ms(started))
            plan = compile_query(user, self.analyzer, self._context, correct)
            if plan.query is None:
                result = SearchResult(
                    text,
                    0,
                    page,
                    limit,
                    (),
                    plan.suggestion,
                    plan.corrected,
                    highlight_terms=plan.highlight_terms,
                )
            else:
                result = self._run(searcher, plan, text, limit, page, part)
            if not result.partial:  # a query cut short by its budget may do better next time
                self._cache.put(key, result)
        return dataclasses.replace(result, elapsed_ms=_ms(started))

    def _run(
        self,
        searcher: Searcher,
        plan: QueryPlan,
        text: str,
        limit: int,
        page: int,
        part: str | None,
    ) -> SearchResult:
        """The page asked for, its exact total and its part counts (see indexer.ranking)."""
        assert plan.query is not None
        parts = self._part_names(searcher)
        ranking = rank(
            searcher, plan.query, page * limit, parts, part, self._concepts, self.time_budget
        )
        ranked = ranking.top[(page - 1) * limit : page * limit]
        hits = self._hits(searcher, ranked, plan.highlight_terms)
        return SearchResult(
            text,
            ranking.total,
            page,
            limit,
            hits,
            plan.suggestion,
            plan.corrected,
            facets=ranking.facets,
            partial=ranking.partial,
            highlight_terms=plan.highlight_terms,
        )

    def _hits(
        self, searcher: Searcher, ranked: list[tuple[float, int]], terms: frozenset[str]
    ) -> tuple[Hit, ...]:
        """The page shown, with snippets from the character offsets stored at index time."""
        spans = indexed_spans(searcher.reader(), "body", (d for _, d in ranked), terms)
        hits = []
        for score, docnum in ranked:
            section = _section(searcher.stored_fields(docnum))
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
                    score=score or 0.0,
                    snippet=text,
                    part=section.part,
                )
            )
        return tuple(hits)

    def _part_names(self, searcher: Searcher) -> list[str]:
        """The ``part`` of every document, read once per generation (for facet counts)."""
        if self._parts is None:
            reader = searcher.reader()
            parts = [""] * reader.doc_count_all()
            for name in reader.field_terms("part"):
                for docnum in reader.postings("part", name).all_ids():
                    parts[docnum] = name
            self._parts = parts
        return self._parts

    def clear_cache(self) -> None:
        """Forget cached results and concepts (a new generation does this by itself)."""
        with self._lock:
            self._cache.clear()
            self._concepts.clear()

    # -- sections -----------------------------------------------------------------------

    def section(self, section_id: str) -> Section | None:
        with self.searcher() as searcher:
            stored = searcher.document(id=section_id)
        return _section(stored) if stored else None

    def article_sections(self, article: str) -> list[Section]:
        with self.searcher() as searcher:
            docs = [_section(d) for d in searcher.documents(article=article)]
        return sorted(docs, key=lambda s: s.order)

    def count(self) -> int:
        with self.searcher() as searcher:
            return searcher.doc_count()


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


def _memoize_term_lookups(searcher: Searcher) -> None:
    """Remember term dictionary lookups for as long as this (immutable) generation is open.

    Building a query's matchers looks each term up several times (its size to order the
    matcher tree, its document frequency for the score, its postings); each lookup
    hashes the key and reads the on-disk table again.
    """
    top = searcher.reader()
    readers = {id(r): r for r in (top, *(leaf for leaf, _ in top.leaf_readers()))}
    for reader in readers.values():
        for name in ("frequency", "doc_frequency"):  # the reader's checks, then the table's
            setattr(reader, name, functools.lru_cache(maxsize=TERM_CACHE)(getattr(reader, name)))
        terms = getattr(reader, "_terms", None)
        if terms is None:
            continue
        for name in ("term_info", "frequency", "doc_frequency"):
            method = getattr(terms, name, None)
            if method is not None:
                setattr(terms, name, functools.lru_cache(maxsize=TERM_CACHE)(method))
        # "term in reader" (asked before every term's matcher) is a dunder: it is looked up
        # on the class, so the table gets a subclass that remembers the answers.
        terms.__class__ = _remembering_membership(type(terms))


@functools.cache
def _remembering_membership(cls: type) -> type:
    def contains(self: object, term: tuple[str, bytes]) -> bool:
        known: dict[tuple[str, bytes], bool] = self.__dict__.setdefault("_known_terms", {})
        found = known.get(term)
        if found is None:
            if len(known) >= TERM_CACHE * 8:
                known.clear()  # typed nonsense must not grow it without bound
            found = known[term] = cls.__contains__(self, term)  # type: ignore[operator]
        return found

    return type(f"Remembering{cls.__name__}", (cls,), {"__contains__": contains})


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
