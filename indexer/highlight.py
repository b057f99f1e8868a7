"""Snippets: the passage of a section that best matches the query, matches in <mark>.

Two ways to find the matches: the character offsets stored for the body field at
index time (``ScoringModel.spans``: no re-analysis of the text), or analysing the text
(``match_spans``, for headings and other text that is not in the index). Both feed the
same windowing and marking. All corpus text is HTML-escaped; the only markup in a
snippet is ``<mark>``. A snippet keeps the text's line structure: a line break after a
sentence is a space, any other (between the items of a labelled list, "Dose: …",
"Time: …") is " · ", so list items do not run together.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from html import escape

from whoosh.analysis import Analyzer

SNIPPET_CHARS = 220
LEAD_CHARS = 40
Span = tuple[int, int, str]  # (start, end, index term)
# Tabs and odd breaks become spaces without moving any character offset; "\n" stays
# (one character too) until the marked HTML is built, where it becomes a separator.
_FLAT = str.maketrans({"\r": " ", "\t": " ", "\f": " ", "\v": " "})
_SPACES = re.compile(r" {2,}")
_WORD_GAP = re.compile(r"[ \n]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?]) *\n[ \n]*")
_LINE_BREAK = re.compile(r" *\n[ \n]*")
LINE_SEPARATOR = " · "


def match_spans(text: str, terms: Collection[str], analyzer: Analyzer) -> list[Span]:
    """(start, end, term) of every token of ``text`` whose index term is in ``terms``."""
    if not terms:
        return []
    return [
        (token.startchar, token.endchar, token.text)
        for token in analyzer(text, chars=True, removestops=True)
        if token.text in terms
    ]


def best_window(text: str, spans: Sequence[Span], width: int) -> tuple[int, int]:
    """The ``width``-character window with the most distinct matched terms."""
    if len(text) <= width or not spans:
        return 0, min(len(text), width)
    best = (-1.0, 0)
    end_index = 0
    for i, (start, _, _) in enumerate(spans):
        begin = max(0, start - LEAD_CHARS)
        end_index = max(end_index, i)
        while end_index < len(spans) and spans[end_index][1] <= begin + width:
            end_index += 1
        inside = spans[i:end_index]
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
        found = _WORD_GAP.search(text, begin, begin + 20)
        if found is not None:
            begin = found.start() + 1
    if end < len(text):
        space = max(text.rfind(" ", begin, end), text.rfind("\n", begin, end))
        if space > end - 20:
            end = space
    return begin, end


def snippet_from_spans(text: str, spans: Sequence[Span], width: int = SNIPPET_CHARS) -> str:
    """Escaped HTML: the best ``width`` characters of ``text`` around ``spans``, marked."""
    text = text.translate(_FLAT)
    begin, end = _snap(text, *best_window(text, spans, width))
    lines = mark(text, spans, begin, end).strip()
    lines = _LINE_BREAK.sub(LINE_SEPARATOR, _SENTENCE_BREAK.sub(" ", lines))
    html = ("…" if begin > 0 else "") + lines + ("…" if end < len(text) else "")
    return _SPACES.sub(" ", html)


def snippet(
    text: str, terms: Collection[str], analyzer: Analyzer, width: int = SNIPPET_CHARS
) -> str:
    """Escaped HTML: the best passage of ``text`` with matched words in ``<mark>``."""
    return snippet_from_spans(text, match_spans(text, terms, analyzer), width)


def mark(text: str, spans: Sequence[Span], begin: int = 0, end: int | None = None) -> str:
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
