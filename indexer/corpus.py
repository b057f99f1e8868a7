"""Read the corpus folder: every ``*.md`` file is one article with YAML front matter."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indexer.errors import CorpusError

ARTICLE_SUFFIX = ".md"
_ARTICLE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Article:
    """One Markdown file of the corpus, its front matter split off."""

    slug: str
    path: Path
    title: str
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts

    @property
    def url(self) -> str:
        return f"/articles/{self.slug}"


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
    if not _ARTICLE_NAME.match(slug):
        raise CorpusError(
            path,
            None,
            "article file names must be lower-case words joined by '-', e.g. back-pain.md",
        )
    text = decode_utf8(path, path.read_bytes() if data is None else data)
    meta, body, body_line = split_front_matter(path, text)
    title = meta.get("title")
    if title is None:
        title = _first_h1(body) or slug.replace("-", " ").capitalize()
    if not isinstance(title, str) or not title.strip():
        raise CorpusError(path, 2, "front matter 'title' must be a non-empty string")
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
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CorpusError(path, line, f"front matter is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise CorpusError(path, 2, "front matter must be 'key: value' lines")
    for key, value in meta.items():
        if isinstance(value, dt.date):
            meta[key] = value.isoformat()
    return meta, "\n".join(lines[end:]), end + 1


def _first_h1(body: str) -> str | None:
    for line in body.split("\n"):
        if line.startswith("# "):
            return line[2:].strip()
    return None
