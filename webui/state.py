"""What every request handler shares: the engine, the article renderer, the templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.templating import Jinja2Templates

from indexer.models import SearchResult
from indexer.querylog import QueryLog
from indexer.search import Engine
from webui.articles import ArticleRenderer
from webui.editor import EditorConfig
from webui.params import SearchParams

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
    sections: int = 0  # how many sections the index holds of it


@dataclass(slots=True)
class WebState:
    engine: Engine
    corpus_dir: Path
    articles: ArticleRenderer
    templates: Jinja2Templates
    examples: tuple[str, ...] = EXAMPLE_QUERIES
    query_log: QueryLog | None = None
    editor: EditorConfig | None = None
    _listing: tuple[int, tuple[ArticleLink, ...]] | None = field(default=None, repr=False)

    def generation(self) -> int:
        """The index generation being served (reopens the searcher if a build landed)."""
        with self.engine.searcher():
            return self.engine.generation

    def log_search(self, params: SearchParams, result: SearchResult) -> None:
        """Count a search typed in full (first pages only: paging is not searching again)."""
        if self.query_log is not None and params.page == 1 and not params.prefix:
            self.query_log.record_search(params.q, result.total)

    def log_open(self, query: str) -> None:
        """Count a result of ``query`` opened (a results page links to ``?q=`` articles)."""
        if self.query_log is not None and query.strip():
            self.query_log.record_open(query)

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

    def many_articles(self) -> bool:
        """Whether the published index holds more than one article (results then say which)."""
        return len(self.all_articles()) > 1

    def article_links(self) -> tuple[ArticleLink, ...]:
        """The published articles, at most a screenful (the home page lists them)."""
        return self.all_articles()[:MAX_LISTED_ARTICLES]

    def article_title(self, slug: str) -> str | None:
        """The title of published article ``slug``, None when the index holds no such."""
        return next((link.title for link in self.all_articles() if link.slug == slug), None)

    def all_articles(self) -> tuple[ArticleLink, ...]:
        """Every published article by id, read once per index generation.

        From the index, as the article pages are: an article not built yet is not listed.
        """
        generation = self.generation()
        if self._listing is None or self._listing[0] != generation:
            links = tuple(ArticleLink(*found) for found in self.engine.articles())
            self._listing = (generation, links)
        return self._listing[1]


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
