"""CORS for the read-only JSON API: other sites' pages may read it, never the HTML pages.

Starlette's ``CORSMiddleware`` answers for the paths under ``/api/`` and for
``/openapi.json``; every other path passes by it untouched. The allowed origins come from
``create_app(cors_origins=...)`` (``FORAMEN_CORS_ORIGINS``, comma-separated; default ``*``).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

DEFAULT_ORIGINS = ("*",)
API_PATHS = ("/api/", "/openapi.json")


class ApiCors:
    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "HEAD"],
            expose_headers=["ETag"],
            max_age=86400,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PATHS):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
