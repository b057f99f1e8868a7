"""The app factory: ``create_app(index_dir=..., corpus_dir=...)``; nothing is built at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response

from indexer.errors import IndexMissingError
from indexer.querylog import QueryLog
from indexer.search import Engine
from webui.articles import ArticleRenderer
from webui.caching import GenerationCache, code_version
from webui.cors import DEFAULT_ORIGINS, ApiCors
from webui.editor import EditorConfig
from webui.errors import error_page
from webui.routes import routes
from webui.security import SECURITY_HEADERS, SecurityHeaders
from webui.state import EXAMPLE_QUERIES, WebState
from webui.templating import make_templates

log = logging.getLogger("foramen.web")
GZIP_MIN_BYTES = 500  # smaller answers fit a packet or two anyway
ERROR_MESSAGES = {
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
}


def create_app(
    index_dir: Path,
    corpus_dir: Path,
    *,
    examples: tuple[str, ...] = EXAMPLE_QUERIES,
    engine_factory: Callable[[Path], Engine] = Engine,
    cors_origins: tuple[str, ...] = DEFAULT_ORIGINS,
    query_log: QueryLog | None = None,
    editor: EditorConfig | None = None,
) -> Starlette:
    """A search app serving the index at ``index_dir`` and the articles in ``corpus_dir``.

    ``engine_factory`` opens the index; tests pass an ``Engine`` subclass to observe it.
    ``cors_origins`` are the sites whose pages may read the JSON API (``*``: any).
    ``query_log`` counts the searches; ``editor`` turns on the editor's pages (``/editor``),
    which do not exist otherwise.
    """
    engine = engine_factory(Path(index_dir))
    state = WebState(
        engine=engine,
        corpus_dir=Path(corpus_dir),
        articles=ArticleRenderer(Path(corpus_dir), engine),
        templates=make_templates(),
        examples=examples,
        query_log=query_log,
        editor=editor,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if query_log is not None:
            query_log.flush()
        engine.close()

    app = Starlette(
        routes=routes(editor=editor is not None),
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES),
            Middleware(ApiCors, origins=cors_origins),
            Middleware(GenerationCache, generation=state.generation, version=code_version()),
        ],
        exception_handlers={
            HTTPException: _http_error,
            IndexMissingError: _index_missing,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.web = state
    return app


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    message = ERROR_MESSAGES.get(error.status_code, error.detail)
    response = error_page(request, error.status_code, message)
    if error.headers:
        response.headers.update(error.headers)
    return response


async def _index_missing(request: Request, error: Exception) -> Response:
    log.error("%s", error)
    return error_page(request, 503, "The search index is not built yet; try again shortly.")


async def _server_error(request: Request, error: Exception) -> Response:
    # Starlette's ServerErrorMiddleware logs the traceback and re-raises after this answers.
    # It sits outside every middleware, so the security headers are added here.
    response = error_page(request, 500, "Something went wrong on our side; please try again.")
    response.headers.update(SECURITY_HEADERS)
    return response
