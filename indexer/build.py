"""Bring a Whoosh index up to date with the corpus.

Incremental builds compare each section's content hash with what the index holds and
add, update and delete only what changed, in one Whoosh commit. Files whose bytes did
not change since the last build are not even parsed: ``manifest.json`` beside the index
remembers their sections. ``full=True`` builds a new generation folder, one file at a
time (a large corpus is never all in memory), and swaps it in only once it is complete.
An incremental build reads and validates the whole corpus before it writes; a full build
that meets an invalid file drops its unfinished generation. Either way a bad corpus
leaves the previous index answering. A build that fails or is killed part-way leaves the
previous index answering too; the next build clears what it left (``store.recover``).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.corpus import article_paths, read_article
from indexer.errors import IndexBusyError, IndexMissingError
from indexer.manifest import (
    CorpusScan,
    FileEntry,
    read_manifest,
    scan_corpus,
    scan_files,
    write_manifest,
)
from indexer.models import Section
from indexer.postings import save_generation_arrays
from indexer.schema import PATH_SEPARATOR, SCHEMA_VERSION, section_schema
from indexer.store import (
    GENERATION_PREFIX,
    Pointer,
    build_lock,
    next_generation_dir,
    read_pointer,
    recover,
    remove_stale_generations,
    write_pointer,
)
from indexer.synonyms import SYNONYMS_FILE, check_synonyms, checked_synonyms, publish_synonyms
from indexer.writer import (
    MULTIPROCESS_AFTER,
    WRITER_PROCS,
    cancel,
    commit_options,
    full_build_writer,
    remembered_missing_columns,
)

Progress = Callable[[int, int], None]
CorpusCheck = Callable[[Path], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    seconds: float
    full: bool
    sections: int
    notes: tuple[str, ...] = ()  # what the build noticed and repaired, for the log

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged in {self.seconds:.2f} s"
        )


def build_index(
    corpus_dir: Path,
    index_root: Path,
    *,
    full: bool = False,
    wait: float = 30.0,
    progress: Progress | None = None,
    checks: Iterable[CorpusCheck] = (),
    procs: int | None = None,
) -> BuildReport:
    """Update (or with ``full``, rebuild) the index at ``index_root`` from ``corpus_dir``.

    ``procs`` is the number of writer processes of a full build; by default one, or
    ``WRITER_PROCS`` from ``MULTIPROCESS_AFTER`` sections on.
    """
    started = time.perf_counter()
    # The synonyms file is published with the index: it is read and checked once, here,
    # before anything is written, even when the caller passes no checks (the --watch
    # thread does not); the build publishes exactly the bytes checked.
    synonyms = checked_synonyms(corpus_dir)
    for check in dict.fromkeys(checks):
        if check is not check_synonyms:  # done just above
            check(corpus_dir)
    with build_lock(index_root, wait=wait) as interrupted, remembered_missing_columns():
        notes = [interrupted] if interrupted else []
        try:
            pointer = read_pointer(index_root)
        except IndexMissingError as error:
            # Only something outside foramen can damage CURRENT (it is replaced whole):
            # rebuild from scratch rather than ask for a build that would fail the same way.
            pointer = None
            notes.append(f"{error.args[0].split(';')[0]}; rebuilding from scratch")
        else:
            # (After damage, the full build numbers past every folder and then removes them.)
            notes += recover(index_root, pointer)
        generation = index_root / pointer.dir if pointer else None
        if generation is not None:
            notes += _recover_generation(generation)
        manifest = None
        if not full and pointer and pointer.schema == SCHEMA_VERSION and generation:
            manifest = read_manifest(generation)
        if manifest is None or pointer is None or generation is None:
            report = _build_full(
                index_root, pointer, started, progress, corpus_dir, synonyms, procs
            )
        else:
            scan = scan_corpus(corpus_dir, manifest[1])
            report = _build_incremental(
                index_root, pointer, generation, manifest, scan, started, progress
            )
        publish_synonyms(synonyms, index_root)  # the query side loads them per generation
        return dataclasses.replace(report, notes=(*notes, *report.notes))


def _recover_generation(generation: Path) -> list[str]:
    """Remove temporary files an interrupted commit left inside the current generation."""
    notes = []
    # Our own temporaries are ".NAME.PID" (manifest, synonyms); Whoosh's "_MAIN_N.toc.TIME".
    for pattern in (".*.*", "_MAIN_*.toc.*"):
        for temporary in generation.glob(pattern):
            temporary.unlink(missing_ok=True)
            notes.append(f"removed {generation.name}/{temporary.name} of an interrupted build")
    return notes


def _expected_sections(paths: list[Path]) -> int:
    """About how many sections ``paths`` hold (heading lines), to size progress and writers."""
    count = 0
    for path in paths:
        data = path.read_bytes()
        count += data.count(b"\n#") + data.startswith(b"#") + 1
    return count


def _document(section: Section, article_title: str) -> dict[str, object]:
    return {
        "id": section.id,
        "article": section.article,
        "article_title": article_title,
        "title": section.title,
        "path": PATH_SEPARATOR.join(section.path),
        "body": section.text,
        "facts": section.text,
        "part": section.part,
        "level": section.level,
        "order": section.order,
        "hash": section.content_hash,
    }


def _article_titles(sections: Iterable[Section]) -> dict[str, str]:
    return {s.article: s.title for s in sections if s.order == 0 and s.level == 1}


def _article_title(section: Section, titles: dict[str, str]) -> str:
    return titles.get(section.article) or read_article(Path(section.source)).title


def _build_full(
    root: Path,
    pointer: Pointer | None,
    started: float,
    progress: Progress | None,
    corpus_dir: Path,
    synonyms: bytes | None,
    procs: int | None = None,
) -> BuildReport:
    """Parse and index the corpus one file at a time into a new generation, then swap.

    Only one file's sections are in memory at once; an invalid file stops the build and
    its half-written generation is dropped, so the previous index keeps answering.
    """
    paths = article_paths(corpus_dir)
    expected = _expected_sections(paths)
    if procs is None:
        procs = WRITER_PROCS if expected >= MULTIPROCESS_AFTER else 1
    scan = CorpusScan()
    target = next_generation_dir(root)
    target.mkdir(parents=True)
    try:
        ix = whoosh_index.create_in(str(target), section_schema())
        writer = full_build_writer(ix, procs)
        done = 0
        try:
            for sections in scan_files(paths, {}, scan):
                titles = _article_titles(sections)
                for section in sections:
                    writer.add_document(**_document(section, _article_title(section, titles)))
                    done += 1
                    if progress is not None:
                        progress(min(done, expected), max(expected, done))
        except BaseException:
            cancel(writer)
            raise
        writer.commit(**commit_options(procs))
        save_generation_arrays(target)
        write_manifest(target, ix.latest_generation(), scan.entries)
        if synonyms is not None:
            # Staged before the generation is announced: a reader that opens it must never
            # see the new sections without their rules (publish_synonyms then has nothing
            # to do).
            (target / SYNONYMS_FILE).write_bytes(synonyms)
    except BaseException:
        # Nothing points at the new generation yet: drop it, the old one keeps serving.
        shutil.rmtree(target, ignore_errors=True)
        raise
    # Build numbers only grow (pages are cached by them), even when CURRENT was lost.
    build = (pointer.build + 1) if pointer else int(target.name[len(GENERATION_PREFIX) :])
    write_pointer(root, Pointer(target.name, build, SCHEMA_VERSION, done, ix.latest_generation()))
    # Keep the previous generation one round for readers that are still on it.
    remove_stale_generations(root, keep={target.name, pointer.dir if pointer else ""})
    return BuildReport(done, 0, 0, 0, time.perf_counter() - started, True, done)


def _build_incremental(
    root: Path,
    pointer: Pointer,
    generation: Path,
    manifest: tuple[int, dict[str, FileEntry]],
    scan: CorpusScan,
    started: float,
    progress: Progress | None,
) -> BuildReport:
    old = {sid: digest for entry in manifest[1].values() for sid, digest, _ in entry.sections}
    new = {sid: digest for entry in scan.entries.values() for sid, digest, _ in entry.sections}
    removed = [sid for sid in old if sid not in new]
    added = [sid for sid in new if sid not in old]
    updated = [sid for sid in new if sid in old and old[sid] != new[sid]]
    unchanged = len(new) - len(added) - len(updated)
    notes = []
    if removed or added or updated:
        ix = whoosh_index.open_dir(str(generation))
        try:
            writer: SegmentWriter = ix.writer(timeout=10.0)
        except whoosh_index.LockError:
            raise IndexBusyError(
                f"another program is writing the Whoosh index in {generation}; "
                "stop it and build again"
            ) from None
        try:
            for sid in removed:
                writer.delete_by_term("id", sid)
            changed = [scan.parsed[sid] for sid in (*updated, *added)]
            titles = _article_titles(scan.parsed.values())
            for done, section in enumerate(changed, start=1):
                writer.update_document(**_document(section, _article_title(section, titles)))
                if progress is not None:
                    progress(done, len(changed))
        except BaseException:
            writer.cancel()  # releases Whoosh's write lock, which a server process reuses
            raise
        writer.commit()
        save_generation_arrays(generation)
        write_manifest(generation, ix.latest_generation(), scan.entries)
        write_pointer(
            root,
            Pointer(
                pointer.dir, pointer.build + 1, SCHEMA_VERSION, len(new), ix.latest_generation()
            ),
        )
    else:
        if manifest[1].keys() != scan.entries.keys() or any(
            manifest[1][k].digest != e.digest for k, e in scan.entries.items()
        ):
            # Bytes changed but no section did (whitespace, front matter order): remember
            # the new digests so the next build does not parse these files again.
            write_manifest(generation, manifest[0], scan.entries)
        if pointer.whoosh != manifest[0]:
            # A build was killed after its commit and manifest but before announcing them:
            # the index is right, but readers opened before it were never told to reopen.
            write_pointer(
                root,
                Pointer(pointer.dir, pointer.build + 1, SCHEMA_VERSION, len(new), manifest[0]),
            )
            if pointer.whoosh:  # 0: a CURRENT written before it recorded this; no news
                notes.append("announced changes an interrupted build had committed")
    return BuildReport(
        len(added),
        len(updated),
        len(removed),
        unchanged,
        time.perf_counter() - started,
        False,
        len(new),
        tuple(notes),
    )
