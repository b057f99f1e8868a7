"""What the last build saw of each corpus file, so the next one parses only what changed.

``manifest.json`` in a generation folder maps each article file to the digest of its
bytes and its sections' ids, content hashes and lines. It records the Whoosh generation
it describes: a manifest that does not match the index (a build died between its commit
and its manifest) is ignored, and the build takes the full path.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.chunk import UniqueIds, chunk_article, markdown_parser
from indexer.corpus import article_paths, read_article
from indexer.models import Section

MANIFEST = "manifest.json"


@dataclass(slots=True)
class FileEntry:
    """What the manifest remembers of one corpus file."""

    digest: str
    sections: list[tuple[str, str, int]]  # (id, content hash, line)


@dataclass(slots=True)
class CorpusScan:
    """The corpus as this build sees it: parsed sections of changed files, entries of all."""

    entries: dict[str, FileEntry] = field(default_factory=dict)
    parsed: dict[str, Section] = field(default_factory=dict)


def scan_corpus(corpus_dir: Path, known: dict[str, FileEntry]) -> CorpusScan:
    """Read every article; parse those whose bytes changed; check ids are unique."""
    scan = CorpusScan()
    for sections in scan_files(article_paths(corpus_dir), known, scan):
        scan.parsed.update((s.id, s) for s in sections if s.id not in scan.parsed)
    return scan


def scan_files(
    paths: Iterable[Path], known: dict[str, FileEntry], scan: CorpusScan
) -> Iterator[list[Section]]:
    """The sections of each file whose bytes changed, one file at a time, recording every
    file's entry in ``scan`` and checking ids are unique as it goes."""
    parser = markdown_parser()
    ids = UniqueIds()
    for path in paths:
        key = path.name
        data = path.read_bytes()  # hashed and parsed alike, even if an editor saves meanwhile
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        entry = known.get(key)
        sections: list[Section] | None = None
        if entry is None or entry.digest != digest:
            sections = chunk_article(read_article(path, data), parser)
            entry = FileEntry(digest, [(s.id, s.content_hash, s.line) for s in sections])
        for section_id, _, line in entry.sections:
            ids.claim(section_id, path, line)
        scan.entries[key] = entry
        if sections is not None:
            yield sections


def read_manifest(generation: Path) -> tuple[int, dict[str, FileEntry]] | None:
    """The manifest, if it describes the index as it is; None sends the build down the full path."""
    try:
        data = json.loads((generation / MANIFEST).read_text("utf-8"))
        ix = whoosh_index.open_dir(str(generation))
        if int(data["generation"]) != ix.latest_generation():
            return None  # a build died between its Whoosh commit and its manifest
        entries = {
            key: FileEntry(value["digest"], [tuple(s) for s in value["sections"]])
            for key, value in data["files"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, whoosh_index.EmptyIndexError):
        return None  # missing or damaged: rebuild from scratch rather than trust it
    return int(data["generation"]), entries


def write_manifest(generation: Path, whoosh_generation: int, entries: dict[str, FileEntry]) -> None:
    data = {
        "generation": whoosh_generation,
        "files": {k: {"digest": e.digest, "sections": e.sections} for k, e in entries.items()},
    }
    temporary = generation / f".{MANIFEST}.{os.getpid()}"
    temporary.write_text(json.dumps(data), "utf-8")
    os.replace(temporary, generation / MANIFEST)
