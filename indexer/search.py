"""Search an index: one ``Engine`` per index folder, reused across queries.

The engine keeps one Whoosh searcher open and reopens it only when a build has landed
(``CURRENT`` changed), so a running server picks up a rebuilt index on its next query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh import sorting
from whoosh.searching import Searcher

from indexer.analysis import text_analyzer
from indexer.errors import IndexMissingError
from indexer.highlight import snippet
from indexer.models import Hit, SearchResult, Section
from indexer.query import compile_query, parse_user_query
from indexer.schema import PATH_SEPARATOR
from indexer.store import pointer_stamp, read_pointer
from indexer.vocabulary import QueryContext

MAX_LIMIT = 50
OPEN_RETRIES = 5


class Engine:
    """Answers queries against the index at ``index_root``."""

    def __init__(self, index_root: Path) -> None:
        self.root = Path(index_root)
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
            pointer = read_pointer(self.root)
            if pointer is None:
                raise IndexMissingError(f"no index at {self.root}; run 'foramen build'")
            try:
                searcher = whoosh_index.open_dir(str(self.root / pointer.dir)).searcher()
            except (OSError, whoosh_index.EmptyIndexError):
                # A full build swapped generations between our read of CURRENT and the open.
                if attempt == OPEN_RETRIES - 1 and self._searcher is None:
                    raise
                time.sleep(0.01 * (attempt + 1))
                continue
            old, self._searcher = self._searcher, searcher
            self._context = QueryContext.open(searcher, self.root / pointer.dir)
            self._stamp = stamp
            self.generation = pointer.build
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
        self, text: str, limit: int = 10, page: int = 1, part: str | None = None
    ) -> SearchResult:
        """The ``page``-th page of ``limit`` hits for ``text``; never raises on user input."""
        started = time.perf_counter()
        limit = max(1, min(limit, MAX_LIMIT))
        page = max(1, page)
        user = parse_user_query(text)
        if user.empty:
            return SearchResult(text, 0, page, limit, (), elapsed_ms=_ms(started))
        with self.searcher() as searcher:
            plan = compile_query(user, self.analyzer, self._context)
            if plan.query is None:
                return SearchResult(
                    text,
                    0,
                    page,
                    limit,
                    (),
                    plan.suggestion,
                    plan.corrected,
                    elapsed_ms=_ms(started),
                )
            facet = sorting.FieldFacet("part")
            results = searcher.search(
                plan.query,
                limit=page * limit,
                filter=q.Term("part", part) if part else None,
                groupedby={"part": facet},
                maptype=sorting.Count,
            )
            total = len(results)
            hits = tuple(
                self._hit(hit.fields(), hit.score or 0.0, plan.highlight_terms)
                for hit in results[(page - 1) * limit : page * limit]
            )
            facets = dict(results.groups("part")) if total else {}
        return SearchResult(
            text,
            total,
            page,
            limit,
            hits,
            plan.suggestion,
            plan.corrected,
            facets=facets,
            elapsed_ms=_ms(started),
        )

    def _hit(self, stored: dict[str, object], score: float, terms: frozenset[str]) -> Hit:
        section = _section(stored)
        return Hit(
            id=section.id,
            title=section.title,
            path=section.path,
            url=section.url,
            score=score,
            snippet=snippet(section.text or section.title, terms, self.analyzer),
            part=section.part,
        )

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


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
