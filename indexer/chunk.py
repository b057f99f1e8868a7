"""Split an article into sections at its headings, with markdown-it-py.

A section is one heading and the blocks beneath it up to the next heading of any
level. Text before the first heading is the article's lead, titled by the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from indexer.corpus import SLUG, Article
from indexer.errors import CorpusError
from indexer.models import Section

EXPLICIT_ID = re.compile(r"\s*\{#([^}]*)\}\s*$")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc\u2018`")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_BLOCKS_WITH_BREAK = {"paragraph_close", "list_item_close", "heading_close", "fence", "code_block"}


def markdown_parser() -> MarkdownIt:
    """The one Markdown dialect of the corpus: CommonMark plus tables and strikethrough.

    Raw HTML is off: ``<b>`` in an article is text to show, never markup to render.
    """
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'Kemp’s Test' -> 'kemps-test', B₁₂ -> b12."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    bare = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _NOT_SLUG.sub("-", bare.translate(_APOSTROPHES)).strip("-")


def split_explicit_id(heading: str) -> tuple[str, str | None]:
    """'Title {#my-id}' -> ('Title', 'my-id'); a heading without one -> (heading, None)."""
    match = EXPLICIT_ID.search(heading)
    if match is None:
        return heading.strip(), None
    return heading[: match.start()].strip(), match.group(1)


def chunk_article(article: Article, parser: MarkdownIt | None = None) -> list[Section]:
    """The sections of one article, in document order."""
    tokens = (parser or markdown_parser()).parse(article.body)
    chunker = _Chunker(article)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            chunker.heading(token, tokens[index + 1])
        elif token.type == "inline" and index and tokens[index - 1].type == "heading_open":
            continue
        else:
            chunker.block(token)
    return chunker.finish()


def chunk_corpus(articles: Iterable[Article]) -> list[Section]:
    """All sections of all articles; an id used twice is an error naming both places."""
    parser = markdown_parser()
    ids = UniqueIds()
    sections: list[Section] = []
    for article in articles:
        for section in chunk_article(article, parser):
            ids.claim(section.id, section.source, section.line)
            sections.append(section)
    return sections


class UniqueIds:
    """The section ids of a corpus so far, and where each was first used."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, int]] = {}

    def claim(self, section_id: str, source: Path | str, line: int) -> None:
        """Record ``section_id`` at ``source:line``; a second use is an error naming both."""
        first = self._first.get(section_id)
        if first is not None:
            raise CorpusError(
                source,
                line,
                f"section id '{section_id}' is already used at {first[0]}:{first[1]}; "
                "rename one heading or pin an id with '{#another-id}'",
            )
        self._first[section_id] = (str(source), line)


def heading_ids(sections: Sequence[Section]) -> dict[int, str]:
    """Section id by the file line of its heading, for renderers that add anchors."""
    return {s.line: s.id for s in sections}


class _Chunker:
    def __init__(self, article: Article) -> None:
        self.article = article
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []  # (level, title) of open headings, level >= 2
        self.title = article.title
        self.id: str | None = None
        self.level = 1
        self.line = article.body_line
        self.path: tuple[str, ...] = ()
        self.in_lead = True
        self.parts: list[str] = []
        self.current: list[str] = []

    def heading(self, token: Token, inline: Token) -> None:
        self._close()
        self.in_lead = False
        line = self.article.body_line + (token.map[0] if token.map else 0)
        level = int(token.tag[1:])
        title, explicit = split_explicit_id(_plain(inline))
        if not title:
            raise CorpusError(self.article.path, line, "empty heading: give it some text")
        if explicit is not None and not SLUG.fullmatch(explicit):
            raise CorpusError(
                self.article.path,
                line,
                f"explicit id '{{#{explicit}}}' must be lower-case ASCII words joined by '-'",
            )
        if explicit is None and not slugify(title):
            raise CorpusError(
                self.article.path,
                line,
                f"heading '{title}' has no ASCII letters or digits to make an id from; "
                "pin one with '{#my-id}'",
            )
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.path = tuple(t for lvl, t in self.stack if lvl >= 2)
        if level >= 2:
            self.stack.append((level, title))
        self.title, self.id, self.level, self.line = title, explicit, level, line

    def block(self, token: Token) -> None:
        if token.type == "inline":
            self.current.append(_plain(token))
        elif token.type in ("fence", "code_block"):
            self.current.append(token.content.rstrip("\n"))
        if token.type in _BLOCKS_WITH_BREAK and self.current:
            self.parts.append(" ".join(self.current))
            self.current = []

    def _close(self) -> None:
        if self.current:
            self.parts.append(" ".join(self.current))
            self.current = []
        text = "\n".join(p for p in self.parts if p)
        self.parts = []
        if self.in_lead and not text:
            return  # no lead text before the first heading
        self.sections.append(
            Section(
                id=self.id or slugify(self.title),
                article=self.article.slug,
                title=self.title,
                path=self.path,
                level=self.level,
                order=len(self.sections),
                text=text,
                line=self.line,
                source=str(self.article.path),
            )
        )

    def finish(self) -> list[Section]:
        self._close()
        return self.sections


def _plain(inline: Token) -> str:
    """The plain text of an inline token: text, code and image alt text; breaks as spaces."""
    out: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(_plain(child))
    return " ".join("".join(out).split())
