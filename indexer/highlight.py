"""Snippets: the passage of a section that best matches the query, matches in <mark>.

All corpus text is HTML-escaped; the only markup in a snippet is ``<mark>`` added here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from html import escape

from whoosh.analysis import Analyzer

SNIPPET_CHARS = 220
LEAD_CHARS = 40


def match_spans(
    text: str, terms: Collection[str], analyzer: Analyzer
) -> list[tuple[int, int, str]]:
    """(start, end, term) of every token of ``text`` whose index term is in ``terms``."""
    if not terms:
        return []
    return [
        (token.startchar, token.endchar, token.text)
        for token in analyzer(text, chars=True, removestops=True)
        if token.text in terms
    ]


def best_window(text: str, spans: Sequence[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """The ``width``-character window with the most distinct matched terms."""
    if len(text) <= width or not spans:
        return 0, min(len(text), width)
    best = (-1.0, 0)
    for i, (start, _, _) in enumerate(spans):
        begin = max(0, start - LEAD_CHARS)
        inside = [s for s in spans[i:] if s[1] <= begin + width]
        score = len({s[2] for s in inside}) + 0.1 * len(inside)
        if score > best[0]:
            best = (score, begin)
    begin = best[1]
    end = min(len(text), begin + width)
    if end == len(text):
        begin = max(0, end - width)
    return begin, end


def _snap(text: str, begin: int, end: int) -> tuple[int, int]:
    """Move the window's edges to word boundaries."""
    if begin > 0:
        space = text.find(" ", begin)
        if 0 <= space < begin + 20:
            begin = space + 1
    if end < len(text):
        space = text.rfind(" ", begin, end)
        if space > end - 20:
            end = space
    return begin, end


def snippet(
    text: str, terms: Collection[str], analyzer: Analyzer, width: int = SNIPPET_CHARS
) -> str:
    """Escaped HTML: the best passage of ``text`` with matched words in ``<mark>``."""
    text = " ".join(text.split())
    spans = match_spans(text, terms, analyzer)
    begin, end = _snap(text, *best_window(text, spans, width))
    return (
        ("…" if begin > 0 else "")
        + mark(text, spans, begin, end)
        + ("…" if end < len(text) else "")
    )


def mark(
    text: str, spans: Sequence[tuple[int, int, str]], begin: int = 0, end: int | None = None
) -> str:
    """``text[begin:end]`` escaped, with each span wrapped in ``<mark>``."""
    end = len(text) if end is None else end
    out: list[str] = []
    cursor = begin
    for start, stop, _ in spans:
        if start < cursor or stop > end:
            continue
        out.append(escape(text[cursor:start], quote=False))
        out.append(f"<mark>{escape(text[start:stop], quote=False)}</mark>")
        cursor = stop
    out.append(escape(text[cursor:end], quote=False))
    return "".join(out)


def highlight_text(text: str, terms: Collection[str], analyzer: Analyzer) -> str:
    """All of ``text`` escaped, every match marked (for headings and landed sections)."""
    return mark(text, match_spans(text, terms, analyzer))
