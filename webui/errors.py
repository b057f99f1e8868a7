"""Error responses: JSON ``{"error": ...}`` for the API, an HTML page for people."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

JSON_PREFIXES = ("/api/", "/healthz", "/openapi.json")


def json_error(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> Response:
    """The error as JSON under the API's paths, else ``{status}.html`` or ``error.html``."""
    if request.url.path.startswith(JSON_PREFIXES):
        return json_error(message, status_code)
    state = request.app.state.web
    env = state.templates.env
    name = env.select_template([f"{status_code}.html", "error.html"]).name or "error.html"
    return state.templates.TemplateResponse(
        request,
        name,
        {"q": "", "status": status_code, "message": message, "examples": state.examples},
        status_code=status_code,
    )
