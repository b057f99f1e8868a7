"""One text analysis, used both when indexing and when querying.

tokenize -> normalise (NFKC, case and accent folding, apostrophes dropped) -> stop words ->
English (Porter2) stemming. Dashes split words on both sides (``L1–L2`` and ``L1-L2`` are both
``l1 l2``); ``B₁₂`` becomes ``b12``; ``Kemp’s`` becomes ``kemps`` and stems to ``kemp``.
Token character offsets always point into the original text, so highlights line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import (
    Analyzer,
    Filter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
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


def text_analyzer() -> Analyzer:
    """The analysis of every full-text field, and of queries against them."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | FoldFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(stemfn=stem, cachesize=-1)
    )


def word_analyzer() -> Analyzer:
    """Like :func:`text_analyzer` without stemming: the vocabulary for spelling."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1)
