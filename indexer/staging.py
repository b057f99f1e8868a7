"""Staged generations: build the corpus beside the live index, publish it only when asked.

    <index>/staged/            an index root of its own: the candidate of ``build --check``
      CURRENT, gen-000001/       a full build, searchable by an ``Engine(<index>/staged)``
    <index>/check.json         the last check's outcome (the editor page's banner)
    <index>/checks.log         one line per check: published, refused or forced

A candidate is published by moving its generation folder into the index root under the
next free ``gen-*`` name and replacing ``CURRENT`` atomically (``store.write_pointer``),
so readers see the old index or the new one, never a mix. Until then the live index keeps
answering; a refused candidate stays in ``staged/`` for inspection until the next check.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from indexer.build import BuildReport, CorpusCheck, build_index
from indexer.errors import IndexMissingError
from indexer.manifest import read_manifest
from indexer.store import (
    Pointer,
    next_generation_dir,
    read_pointer,
    remove_stale_generations,
    write_pointer,
)
from indexer.synonyms import SYNONYMS_FILE

STAGED = "staged"
CHECK_STATUS = "check.json"
CHECK_LOG = "checks.log"
CHECK_LOG_LINES = 200  # the log keeps the most recent checks only


def staged_root(index_root: Path) -> Path:
    return Path(index_root) / STAGED


def stage(
    corpus_dir: Path, target: Path, checks: tuple[CorpusCheck, ...] = (), wait: float = 30.0
) -> BuildReport:
    """A full build of ``corpus_dir`` into the fresh index root ``target`` (emptied first).

    An invalid corpus raises ``CorpusError`` and leaves nothing behind.
    """
    shutil.rmtree(target, ignore_errors=True)
    try:
        return build_index(corpus_dir, target, full=True, wait=wait, checks=checks)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


@contextmanager
def scratch_stage(
    corpus_dir: Path, index_root: Path, checks: tuple[CorpusCheck, ...] = ()
) -> Iterator[Path]:
    """A staged build in a temporary folder beside the index, removed when the block ends."""
    Path(index_root).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".scratch-", dir=index_root) as folder:
        root = Path(folder) / "index"
        stage(corpus_dir, root, checks)
        yield root


def live_pointer(index_root: Path) -> Pointer | None:
    """The live ``CURRENT``, or None when there is none or it is damaged (nothing to compare)."""
    try:
        return read_pointer(index_root)
    except IndexMissingError:
        return None


def changes_from_live(index_root: Path, candidate: Path, seconds: float) -> BuildReport:
    """Sections added, updated, removed and unchanged between the live index and a candidate."""
    new = _section_hashes(candidate)
    old = _section_hashes(index_root)
    updated = sum(1 for sid, digest in new.items() if sid in old and old[sid] != digest)
    added = sum(1 for sid in new if sid not in old)
    unchanged = len(new) - added - updated
    removed = sum(1 for sid in old if sid not in new)
    return BuildReport(added, updated, removed, unchanged, seconds, True, len(new))


def _section_hashes(root: Path) -> dict[str, str]:
    pointer = live_pointer(root)
    if pointer is None:
        return {}
    manifest = read_manifest(root / pointer.dir)
    if manifest is None:
        return {}
    return {sid: digest for entry in manifest[1].values() for sid, digest, _ in entry.sections}


def same_synonyms(index_root: Path, candidate: Path) -> bool:
    def rules(root: Path) -> bytes | None:
        pointer = live_pointer(root)
        path = root / pointer.dir / SYNONYMS_FILE if pointer else None
        return path.read_bytes() if path is not None and path.is_file() else None

    return rules(index_root) == rules(candidate)


def publish(index_root: Path, candidate: Path) -> Pointer:
    """Make the candidate's generation the live one. Call while holding the build lock."""
    staged = read_pointer(candidate)
    if staged is None:
        raise IndexMissingError(f"{candidate} holds no staged generation to publish")
    live = live_pointer(index_root)
    target = next_generation_dir(index_root)
    os.replace(candidate / staged.dir, target)  # same filesystem: a rename
    pointer = Pointer(
        target.name,
        (live.build if live else 0) + 1,  # build numbers only grow: pages are cached by them
        staged.schema,
        staged.sections,
        staged.whoosh,
    )
    write_pointer(index_root, pointer)
    # Keep the previous generation one round for readers that are still on it.
    remove_stale_generations(index_root, keep={target.name, live.dir if live else ""})
    shutil.rmtree(candidate, ignore_errors=True)
    return pointer


@dataclass(frozen=True, slots=True)
class CheckStatus:
    """What the last check decided, for the server log and the editor page's banner."""

    outcome: str  # "published", "refused", "forced", "unchanged" or "invalid"
    message: str
    failures: tuple[str, ...] = ()
    staged: str | None = None
    at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome in ("published", "unchanged")


def record_check(index_root: Path, status: CheckStatus) -> None:
    """Replace ``check.json`` atomically and append a line to ``checks.log``."""
    root = Path(index_root)
    root.mkdir(parents=True, exist_ok=True)
    body = {
        "outcome": status.outcome,
        "message": status.message,
        "failures": list(status.failures),
        "staged": status.staged,
        "at": status.at or time.time(),
    }
    temporary = root / f".{CHECK_STATUS}.{os.getpid()}"
    temporary.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
    os.replace(temporary, root / CHECK_STATUS)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(body["at"]))  # type: ignore[arg-type]
    line = f"{stamp} {status.outcome}: {status.message}"
    line += "".join(f"; {failure}" for failure in status.failures)
    log = root / CHECK_LOG
    previous = log.read_text("utf-8").splitlines() if log.is_file() else []
    kept = [*previous[-(CHECK_LOG_LINES - 1) :], line.replace("\n", " ")]
    temporary = root / f".{CHECK_LOG}.{os.getpid()}"
    temporary.write_text("\n".join(kept) + "\n", "utf-8")
    os.replace(temporary, log)


def read_check(index_root: Path) -> CheckStatus | None:
    """The last check's outcome; None when no check ran (or its record is unreadable)."""
    try:
        data = json.loads((Path(index_root) / CHECK_STATUS).read_text("utf-8"))
        return CheckStatus(
            str(data["outcome"]),
            str(data["message"]),
            tuple(str(f) for f in data.get("failures", [])),
            None if data.get("staged") is None else str(data["staged"]),
            float(data.get("at", 0.0)),
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a damaged record only loses the banner; the next check rewrites it
