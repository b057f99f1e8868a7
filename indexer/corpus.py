"""Read the corpus folder: every ``*.md`` file is one article with YAML front matter."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indexer.errors import CorpusError

ARTICLE_SUFFIX = ".md"
# Article names and section ids alike: lower-case ASCII letters and digits, words joined
# by single hyphens; URL-safe, so neither needs escaping in a link.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FRONT_MATTER_KEYS = ("title", "updated", "source")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text: they are checked here, by line."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Article:
    """One Markdown file of the corpus, its front matter split off."""

    slug: str
    path: Path
    title: str
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts


def article_paths(corpus_dir: Path) -> list[Path]:
    """The article files of a corpus, in a stable order."""
    if not corpus_dir.is_dir():
        raise CorpusError(corpus_dir, None, "corpus folder not found")
    return sorted(p for p in corpus_dir.glob(f"*{ARTICLE_SUFFIX}") if p.is_file())


def read_corpus(corpus_dir: Path) -> Iterator[Article]:
    for path in article_paths(corpus_dir):
        yield read_article(path)


def read_article(path: Path, data: bytes | None = None) -> Article:
    """The article in ``path``; ``data``, when given, are its bytes as already read."""
    slug = path.stem
    if not SLUG.fullmatch(slug):
        raise CorpusError(
            path,
            None,
            "article file names must be lower-case words joined by '-', e.g. back-pain.md",
        )
    text = decode_utf8(path, path.read_bytes() if data is None else data)
    meta, body, body_line = split_front_matter(path, text)
    title = meta.get("title") or _first_h1(body)
    if title is None:
        raise CorpusError(path, 1, "the article has no title: add 'title: ...' to its front matter")
    return Article(slug, path, title.strip(), meta, body, body_line)


def decode_utf8(path: Path, data: bytes) -> str:
    """Decode ``data`` as UTF-8, or name the line and column of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise CorpusError(
            path,
            line,
            f"not valid UTF-8 (byte {data[error.start]:#04x} at column {column}); "
            "save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str, int]:
    """Split ``---``-fenced YAML front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            end = number
            break
    else:
        raise CorpusError(path, 1, "front matter opened with '---' is never closed by '---'")
    raw = "\n".join(lines[1 : end - 1])
    try:
        node = yaml.compose(raw, Loader=_FrontMatterLoader) if raw.strip() else None
        meta = yaml.load(raw, Loader=_FrontMatterLoader) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = 2 + mark.line if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CorpusError(path, where, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode | None):
        raise CorpusError(path, 2, "front matter must be 'key: value' lines")
    # The file line of each key: the front matter's first line is the file's second.
    key_lines = {str(key.value): 2 + key.start_mark.line for key, _ in (node.value if node else ())}
    check_front_matter(path, meta, key_lines)
    return meta, "\n".join(lines[end:]), end + 1


def check_front_matter(path: Path, meta: dict[str, Any], key_lines: dict[str, int]) -> None:
    """Known keys only, a non-empty ``title``, an ``updated`` date; ``updated`` as YYYY-MM-DD."""
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            close = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else "the keys are " + ", ".join(FRONT_MATTER_KEYS)
            )
            raise CorpusError(
                path, key_lines.get(str(key), 2), f"unknown front matter key '{key}'; {hint}"
            )
    title = meta.get("title")
    if "title" in meta and (not isinstance(title, str) or not title.strip()):
        raise CorpusError(
            path, key_lines.get("title", 2), "front matter 'title' must be a non-empty string"
        )
    if "updated" in meta:
        meta["updated"] = _updated(path, key_lines.get("updated", 2), meta["updated"])


def _updated(path: Path, line: int, value: object) -> str:
    """The ``updated`` date as YYYY-MM-DD: a real calendar date, not after tomorrow."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        date = dt.date.fromisoformat(text) if _ISO_DATE.match(text) else None
    except ValueError:
        date = None
    if date is None:
        raise CorpusError(
            path, line, f"front matter 'updated' must be a date written YYYY-MM-DD, not {text!r}"
        )
    if date > dt.date.today() + dt.timedelta(days=1):
        raise CorpusError(path, line, f"front matter 'updated' {text} is in the future")
    return text


def _first_h1(body: str) -> str | None:
    for line in body.split("\n"):
        if line.startswith("# "):
            return line[2:].strip()
    return None
