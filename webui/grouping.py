"""Results across many articles: filtered to one article, counted and grouped by article.

The engine filters by part but not by article, so this reads every hit of a search (up
to ``MAX_SCANNED``, page by page; the engine caches them) and filters, counts and groups
them here. Totals and counts are exact while a query matches at most ``MAX_SCANNED``
sections, far more than any corpus of ours holds.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from indexer.models import MAX_LIMIT, Hit, SearchResult
from indexer.search import Engine
from webui.params import SearchParams

MAX_SCANNED = 1000
GROUP_SIZE = 3  # sections shown under each article's title


@dataclass(frozen=True, slots=True)
class ArticleCount:
    """An article with matches: its id, title and how many of its sections match."""

    slug: str
    title: str
    count: int


@dataclass(frozen=True, slots=True)
class PartCount:
    """A part of one article with matches."""

    article: str
    article_title: str
    part: str
    count: int


@dataclass(frozen=True, slots=True)
class Group:
    """One article's hits on a grouped results page, best first."""

    slug: str
    title: str
    hits: tuple[Hit, ...]  # every match in the article (the page shows GROUP_SIZE)

    @property
    def best(self) -> float:
        return self.hits[0].score


@dataclass(frozen=True, slots=True)
class Scan:
    """Every hit of a search, best first, and the first page's result (for its
    suggestion, missing words and timing)."""

    first: SearchResult
    hits: tuple[Hit, ...]

    def articles(self) -> list[ArticleCount]:
        """Articles with matches, most first (then by title)."""
        counts = Counter(hit.article for hit in self.hits)
        titles = {hit.article: hit.article_title or hit.article for hit in self.hits}
        return sorted(
            (ArticleCount(slug, titles[slug], n) for slug, n in counts.items()),
            key=lambda a: (-a.count, a.title),
        )

    def in_article(self, article: str | None) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if article is None or h.article == article)

    def parts(self, article: str | None) -> list[PartCount]:
        """The parts with matches (in ``article`` when given), most first."""
        hits = self.in_article(article)
        counts = Counter((hit.article, hit.part) for hit in hits)
        titles = {hit.article: hit.article_title or hit.article for hit in hits}
        return sorted(
            (PartCount(slug, titles[slug], part, n) for (slug, part), n in counts.items()),
            key=lambda p: (-p.count, p.part, p.article_title),
        )

    def shown(self, params: SearchParams) -> tuple[Hit, ...]:
        """The hits the filters keep: in ``params.article`` and ``params.part``."""
        return tuple(
            hit
            for hit in self.in_article(params.article)
            if not params.part or hit.part == params.part
        )

    def page(self, params: SearchParams) -> SearchResult:
        """The filtered hits as one flat page, with the parts counted in the article."""
        shown = self.shown(params)
        start = (params.page - 1) * params.limit
        facets = Counter(hit.part for hit in self.in_article(params.article))
        return dataclasses.replace(
            self.first,
            total=len(shown),
            page=params.page,
            limit=params.limit,
            hits=shown[start : start + params.limit],
            facets=dict(facets),
        )

    def groups(self, params: SearchParams) -> list[Group]:
        """The filtered hits by article, the article with the best hit first."""
        by_article: dict[str, list[Hit]] = {}
        for hit in self.shown(params):  # best first, so each group is too
            by_article.setdefault(hit.article, []).append(hit)
        return [
            Group(slug, hits[0].article_title or slug, tuple(hits))
            for slug, hits in by_article.items()
        ]


def scan(engine: Engine, params: SearchParams) -> Scan:
    """Every hit of ``params.q`` (unfiltered), read ``MAX_LIMIT`` at a time."""

    def search(page: int) -> SearchResult:
        return engine.search(
            params.q,
            limit=MAX_LIMIT,
            page=page,
            correct=not params.exact,
            prefix=params.prefix,
            explain=params.explain,
        )

    first = search(1)
    hits = list(first.hits)
    page = 2
    while len(hits) < min(first.total, MAX_SCANNED):
        more = search(page).hits
        if not more:
            break
        hits.extend(more)
        page += 1
    return Scan(first, tuple(hits[:MAX_SCANNED]))
