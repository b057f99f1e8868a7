"""What the query side knows about one index generation: its words, synonyms and FAQs.

Built once when a searcher opens a generation (the engine keeps it beside the searcher),
so per-query work never scales with the size of the vocabulary.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as q
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer.spelling import Speller, english_words, merge_vocabularies
from indexer.synonyms import SynonymMap, load_synonyms

TEXT_FIELDS = ("title", "path", "body")
SPELLING_FIELDS = ("spell_title", "spell_body")
COMMON_MIN = 20
COMMON_SHARE = 0.1


def _lexicon(reader: IndexReader, fieldname: str) -> list[str]:
    if fieldname not in reader.indexed_field_names():
        return []
    return [term.decode("utf-8") for term in reader.lexicon(fieldname)]


def _frequencies(reader: IndexReader, fieldname: str) -> list[tuple[str, int]]:
    if fieldname not in reader.indexed_field_names():
        return []
    return [
        (term.decode("utf-8"), info.doc_frequency()) for term, info in reader.iter_field(fieldname)
    ]


@dataclass
class QueryContext:
    """Index terms (stemmed), a speller over its words, synonyms, question-titled sections."""

    terms: frozenset[str] = frozenset()
    speller: Speller = field(default_factory=lambda: Speller({}))
    synonyms: SynonymMap = field(default_factory=SynonymMap)
    searcher: Searcher | None = None
    _section_kinds: tuple[tuple[str, ...], ...] | None = None
    _phrases: dict[tuple[str, ...], int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, searcher: Searcher, generation_dir: Path | None) -> QueryContext:
        reader = searcher.reader()
        terms = frozenset(t for name in TEXT_FIELDS for t in _lexicon(reader, name))
        synonyms = load_synonyms(generation_dir) if generation_dir else SynonymMap()
        words = merge_vocabularies(
            *(_frequencies(reader, name) for name in SPELLING_FIELDS),
            ((word, 1) for word in synonyms.words),
        )
        speller = Speller(words, english_words)
        # The first correction would otherwise pay for building the speller's table.
        threading.Thread(target=speller.prepare, name="foramen-speller", daemon=True).start()
        return cls(terms, speller, synonyms, searcher)

    def knows(self, terms: tuple[str, ...]) -> bool:
        """Whether every one of these analysed terms occurs in the index."""
        return all(term in self.terms for term in terms)

    def common(self, terms: tuple[str, ...]) -> bool:
        """Whether these terms are in so many sections (a tenth, and 20 or more) that
        searching their synonyms too would change little but the cost."""
        if self.searcher is None:
            return False
        count = self.frequency((terms,)) if len(terms) == 1 else self._phrase_count(terms)
        return count >= max(COMMON_MIN, self.searcher.doc_count() * COMMON_SHARE)

    def _phrase_count(self, terms: tuple[str, ...]) -> int:
        """Sections holding these words side by side; remembered for this generation
        (only synonym keys ask, so the memory is bounded by the synonyms file)."""
        with self._lock:
            cached = self._phrases.get(terms)
        if cached is None:
            assert self.searcher is not None
            phrase = q.Or([q.Phrase(name, list(terms)) for name in TEXT_FIELDS])
            cached = sum(1 for _ in phrase.docs(self.searcher))
            with self._lock:
                self._phrases[terms] = cached
        return cached

    def frequency(self, options: tuple[tuple[str, ...], ...]) -> int:
        """About how many sections hold any of these term sequences (an upper bound)."""
        if self.searcher is None:
            return 0
        total = 0
        for terms in options:
            total += min(
                max(self.searcher.doc_frequency(name, term) for name in TEXT_FIELDS)
                for term in terms
            )
        return total

    def question_ids(self) -> tuple[str, ...]:
        """Ids of sections whose heading is a question (an FAQ)."""
        return self._kinds()[0]

    def container_ids(self) -> tuple[str, ...]:
        """Ids of sections that are only a heading over others ("Imaging Tests")."""
        return self._kinds()[1]

    def overview_ids(self) -> tuple[str, ...]:
        """Ids of each article's opening section, under the article's own title."""
        return self._kinds()[2]

    def _kinds(self) -> tuple[tuple[str, ...], ...]:
        """Question, container and overview sections, found with one pass on first use."""
        with self._lock:
            if self._section_kinds is None:
                kinds: tuple[list[str], list[str], list[str]] = ([], [], [])
                if self.searcher is not None:
                    for stored in self.searcher.reader().all_stored_fields():
                        flags = (
                            str(stored.get("title", "")).rstrip().endswith("?"),
                            not str(stored.get("body") or "").strip(),
                            stored.get("level") == 1,
                        )
                        for found, flag in zip(kinds, flags, strict=True):
                            if flag:
                                found.append(str(stored["id"]))
                self._section_kinds = tuple(tuple(sorted(found)) for found in kinds)
            return self._section_kinds
