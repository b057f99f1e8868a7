"""HTTP caching: an ``ETag`` per index generation, and a 304 when the client has it already.

Pages and API answers change only when a build lands (or the code serving them changes),
so their entity tag is the pair (code version, index generation): a client revalidating
with ``If-None-Match`` gets a bodiless 304 without a search being run. ``Cache-Control:
no-cache`` lets browsers and proxies keep a copy but ask before reusing it, so a new build
shows at once. Static files carry a content hash in their URL (``?v=``), so those URLs
are cached for a year; ``/healthz`` is never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.errors import ForamenError

REVALIDATE = "public, no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
NEVER_STORE = "no-store"
# The paths whose answer depends only on the index generation (and the code).
GENERATION_PATHS = frozenset({"/", "/search", "/api/search", "/articles"})
GENERATION_PREFIXES = ("/articles/", "/api/sections/")
_SOURCES = (Path(__file__).parent, Path(__file__).parent.parent / "indexer")


def code_version(folders: tuple[Path, ...] = _SOURCES) -> str:
    """A short digest of the code, templates and static files that shape every answer."""
    digest = hashlib.blake2b(digest_size=6)
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".svg"):
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of ``etag`` against an If-None-Match list."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted
        for tag in if_none_match.split(",")
    )


def _generation_path(path: str) -> bool:
    return path in GENERATION_PATHS or path.startswith(GENERATION_PREFIXES)


class GenerationCache:
    """Adds ``ETag``/``Cache-Control`` to successful GETs and answers revalidations."""

    def __init__(self, app: ASGIApp, generation: Callable[[], int], version: str) -> None:
        self.app = app
        self.generation = generation
        self.version = version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if _generation_path(path):
            await self._by_generation(scope, receive, send)
        elif path == "/healthz":
            await self.app(scope, receive, _with_headers(send, {"Cache-Control": NEVER_STORE}))
        elif path.startswith("/static/") and scope.get("query_string", b"").startswith(b"v="):
            await self.app(scope, receive, _with_headers(send, {"Cache-Control": IMMUTABLE}))
        else:
            await self.app(scope, receive, send)

    async def _by_generation(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            # Reading the generation may open a new index: not on the event loop.
            generation = await run_in_threadpool(self.generation)
        except ForamenError:
            await self.app(scope, receive, send)  # no index yet: the app says so
            return
        etag = f'W/"{self.version}-{generation}"'
        tags = {"ETag": etag, "Cache-Control": REVALIDATE}
        if etag_matches(Headers(scope=scope).get("if-none-match"), etag):
            await Response(status_code=304, headers=tags)(scope, receive, send)
            return
        await self.app(scope, receive, _with_headers(send, tags))


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    """``send``, adding ``headers`` to a 200 response."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            mutable = MutableHeaders(scope=message)
            for name, value in headers.items():
                mutable[name] = value
        await send(message)

    return sending
