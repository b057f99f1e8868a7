"""Reading a search request's query string: strict, with errors that say how to fix them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.datastructures import QueryParams

from indexer.corpus import SLUG
from indexer.models import MAX_LIMIT

MAX_QUERY_CHARS = 256
MAX_PAGE = 10**18 - 1  # any real page; caps the digits a client can make us parse
DEFAULT_LIMIT = 10
_DIGITS = re.compile(r"[0-9]{1,18}")


class ParamError(ValueError):
    """A query-string parameter is malformed; the message tells the client how to fix it."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name

    @property
    def for_people(self) -> str:
        """The same problem told to someone using the search page rather than the API."""
        if self.name == "q":
            return f"Your search is too long; please keep it to {MAX_QUERY_CHARS} characters"
        return f"The address has an invalid “{self.name}”; search again from the box above"


@dataclass(frozen=True, slots=True)
class SearchParams:
    q: str
    limit: int
    page: int
    part: str | None
    exact: bool = False  # search the words as typed, without spelling correction
    prefix: bool = False  # the last word is unfinished (search as you type)
    explain: bool = False  # each hit says why it scored so
    article: str | None = None  # only this article's sections (its slug)
    group: bool = True  # the results page groups hits by article (when there are several)

    @property
    def empty(self) -> bool:
        return not self.q.strip()


def search_params(query: QueryParams) -> SearchParams:
    """Validate ``q``, ``limit``, ``page``, ``part``, ``article`` and the switches; raise
    ParamError on anything else. Whether ``article`` names a published article is the
    caller's to check (it needs the index)."""
    q = query.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise ParamError(
            "q", f"'q' is {len(q)} characters long; shorten it to at most {MAX_QUERY_CHARS}"
        )
    part = query.get("part") or None
    if part is not None and len(part) > MAX_QUERY_CHARS:
        raise ParamError("part", f"'part' must be at most {MAX_QUERY_CHARS} characters")
    article = query.get("article") or None
    if article is not None and (len(article) > MAX_QUERY_CHARS or not SLUG.fullmatch(article)):
        shown = article if len(article) <= 20 else article[:20] + "…"
        raise ParamError(
            "article",
            f"'article' must be an article id like 'knee-pain' (see /articles), not {shown!r}",
        )
    group = query.get("group", "1")
    if group not in ("0", "1"):
        raise ParamError("group", "'group' must be 1 (group results by article) or 0 (one list)")
    limit = _integer(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    page = _integer(query, "page", 1, 1, MAX_PAGE)
    exact = query.get("exact", "0")
    if exact not in ("0", "1"):
        raise ParamError("exact", "'exact' must be 1 (search the words as typed) or 0")
    prefix = query.get("prefix", "0")
    if prefix not in ("0", "1"):
        raise ParamError("prefix", "'prefix' must be 1 (the last word is unfinished) or 0")
    explain = query.get("explain", "0")
    if explain not in ("0", "1"):
        raise ParamError("explain", "'explain' must be 1 (say why each hit scored so) or 0")
    return SearchParams(
        q=q,
        limit=limit,
        page=page,
        part=part,
        exact=exact == "1",
        prefix=prefix == "1",
        explain=explain == "1",
        article=article,
        group=group == "1",
    )


def _integer(query: QueryParams, name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        raise ParamError(
            name, f"'{name}' must be a whole number from {low} to {high}, not {shown!r}"
        )
    return int(raw)
