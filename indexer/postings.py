"""One Whoosh segment laid out as arrays: what the scoring model reads instead of matchers.

A segment never changes once written (a later build deletes documents in it, which the
model reads from Whoosh's deletion list, or merges it into a new segment), so its arrays
are read once — by the build that wrote it, or by the first reader that misses them —
and saved beside the generation as ``.npy`` files, memory-mapped by every later reader:

    <generation>/arrays/<segment id>/
        meta.json                 the segment id, document count, format version
        <field>.terms.npy         the field's terms (UTF-8 bytes, sorted)
        <field>.starts.npy        term i's postings are [starts[i], starts[i + 1])
        <field>.docs.npy          segment-local document numbers, ascending per term
        <field>.weights.npy       Whoosh's posting weight (frequency x field boost)
        <field>.lengths.npy       each document's token count in the field
        <field>.spans.npy         posting i's token positions are [spans[i], spans[i + 1])
        <field>.positions.npy     token positions, ascending within each posting
        <field>.chars.npy         each position's (start, end) character offsets, where
                                  the field stores them (the body, for snippets)
        part.npy, article.npy     each document's part and article (for facets, filters)
        level.npy, flags.npy      heading level; FAQ / container / overview bits
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import tempfile
import threading
from array import array
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.reading import IndexReader

from indexer.schema import FIELD_BOOSTS, INDEXED_FIELDS

ARRAYS_DIR = "arrays"
FORMAT = 3  # 3: the facts field
# np.load reads each file's header with ast.literal_eval; two threads parsing at once can
# fail in CPython 3.11.7 ("AST constructor recursion depth mismatch", gh-106905), and
# engines in several request threads may open a generation together: loads take turns.
_LOADING = threading.Lock()
PARALLEL_FROM = 50_000  # documents in new segments from which they are read in processes
QUESTION, CONTAINER, OVERVIEW = 1, 2, 4  # bits of ``flags``
FIELD_KEYS = ("terms", "starts", "docs", "weights", "lengths", "spans", "positions", "chars")


@dataclass(frozen=True, slots=True)
class FieldArrays:
    """One field's postings in one segment."""

    terms: np.ndarray  # bytes, sorted
    starts: np.ndarray  # int64, len(terms) + 1
    docs: np.ndarray  # int32
    weights: np.ndarray  # float32
    lengths: np.ndarray  # int32, per document
    spans: np.ndarray  # int64, len(docs) + 1
    positions: np.ndarray  # int32
    chars: np.ndarray  # int32, (len(positions), 2); (0, 2) when not stored
    index: dict[bytes, int]  # term -> its number

    @classmethod
    def of(cls, arrays: dict[str, np.ndarray]) -> FieldArrays:
        """The field from its arrays (``FIELD_KEYS``), with the term index made."""
        terms = arrays["terms"]
        index = dict(zip(terms.tolist(), range(len(terms)), strict=True))
        return cls(**arrays, index=index)

    def find(self, term: bytes) -> slice | None:
        """The postings of ``term``, or None when the segment does not hold it."""
        i = self.index.get(term)
        if i is None:
            return None
        return slice(int(self.starts[i]), int(self.starts[i + 1]))


@dataclass(frozen=True, slots=True)
class SegmentArrays:
    """Every search field's postings and the per-document attributes of one segment."""

    segment_id: str
    doc_count: int
    fields: dict[str, FieldArrays]
    part: np.ndarray  # str per document
    article: np.ndarray  # str per document
    level: np.ndarray  # int8
    flags: np.ndarray  # uint8, QUESTION | CONTAINER | OVERVIEW


def read_segment(reader: IndexReader) -> SegmentArrays:
    """Lay out one segment's postings and document attributes as arrays (the slow step:
    one pass over the segment's postings through Whoosh's reader)."""
    count = reader.doc_count_all()
    fields = {name: _read_field(reader, name, count) for name in INDEXED_FIELDS}
    part = np.empty(count, dtype=object)
    article = np.empty(count, dtype=object)
    level = np.zeros(count, dtype=np.int8)
    flags = np.zeros(count, dtype=np.uint8)
    for docnum in range(count):
        stored = reader.stored_fields(docnum)
        part[docnum] = str(stored.get("part") or "")
        article[docnum] = str(stored.get("article") or "")
        level[docnum] = int(stored.get("level") or 0)
        bits = 0
        if str(stored.get("title", "")).rstrip().endswith("?"):
            bits |= QUESTION
        if not str(stored.get("body") or "").strip():
            bits |= CONTAINER
        if level[docnum] == 1:
            bits |= OVERVIEW
        flags[docnum] = bits
    return SegmentArrays(
        segment_id=reader.segment().segment_id(),
        doc_count=count,
        fields=fields,
        part=part.astype(str),
        article=article.astype(str),
        level=level,
        flags=flags,
    )


def _read_field(reader: IndexReader, name: str, count: int) -> FieldArrays:
    # Typed arrays, not lists: a big segment's postings would take ~5x the memory.
    terms: list[bytes] = []
    starts = array("q", [0])
    docs = array("i")
    weights = array("f")
    spans = array("q", [0])
    positions = array("i")
    chars = array("i")
    # An index of an older schema may lack a field: it reads as a field with no terms.
    field_format = reader.schema[name].format if name in reader.schema else None
    with_chars = bool(field_format and field_format.supports("characters"))
    if field_format is not None and name in reader.indexed_field_names():
        for term in reader.lexicon(name):
            postings = reader.postings(name, term)
            is_active, ident, weight, advance = (
                postings.is_active,
                postings.id,
                postings.weight,
                postings.next,
            )
            while is_active():
                docs.append(ident())
                weights.append(weight())
                if with_chars:
                    for position, start, end in postings.value_as("characters"):
                        positions.append(position)
                        chars.append(start)
                        chars.append(end)
                else:
                    positions.extend(postings.value_as("positions"))
                spans.append(len(positions))
                advance()
            terms.append(term)
            starts.append(len(docs))
    doc_array = np.frombuffer(docs, dtype=np.int32)
    weight_array = np.frombuffer(weights, dtype=np.float32)
    lengths = np.zeros(count, dtype=np.float64)
    np.add.at(lengths, doc_array, weight_array.astype(np.float64) / FIELD_BOOSTS[name])
    return FieldArrays.of(
        {
            "terms": np.asarray(terms, dtype=bytes) if terms else np.zeros(0, dtype="S1"),
            "starts": np.frombuffer(starts, dtype=np.int64),
            "docs": doc_array,
            "weights": weight_array,
            "lengths": np.rint(lengths).astype(np.int32),
            "spans": np.frombuffer(spans, dtype=np.int64),
            "positions": np.frombuffer(positions, dtype=np.int32),
            "chars": np.frombuffer(chars, dtype=np.int32).reshape(-1, 2),
        }
    )


# -- on disk ------------------------------------------------------------------------------


def segment_dir(generation: Path, segment_id: str) -> Path:
    return generation / ARRAYS_DIR / segment_id


def save_segment(generation: Path, arrays: SegmentArrays) -> None:
    """Write ``arrays`` beside the generation, atomically (a folder renamed into place)."""
    target = segment_dir(generation, arrays.segment_id)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        for name, field in arrays.fields.items():
            for key in FIELD_KEYS:
                np.save(staging / f"{name}.{key}.npy", getattr(field, key))
        for key in ("part", "article", "level", "flags"):
            np.save(staging / f"{key}.npy", getattr(arrays, key))
        meta = {"segment": arrays.segment_id, "docs": arrays.doc_count, "format": FORMAT}
        (staging / "meta.json").write_text(json.dumps(meta), "utf-8")
        os.replace(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not target.exists():
            raise


def load_segment(generation: Path, segment_id: str) -> SegmentArrays | None:
    """The saved arrays of a segment, memory-mapped; None when missing or unreadable."""
    folder = segment_dir(generation, segment_id)
    with _LOADING:
        return _load_segment(folder, segment_id)


def _load_segment(folder: Path, segment_id: str) -> SegmentArrays | None:
    try:
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        if meta.get("format") != FORMAT or meta.get("segment") != segment_id:
            return None

        def load(name: str) -> np.ndarray:
            # A plain array over the mapped file: numpy's memmap class slices slowly.
            return np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))

        fields = {
            name: FieldArrays.of({key: load(f"{name}.{key}") for key in FIELD_KEYS})
            for name in INDEXED_FIELDS
        }
        return SegmentArrays(
            segment_id=segment_id,
            doc_count=int(meta["docs"]),
            fields=fields,
            part=load("part"),
            article=load("article"),
            level=load("level"),
            flags=load("flags"),
        )
    except (OSError, ValueError, KeyError):
        return None


def segment_arrays(generation: Path | None, reader: IndexReader) -> SegmentArrays:
    """The arrays of the segment read by ``reader``: loaded when saved, else read and
    saved (a reader that cannot write beside the index still gets them)."""
    segment_id = reader.segment().segment_id()
    if generation is not None:
        found = load_segment(generation, segment_id)
        if found is not None and found.doc_count == reader.doc_count_all():
            return found
    arrays = read_segment(reader)
    if generation is not None:
        # A read-only index: the arrays stay in this process's memory.
        with contextlib.suppress(OSError):
            _discard(segment_dir(generation, segment_id))  # damaged or of another format
            save_segment(generation, arrays)
    return arrays


def save_generation_arrays(generation: Path, processes: int | None = None) -> None:
    """Lay out every segment of the index in ``generation`` that has no arrays yet, and
    drop those of segments merged away (a build does this before it announces the
    generation, so no reader pays for it)."""
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        sizes = {
            leaf.segment().segment_id(): leaf.doc_count_all() for leaf, _ in reader.leaf_readers()
        }
    missing = [
        segment_id
        for segment_id in sizes
        if not (segment_dir(generation, segment_id) / "meta.json").is_file()
    ]
    if processes is None:
        big = sum(sizes[m] for m in missing) >= PARALLEL_FROM
        processes = (os.cpu_count() or 1) if big else 1
    workers = min(len(missing), processes)
    if workers > 1:
        # The segments of a multi-process build, read side by side (forked, as Whoosh's
        # own writer processes are).
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            list(pool.map(_save_one, [generation] * len(missing), missing))
    else:
        for segment_id in missing:
            _save_one(generation, segment_id)
    remove_unused(generation, set(sizes))


def _save_one(generation: Path, segment_id: str) -> None:
    """Read and save the arrays of one segment of the index in ``generation``."""
    with whoosh_index.open_dir(str(generation)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            if leaf.segment().segment_id() == segment_id:
                save_segment(generation, read_segment(leaf))


def _discard(folder: Path) -> None:
    """Remove a segment's folder of arrays: renamed away first, so no reader finds half."""
    if folder.exists():
        aside = folder.with_name(f".old-{folder.name}-{os.getpid()}")
        os.replace(folder, aside)
        shutil.rmtree(aside, ignore_errors=True)


def remove_unused(generation: Path, keep: set[str]) -> None:
    """Drop the arrays of segments the generation no longer has (merged away)."""
    folder = generation / ARRAYS_DIR
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
