"""HTML pages: the search box, the results (whole, or live as the box is typed in), and
the article a result lands on. Every address comes from ``webui.urls``."""

from __future__ import annotations

import dataclasses
import logging
import math
from collections import Counter
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from whoosh.analysis import Analyzer

from indexer.corpus import SLUG
from indexer.highlight import highlight_text
from indexer.models import Hit, SearchResult
from webui.errors import error_page
from webui.grouping import GROUP_SIZE, Scan, scan
from webui.params import MAX_QUERY_CHARS, ParamError, SearchParams, search_params
from webui.state import WebState, web_state
from webui.templating import short_label
from webui.urls import Router, article_url, search_query, search_url

log = logging.getLogger("foramen.web")
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


async def api_docs(request: Request) -> Response:  # a static template: nothing blocks
    """The interactive API docs: forms built in the browser from /openapi.json."""
    return web_state(request).templates.TemplateResponse(request, "api_docs.html", {"q": ""})


def home(request: Request) -> Response:
    state = web_state(request)
    return state.templates.TemplateResponse(
        request,
        "index.html",
        {
            "q": "",
            "sections": state.engine.count(),
            "articles": state.article_links(),
            "examples": state.examples,
        },
    )


def search(request: Request) -> Response:
    state = web_state(request)
    try:
        params = search_params(request.query_params)
    except ParamError as error:
        q = request.query_params.get("q", "")
        return state.templates.TemplateResponse(
            request,
            "search.html",
            _empty_context(state, q[:MAX_QUERY_CHARS], problem=error.for_people),
            status_code=400,
        )
    if params.empty:
        return state.templates.TemplateResponse(request, "search.html", _empty_context(state, ""))
    if params.article and state.article_title(params.article) is None:
        problem = f"There is no article “{params.article}”; the list of articles is at /articles"
        return state.templates.TemplateResponse(
            request, "search.html", _empty_context(state, params.q, problem=problem), 400
        )
    if params.article or state.many_articles():
        return _many_articles_page(request, state, params)
    result = state.engine.search(
        params.q, limit=params.limit, page=params.page, part=params.part, correct=not params.exact
    )
    state.log_search(params, result)
    return state.templates.TemplateResponse(
        request, "search.html", _results_context(request.app, state, params, result)
    )


def live(request: Request) -> Response:
    """The results as the search box is typed in: ``_live.html``, for the page's script.

    The results are the same partial (``_result.html``) the results page shows.
    """
    state = web_state(request)
    context: dict[str, object] = {"q": "", "problem": None, "result": None, "results": []}
    try:
        params = search_params(request.query_params)
    except ParamError as error:
        context["problem"] = error.for_people
        return state.templates.TemplateResponse(request, "_live.html", context, 400)
    if not params.empty:
        result = state.engine.search(
            params.q, limit=params.limit, correct=not params.exact, prefix=params.prefix
        )
        views, _ = _result_views(request.app, state.engine.analyzer, params, result)
        context.update(
            q=params.q,
            result=result,
            results=views,
            all_href=search_url(request.app, params.q, exact=params.exact),
            many_articles=state.many_articles(),
            **_suggestion_hrefs(request.app, params, result),
        )
    return state.templates.TemplateResponse(request, "_live.html", context)


def _empty_context(state: WebState, q: str, problem: str | None = None) -> dict[str, object]:
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


def _result_views(
    router: Router, analyzer: Analyzer, params: SearchParams, result: SearchResult
) -> tuple[list[ResultView], int]:
    """The hits as ``_result.html`` shows them, and the rank of the first."""
    # A corrected search shows the corrected words: the landed article marks those.
    shown = result.suggestion if result.corrected and result.suggestion else params.q
    back = search_query(
        shown,
        page=params.page,
        part=params.part,
        limit=params.limit,
        exact=params.exact,
        article=params.article,
        group=params.group,
    )
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


def _suggestion_hrefs(
    router: Router, params: SearchParams, result: SearchResult
) -> dict[str, str | None]:
    return {
        "suggestion_href": search_url(router, result.suggestion) if result.suggestion else None,
        # "search instead for" the words as typed, without correction
        "exact_href": search_url(router, params.q, limit=params.limit, exact=True)
        if result.corrected
        else None,
    }


def _results_context(
    router: Router, state: WebState, params: SearchParams, result: SearchResult
) -> dict[str, object]:
    results, first = _result_views(router, state.engine.analyzer, params, result)
    facets, all_total = _facets(router, state, params, result)
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
        "first_href": _page_url(router, params, 1),
        "all_total": all_total,
        "pages": _page_links(router, params, page_count),
        "page_count": page_count,
        "prev_href": _page_url(router, params, params.page - 1) if params.page > 1 else None,
        "next_href": _page_url(router, params, params.page + 1)
        if params.page < page_count
        else None,
        "first_rank": first,
        "many_articles": state.many_articles(),
        "groups": [],
        "group_count": 0,
        "article_facets": [],
        "article": params.article,
        **_suggestion_hrefs(router, params, result),
    }


def _page_url(router: Router, params: SearchParams, page: int) -> str:
    """Another page of the same results."""
    return search_url(
        router,
        params.q,
        page=page,
        part=params.part,
        limit=params.limit,
        exact=params.exact,
        article=params.article,
        group=params.group,
    )


def _many_articles_page(request: Request, state: WebState, params: SearchParams) -> Response:
    """The results when there are several articles: filtered here, grouped unless
    ``group=0`` or one article is asked for (see ``webui.grouping``)."""
    router: Router = request.app
    scanned = scan(state.engine, params)
    result = scanned.page(params)
    state.log_search(params, result)
    context = _results_context(router, state, params, result)
    context.update(_article_facets(router, params, scanned))
    if params.group and not params.article:
        groups = scanned.groups(params)
        page_count = max(1, math.ceil(len(groups) / params.limit))
        start = (params.page - 1) * params.limit
        context.update(
            groups=[
                _group_view(router, state, params, result, group.slug, group.title, group.hits)
                for group in groups[start : start + params.limit]
            ],
            group_count=len(groups),
            pages=_page_links(router, params, page_count),
            page_count=page_count,
            prev_href=_page_url(router, params, params.page - 1) if params.page > 1 else None,
            next_href=_page_url(router, params, params.page + 1)
            if params.page < page_count
            else None,
        )
    return state.templates.TemplateResponse(request, "search.html", context)


def _group_view(
    router: Router,
    state: WebState,
    params: SearchParams,
    result: SearchResult,
    slug: str,
    title: str,
    hits: tuple[Hit, ...],
) -> GroupView:
    best = dataclasses.replace(result, hits=hits[:GROUP_SIZE])
    views, _ = _result_views(router, state.engine.analyzer, params, best)
    more = search_url(
        router, params.q, part=params.part, limit=params.limit, exact=params.exact, article=slug
    )
    return GroupView(slug, title, len(hits), views, more)


def _article_facets(router: Router, params: SearchParams, scanned: Scan) -> dict[str, object]:
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


def _facets(
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


def _page_links(router: Router, params: SearchParams, page_count: int) -> list[PageLink]:
    low = max(1, params.page - PAGE_WINDOW)
    high = min(page_count, params.page + PAGE_WINDOW)
    if page_count <= 1 or params.page > page_count:
        return []
    return [
        PageLink(n, _page_url(router, params, n), n == params.page) for n in range(low, high + 1)
    ]


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """A line of the /articles page."""

    slug: str
    title: str
    sections: int
    updated: str | None  # the front matter's date, when the article gives one


def articles(request: Request) -> Response:
    """Every published article: its title, how many sections, when it was last updated."""
    state = web_state(request)
    generation = state.generation()
    rows = []
    for link in state.all_articles():
        rendered = state.articles.get(link.slug, generation)
        updated = rendered.meta.get("updated") if rendered is not None else None
        rows.append(ArticleRow(link.slug, link.title, link.sections, str(updated or "") or None))
    return state.templates.TemplateResponse(request, "articles.html", {"q": "", "rows": rows})


def article(request: Request) -> Response:
    state = web_state(request)
    slug = request.path_params["slug"]
    rendered = state.articles.get(slug, state.generation()) if SLUG.fullmatch(slug) else None
    if rendered is None:
        return error_page(request, 404, f"There is no article called “{slug}”.")
    q = request.query_params.get("q", "")
    problem = None
    if len(q) > MAX_QUERY_CHARS:
        problem = f"That search is too long to highlight (over {MAX_QUERY_CHARS} characters)."
        q = ""
    state.log_open(q)  # only a results page links here with ?q=
    html, marks = rendered.highlighted(state.landing_terms(q) if q.strip() else frozenset())
    return state.templates.TemplateResponse(
        request,
        "article.html",
        {
            "q": q,
            "problem": problem,
            "article": rendered,
            "body": html,
            "marks": marks,
            "back_href": _back_href(request, q) if q.strip() else None,
            "clear_href": article_url(request.app, rendered.slug),
        },
    )


def _back_href(request: Request, q: str) -> str:
    """The results page a landed article came from: its query, filter, page and size."""
    try:
        back = search_params(request.query_params)
    except ParamError:
        return search_url(request.app, q)  # a mangled link still leads back to the results
    return search_url(
        request.app,
        q,
        page=back.page,
        part=back.part,
        limit=back.limit,
        exact=back.exact,
        article=back.article,
        group=back.group,
    )
