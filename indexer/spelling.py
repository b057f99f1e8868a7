"""Typo tolerance: correct a word that is not in the vocabulary to the nearest one that is.

The allowed edit distance grows with the word's length (none below four letters, one up
to six, two from seven), and words with digits — levels, doses, B12 — are never touched.
Candidates come from a symmetric-delete table (every word with up to two letters
deleted), built once per index generation on first use, so a correction costs a few
dictionary look-ups instead of a scan of the vocabulary. People rarely mistype the first letter,
so a correction keeps it ("hair" is not "chair", "climbing" is not "limping") unless the
two sound alike (c/k/s, f/p); ties go to the smaller distance, then the more frequent word.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import resources

MAX_DISTANCE = 2
MAX_WORD = 40  # longer "words" are never corrected: their delete sets grow as length²


def max_edits(word: str) -> int:
    """How many edits a word of this length may be away from its correction."""
    if not 4 <= len(word) <= MAX_WORD or any(c.isdigit() for c in word) or not word.isalpha():
        return 0
    return 1 if len(word) <= 6 else 2


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def distance(a: str, b: str, limit: int = MAX_DISTANCE) -> int:
    """Optimal-string-alignment distance (adjacent swaps count one), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Real English words (pyspellchecker's frequency list): 'stabbing' and 'heart' are not
    typos of 'standing' and 'heat', only words this corpus never uses. Loaded once."""
    try:
        data = (resources.files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset()  # without the list every unknown word may be corrected
    return frozenset(json.loads(gzip.decompress(data)))


SOUND_ALIKE_STARTS = frozenset({frozenset("ck"), frozenset("cs"), frozenset("fp")})


def _same_start(word: str, candidate: str) -> bool:
    """Same first letter, or one that sounds the same: kiropractor, selebrex, fysio."""
    return word[0] == candidate[0] or frozenset((word[0], candidate[0])) in SOUND_ALIKE_STARTS


class Speller:
    """Corrects words against a vocabulary of ``{word: frequency}``.

    ``real_words`` gives words that are spelled right even when the vocabulary lacks them;
    they are never corrected. It is called once, on first use.
    """

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        real_words: Callable[[], frozenset[str]] = frozenset,
    ) -> None:
        self.vocabulary = dict(vocabulary)
        self._real_words = real_words
        self._real: frozenset[str] | None = None
        self._table: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def __contains__(self, word: str) -> bool:
        return word in self.vocabulary

    def prepare(self) -> None:
        """Build the candidate table now rather than on the first correction."""
        self._deletes_table()
        self._real_word(" ")

    def _real_word(self, word: str) -> bool:
        if self._real is None:
            self._real = self._real_words()
        return word in self._real

    def _deletes_table(self) -> dict[str, list[str]]:
        with self._lock:
            if self._table is None:
                table: dict[str, list[str]] = {}
                for word in self.vocabulary:
                    if 3 <= len(word) <= MAX_WORD and word.isalpha():
                        for variant in _deletes(word, MAX_DISTANCE):
                            table.setdefault(variant, []).append(word)
                self._table = table
            return self._table

    def candidates(self, word: str) -> list[tuple[int, str]]:
        """(distance, word) for every vocabulary word within this word's edit budget."""
        limit = max_edits(word)
        if not limit:
            return []
        table = self._deletes_table()
        seen: set[str] = set()
        found: list[tuple[int, str]] = []
        for variant in _deletes(word, limit):
            for candidate in table.get(variant, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                edits = distance(word, candidate, limit)
                if edits <= min(limit, max_edits(candidate)) and _same_start(word, candidate):
                    found.append((edits, candidate))
        return found

    def correct(self, word: str) -> str | None:
        """The best correction of ``word``, or None when it is known or nothing is close."""
        if word in self.vocabulary or self._real_word(word):
            return None
        found = self.candidates(word)
        if not found:
            return None
        best = min(
            found,
            key=lambda f: (f[0], -self.vocabulary[f[1]], f[1]),
        )
        return best[1]


def merge_vocabularies(*parts: Iterable[tuple[str, int]]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in parts:
        for word, count in part:
            merged[word] = merged.get(word, 0) + count
    return merged
