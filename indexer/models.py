"""The types that travel along the pipeline: Section (chunker -> writer), Hit (searcher -> UI)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

MAX_LIMIT = 50  # the most hits one page may hold


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of an article and the text beneath it (up to the next heading)."""

    id: str
    article: str
    title: str
    path: tuple[str, ...]
    level: int
    order: int
    text: str
    line: int = 0
    source: str = ""

    @property
    def url(self) -> str:
        return f"/articles/{self.article}#{self.id}"

    @property
    def part(self) -> str:
        """The top-level part of the article the section belongs to (its facet)."""
        return self.path[0] if self.path else self.title

    @property
    def content_hash(self) -> str:
        """A digest of everything that is indexed, so a build can skip unchanged sections."""
        digest = hashlib.blake2b(digest_size=16)
        for value in (
            self.id,
            self.article,
            self.title,
            *self.path,
            "\x1f",
            str(self.level),
            str(self.order),
            self.text,
        ):
            digest.update(value.encode("utf-8"))
            digest.update(b"\x1e")
        return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result: what the CLI prints and the web app renders."""

    id: str
    title: str
    path: tuple[str, ...]
    url: str
    score: float
    snippet: str
    part: str = ""
    article: str = ""
    article_title: str = ""
    # Why it scored so (see indexer.query.score.explain); only when asked for.
    explain: dict[str, object] | None = None
    # Words of the query this section lacks (a long query needs only some of them).
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        body = {
            "id": self.id,
            "title": self.title,
            "path": list(self.path),
            "url": self.url,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "article": self.article,
            "article_title": self.article_title,
        }
        if self.missing:
            body["missing"] = list(self.missing)
        if self.explain is not None:
            body["explain"] = self.explain
        return body


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to one query: a page of hits, the total, and any spelling correction."""

    query: str
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...]
    suggestion: str | None = None
    corrected: bool = False
    facets: dict[str, int] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    partial: bool = False  # the query's time budget ran out before every match was counted
    # The index terms the snippets mark (typed words, synonyms, corrections), so pages
    # can mark the same words elsewhere without analysing the query again.
    highlight_terms: frozenset[str] = frozenset()
    # Words as typed that no section holds ("Missing: pregnant"): never silently dropped.
    missing: tuple[str, ...] = ()
    # No section matched every required word, so these are the closest matches.
    relaxed: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "suggestion": self.suggestion,
            "missing": list(self.missing),
            "relaxed": self.relaxed,
            "results": [hit.to_json() for hit in self.hits],
        }
