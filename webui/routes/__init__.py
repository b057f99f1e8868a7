"""The app's routes: HTML pages for people, JSON for programs.

Every handler that reaches the engine or the corpus is a plain ``def``: Starlette runs it
in its thread pool, so a slow search never holds up the event loop or other requests.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from webui.routes import api, pages
from webui.templating import STATIC_DIR


def routes() -> list[BaseRoute]:
    return [
        Route("/", pages.home, name="home"),
        Route("/search", pages.search, name="search"),
        Route("/search/live", pages.live, name="live"),
        Route("/articles/{slug}", pages.article, name="article"),
        Route("/api/search", api.search, name="api_search"),
        Route("/api/sections/{section_id}", api.section, name="api_section"),
        Route("/healthz", api.healthz, name="healthz"),
        Route("/openapi.json", api.openapi, name="openapi"),
        Route("/docs", pages.api_docs, name="api_docs"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
