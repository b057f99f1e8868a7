"""HTML pages: the search box, the results, and the article a result lands on."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from indexer.corpus import SLUG
from indexer.highlight import highlight_text
from indexer.models import Hit, SearchResult
from webui.errors import error_page
from webui.params import DEFAULT_LIMIT, MAX_QUERY_CHARS, ParamError, SearchParams, search_params
from webui.state import WebState, web_state

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
class PageLink:
    number: int
    href: str
    current: bool


def search_href(
    q: str,
    page: int = 1,
    part: str | None = None,
    limit: int = DEFAULT_LIMIT,
    exact: bool = False,
) -> str:
    return "/search?" + _search_query(q, page, part, limit, exact)


def _search_query(q: str, page: int, part: str | None, limit: int, exact: bool) -> str:
    """The query string of a results page; defaults are left out."""
    pairs: list[tuple[str, str]] = [("q", q)]
    if exact:
        pairs.append(("exact", "1"))
    if part:
        pairs.append(("part", part))
    if limit != DEFAULT_LIMIT:
        pairs.append(("limit", str(limit)))
    if page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


def landing_href(url: str, q: str, params: SearchParams | None = None) -> str:
    """'/articles/x#id' -> '/articles/x?q=…#id': the article highlights the query's words.

    With the results page's ``params``, the link also carries their filter, page and size,
    so the article's "Back to results" returns to that same page.
    """
    path, _, fragment = url.partition("#")
    if q.strip():
        back = params or SearchParams(q=q, limit=DEFAULT_LIMIT, page=1, part=None)
        path += "?" + _search_query(q, back.page, back.part, back.limit, back.exact)
    return f"{path}#{fragment}" if fragment else path


async def api_docs(request: Request) -> HTMLResponse:  # a static template: nothing blocks
    """The interactive API docs: forms built in the browser from /openapi.json."""
    return web_state(request).templates.response("api_docs.html", {"q": ""})


def home(request: Request) -> HTMLResponse:
    state = web_state(request)
    return state.templates.response(
        "index.html",
        {
            "q": "",
            "sections": state.engine.count(),
            "articles": state.article_links(),
            "examples": state.examples,
        },
    )


def search(request: Request) -> HTMLResponse:
    state = web_state(request)
    try:
        params = search_params(request.query_params)
    except ParamError as error:
        q = request.query_params.get("q", "")
        return state.templates.response(
            "search.html",
            _empty_context(state, q[:MAX_QUERY_CHARS], problem=error.for_people),
            status_code=400,
        )
    if params.empty:
        return state.templates.response("search.html", _empty_context(state, ""))
    result = state.engine.search(
        params.q, limit=params.limit, page=params.page, part=params.part, correct=not params.exact
    )
    return state.templates.response("search.html", _results_context(state, params, result))


def _empty_context(state: WebState, q: str, problem: str | None = None) -> dict[str, object]:
    return {
        "q": q,
        "problem": problem,
        "result": None,
        "results": [],
        "examples": state.examples,
        "facets": [],
        "pages": [],
    }


def _results_context(
    state: WebState, params: SearchParams, result: SearchResult
) -> dict[str, object]:
    shown_query = result.suggestion if result.corrected and result.suggestion else params.q
    terms = result.highlight_terms
    analyzer = state.engine.analyzer
    first = (params.page - 1) * params.limit + 1
    results = [
        ResultView(
            hit=hit,
            rank=first + offset,
            href=landing_href(hit.url, shown_query, params),
            title=highlight_text(hit.title, terms, analyzer),
        )
        for offset, hit in enumerate(result.hits)
    ]
    facets, all_total = _facets(state, params, result)
    page_count = max(1, math.ceil(result.total / params.limit))
    return {
        "q": params.q,
        "problem": None,
        "result": result,
        "results": results,
        "examples": state.examples,
        "part": params.part,
        "facets": facets,
        "all_href": search_href(params.q, limit=params.limit, exact=params.exact),
        "first_href": search_href(
            params.q, part=params.part, limit=params.limit, exact=params.exact
        ),
        "all_total": all_total,
        "pages": _page_links(params, page_count),
        "page_count": page_count,
        "prev_href": search_href(params.q, params.page - 1, params.part, params.limit, params.exact)
        if params.page > 1
        else None,
        "next_href": search_href(params.q, params.page + 1, params.part, params.limit, params.exact)
        if params.page < page_count
        else None,
        "first_rank": first,
        "suggestion_href": search_href(result.suggestion) if result.suggestion else None,
        # "search instead for" the words as typed, without correction
        "exact_href": search_href(params.q, limit=params.limit, exact=True)
        if result.corrected
        else None,
    }


def _facets(
    state: WebState, params: SearchParams, result: SearchResult
) -> tuple[list[tuple[str, int, str, bool]], int]:
    """(part, count, href, selected) for every part with a match, and the unfiltered total."""
    ordered, total = state.part_counts(params, result)
    return [
        (
            part,
            count,
            search_href(params.q, part=part, limit=params.limit, exact=params.exact),
            part == params.part,
        )
        for part, count in ordered
    ], total


def _page_links(params: SearchParams, page_count: int) -> list[PageLink]:
    low = max(1, params.page - PAGE_WINDOW)
    high = min(page_count, params.page + PAGE_WINDOW)
    if page_count <= 1 or params.page > page_count:
        return []
    return [
        PageLink(
            n,
            search_href(params.q, n, params.part, params.limit, params.exact),
            n == params.page,
        )
        for n in range(low, high + 1)
    ]


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
    html, marks = rendered.highlighted(state.landing_terms(q) if q.strip() else frozenset())
    return state.templates.response(
        "article.html",
        {
            "q": q,
            "problem": problem,
            "article": rendered,
            "body": html,
            "marks": marks,
            "back_href": _back_href(request, q) if q.strip() else None,
            "clear_href": f"/articles/{rendered.slug}",
        },
    )


def _back_href(request: Request, q: str) -> str:
    """The results page a landed article came from: its query, filter, page and size."""
    try:
        back = search_params(request.query_params)
    except ParamError:
        return search_href(q)  # a mangled link still leads back to the query's results
    return search_href(q, back.page, back.part, back.limit, back.exact)
