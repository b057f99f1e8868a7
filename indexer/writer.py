"""Whoosh writers for full builds: one process or several, and how to abandon them.

Full builds of at least ``MULTIPROCESS_AFTER`` sections are written by ``WRITER_PROCS``
processes, each making its own segment (a segment per process is searched about as fast
as one merged segment at that size, and merging them would run on one core again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, _lenfield
from whoosh.index import Index
from whoosh.multiproc import MpWriter
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

MULTIPROCESS_AFTER = 50_000
WRITER_PROCS = 2
WRITER_MB = 256  # RAM for the posting pool of the writer (shared out among processes)


def full_build_writer(ix: Index, procs: int) -> SegmentWriter:
    """A writer for a new index: ``procs`` processes, one segment each, or one process."""
    if procs > 1:
        return ix.writer(procs=procs, multisegment=True, limitmb=WRITER_MB // procs, batchsize=256)
    return ix.writer(limitmb=WRITER_MB)


def commit_options(procs: int) -> dict[str, bool]:
    """One process: one segment already, optimised. Several: one each, left unmerged."""
    return {"optimize": procs == 1, "merge": procs == 1}


def cancel(writer: SegmentWriter) -> None:
    """Abandon a writer; a multi-process one's workers are stopped, not left waiting."""
    if isinstance(writer, MpWriter):
        for task in writer.tasks:
            task.terminate()
            task.join()
        writer.tasks = []
    writer.cancel()


@contextlib.contextmanager
def remembered_missing_columns() -> Iterator[None]:
    """Make Whoosh remember field lengths and missing length columns, for a build.

    Writing a segment asks for the length of the field of every posting
    (``doc_field_length``). Whoosh 2.7's ``W3PerDocReader`` caches the length columns
    it finds but not the ones it does not: for fields that keep none (ids, spelling
    words) each ask is a filesystem ``stat`` — about a fifth of a full build. For the
    ones it finds, each ask reads and decodes one byte of the column again (a million
    asks at x100, ~7 % of a build's profile); here a field's lengths are decoded once
    into a list. Forked writer processes inherit the fix.
    """
    original = W3PerDocReader._cached_reader
    original_length = W3PerDocReader.doc_field_length

    def cached_reader(self: W3PerDocReader, fieldname: str, column: object) -> object:
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = original(self, fieldname, column)
            self._readers[fieldname] = reader  # None too: the column stays missing
            return reader

    def doc_field_length(
        self: W3PerDocReader, docnum: int, fieldname: str, default: int = 0
    ) -> int | None:
        tables: dict[str, list[int | None] | None] = self.__dict__.setdefault(
            "_foramen_lengths", {}
        )
        try:
            table = tables[fieldname]
        except KeyError:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            table = None
            if reader is not None:  # as Whoosh: a zero byte (no length stored) is None
                table = [byte_to_length(b) if b else None for b in reader]
            tables[fieldname] = table
        if table is None or docnum >= len(table):
            return original_length(self, docnum, fieldname, default)
        return table[docnum]

    W3PerDocReader._cached_reader = cached_reader
    W3PerDocReader.doc_field_length = doc_field_length
    try:
        yield
    finally:
        W3PerDocReader._cached_reader = original
        W3PerDocReader.doc_field_length = original_length
