"""Where an index lives on disk, and how builds and readers agree on which one is current.

    <root>/
      CURRENT        {"dir": "gen-000003", "build": 17, "schema": 1, "sections": 195,
                      "whoosh": 4}
      LOCK           flock()ed by a build; the kernel frees it if the build dies
      gen-000003/    a Whoosh index
      gen-000002/    the previous full build, kept one round for readers still on it

``CURRENT`` is replaced atomically (``os.replace``) after every successful build, so a
reader sees either the old or the new index, never a half-written one. A reader that
notices ``CURRENT`` changed (a cheap ``stat``) reopens.

A build killed at any point (even ``SIGKILL``) leaves the last good index answering.
The next build finds what it left behind under the lock and clears it, saying so
(``recover``): the dead build's pid in ``LOCK``, abandoned ``gen-*`` folders, temporary
files, and a Whoosh commit that landed without its ``CURRENT`` (``whoosh`` lags).
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
    whoosh: int = 0  # the Whoosh TOC generation of ``dir`` this build committed

    def to_json(self) -> str:
        return json.dumps(
            {
                "dir": self.dir,
                "build": self.build,
                "schema": self.schema,
                "sections": self.sections,
                "whoosh": self.whoosh,
            }
        )


def read_pointer(root: Path) -> Pointer | None:
    """The current index of ``root``, or None when nothing has been built there."""
    try:
        data = json.loads((root / CURRENT).read_text("utf-8"))
        return Pointer(
            str(data["dir"]),
            int(data["build"]),
            int(data["schema"]),
            int(data["sections"]),
            int(data.get("whoosh", 0)),
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
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
    _fsync_dir(root)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: some filesystems refuse)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # nothing to sync on a folder we cannot open; the rename itself is atomic
    try:
        os.fsync(fd)
    except OSError:
        pass  # e.g. tmpfs or network filesystems that cannot fsync a directory
    finally:
        os.close(fd)


def pointer_stamp(root: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of ``CURRENT``: changes whenever a build lands."""
    try:
        info = os.stat(root / CURRENT)
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def _generations(root: Path) -> dict[str, int]:
    """Every ``gen-NNNNNN`` folder of ``root`` by name, with its number."""
    found = {}
    for path in root.glob(f"{GENERATION_PREFIX}*"):
        number = path.name[len(GENERATION_PREFIX) :]
        if number.isdigit():
            found[path.name] = int(number)
    return found


def next_generation_dir(root: Path) -> Path:
    """A fresh ``gen-NNNNNN`` folder name, past every one that exists (even abandoned ones)."""
    numbers = _generations(root).values()
    return root / f"{GENERATION_PREFIX}{max(numbers, default=0) + 1:06d}"


def remove_stale_generations(root: Path, keep: set[str]) -> list[str]:
    """Delete generation folders other than ``keep``: old builds and abandoned ones."""
    removed = []
    for path in root.glob(f"{GENERATION_PREFIX}*"):
        if path.name not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def recover(root: Path, pointer: Pointer | None) -> list[str]:
    """Clear what killed builds left in ``root``; one message per thing cleared.

    Call only while holding ``build_lock``: then no build is running, so a generation
    newer than ``CURRENT``'s is an abandoned full build, and temporary files are orphans.
    The current generation and the newest one before it (kept one round for readers
    still on it) stay.
    """
    notes: list[str] = []
    generations = _generations(root)
    keep: set[str] = set()
    current = 0
    if pointer is not None:
        if pointer.dir not in generations:
            return notes  # CURRENT names no folder: the build starts afresh and cleans up
        current = generations[pointer.dir]
        older = [name for name, number in generations.items() if number < current]
        keep = {pointer.dir, *([max(older, key=generations.__getitem__)] if older else [])}
    for name, number in sorted(generations.items()):
        if name in keep:
            continue
        shutil.rmtree(root / name, ignore_errors=True)
        if number > current:
            notes.append(f"removed {name}, left behind by an interrupted full build")
    for temporary in root.glob(f".{CURRENT}.*"):
        temporary.unlink(missing_ok=True)
        notes.append(f"removed {temporary.name}, left behind by an interrupted build")
    return notes


def _holder(fd: int) -> str:
    """The pid written in the lock file (its holder, or a build that died holding it)."""
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 32).decode("ascii", "replace").strip()


@contextlib.contextmanager
def build_lock(root: Path, wait: float = 0.0) -> Iterator[str | None]:
    """Hold the build lock of ``root``; wait up to ``wait`` seconds for another build.

    ``flock`` locks die with their process, so a killed build never blocks the next one.
    The holder writes its pid into ``LOCK`` and empties it on the way out, so a pid still
    there when the lock is taken names a build that was killed: the context value is a
    message saying so (None after a clean finish), and ``recover`` clears its leftovers.
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
                    holder = _holder(fd)
                    who = f"pid {holder}, " if holder.isdigit() else ""
                    raise IndexBusyError(
                        f"another build is running on {root} ({who}waited {wait:g} s); "
                        "try again when it finishes, or pass a longer --wait"
                    ) from None
                time.sleep(0.05)
        dead = _holder(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield (
                f"a previous build (pid {dead}) was interrupted; its lock was released, "
                "clearing what it left"
                if dead
                else None
            )
        finally:
            os.ftruncate(fd, 0)  # a clean finish: the next build finds an empty lock file
    finally:
        os.close(fd)  # closing the descriptor releases the flock
