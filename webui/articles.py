"""Article pages: the article as the published index holds it, anchors on every heading.

A page shows what the live index generation published, never an unbuilt edit: the
article's Markdown file is rendered only while its sections are exactly the published
ones (same ids, headings, levels and text); otherwise (an edit not yet built, a file
that no longer parses or is gone) the page is built from the sections stored in the
index, a paragraph per line. Heading levels are rendered without gaps (``##`` then
``####`` shows as h2 then h3). An article is rendered once per (index generation, file
version) and cached as a list of pieces: literal HTML and escaped text runs. Every
heading carries the indexed section id (``id="…"``) and a "¶" permalink, and each section
(a heading and its blocks, as the chunker cut it) is wrapped in ``<section
data-section-id>``. Highlighting a query re-marks only the text runs that hold one of its
terms, so a landed page stays cheap.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from whoosh.analysis import Analyzer

from indexer.chunk import EXPLICIT_ID, chunk_article, heading_ids, markdown_parser
from indexer.corpus import ARTICLE_SUFFIX, Article, read_article
from indexer.errors import ForamenError
from indexer.highlight import mark
from indexer.models import Section
from indexer.search import Engine

log = logging.getLogger("foramen.web")
CACHE_SIZE = 64
_SEPARATOR = "\x00"  # markdown-it turns NUL in the source into U+FFFD, so this never clashes
Span = tuple[int, int, str]
FileKey = tuple[int, int]  # a file's (mtime in ns, size)


@dataclass(frozen=True, slots=True)
class TextRun:
    """One run of article text: the raw text and the index term of each of its words."""

    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class TocEntry:
    id: str
    title: str


@dataclass(slots=True)
class RenderedArticle:
    """An article ready to serve: its HTML, and what is needed to highlight a query in it."""

    slug: str
    title: str
    meta: dict[str, Any]
    sections: tuple[Section, ...]
    toc: tuple[TocEntry, ...]
    pieces: list[str]  # literal HTML and escaped text, in order
    runs: dict[int, TextRun]  # index into ``pieces`` -> the text run there
    by_term: dict[str, tuple[int, ...]] = field(default_factory=dict)
    html: str = ""

    def highlighted(self, terms: Collection[str]) -> tuple[str, int]:
        """The article HTML with every word whose term is in ``terms`` in ``<mark>``.

        Returns the HTML and how many words were marked.
        """
        touched = sorted({i for term in terms for i in self.by_term.get(term, ())})
        if not touched:
            return self.html, 0
        pieces = list(self.pieces)
        marks = 0
        for i in touched:
            run = self.runs[i]
            spans = [span for span in run.spans if span[2] in terms]
            marks += len(spans)
            pieces[i] = mark(run.text, spans)
        return "".join(pieces), marks


class ArticleRenderer:
    """Renders the published articles, caching each until the index or its file changes."""

    def __init__(self, corpus_dir: Path, engine: Engine, size: int = CACHE_SIZE) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.engine = engine
        self.analyzer = engine.analyzer
        self.size = size
        # slug -> (generation, the file's (mtime, size) or None, the page). None: the page
        # was rendered from the file and checked against that generation, so later edits
        # to the file do not matter until the next build.
        self._cache: OrderedDict[str, tuple[int, FileKey | None, RenderedArticle]] = OrderedDict()

    def path(self, slug: str) -> Path:
        return self.corpus_dir / f"{slug}{ARTICLE_SUFFIX}"

    def get(self, slug: str, generation: int) -> RenderedArticle | None:
        """The published article ``slug``, or None when the index holds no such article.

        ``slug`` must already be a valid article name (no path separators).
        """
        try:
            stat = os.stat(self.path(slug))
            file_key: FileKey = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            file_key = (-1, -1)  # the file is gone; the index may still publish it
        cached = self._cache.get(slug)
        if cached is not None and cached[0] == generation and cached[1] in (None, file_key):
            self._cache.move_to_end(slug)
            return cached[2]
        published = self.engine.article_sections(slug)
        if not published:
            return None
        rendered, from_file = self._render(slug, published)
        self._cache[slug] = (generation, None if from_file else file_key, rendered)
        self._cache.move_to_end(slug)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return rendered

    def _render(self, slug: str, published: list[Section]) -> tuple[RenderedArticle, bool]:
        """The Markdown file rendered if it still says what was published, else the index.

        The second value says whether the page came from the file.
        """
        title = self._published_title(slug, published)
        try:
            rendered = render_article(read_article(self.path(slug)), self.analyzer)
        except (OSError, ForamenError) as error:
            log.warning("article %s: showing the published text (%s)", slug, error)
        else:
            if rendered.title == title and _same_sections(rendered.sections, published):
                return rendered, True
            log.info("article %s: the file has unbuilt edits; showing the published text", slug)
        return render_published(slug, title, published, self.analyzer), False

    def _published_title(self, slug: str, published: Sequence[Section]) -> str:
        with self.engine.searcher() as searcher:
            stored = searcher.document(article=slug) or {}
        title = stored.get("article_title")
        if isinstance(title, str) and title:
            return title
        return published[0].title  # an index built before titles were stored


def render_article(article: Article, analyzer: Analyzer) -> RenderedArticle:
    """Parse and render ``article`` once, with anchors that match the indexed section ids."""
    parser = markdown_parser()
    sections = chunk_article(article, parser)
    ids = heading_ids(sections)
    tokens = parser.parse(article.body)
    _strip_explicit_ids(tokens)
    heading_lines = {
        article.body_line + t.map[0] for t in tokens if t.type == "heading_open" and t.map
    }
    lead = next((s for s in sections if s.line not in heading_lines), None)
    body_has_title = bool(tokens) and tokens[0].type == "heading_open" and tokens[0].tag == "h1"

    _close_heading_gaps(tokens)
    texts: list[str] = []
    renderer = _AnchoredRenderer(article.body_line, ids, texts)
    body = renderer.render(tokens, parser.options, {})

    builder = _PieceBuilder(analyzer)
    if not body_has_title:
        builder.literal(_section_open(lead.id if lead else None, lead=True))
        builder.literal(f'<h1 id="{lead.id}">' if lead else "<h1>")
        builder.text(article.title)
        builder.literal((_permalink(lead.id) if lead else "") + "</h1>\n")
    else:
        builder.literal(_section_open(None, lead=True))
    for number, piece in enumerate(body.split(_SEPARATOR)):
        if number % 2:
            builder.text(texts[int(piece)])
        else:
            builder.literal(piece)
    builder.literal("</section>\n")

    toc = tuple(TocEntry(s.id, s.title) for s in sections if s.level == 2)
    return builder.finish(article.slug, article.title, article.meta, tuple(sections), toc)


def render_published(
    slug: str, title: str, sections: Sequence[Section], analyzer: Analyzer
) -> RenderedArticle:
    """The article as the index stores it: headings, and a paragraph per line of text."""
    builder = _PieceBuilder(analyzer)
    body = list(sections)
    builder.literal(_section_open(body[0].id if body[0].level == 1 else None, lead=True))
    if body[0].level == 1:
        lead = body.pop(0)
        builder.literal(f'<h1 id="{lead.id}">')
        builder.text(lead.title)
        builder.literal(_permalink(lead.id) + "</h1>\n")
        _paragraphs(builder, lead.text)
    else:
        builder.literal("<h1>")
        builder.text(title)
        builder.literal("</h1>\n")
    for section, level in zip(body, heading_levels(s.level for s in body), strict=True):
        builder.literal(f'</section>\n{_section_open(section.id)}<h{level} id="{section.id}">')
        builder.text(section.title)
        builder.literal(f"{_permalink(section.id)}</h{level}>\n")
        _paragraphs(builder, section.text)
    builder.literal("</section>\n")
    toc = tuple(TocEntry(s.id, s.title) for s in sections if s.level == 2)
    return builder.finish(slug, title, {}, tuple(sections), toc)


def heading_levels(levels: Iterable[int]) -> list[int]:
    """The levels to render headings at so that none is skipped: ## then #### -> 2, 3.

    The article's title is the h1; a heading sits one level below the nearest heading
    before it with a lower Markdown level, and never deeper than it was written.
    """
    open_headings: list[tuple[int, int]] = [(1, 1)]  # (written level, rendered level)
    shown: list[int] = []
    for level in levels:
        while open_headings and open_headings[-1][0] >= level:
            open_headings.pop()
        rendered = min(level, open_headings[-1][1] + 1) if open_headings else 1
        open_headings.append((level, rendered))
        shown.append(rendered)
    return shown


def _close_heading_gaps(tokens: Sequence[Token]) -> None:
    """Retag heading tokens with :func:`heading_levels`, openings and closings alike."""
    opening = [t for t in tokens if t.type == "heading_open"]
    closing = [t for t in tokens if t.type == "heading_close"]
    levels = heading_levels(int(t.tag[1:]) for t in opening)
    for level, start, end in zip(levels, opening, closing, strict=True):
        start.tag = end.tag = f"h{level}"


def _paragraphs(builder: _PieceBuilder, text: str) -> None:
    for line in text.split("\n"):
        if line.strip():
            builder.literal("<p>")
            builder.text(line)
            builder.literal("</p>\n")


def _same_sections(rendered: Sequence[Section], published: Sequence[Section]) -> bool:
    def shown(section: Section) -> tuple[object, ...]:
        return (section.id, section.title, section.path, section.level, section.text)

    return [shown(s) for s in rendered] == [shown(s) for s in published]


class _AnchoredRenderer(RendererHTML):
    """HTML renderer that anchors headings, wraps sections, and leaves text as placeholders."""

    def __init__(self, body_line: int, ids: dict[int, str], texts: list[str]) -> None:
        super().__init__()
        self.body_line = body_line
        self.ids = ids
        self.texts = texts
        self.open_id: str | None = None

    def text(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any) -> str:
        self.texts.append(tokens[idx].content)
        return f"{_SEPARATOR}{len(self.texts) - 1}{_SEPARATOR}"

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        token = tokens[idx]
        line = self.body_line + token.map[0] if token.map else -1
        self.open_id = self.ids.get(line)
        if self.open_id is not None:
            token.attrSet("id", self.open_id)
        opening = self.renderToken(tokens, idx, options, env)
        return "</section>\n" + _section_open(self.open_id) + opening

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
    ) -> str:
        link = _permalink(self.open_id) if self.open_id else ""
        self.open_id = None
        return link + self.renderToken(tokens, idx, options, env)


class _PieceBuilder:
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.pieces: list[str] = []
        self.runs: dict[int, TextRun] = {}
        self.by_term: dict[str, list[int]] = {}

    def literal(self, html: str) -> None:
        if html:
            self.pieces.append(html)

    def text(self, text: str) -> None:
        index = len(self.pieces)
        self.pieces.append(escape(text, quote=False))
        spans = tuple(
            (token.startchar, token.endchar, token.text)
            for token in self.analyzer(text, chars=True, removestops=True)
        )
        if spans:
            self.runs[index] = TextRun(text, spans)
            for term in {span[2] for span in spans}:
                self.by_term.setdefault(term, []).append(index)

    def finish(
        self,
        slug: str,
        title: str,
        meta: dict[str, Any],
        sections: tuple[Section, ...],
        toc: tuple[TocEntry, ...],
    ) -> RenderedArticle:
        return RenderedArticle(
            slug=slug,
            title=title,
            meta=meta,
            sections=sections,
            toc=toc,
            pieces=self.pieces,
            runs=self.runs,
            by_term={term: tuple(found) for term, found in self.by_term.items()},
            html="".join(self.pieces),
        )


def _strip_explicit_ids(tokens: Sequence[Token]) -> None:
    """Drop a heading's ``{#pinned-id}`` from the text shown (the id goes on the tag)."""
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or index + 1 >= len(tokens):
            continue
        children = tokens[index + 1].children or []
        last = next((c for c in reversed(children) if c.type == "text"), None)
        if last is None:
            continue
        match = EXPLICIT_ID.search(last.content)
        if match is not None:
            last.content = last.content[: match.start()].rstrip()


def _section_open(section_id: str | None, lead: bool = False) -> str:
    classes = "doc-section doc-lead" if lead else "doc-section"
    data = f' data-section-id="{section_id}"' if section_id else ""
    return f'<section class="{classes}"{data}>\n'


def _permalink(section_id: str) -> str:
    # Section ids are [a-z0-9-] (checked by the chunker), so they need no escaping.
    return (
        f' <a class="permalink" href="#{section_id}" aria-label="Permalink to this section">¶</a>'
    )
