"""Where an index lives on disk, and how builds and readers agree on which one is current.

    <root>/
      CURRENT        {"dir": "gen-000003", "build": 17, "schema": 1, "sections": 195}
      LOCK           flock()ed by a build; the kernel frees it if the build dies
      gen-000003/    a Whoosh index
      gen-000002/    the previous full build, kept one round for readers still on it

``CURRENT`` is replaced atomically (``os.replace``) after every successful build, so a
reader sees either the old or the new index, never a half-written one. A reader that
notices ``CURRENT`` changed (a cheap ``stat``) reopens.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import IndexBusyError, IndexMissingError

CURRENT = "CURRENT"
LOCK = "LOCK"
GENERATION_PREFIX = "gen-"


@dataclass(frozen=True, slots=True)
class Pointer:
    """The contents of ``CURRENT``."""

    dir: str
    build: int
    schema: int
    sections: int

    def to_json(self) -> str:
        return json.dumps(
            {"dir": self.dir, "build": self.build, "schema": self.schema, "sections": self.sections}
        )


def read_pointer(root: Path) -> Pointer | None:
    """The current index of ``root``, or None when nothing has been built there."""
    try:
        data = json.loads((root / CURRENT).read_text("utf-8"))
        return Pointer(
            str(data["dir"]), int(data["build"]), int(data["schema"]), int(data["sections"])
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as error:
        raise IndexMissingError(
            f"{root / CURRENT} is damaged ({error}); run 'foramen build --full'"
        ) from None


def write_pointer(root: Path, pointer: Pointer) -> None:
    """Atomically make ``pointer`` the current index."""
    temporary = root / f".{CURRENT}.{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(pointer.to_json())
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, root / CURRENT)


def pointer_stamp(root: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of ``CURRENT``: changes whenever a build lands."""
    try:
        info = os.stat(root / CURRENT)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def next_generation_dir(root: Path) -> Path:
    """A fresh ``gen-NNNNNN`` folder name, past every one that exists (even abandoned ones)."""
    numbers = [
        int(p.name[len(GENERATION_PREFIX) :])
        for p in root.glob(f"{GENERATION_PREFIX}*")
        if p.name[len(GENERATION_PREFIX) :].isdigit()
    ]
    return root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"


def remove_stale_generations(root: Path, keep: set[str]) -> list[str]:
    """Delete generation folders other than ``keep``: old builds and abandoned ones."""
    removed = []
    for path in root.glob(f"{GENERATION_PREFIX}*"):
        if path.name not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


@contextlib.contextmanager
def build_lock(root: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the build lock of ``root``; wait up to ``wait`` seconds for another build.

    ``flock`` locks die with their process, so a killed build never leaves a stale lock.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"another build is running on {root} (waited {wait:g} s); "
                        "try again when it finishes"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock
