"""JSON endpoints: /api/search, /api/sections/{id}, /healthz, /openapi.json (see CONTRACT.md)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse

from indexer.models import SearchResult
from webui.errors import json_error
from webui.grouping import scan
from webui.openapi import openapi_document
from webui.params import ParamError, SearchParams, search_params
from webui.state import web_state
from webui.urls import Router, path_for


def search(request: Request) -> JSONResponse:
    try:
        params = search_params(request.query_params)
    except ParamError as error:
        return json_error(str(error), 400)
    state = web_state(request)
    # An article id of the right form that no published article has finds nothing, as a
    # part nobody wrote does: a well-formed request is never refused (schemathesis checks).
    articles: list[dict[str, object]] = []
    if params.article or state.many_articles():
        # The engine filters and counts by part only: read every hit, filter and count here.
        scanned = scan(state.engine, params)
        result = scanned.page(params)
        parts = sorted(result.facets.items(), key=lambda item: (-item[1], item[0]))
        articles = [
            {"article": a.slug, "title": a.title, "count": a.count} for a in scanned.articles()
        ]
    else:
        result = state.engine.search(
            params.q,
            limit=params.limit,
            page=params.page,
            part=params.part,
            correct=not params.exact,
            prefix=params.prefix,
            explain=params.explain,
        )
        parts, total = state.part_counts(params, result)
        articles = [
            {"article": a.slug, "title": a.title, "count": total}
            for a in state.all_articles()
            if total
        ]
    state.log_search(params, result)
    return JSONResponse(
        result.to_json()
        | {"corrected": result.corrected}
        | _page_links(request.app, params, result)
        | {"facets": [{"part": part, "count": count} for part, count in parts]}
        | {"article_facets": articles}
    )


def _page_links(
    router: Router, params: SearchParams, result: SearchResult
) -> dict[str, str | None]:
    """The API URLs of the next and the previous page of results (null at either end)."""
    last = max(1, -(-result.total // params.limit))

    def url(page: int) -> str:
        pairs = [("q", params.q), ("limit", str(params.limit)), ("page", str(page))]
        pairs += [("part", params.part)] if params.part else []
        pairs += [("article", params.article)] if params.article else []
        pairs += [("exact", "1")] if params.exact else []
        pairs += [("prefix", "1")] if params.prefix else []
        return f"{path_for(router, 'api_search')}?{urlencode(pairs)}"

    return {
        "next": url(params.page + 1) if params.page < last else None,
        "prev": url(min(params.page - 1, last)) if params.page > 1 else None,
    }


def section(request: Request) -> JSONResponse:
    section_id = request.path_params["section_id"]
    found = web_state(request).engine.section(section_id)
    if found is None:
        return json_error(
            f"no section with id {section_id!r}; ids come from /api/search results", 404
        )
    return JSONResponse(
        {
            "id": found.id,
            "title": found.title,
            "path": list(found.path),
            "url": found.url,
            "text": found.text,
        }
    )


def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "sections": web_state(request).engine.count()})


async def openapi(request: Request) -> JSONResponse:  # a cached document: nothing blocks
    return JSONResponse(openapi_document())
