"""Whoosh writers for full builds: one process or several, and how to abandon them.

Full builds of at least ``MULTIPROCESS_AFTER`` sections are written by ``WRITER_PROCS``
processes, each making its own segment (a segment per process is searched about as fast
as one merged segment at that size, and merging them would run on one core again).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.index import Index
from whoosh.multiproc import MpWriter
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
    """Make Whoosh remember that a field has no length column, for the length of a build.

    Whoosh 2.7's ``W3PerDocReader`` caches the length columns it finds but not the ones
    it does not: writing a segment asks for the length of every posting, and for fields
    that keep none (ids, numbers, spelling words) each ask is a filesystem ``stat`` —
    about a fifth of a full build. Forked writer processes inherit the fix.
    """
    original = W3PerDocReader._cached_reader

    def cached_reader(self: W3PerDocReader, fieldname: str, column: object) -> object:
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = original(self, fieldname, column)
            self._readers[fieldname] = reader  # None too: the column stays missing
            return reader

    W3PerDocReader._cached_reader = cached_reader
    try:
        yield
    finally:
        W3PerDocReader._cached_reader = original
