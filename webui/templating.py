"""The Jinja2 environment: autoescape always on, a few filters, static URLs with a version."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

STATIC_DIR = Path(__file__).parent / "static"
_OF_FOR = re.compile(r"\s+(?:of|for)\s+", re.IGNORECASE)
LABEL_TAIL_WORDS = 3  # "Causes of Unilateral Neural …": a tail this long names the article


def short_label(heading: str) -> str:
    """A part heading without the article's name: 'Drugs for Unilateral …' -> 'Drugs'.

    Only a tail of several words after 'of'/'for' is dropped, so 'Types of Pain' stays.
    """
    match = _OF_FOR.search(heading)
    if match is None or len(heading[match.end() :].split()) < LABEL_TAIL_WORDS:
        return heading
    return heading[: match.start()]


def static_versions(directory: Path = STATIC_DIR) -> dict[str, str]:
    """A short content hash of every static file, for cache-busting URLs."""
    return {
        path.name: hashlib.blake2b(path.read_bytes(), digest_size=4).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("webui", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per render
    )
    versions = static_versions()

    def static(name: str) -> str:
        return f"/static/{name}?v={versions.get(name, '0')}"

    env.globals["static"] = static
    env.filters["short_label"] = short_label
    return env


class Templates:
    """Renders a template name and context into an HTMLResponse."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def response(
        self,
        name: str,
        context: dict[str, object],
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        html = self.env.get_template(name).render(context)
        return HTMLResponse(html, status_code=status_code, headers=headers)
