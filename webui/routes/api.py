"""JSON endpoints: /api/search, /api/sections/{id}, /healthz, /openapi.json (see CONTRACT.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from webui.errors import json_error
from webui.openapi import openapi_document
from webui.params import ParamError, search_params
from webui.state import web_state


def search(request: Request) -> JSONResponse:
    try:
        params = search_params(request.query_params)
    except ParamError as error:
        return json_error(str(error), 400)
    result = web_state(request).engine.search(
        params.q,
        limit=params.limit,
        page=params.page,
        part=params.part,
        correct=not params.exact,
        prefix=params.prefix,
    )
    return JSONResponse(result.to_json())


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
