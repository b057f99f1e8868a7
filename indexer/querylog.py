"""The server's private query log: how often each query is searched, found nothing, or led
somewhere.

One SQLite table (WAL, so several worker processes write safely), one row per normalised
query: ``searches``, ``empty`` (searches with no result), ``opened`` (results opened from
it) and the day it was last searched. No address, cookie, time of day or anything else
about who searched is kept, and queries are normalised (case, spacing, Unicode form) with
long digit runs and e-mail addresses blanked out. The log is bounded: rows not searched
for ``KEEP_DAYS`` days expire (the rotation) and past ``MAX_ROWS`` the least searched go.

Requests only add to an in-memory buffer; it is written at most every ``FLUSH_SECONDS``
(and when the app stops), so a search never waits on the disk.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("foramen.querylog")

QUERY_LOG_FILE = "querylog.sqlite3"
MAX_QUERY_CHARS = 200
MAX_ROWS = 20_000
KEEP_DAYS = 90
FLUSH_SECONDS = 1.0
BUSY_TIMEOUT_MS = 5_000
_DIGITS = re.compile(r"\d{5,}")  # phone numbers, record numbers: never a dose or a level
_EMAIL = re.compile(r"\S+@\S+")
_SPACES = re.compile(r"\s+")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    query TEXT PRIMARY KEY,
    searches INTEGER NOT NULL,
    empty INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    day INTEGER NOT NULL
) WITHOUT ROWID
"""


def normalise(text: str) -> str:
    """The form a query is counted under: '' for one not worth counting."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = _EMAIL.sub("(e-mail)", text)
    text = _DIGITS.sub("#", text)
    return _SPACES.sub(" ", text).strip()[:MAX_QUERY_CHARS]


@dataclass(frozen=True, slots=True)
class QueryCount:
    query: str
    searches: int
    empty: int
    opened: int


class QueryLog:
    """Counts of normalised queries in the SQLite file ``path``."""

    def __init__(
        self, path: Path, *, max_rows: int = MAX_ROWS, flush_seconds: float = FLUSH_SECONDS
    ) -> None:
        self.path = Path(path)
        self.max_rows = max_rows
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._searches: Counter[str] = Counter()
        self._empty: Counter[str] = Counter()
        self._opened: Counter[str] = Counter()
        self._last_flush = time.monotonic()

    def record_search(self, text: str, total: int) -> None:
        query = normalise(text)
        if not query:
            return
        with self._lock:
            self._searches[query] += 1
            if total == 0:
                self._empty[query] += 1
        self._maybe_flush()

    def record_open(self, text: str) -> None:
        """A result of ``text`` was opened (counted only for a query already searched)."""
        query = normalise(text)
        if not query:
            return
        with self._lock:
            self._opened[query] += 1
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered counts; on a disk error, say so and drop them (search goes on)."""
        with self._lock:
            searches, empty, opened = self._searches, self._empty, self._opened
            self._searches, self._empty, self._opened = Counter(), Counter(), Counter()
            self._last_flush = time.monotonic()
        if not (searches or opened):
            return
        day = int(time.time() // 86_400)
        try:
            with self._connect() as db:
                db.executemany(
                    "INSERT INTO queries VALUES (?, ?, ?, 0, ?) ON CONFLICT(query) DO UPDATE "
                    "SET searches = searches + excluded.searches, "
                    "empty = empty + excluded.empty, day = excluded.day",
                    [(q, n, empty[q], day) for q, n in searches.items()],
                )
                db.executemany(
                    "UPDATE queries SET opened = opened + ? WHERE query = ?",
                    [(n, q) for q, n in opened.items()],
                )
                self._prune(db, day)
        except sqlite3.Error as error:
            log.warning("query log %s not written (%s); these counts are lost", self.path, error)

    def _prune(self, db: sqlite3.Connection, day: int) -> None:
        db.execute("DELETE FROM queries WHERE day < ?", (day - KEEP_DAYS,))
        (rows,) = db.execute("SELECT count(*) FROM queries").fetchone()
        if rows > self.max_rows:
            db.execute(
                "DELETE FROM queries WHERE query IN (SELECT query FROM queries "
                "ORDER BY searches, day LIMIT ?)",
                (rows - self.max_rows,),
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed when the block ends, then closed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
            with db:
                yield db
        finally:
            db.close()

    def top(
        self, limit: int, *, no_results: bool = False, unopened: bool = False
    ) -> list[QueryCount]:
        """The most searched queries (those that found nothing / where nothing was opened)."""
        self.flush()
        if not self.path.is_file():
            return []
        where = []
        if no_results:
            where.append("empty > 0")
        if unopened:
            where.append("opened = 0 AND empty < searches")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "empty DESC, searches DESC" if no_results else "searches DESC"
        with self._connect() as db:
            rows = db.execute(
                f"SELECT query, searches, empty, opened FROM queries {clause} "
                f"ORDER BY {order}, query LIMIT ?",
                (limit,),
            ).fetchall()
        return [QueryCount(str(q), int(s), int(e), int(o)) for q, s, e, o in rows]
