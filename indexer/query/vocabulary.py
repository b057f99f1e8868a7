"""What the query side knows about one index generation: its words, synonyms and speller.

Built once when the engine opens a generation, so per-query work never scales with the
size of the vocabulary. Document frequencies come from the generation's scoring model
(live sections only); phrase counts from a function the engine hands in (they need
word positions, which Whoosh holds).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Container
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from indexer.analysis import FACT_SEPARATOR
from indexer.model import ScoringModel
from indexer.schema import FACT_FIELD, SEARCH_FIELDS
from indexer.spelling import Speller, english_words, merge_vocabularies
from indexer.synonyms import SYNONYMS_FILE, SynonymMap, load_synonyms

SPELLING_FIELDS = ("spell_title", "spell_body")
COMMON_MIN = 20
COMMON_SHARE = 0.1
BROAD_MIN = 10
BROAD_SHARE = 0.05
MIN_PREFIX = 2  # characters typed before a word is completed
COMPLETIONS = 8  # index terms an unfinished word stands for
MAX_SCANNED = 256  # terms with the prefix looked at (for their frequency)

Terms = tuple[str, ...]
PhraseCount = Callable[[Terms], int]


def _frequencies(reader: IndexReader, fieldname: str) -> list[tuple[str, int]]:
    if fieldname not in reader.indexed_field_names():
        return []
    return [
        (term.decode("utf-8"), info.doc_frequency()) for term, info in reader.iter_field(fieldname)
    ]


def _done(speller: Speller) -> Future[Speller]:
    future: Future[Speller] = Future()
    future.set_result(speller)
    return future


def _make_speller(generation_dir: Path, synonyms: SynonymMap, result: Future[Speller]) -> None:
    """The speller of a generation's words and synonyms, into ``result``; then its
    table, which the first correction would otherwise pay for."""
    try:
        with whoosh_index.open_dir(str(generation_dir)).reader() as reader:
            words = merge_vocabularies(
                *(_frequencies(reader, name) for name in SPELLING_FIELDS),
                ((word, 1) for word in synonyms.words),
            )
        speller = Speller(words, english_words)
    except Exception as error:  # a generation removed by a later full build, say
        result.set_exception(error)
        return
    result.set_result(speller)
    speller.prepare()


class IndexTerms:
    """``term in terms`` for the terms of a model's segments, asked of their term indexes
    (no second copy of a vocabulary that has a million words at x1000)."""

    def __init__(self, model: ScoringModel) -> None:
        self._model = model

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self._model.has_term(term)


@dataclass
class Vocabulary:
    """Index terms (stemmed), a speller over its words, the synonyms, frequencies."""

    terms: Container[str] = frozenset()  # IndexTerms of the generation's model
    spelling: Future[Speller] = field(default_factory=lambda: _done(Speller({})))
    synonyms: SynonymMap = field(default_factory=SynonymMap)
    model: ScoringModel | None = None
    phrase_count: PhraseCount | None = None
    # The labels of the sections' labelled lines, as analysed words: ("side", "effect").
    fact_labels: frozenset[Terms] = frozenset()
    synonyms_source: bytes = b""  # the synonyms file the rules were read from
    _phrases: dict[Terms, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(
        cls,
        model: ScoringModel,
        generation_dir: Path | None,
        phrase_count: PhraseCount | None = None,
        previous: Vocabulary | None = None,
    ) -> Vocabulary:
        """The vocabulary of the generation at ``generation_dir``. The speller is made in
        a background thread (from a reader of its own: iterating the spelling words is
        most of a generation's opening time at scale), so only a query with a word to
        correct waits for it; the synonyms of ``previous`` are kept when unchanged."""
        source = b""
        if generation_dir is not None:
            with contextlib.suppress(OSError):
                source = (generation_dir / SYNONYMS_FILE).read_bytes()
        if previous is not None and previous.synonyms_source == source:
            synonyms = previous.synonyms
        else:
            synonyms = load_synonyms(generation_dir) if generation_dir else SynonymMap()
        labels = frozenset(
            tuple(label.split("_")) for label in model.labels(FACT_FIELD, FACT_SEPARATOR)
        )
        spelling: Future[Speller] = Future()
        vocabulary = cls(IndexTerms(model), spelling, synonyms, model, phrase_count, labels, source)
        if generation_dir is None:
            spelling.set_result(Speller({}, english_words))
        else:
            threading.Thread(
                target=_make_speller,
                args=(generation_dir, synonyms, spelling),
                name="foramen-speller",
                daemon=True,
            ).start()
        return vocabulary

    @property
    def speller(self) -> Speller:
        """The generation's speller (waiting for it the first time, if still in the
        making; an empty one if making it failed: corrections stop, searches do not)."""
        try:
            return self.spelling.result()
        except Exception:
            return Speller({})

    def knows(self, terms: Terms) -> bool:
        """Whether every one of these analysed terms occurs in the index."""
        return all(term in self.terms for term in terms)

    def common(self, terms: Terms) -> bool:
        """Whether these terms are in so many sections (a tenth, and 20 or more) that
        searching their synonyms too would change little but the cost."""
        if self.model is None:
            return False
        enough = max(COMMON_MIN, self.model.live_count * COMMON_SHARE)
        if len(terms) == 1:
            return self.frequency((terms,)) >= enough
        # The words side by side in some field: at most, in each field, the rarest word's
        # sections; only a phrase that could be common is looked for.
        bound = sum(
            min(self.model.doc_frequency(name, term) for term in terms) for name in SEARCH_FIELDS
        )
        return bound >= enough and self._phrase_count(terms) >= enough

    def broad(self, frequency: int) -> bool:
        """Whether a concept in about ``frequency`` sections (a twentieth, and 10 or more)
        is too broad to name one topic: "surgery", "pain", "treatment"."""
        if self.model is None:
            return False
        return frequency >= max(BROAD_MIN, self.model.live_count * BROAD_SHARE)

    def phrase_known(self, terms: Terms) -> bool:
        """Whether some section holds these words side by side (not remembered: any
        query may ask)."""
        if not self.knows(terms):
            return False
        if len(terms) == 1 or self.phrase_count is None:
            return True
        return self.phrase_count(terms) > 0

    def _phrase_count(self, terms: Terms) -> int:
        """Sections holding these words side by side; remembered for this generation
        (only synonym keys ask, so the memory is bounded by the synonyms file)."""
        if self.phrase_count is None:
            return self.frequency((terms,))
        with self._lock:
            cached = self._phrases.get(terms)
        if cached is None:
            cached = self.phrase_count(terms)
            with self._lock:
                self._phrases[terms] = cached
        return cached

    def completions(self, start: str, limit: int = COMPLETIONS) -> list[str]:
        """Up to ``limit`` index terms that begin with ``start`` (at least
        ``MIN_PREFIX`` characters), the ones in the most sections first."""
        if len(start) < MIN_PREFIX or self.model is None:
            return []
        found = self.model.terms_starting(start, MAX_SCANNED)
        found.sort(key=lambda t: -self.frequency(((t,),)))
        return found[:limit]

    def forget(self) -> None:
        """Drop the remembered phrase counts (a benchmark of first queries asks this)."""
        with self._lock:
            self._phrases.clear()

    def frequency(self, options: tuple[Terms, ...]) -> int:
        """About how many sections hold any of these term sequences (an upper bound)."""
        if self.model is None:
            return 0
        total = 0
        for terms in options:
            total += min(
                max(self.model.doc_frequency(name, term) for name in SEARCH_FIELDS)
                for term in terms
            )
        return total
