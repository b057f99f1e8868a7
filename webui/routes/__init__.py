"""The app's routes: HTML pages for people, JSON for programs.

Every handler that reaches the engine or the corpus is a plain ``def``: Starlette runs it
in its thread pool, so a slow search never holds up the event loop or other requests.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from webui.routes import api, editor, pages
from webui.templating import STATIC_DIR


def routes(*, editor: bool = False) -> list[BaseRoute]:
    """Every route; the editor's only in editor mode (else they do not exist: 404)."""
    return [*(editor_routes() if editor else []), *public_routes()]


def editor_routes() -> list[BaseRoute]:
    return [
        Route("/editor", editor.home, name="editor_home"),
        Route("/editor/judge", editor.judge, name="editor_judge"),
        Route("/editor/grade", editor.grade, methods=["POST"], name="editor_grade"),
        Route("/editor/queries", editor.add_query, methods=["POST"], name="editor_add_query"),
        Route("/editor/gaps", editor.gaps, name="editor_gaps"),
        Route("/editor/diff", editor.diff, name="editor_diff"),
        Route("/editor/login", editor.login, name="editor_login"),
        Route("/editor/login", editor.sign_in, methods=["POST"], name="editor_sign_in"),
    ]


def public_routes() -> list[BaseRoute]:
    return [
        Route("/", pages.home, name="home"),
        Route("/search", pages.search, name="search"),
        Route("/search/live", pages.live, name="live"),
        Route("/articles", pages.articles, name="articles"),
        Route("/articles/{slug}", pages.article, name="article"),
        Route("/api/search", api.search, name="api_search"),
        Route("/api/sections/{section_id}", api.section, name="api_section"),
        Route("/healthz", api.healthz, name="healthz"),
        Route("/openapi.json", api.openapi, name="openapi"),
        Route("/docs", pages.api_docs, name="api_docs"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
