"""The reference peer: the same sections in SQLite FTS5 (standard library ``sqlite3``).

Same fields and boosts as the Whoosh schema (title 3, path 0.6, body 1), Porter stemming
with accent folding, the same query reading (words OR-ed, quoted phrases required, a
leading ``-`` excludes), top ``limit`` by bm25 with a ``snippet()`` and the exact total —
what ``/api/search`` returns.

    python -m bench.fts --scale 100      # build bench/corpora/fts-x100.sqlite and time it
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from bench.common import CORPORA, corpus_dir
from indexer.chunk import chunk_article, markdown_parser
from indexer.corpus import article_paths, read_article

_PIECES = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_TOKEN = re.compile(r"\w+")


def db_path(scale: int) -> Path:
    return CORPORA / f"fts-x{scale}.sqlite"


def build(corpus: Path, path: Path) -> int:
    """(Re)build the FTS5 table at ``path`` from ``corpus``; the number of sections."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE VIRTUAL TABLE sections USING fts5(id UNINDEXED, url UNINDEXED, title, path, "
        "body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    parser = markdown_parser()
    count = 0
    for article in article_paths(corpus):
        rows = [
            (s.id, s.url, s.title, " ".join(s.path), s.text)
            for s in chunk_article(read_article(article), parser)
        ]
        db.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?)", rows)
        count += len(rows)
    db.execute("INSERT INTO sections(sections) VALUES ('optimize')")
    db.commit()
    db.close()
    return count


def quoted_pieces(text: str) -> tuple[list[str], list[str], list[str]]:
    """A typed query as the peers read it: (words to OR, phrases to require, words or
    phrases to exclude), each piece in double quotes — one token is a term, several a
    phrase — so that operators in what was typed are read as words."""
    words: list[str] = []
    must: list[str] = []
    excluded: list[str] = []
    for negated, phrase, word in _PIECES.findall(text):
        if phrase:
            tokens = _TOKEN.findall(phrase)
            if tokens:
                (excluded if negated else must).append('"' + " ".join(tokens) + '"')
        elif word:
            target = excluded if word.startswith("-") and len(word) > 1 else words
            tokens = _TOKEN.findall(word)
            if tokens:
                target.append('"' + " ".join(tokens) + '"')
    return words, must, excluded


def match_expression(text: str) -> str | None:
    """The FTS5 MATCH expression for a typed query, or None when nothing is searchable."""
    words, must, excluded = quoted_pieces(text)
    if not words and not must:
        return None
    expression = " AND ".join([*must, "(" + " OR ".join(words) + ")"] if words else must)
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


class Fts:
    """Answers queries like Engine.search, from the FTS5 table."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)

    def search(self, text: str, limit: int = 10, page: int = 1) -> dict[str, Any]:
        expression = match_expression(text)
        if expression is None:
            return {"query": text, "total": 0, "page": page, "limit": limit, "results": []}
        total = self.db.execute(
            "SELECT count(*) FROM sections WHERE sections MATCH ?", (expression,)
        ).fetchone()[0]
        rows = self.db.execute(
            "SELECT id, title, path, url, bm25(sections, 0, 0, 3.0, 0.6, 1.0) AS score, "
            "snippet(sections, 4, '<mark>', '</mark>', '…', 32) FROM sections "
            "WHERE sections MATCH ? ORDER BY score LIMIT ? OFFSET ?",
            (expression, limit, (page - 1) * limit),
        ).fetchall()
        results = [
            {"id": r[0], "title": r[1], "path": r[2], "url": r[3], "score": -r[4], "snippet": r[5]}
            for r in rows
        ]
        return {"query": text, "total": total, "page": page, "limit": limit, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the FTS5 reference index.")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    count = build(corpus_dir(args.scale), db_path(args.scale))
    print(f"{count} sections into {db_path(args.scale)} in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
