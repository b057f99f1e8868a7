"""Synonyms as editable content: ``corpus/synonyms.txt``, expanded at query time.

The format is Solr's, one rule a line, ``#`` starts a comment:

    tylenol, paracetamol, acetaminophen       # a group: each means all of them
    advil, motrin => ibuprofen                # one way: the left words also find the right
    pins and needles => paresthesia, tingling # several words are matched as a phrase

Every entry is analysed like the index (folding, stop words, stemming), so ``Kemp’s``
and ``kemps`` or ``spurs`` and ``spur`` are the same key. ``foramen build`` validates the
file with :func:`check_synonyms` and names the line of any mistake; each build publishes
the file beside the index it built (:func:`publish_synonyms`) so a searcher loads the
rules of its own index generation once, with :func:`load_synonyms`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.analysis import Analyzer

from indexer.analysis import text_analyzer, word_analyzer
from indexer.errors import CorpusError
from indexer.store import read_pointer, write_pointer

SYNONYMS_FILE = "synonyms.txt"
MAX_ENTRY_TERMS = 6

Terms = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SynonymMap:
    """Keys (analysed term tuples) to the alternatives they also search for."""

    rules: dict[Terms, tuple[Terms, ...]] = field(default_factory=dict)
    words: frozenset[str] = frozenset()  # folded, unstemmed words of every entry
    longest: int = 0

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, key: Terms) -> tuple[Terms, ...]:
        return self.rules.get(key, ())


def parse_synonyms(
    text: str, source: Path | str = SYNONYMS_FILE, analyzer: Analyzer | None = None
) -> SynonymMap:
    """Read rules from ``text``; a malformed line raises :class:`CorpusError` naming it."""
    analyzer = analyzer or text_analyzer()
    words_of = word_analyzer()
    rules: dict[Terms, list[Terms]] = {}
    words: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        sides = line.split("=>")
        if len(sides) > 2:
            raise CorpusError(source, number, "a rule has at most one '=>'")
        groups = [_entries(side, source, number, analyzer) for side in sides]
        if len(sides) == 1 and len(groups[0]) < 2:
            raise CorpusError(
                source, number, "a group needs two or more entries separated by commas"
            )
        for side in sides:
            words.update(t.text for t in words_of(side))
        left, right = groups[0], groups[-1]
        for key in left:
            targets = rules.setdefault(key, [])
            targets.extend(t for t in right if t != key and t not in targets)
    return SynonymMap(
        {key: tuple(targets) for key, targets in rules.items() if targets},
        frozenset(words),
        max((len(key) for key in rules), default=0),
    )


def _entries(side: str, source: Path | str, number: int, analyzer: Analyzer) -> list[Terms]:
    entries: list[Terms] = []
    for raw in side.split(","):
        entry = raw.strip()
        if not entry:
            raise CorpusError(source, number, "empty entry (two commas, or a comma at an end)")
        terms = tuple(t.text for t in analyzer(entry))
        if not terms:
            raise CorpusError(source, number, f"'{entry}' has no searchable words")
        if len(terms) > MAX_ENTRY_TERMS:
            raise CorpusError(
                source, number, f"'{entry}' is longer than {MAX_ENTRY_TERMS} searchable words"
            )
        if terms not in entries:
            entries.append(terms)
    return entries


def read_synonyms(path: Path, analyzer: Analyzer | None = None) -> SynonymMap:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(path, None, f"not UTF-8 text ({error.reason})") from None
    return parse_synonyms(text, path, analyzer)


def checked_synonyms(corpus_dir: Path) -> bytes | None:
    """The corpus's synonyms file, read once and checked; None when there is none.

    A build publishes exactly these bytes, so an edit saved while it runs is never
    published unchecked.
    """
    path = Path(corpus_dir) / SYNONYMS_FILE
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError(path, None, f"not UTF-8 text ({error.reason})") from None
    parse_synonyms(text, path)
    return data


def check_synonyms(corpus_dir: Path) -> None:
    """The corpus check ``foramen build`` runs: a bad line stops the build."""
    checked_synonyms(corpus_dir)


def load_synonyms(generation_dir: Path, analyzer: Analyzer | None = None) -> SynonymMap:
    """The rules published with an index generation; none when there are none (or bad ones)."""
    path = Path(generation_dir) / SYNONYMS_FILE
    try:
        return read_synonyms(path, analyzer)
    except FileNotFoundError:
        return SynonymMap()
    except CorpusError:
        return SynonymMap()  # builds validate before publishing; never fail a search on it


def publish_synonyms(new: bytes | None, index_root: Path) -> bool:
    """Put ``new`` (from :func:`checked_synonyms`) beside the current index; True when
    they changed.

    Called by the build while it holds the build lock. A change bumps ``CURRENT`` so
    running engines reload their rules, even when no section changed.
    """
    pointer = read_pointer(index_root)
    if pointer is None:
        return False
    target = Path(index_root) / pointer.dir / SYNONYMS_FILE
    old = target.read_bytes() if target.is_file() else None
    if new == old:
        return False
    if new is None:
        target.unlink()
    else:
        temporary = target.with_name(f".{SYNONYMS_FILE}.{os.getpid()}")
        temporary.write_bytes(new)
        os.replace(temporary, target)
    write_pointer(index_root, dataclasses.replace(pointer, build=pointer.build + 1))
    return True
