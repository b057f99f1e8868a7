"""HTML pages: the search box, the results (whole, or live as the box is typed in), and
the article a result lands on. Every address comes from ``webui.urls``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from indexer.corpus import SLUG
from webui.errors import error_page
from webui.grouping import scan
from webui.params import MAX_QUERY_CHARS, ParamError, SearchParams, search_params
from webui.routes.results import (
    empty_context,
    grouped_context,
    result_views,
    results_context,
    suggestion_hrefs,
)
from webui.state import WebState, web_state
from webui.urls import article_url, search_options, search_url

log = logging.getLogger("foramen.web")


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
            empty_context(state, q[:MAX_QUERY_CHARS], problem=error.for_people),
            status_code=400,
        )
    if params.empty:
        return state.templates.TemplateResponse(request, "search.html", empty_context(state, ""))
    if params.article and state.article_title(params.article) is None:
        problem = f"There is no article “{params.article}”; the list of articles is at /articles"
        return state.templates.TemplateResponse(
            request, "search.html", empty_context(state, params.q, problem=problem), 400
        )
    if params.article or state.many_articles():
        return _many_articles_page(request, state, params)
    result = state.engine.search(
        params.q, limit=params.limit, page=params.page, part=params.part, correct=not params.exact
    )
    state.log_search(params, result)
    return state.templates.TemplateResponse(
        request, "search.html", results_context(request.app, state, params, result)
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
        views, _ = result_views(request.app, state.engine.analyzer, params, result)
        context.update(
            q=params.q,
            result=result,
            results=views,
            all_href=search_url(request.app, params.q, exact=params.exact),
            many_articles=state.many_articles(),
            **suggestion_hrefs(request.app, params, result),
        )
    return state.templates.TemplateResponse(request, "_live.html", context)


def _many_articles_page(request: Request, state: WebState, params: SearchParams) -> Response:
    """The results when there are several articles: filtered here, grouped unless
    ``group=0`` or one article is asked for (see ``webui.grouping``)."""
    scanned = scan(state.engine, params)
    result = scanned.page(params)
    state.log_search(params, result)
    context = results_context(request.app, state, params, result)
    context.update(grouped_context(request.app, state, params, scanned, result))
    return state.templates.TemplateResponse(request, "search.html", context)


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
    return search_url(request.app, q, **search_options(back))
