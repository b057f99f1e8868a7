"""The FTS5 reference as a web app: ``/api/search`` and ``/healthz`` over the same sections.

    python -m bench.fts_app --scale 1 --port 8101 --workers 2

Served like ``foramen serve``: the same uvicorn settings, the same socket handling for
``--workers`` (see foramen/server.py), JSON with the same fields, snippets from FTS5's
``snippet()``. Used by bench/http_load.py as the peer of the real app.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bench import fts

DB_ENV = "FORAMEN_BENCH_FTS_DB"


def create_app(db: Path) -> Starlette:
    reference = fts.Fts(db)
    sections = reference.db.execute("SELECT count(*) FROM sections").fetchone()[0]

    async def search(request: Request) -> JSONResponse:
        params = request.query_params
        try:
            limit = int(params.get("limit", "10"))
            page = int(params.get("page", "1"))
        except ValueError:
            return JSONResponse({"error": "limit and page must be integers"}, 400)
        if not 1 <= limit <= 50 or page < 1:
            return JSONResponse({"error": "limit must be 1-50 and page at least 1"}, 400)
        return JSONResponse(reference.search(params.get("q", ""), limit, page))

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "sections": sections})

    return Starlette(routes=[Route("/api/search", search), Route("/healthz", healthz)])


def app_from_env() -> Starlette:
    return create_app(Path(os.environ[DB_ENV]))


def main() -> None:
    import uvicorn

    from foramen.server import run_uvicorn

    parser = argparse.ArgumentParser(description="Serve the FTS5 reference app.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    db = fts.db_path(args.scale)
    if not db.exists():
        from bench.common import corpus_dir

        fts.build(corpus_dir(args.scale), db)
    os.environ[DB_ENV] = str(db)
    config = uvicorn.Config(
        "bench.fts_app:app_from_env",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        log_level="info",  # as foramen serve: an access log line per request
    )
    run_uvicorn(config)  # the same worker and socket handling as foramen serve


if __name__ == "__main__":
    main()
