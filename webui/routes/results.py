"""What the results page shows, built from a search: hits as shown, chips, page links,
and, with several articles, the groups and article chips. The handlers in ``pages``
render it; every address comes from ``webui.urls``."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from dataclasses import dataclass

from whoosh.analysis import Analyzer

from indexer.highlight import highlight_text
from indexer.models import Hit, SearchResult
from webui.grouping import GROUP_SIZE, Scan
from webui.params import SearchParams
from webui.state import WebState
from webui.templating import short_label
from webui.urls import Router, article_url, search_options, search_query, search_url

PAGE_WINDOW = 2  # page links shown either side of the current page


@dataclass(frozen=True, slots=True)
class ResultView:
    """A hit as the results page shows it."""

    hit: Hit
    rank: int
    href: str  # the section's URL carrying the query, so the landed page highlights it
    title: str  # escaped heading, matches in <mark>


@dataclass(frozen=True, slots=True)
class FacetLink:
    """A filter chip: a part (labelled with its article when two share its name) or an
    article."""

    name: str
    label: str
    count: int
    href: str
    selected: bool
    article: str = ""


@dataclass(frozen=True, slots=True)
class GroupView:
    """One article on a grouped results page: its best sections, and a link to the rest."""

    slug: str
    title: str
    count: int
    results: list[ResultView]
    more_href: str  # the same search, in this article only


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    href: str
    current: bool


def empty_context(state: WebState, q: str, problem: str | None = None) -> dict[str, object]:
    return {
        "q": q,
        "problem": problem,
        "result": None,
        "results": [],
        "examples": state.examples,
        "facets": [],
        "pages": [],
        "many_articles": state.many_articles(),
        "groups": [],
        "article_facets": [],
        "article": None,
    }


def result_views(
    router: Router, analyzer: Analyzer, params: SearchParams, result: SearchResult
) -> tuple[list[ResultView], int]:
    """The hits as ``_result.html`` shows them, and the rank of the first."""
    # A corrected search shows the corrected words: the landed article marks those.
    shown = result.suggestion if result.corrected and result.suggestion else params.q
    back = search_query(shown, **search_options(params))
    query = back if shown.strip() else ""
    first = (params.page - 1) * params.limit + 1
    views = [
        ResultView(
            hit=hit,
            rank=first + offset,
            href=article_url(router, hit.article, query=query, section=hit.id),
            title=highlight_text(hit.title, result.highlight_terms, analyzer),
        )
        for offset, hit in enumerate(result.hits)
    ]
    return views, first


def suggestion_hrefs(
    router: Router, params: SearchParams, result: SearchResult
) -> dict[str, str | None]:
    return {
        "suggestion_href": search_url(router, result.suggestion) if result.suggestion else None,
        # "search instead for" the words as typed, without correction
        "exact_href": search_url(router, params.q, limit=params.limit, exact=True)
        if result.corrected
        else None,
    }


def results_context(
    router: Router, state: WebState, params: SearchParams, result: SearchResult
) -> dict[str, object]:
    results, first = result_views(router, state.engine.analyzer, params, result)
    facets, all_total = part_facets(router, state, params, result)
    page_count = max(1, math.ceil(result.total / params.limit))
    return {
        "q": params.q,
        "problem": None,
        "result": result,
        "results": results,
        "examples": state.examples,
        "part": params.part,
        "facets": facets,
        "all_href": search_url(router, params.q, limit=params.limit, exact=params.exact),
        "first_href": page_url(router, params, 1),
        "all_total": all_total,
        "pages": page_links(router, params, page_count),
        "page_count": page_count,
        "prev_href": page_url(router, params, params.page - 1) if params.page > 1 else None,
        "next_href": page_url(router, params, params.page + 1)
        if params.page < page_count
        else None,
        "first_rank": first,
        "many_articles": state.many_articles(),
        "groups": [],
        "group_count": 0,
        "article_facets": [],
        "article": params.article,
        **suggestion_hrefs(router, params, result),
    }


def page_url(router: Router, params: SearchParams, page: int) -> str:
    """Another page of the same results."""
    return search_url(router, params.q, **search_options(params, page=page))


def group_view(
    router: Router,
    state: WebState,
    params: SearchParams,
    result: SearchResult,
    slug: str,
    title: str,
    hits: tuple[Hit, ...],
) -> GroupView:
    best = dataclasses.replace(result, hits=hits[:GROUP_SIZE])
    views, _ = result_views(router, state.engine.analyzer, params, best)
    more = search_url(
        router, params.q, part=params.part, limit=params.limit, exact=params.exact, article=slug
    )
    return GroupView(slug, title, len(hits), views, more)


def article_facets(router: Router, params: SearchParams, scanned: Scan) -> dict[str, object]:
    """The part chips (within the chosen article; a part shared by two articles names
    its article) and the article chips, with their totals."""
    parts = scanned.parts(params.article)
    shared = {name for name, n in Counter(p.part for p in parts).items() if n > 1}

    def href(article: str | None, part: str | None = None) -> str:
        return search_url(
            router,
            params.q,
            part=part,
            article=article,
            limit=params.limit,
            exact=params.exact,
            group=params.group,
        )

    return {
        "facets": [
            FacetLink(
                p.part,
                f"{short_label(p.part)} · {p.article_title}" if p.part in shared else "",
                p.count,
                href(p.article, p.part),
                p.part == params.part and params.article in (None, p.article),
                p.article,
            )
            for p in parts
        ],
        "all_total": len(scanned.in_article(params.article)),
        "all_href": href(params.article),
        "article_facets": [
            FacetLink(
                a.slug,
                a.title,
                a.count,
                href(a.slug),
                a.slug == params.article,
                a.slug,
            )
            for a in scanned.articles()
        ],
        "articles_total": len(scanned.hits),
        "all_articles_href": href(None),
        "article": params.article,
    }


def part_facets(
    router: Router, state: WebState, params: SearchParams, result: SearchResult
) -> tuple[list[FacetLink], int]:
    """(part, count, href, selected) for every part with a match, and the unfiltered total."""
    ordered, total = state.part_counts(params, result)
    return [
        FacetLink(
            part,
            "",
            count,
            search_url(router, params.q, part=part, limit=params.limit, exact=params.exact),
            part == params.part,
        )
        for part, count in ordered
    ], total


def page_links(router: Router, params: SearchParams, page_count: int) -> list[PageLink]:
    low = max(1, params.page - PAGE_WINDOW)
    high = min(page_count, params.page + PAGE_WINDOW)
    if page_count <= 1 or params.page > page_count:
        return []
    return [
        PageLink(n, page_url(router, params, n), n == params.page) for n in range(low, high + 1)
    ]


def grouped_context(
    router: Router, state: WebState, params: SearchParams, scanned: Scan, result: SearchResult
) -> dict[str, object]:
    """What a results page of several articles adds: the article chips and per-article
    parts, and unless ``group=0`` or one article is asked for, the page's groups."""
    context = article_facets(router, params, scanned)
    if params.group and not params.article:
        groups = scanned.groups(params)
        page_count = max(1, math.ceil(len(groups) / params.limit))
        start = (params.page - 1) * params.limit
        context.update(
            groups=[
                group_view(router, state, params, result, group.slug, group.title, group.hits)
                for group in groups[start : start + params.limit]
            ],
            group_count=len(groups),
            results=[],  # the page is of articles: the flat page of sections is not shown
            pages=page_links(router, params, page_count),
            page_count=page_count,
            prev_href=page_url(router, params, params.page - 1) if params.page > 1 else None,
            next_href=page_url(router, params, params.page + 1)
            if params.page < page_count
            else None,
        )
    return context
