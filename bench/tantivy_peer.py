"""The second peer: the same sections in tantivy (the ``tantivy`` package, Rust).

Mirrors :mod:`bench.fts`: the same fields and boosts as the Whoosh schema (title 3,
path 0.6, body 1), English stemming with accent folding, the same query reading (words
OR-ed, quoted phrases required, a leading ``-`` excludes), top ``limit`` by tantivy's
BM25 with a snippet of the body (``SnippetGenerator``) and the exact total (``count``) —
what ``/api/search`` returns.

    pip install -e '.[bench]'                   # tantivy is an optional bench dependency
    python -m bench.tantivy_peer --scale 100    # build bench/corpora/tantivy-x100 and time it
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

import tantivy

from bench.common import CORPORA, corpus_dir
from bench.fts import quoted_pieces
from indexer.chunk import chunk_article, markdown_parser
from indexer.corpus import article_paths, read_article

ANALYZER = "foramen_en"
FIELDS = ["title", "path", "body"]
BOOSTS = {"title": 3.0, "path": 0.6, "body": 1.0}
SNIPPET_CHARS = 200  # about FTS5's 32-token snippet
WRITER_HEAP = 256_000_000


def index_path(scale: int) -> Path:
    return CORPORA / f"tantivy-x{scale}"


def _analyzer() -> tantivy.TextAnalyzer:
    """Words, lower case, accents folded, English (Porter 2) stems: FTS5's
    ``porter unicode61 remove_diacritics 2`` as near as tantivy has it."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("url", stored=True, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name=ANALYZER)
    return builder.build()


def _open(path: Path) -> tantivy.Index:
    index = tantivy.Index(_schema(), path=str(path), reuse=True)
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def build(corpus: Path, path: Path) -> int:
    """(Re)build the tantivy index at ``path`` from ``corpus``; the number of sections."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = _open(path)
    writer = index.writer(heap_size=WRITER_HEAP)
    parser = markdown_parser()
    count = 0
    for article in article_paths(corpus):
        for s in chunk_article(read_article(article), parser):
            writer.add_document(
                tantivy.Document(
                    id=s.id, url=s.url, title=s.title, path=" ".join(s.path), body=s.text
                )
            )
            count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def query_string(text: str) -> str | None:
    """The tantivy query for a typed query, or None when nothing is searchable (the
    pieces quoted as for FTS5, so the query language's operators are read as words)."""
    words, must, excluded = quoted_pieces(text)
    if not words and not must:
        return None
    clauses = [f"+{m}" for m in must]
    if words:
        clauses.append("+(" + " ".join(words) + ")")
    clauses += [f"-{e}" for e in excluded]
    return " ".join(clauses)


class Tantivy:
    """Answers queries like Engine.search, from the tantivy index."""

    def __init__(self, path: Path) -> None:
        self.index = _open(path)
        self.index.reload()
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def count(self) -> int:
        return int(self.searcher.num_docs)

    def search(self, text: str, limit: int = 10, page: int = 1) -> dict[str, Any]:
        expression = query_string(text)
        if expression is None:
            return {"query": text, "total": 0, "page": page, "limit": limit, "results": []}
        query = self.index.parse_query(expression, FIELDS, field_boosts=BOOSTS)
        found = self.searcher.search(query, limit, count=True, offset=(page - 1) * limit)
        snippets = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        results = []
        for score, address in found.hits:
            doc = self.searcher.doc(address)
            results.append(
                {
                    "id": doc["id"][0],
                    "title": doc["title"][0],
                    "path": doc["path"][0],
                    "url": doc["url"][0],
                    "score": score,
                    "snippet": snippets.snippet_from_doc(doc).to_html(),
                }
            )
        total = found.count  # type: ignore[attr-defined]  # in the class, not in its stubs
        return {
            "query": text,
            "total": total,
            "page": page,
            "limit": limit,
            "results": results,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the tantivy peer index.")
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    count = build(corpus_dir(args.scale), index_path(args.scale))
    elapsed = time.perf_counter() - started
    print(f"{count} sections into {index_path(args.scale)} in {elapsed:.2f} s")


if __name__ == "__main__":
    main()
