"""Every address the web app links to, built from the route names in ``webui.routes``.

Handlers call these with their app; templates call them by the same names without it
(the environment's globals, see ``webui.templating``). Paths stay relative (``/search?q=…``),
never absolute URLs built from the Host header a client sent: pages are cached and shared.
The JSON API's ``url`` of a section is ``indexer.models.Section.url``: the ``article``
route's path with the section id as its fragment.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, Unpack
from urllib.parse import urlencode

from webui.params import DEFAULT_LIMIT, SearchParams


class Router(Protocol):
    """What builds a route's path from its name: the Starlette app or its router."""

    def url_path_for(self, name: str, /, **path_params: str) -> str: ...


def path_for(router: Router, name: str, /, **path_params: str) -> str:
    """The path of the route called ``name``, as a plain string."""
    return str(router.url_path_for(name, **path_params))


def search_query(
    q: str,
    *,
    page: int = 1,
    part: str | None = None,
    limit: int = DEFAULT_LIMIT,
    exact: bool = False,
    article: str | None = None,
    group: bool = True,
) -> str:
    """The query string of a search: ``q`` and whichever options are not the defaults."""
    pairs: list[tuple[str, str]] = [("q", q)]
    if exact:
        pairs.append(("exact", "1"))
    if article:
        pairs.append(("article", article))
    if part:
        pairs.append(("part", part))
    if not group:
        pairs.append(("group", "0"))
    if limit != DEFAULT_LIMIT:
        pairs.append(("limit", str(limit)))
    if page > 1:
        pairs.append(("page", str(page)))
    return urlencode(pairs)


class SearchOptions(TypedDict, total=False):
    """The options of :func:`search_query` beside ``q``."""

    page: int
    part: str | None
    limit: int
    exact: bool
    article: str | None
    group: bool


def search_options(params: SearchParams, *, page: int | None = None) -> SearchOptions:
    """The options of a search as asked (its page, or ``page``): to link to it again."""
    return {
        "page": params.page if page is None else page,
        "part": params.part,
        "limit": params.limit,
        "exact": params.exact,
        "article": params.article,
        "group": params.group,
    }


def search_url(router: Router, q: str, **options: Unpack[SearchOptions]) -> str:
    """The results page of a query."""
    return f"{path_for(router, 'search')}?{search_query(q, **options)}"


def article_url(router: Router, slug: str, *, query: str = "", section: str = "") -> str:
    """An article's page; ``query`` (a :func:`search_query`) highlights the search's words
    and leads back to its results, ``section`` lands on that heading."""
    path = path_for(router, "article", slug=slug)
    return path + (f"?{query}" if query else "") + (f"#{section}" if section else "")
