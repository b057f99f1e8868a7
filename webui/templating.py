"""The templates: Starlette's Jinja2Templates over our environment (autoescape always on).

Templates build every address through the globals ``url_for`` (a route's path),
``search_url``, ``article_url`` and ``static`` (a static file's path with a version), all
from ``webui.urls``; ``short_label`` shortens part headings.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.templating import Jinja2Templates

from webui.urls import article_url, path_for, search_url

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


def make_templates() -> Jinja2Templates:
    """The app's templates; responses come from ``TemplateResponse(request, name, context)``."""
    return Jinja2Templates(env=make_environment())


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

    def router(context: Context) -> Any:
        return context["request"].app

    @pass_context
    def url_for(context: Context, name: str, /, **path_params: str) -> str:
        # Starlette's own url_for gives absolute URLs from the request's Host header;
        # Jinja2Templates keeps this one (it only sets url_for when there is none).
        return path_for(router(context), name, **path_params)

    @pass_context
    def static(context: Context, name: str) -> str:
        return f"{path_for(router(context), 'static', path=name)}?v={versions.get(name, '0')}"

    @pass_context
    def search_url_(context: Context, q: str, **options: Any) -> str:
        return search_url(router(context), q, **options)

    @pass_context
    def article_url_(context: Context, slug: str, **options: str) -> str:
        return article_url(router(context), slug, **options)

    env.globals.update(
        url_for=url_for, static=static, search_url=search_url_, article_url=article_url_
    )
    env.filters["short_label"] = short_label
    return env
