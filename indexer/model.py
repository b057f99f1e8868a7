"""The scoring model of one index generation: BM25F over arrays, live documents only.

Whoosh holds the index (analysis, segments, stored fields, deletions); this model holds
each segment's postings as arrays (:mod:`indexer.postings`) and the statistics a score
needs, computed over the documents that are live in this generation: a section deleted
or replaced by an incremental build weighs nowhere, so an incremental and a full build
of the same corpus score alike.

Documents are numbered as Whoosh numbers them in the generation's reader (segment
offset + segment docnum), so a hit's stored fields come from Whoosh by that number.

A term's score in a field is Whoosh's BM25F with its defaults (``B`` 0.75, ``K1`` 1.2)
and its field-length encoding (a length is stored as one byte, rounded up), computed
for every posting at once:

    idf   = ln(N / (df + 1)) + 1
    score = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / mean length))
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader
from whoosh.util.numeric import _length_byte_cache

from indexer.postings import (
    CONTAINER,
    OVERVIEW,
    QUESTION,
    SegmentArrays,
    segment_arrays,
)
from indexer.schema import INDEXED_FIELDS, SEARCH_FIELDS

B = 0.75
K1 = 1.2
_LENGTH_STEPS = np.frombuffer(_length_byte_cache, dtype=np.int32).astype(np.float64)
_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_FLOATS = np.zeros(0, dtype=np.float64)
_NO_CHARS = np.zeros((0, 2), dtype=np.int32)


DENSE_FROM = 64  # entries from which set operations on docnums use a table over docnums
DENSE_LIMIT = 1 << 26  # the largest value such a table may cover


def member(values: np.ndarray, ascending: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``ascending`` (sorted), as a mask: a lookup table over
    the values for docnums, else a binary search each (never the sort ``np.isin`` does)."""
    if not len(ascending) or not len(values):
        return np.zeros(len(values), dtype=bool)
    top = int(ascending[-1])
    if len(values) >= DENSE_FROM and top < DENSE_LIMIT:
        table = np.zeros(top + 1, dtype=bool)
        table[ascending] = True
        inside = (values >= 0) & (values <= top)
        found = np.zeros(len(values), dtype=bool)
        found[inside] = table[values[inside]]
        return found
    i = np.searchsorted(ascending, values)
    i[i == len(ascending)] = 0
    return ascending[i] == values


def both(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The values of ascending ``first`` that ascending ``second`` holds too."""
    if len(second) < len(first):
        first, second = second, first
    return first[member(first, second)]


def _score_postings(segments: list[_Segment], name: str, live: int, mean: float) -> None:
    """Every posting's BM25F score in field ``name``, with document frequencies counted
    over live documents across all segments (Whoosh's formula, in its order)."""
    counts = []
    for s in segments:
        arrays = s.arrays.fields[name]
        if s.live is None or not len(arrays.docs):
            counts.append(np.diff(arrays.starts))
        else:
            alive = s.live[arrays.docs].astype(np.int64)
            counts.append(np.add.reduceat(alive, arrays.starts[:-1]))
    if len(segments) > 1:
        # A term's frequency is the sum over the segments that hold it.
        terms = np.concatenate([s.arrays.fields[name].terms for s in segments])
        _, inverse = np.unique(terms, return_inverse=True)
        totals = np.bincount(inverse, weights=np.concatenate(counts))
        bounds = np.cumsum([0] + [len(c) for c in counts])
        counts = [totals[inverse[a:b]] for a, b in itertools.pairwise(bounds)]
    for s, df in zip(segments, counts, strict=True):
        arrays = s.arrays.fields[name]
        idf = np.repeat(
            np.log(live / (np.asarray(df, dtype=np.float64) + 1)) + 1, np.diff(arrays.starts)
        )
        tf = np.asarray(arrays.weights, dtype=np.float64)
        length = s.lengths[name][arrays.docs]
        s.scores[name] = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / mean)))


def coded_lengths(lengths: np.ndarray) -> np.ndarray:
    """Lengths as Whoosh's scorer sees them: stored in one byte, read back rounded up."""
    steps = np.searchsorted(_LENGTH_STEPS, lengths, side="left")
    return _LENGTH_STEPS[np.minimum(steps, len(_LENGTH_STEPS) - 1)]


@dataclass(frozen=True, slots=True)
class _Segment:
    arrays: SegmentArrays
    offset: int
    live: np.ndarray | None  # bool per document; None when nothing is deleted
    lengths: dict[str, np.ndarray]  # coded lengths per field
    scores: dict[str, np.ndarray]  # each posting's BM25F score per field (set by the model)
    owners: dict[str, np.ndarray]  # the global docnum of each token position, per field


@dataclass(frozen=True)
class ScoringModel:
    """Postings, their scores, statistics and per-document attributes of one generation."""

    segments: tuple[_Segment, ...]
    doc_count_all: int
    live_count: int
    mean_length: dict[str, float]
    part: np.ndarray  # the number of each docnum's part in ``part_names``
    part_names: tuple[str, ...]  # every part, sorted
    article: np.ndarray  # str per docnum
    level: np.ndarray  # int per docnum
    flags: np.ndarray  # QUESTION | CONTAINER | OVERVIEW per docnum
    live: np.ndarray  # bool per docnum
    questions: np.ndarray  # live docnums whose heading is a question (an FAQ)
    containers: np.ndarray  # live docnums that are only a heading over others
    overviews: np.ndarray  # live docnums of each article's opening section

    @classmethod
    def open(cls, reader: IndexReader, generation: Path | None) -> ScoringModel:
        """The model of the generation ``reader`` reads (segments' arrays loaded from
        beside ``generation`` when saved, else read from the index and saved)."""
        segments: list[_Segment] = []
        for leaf, offset in reader.leaf_readers():
            arrays = segment_arrays(generation, leaf)
            live = None
            if leaf.has_deletions():
                live = np.zeros(arrays.doc_count, dtype=bool)
                live[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
            lengths = {
                name: coded_lengths(arrays.fields[name].lengths.astype(np.float64))
                for name in INDEXED_FIELDS
            }
            owners = {
                name: np.repeat(
                    (np.asarray(field.docs) + offset).astype(np.int32), np.diff(field.spans)
                )
                for name, field in arrays.fields.items()
            }
            segments.append(_Segment(arrays, offset, live, lengths, {}, owners))
        return cls.from_segments(segments)

    @classmethod
    def from_segments(cls, segments: list[_Segment]) -> ScoringModel:
        total = sum(s.arrays.doc_count for s in segments)
        live = np.ones(total, dtype=bool)
        for s in segments:
            if s.live is not None:
                live[s.offset : s.offset + s.arrays.doc_count] = s.live
        live_count = int(live.sum())
        mean_length = {}
        for name in INDEXED_FIELDS:
            tokens = 0.0
            for s in segments:
                lengths = s.arrays.fields[name].lengths
                tokens += float(lengths.sum() if s.live is None else lengths[s.live].sum())
            mean_length[name] = tokens / live_count if live_count and tokens else 1.0
            _score_postings(segments, name, live_count, mean_length[name])

        def joined(key: str, dtype: type) -> np.ndarray:
            parts = [np.asarray(getattr(s.arrays, key)) for s in segments]
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        part_names, part_codes = np.unique(joined("part", str), return_inverse=True)
        flags = joined("flags", np.uint8)

        def flagged(bit: int) -> np.ndarray:
            return np.flatnonzero(((flags & bit) != 0) & live)

        return cls(
            segments=tuple(segments),
            doc_count_all=total,
            live_count=live_count,
            mean_length=mean_length,
            part=part_codes.astype(np.int32),
            part_names=tuple(str(name) for name in part_names),
            article=joined("article", str),
            level=joined("level", np.int64),
            flags=flags,
            live=live,
            questions=flagged(QUESTION),
            containers=flagged(CONTAINER),
            overviews=flagged(OVERVIEW),
        )

    # -- postings and scores ------------------------------------------------------------

    def scores(self, fieldname: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The live sections holding ``term`` in ``fieldname`` (ascending docnums) and
        the term's BM25F score in each."""
        key = term.encode("utf-8")
        docs: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for s in self.segments:
            found = s.arrays.fields[fieldname].find(key)
            if found is None:
                continue
            local = s.arrays.fields[fieldname].docs[found]
            score = s.scores[fieldname][found]
            if s.live is not None:
                keep = s.live[local]
                local, score = local[keep], score[keep]
            docs.append(local.astype(np.int64) + s.offset)
            scores.append(score)
        if not docs:
            return _EMPTY_DOCS, _EMPTY_FLOATS
        if len(docs) == 1:
            return docs[0], scores[0]
        return np.concatenate(docs), np.concatenate(scores)

    def doc_frequency(self, fieldname: str, term: str) -> int:
        """How many live sections hold ``term`` in ``fieldname``."""
        key = term.encode("utf-8")
        count = 0
        for s in self.segments:
            arrays = s.arrays.fields[fieldname]
            found = arrays.find(key)
            if found is None:
                continue
            if s.live is None:
                count += found.stop - found.start
            else:
                count += int(s.live[np.asarray(arrays.docs[found])].sum())
        return count

    def positions(
        self, fieldname: str, term: str, docs: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every occurrence of ``term`` in ``fieldname`` of live sections (of ``docs``
        only, when given): (docnum, token position, (start, end) characters) each,
        ordered by docnum then position; the characters are empty where not stored."""
        key = term.encode("utf-8")
        found_docs: list[np.ndarray] = []
        found_positions: list[np.ndarray] = []
        found_chars: list[np.ndarray] = []
        for s in self.segments:
            arrays = s.arrays.fields[fieldname]
            found = arrays.find(key)
            if found is None:
                continue
            window = slice(int(arrays.spans[found.start]), int(arrays.spans[found.stop]))
            owner = s.owners[fieldname][window].astype(np.int64)
            keep = self.live[owner] if s.live is not None else None
            if docs is not None:
                wanted = member(owner, docs)
                keep = wanted if keep is None else keep & wanted
            positions = np.asarray(arrays.positions[window], dtype=np.int64)
            chars = np.asarray(arrays.chars[window]) if len(arrays.chars) else _NO_CHARS
            if keep is not None:
                owner, positions = owner[keep], positions[keep]
                chars = chars[keep] if len(chars) else chars
            found_docs.append(owner)
            found_positions.append(positions)
            found_chars.append(chars)
        if not found_docs:
            return _EMPTY_DOCS, _EMPTY_DOCS, _NO_CHARS
        if len(found_docs) == 1:
            return found_docs[0], found_positions[0], found_chars[0]
        stored = [c for c in found_chars if len(c)]
        return (
            np.concatenate(found_docs),
            np.concatenate(found_positions),
            np.concatenate(stored) if stored else _NO_CHARS,
        )

    def spans(
        self, fieldname: str, docnums: Sequence[int], terms: Iterable[str]
    ) -> dict[int, list[tuple[int, int, str]]]:
        """Where each of ``terms`` occurs in ``fieldname`` of each of ``docnums``, as
        (start, end, term) character spans in text order, from the offsets the index
        stored (no analysis of the text; empty where the field stores none)."""
        spans: dict[int, list[tuple[int, int, str]]] = {docnum: [] for docnum in docnums}
        wanted = np.asarray(sorted(spans), dtype=np.int64)
        for term in sorted(terms):
            owners, _, chars = self.positions(fieldname, term, wanted)
            if len(chars):
                for owner, (start, end) in zip(owners.tolist(), chars.tolist(), strict=True):
                    spans[owner].append((start, end, term))
        for found in spans.values():
            found.sort()
        return spans

    def knows(self, term: str) -> bool:
        """Whether any live section holds ``term`` in a search field."""
        return any(self.doc_frequency(name, term) for name in SEARCH_FIELDS)

    def has_term(self, term: str) -> bool:
        """Whether any segment holds ``term`` in a search field (live or not: the
        vocabulary of the segments), from their term indexes."""
        key = term.encode("utf-8")
        return any(key in s.arrays.fields[n].index for s in self.segments for n in SEARCH_FIELDS)

    def terms_starting(self, start: str, limit: int) -> list[str]:
        """The first ``limit`` terms (in order) of the search fields that begin with
        ``start``: a range of each segment's sorted term array."""
        low = start.encode("utf-8")
        high = low + b"\xff"  # after every UTF-8 continuation of the prefix
        found: set[bytes] = set()
        for s in self.segments:
            for name in SEARCH_FIELDS:
                terms = s.arrays.fields[name].terms
                i, j = np.searchsorted(terms, [low, high])
                found.update(terms[i : min(j, i + limit)].tolist())
        return [t.decode("utf-8") for t in sorted(found)[:limit]]

    def labels(self, fieldname: str, separator: str) -> frozenset[str]:
        """The distinct prefixes before ``separator`` of the field's terms (the labels of
        the facts field): one jump through each segment's sorted terms per label."""
        sep = separator.encode("utf-8")
        after = bytes([sep[0] + 1])
        found: set[bytes] = set()
        for s in self.segments:
            terms = s.arrays.fields[fieldname].terms
            i = 0
            while i < len(terms):
                label = bytes(terms[i]).partition(sep)[0]
                found.add(label)
                i = int(np.searchsorted(terms, label + after))
        return frozenset(label.decode("utf-8") for label in found)

    # -- documents ----------------------------------------------------------------------

    def part_number(self, name: str) -> int:
        """The number of part ``name`` (-1 when no section is in it)."""
        i = bisect.bisect_left(self.part_names, name)
        return i if i < len(self.part_names) and self.part_names[i] == name else -1
