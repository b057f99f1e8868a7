"""What every request handler shares: the engine, the article renderer, the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from indexer.corpus import article_paths, read_article
from indexer.errors import ForamenError
from indexer.models import SearchResult
from indexer.search import Engine
from webui.articles import ArticleRenderer
from webui.params import SearchParams
from webui.templating import Templates

EXAMPLE_QUERIES = (
    "femoral nerve stretch",
    "tylenol dose",
    "pins and needles in thigh",
    "kemp's test",
    "vitamin b12",
    "is surgery always necessary",
)
MAX_LISTED_ARTICLES = 20


@dataclass(frozen=True, slots=True)
class ArticleLink:
    slug: str
    title: str

    @property
    def url(self) -> str:
        return f"/articles/{self.slug}"


@dataclass(slots=True)
class WebState:
    engine: Engine
    corpus_dir: Path
    articles: ArticleRenderer
    templates: Templates
    examples: tuple[str, ...] = EXAMPLE_QUERIES
    _listing: tuple[int, tuple[ArticleLink, ...]] | None = field(default=None, repr=False)

    def generation(self) -> int:
        """The index generation being served (reopens the searcher if a build landed)."""
        with self.engine.searcher():
            return self.engine.generation

    def part_counts(
        self, params: SearchParams, result: SearchResult
    ) -> tuple[list[tuple[str, int]], int]:
        """(part, matches) of every part with a match, most first; and the total of all.

        A search filtered to one part counted only that part, so the counts then come
        from the unfiltered search (which the engine has usually cached).
        """
        counts, total = result.facets, result.total
        if params.part:
            unfiltered = self.engine.search(
                params.q, limit=1, correct=not params.exact, prefix=params.prefix
            )
            counts, total = unfiltered.facets, unfiltered.total
        return sorted(counts.items(), key=lambda item: (-item[1], item[0])), total

    def landing_terms(self, text: str) -> frozenset[str]:
        """What a page landed on from a result highlights: what the results page marked.

        The engine's plan of the query knows them (typed words, synonyms, corrections);
        no search is run for it.
        """
        return self.engine.plan(text).highlight_terms

    def article_links(self) -> tuple[ArticleLink, ...]:
        """The corpus's articles (at most a screenful), read once per index generation."""
        generation = self.generation()
        if self._listing is None or self._listing[0] != generation:
            links: list[ArticleLink] = []
            try:
                for path in article_paths(self.corpus_dir)[:MAX_LISTED_ARTICLES]:
                    article = read_article(path)
                    links.append(ArticleLink(article.slug, article.title))
            except ForamenError:
                pass  # an invalid corpus is reported by 'foramen build'; the page lists none
            self._listing = (generation, tuple(links))
        return self._listing[1]


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
