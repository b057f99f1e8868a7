"""One text analysis, used both when indexing and when querying.

tokenize -> normalise (NFKC, case and accent folding, apostrophes dropped) -> stop words ->
English (Porter2) stemming. Dashes split words on both sides (``L1–L2`` and ``L1-L2`` are both
``l1 l2``); ``B₁₂`` becomes ``b12``; ``Kemp’s`` becomes ``kemps`` and stems to ``kemp``.
Token character offsets always point into the original text, so highlights line up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    Filter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang.porter2 import stem

# A word: letters/digits (subscript digits included), with inner apostrophes kept
# so that "Kemp’s" stays one token; a number glued to a unit ("200mg", "3g") is two
# words, as the articles print doses ("200 mg", "3 g/day").
UNITS = "mg|mcg|ug|µg|g|kg|ml|iu|mmol|mm|cm"
WORD_PATTERN = rf"\d+(?=(?i:{UNITS})\b)|\w+(?:['\u2019\u02bc]\w+)*"
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")

# Whoosh's English stop words, minus the ones that carry meaning in this domain
# ("not"/"no" negate, "can"/"may"/"will" are harmless but "when" matters in
# "when to see a doctor").
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "have",
        "if",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "with",
        "yet",
        "you",
        "your",
    }
)


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """NFKC, case fold, strip accents, drop apostrophes: 'Kemp’s' -> 'kemps', 'B₁₂' -> 'b12'."""
    text = unicodedata.normalize("NFKC", word).casefold()
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.translate(_APOSTROPHES)


class FoldFilter(Filter):
    """Applies :func:`fold` to every token's text, leaving its offsets alone."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = fold(token.text)
            yield token


LINE_GAP = 3  # positions skipped at each line break: more than any phrase's slop


class LineTokenizer(Tokenizer):
    """Words as ``RegexTokenizer(WORD_PATTERN)`` finds them, each noting the number of its
    line in the text (``token.line``) for :class:`LineGapFilter`."""

    def __init__(self) -> None:
        self.expression = re.compile(WORD_PATTERN)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        line, seen = 0, 0
        for pos, match in enumerate(self.expression.finditer(value)):
            line += value.count("\n", seen, match.start())
            seen = match.start()
            token.text = match.group(0)
            token.boost = 1.0
            token.stopped = False
            token.line = line
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class LineGapFilter(Filter):
    """Leaves ``LINE_GAP`` positions between the words of two lines (after the stop
    words are dropped and the positions renumbered), so that no phrase, nor the
    side-by-side bonus, joins the end of one list item to the start of the next."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.positions:
                token.pos += getattr(token, "line", 0) * LINE_GAP
            yield token


def text_analyzer() -> Analyzer:
    """The analysis of every full-text field, and of queries against them."""
    return (
        LineTokenizer()
        | FoldFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | LineGapFilter()
        | StemFilter(stemfn=stem, cachesize=-1)
    )


def word_analyzer() -> Analyzer:
    """Like :func:`text_analyzer` without stemming: the vocabulary for spelling."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1)


# A labelled line of a section ("Side Effects: Nausea, dizziness"; a list item's marker is
# already gone from the text): a capitalised label of one to three words, then a value.
LABELLED_LINE = re.compile(r"^[ \t]*([A-Z][A-Za-z]*(?: [A-Za-z]+){0,2})[ \t]*:[ \t]*(\S.*)$", re.M)
FACT_SEPARATOR = ":"  # between a fact's label and a word of its value, in a fact term


def fact_label(words: str) -> str:
    """The key of a line's label: its analysed words joined ("Side Effects" -> "side_effect")."""
    return "_".join(t.text for t in text_analyzer()(words))


class FactTokenizer(Tokenizer):
    """The analysis of the ``facts`` field: the words of each labelled line's value, each
    prefixed with the line's label ("Side Effects: Dry mouth" -> ``side_effect:dri``,
    ``side_effect:mouth``), so a query can ask for a word in one kind of line. Positions
    follow the text, with a gap between lines so that no phrase spans two of them."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        words = text_analyzer()
        base = start_pos
        for line in LABELLED_LINE.finditer(value):
            label = fact_label(line.group(1))
            if not label:
                continue
            last = 0
            for token in words(
                line.group(2),
                positions=True,
                chars=chars,
                removestops=removestops,
                start_char=start_char + line.start(2),
                mode=mode,
            ):
                last = token.pos
                token.text = f"{label}{FACT_SEPARATOR}{token.text}"
                token.pos = base + token.pos
                yield token
            base += last + 2


def fact_analyzer() -> Analyzer:
    """The analysis of the ``facts`` field (:class:`FactTokenizer`)."""
    return FactTokenizer()
