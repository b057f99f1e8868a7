"""Grades given by editors, written into the relevance judgments ``foramen eval`` reads.

A grade changes one line of ``qrels.txt`` in place (``qid 0 section-id grade``), or adds
one after its query's last line, so the file keeps its order and comments and every
change is a small, reviewable diff. A query judged for the first time is appended to
``queries.tsv``. Each change reads, edits and replaces the file whole (a temporary file
and ``os.replace``) while holding an ``flock`` on ``.judgments.lock`` in the suite folder:
two editors grading at once both land, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import ForamenError

QRELS = "qrels.txt"
QUERIES = "queries.tsv"
LOCK = ".judgments.lock"
GRADES = (0, 1, 2)
MAX_QUERY_CHARS = 256
HELDOUT_EVERY = 4  # every fourth query of a kind is held out (tests/relevance/README.md)
QID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class JudgmentsError(ForamenError):
    """A judgments file that cannot be read, or a change that cannot be made; names file
    and line when a line is at fault."""

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class GradeChange:
    qid: str
    section: str
    before: int | None  # None: the section was not judged for the query
    after: int


@contextlib.contextmanager
def locked(suite_dir: Path) -> Iterator[None]:
    """Hold the judgments lock of ``suite_dir`` (the kernel frees it if the holder dies)."""
    fd = os.open(Path(suite_dir) / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def grades(suite_dir: Path) -> dict[str, dict[str, int]]:
    """Every grade: qid -> section id -> grade."""
    found: dict[str, dict[str, int]] = {}
    path = Path(suite_dir) / QRELS
    for _, qid, section, grade in _qrels(path, _read(path)):
        found.setdefault(qid, {})[section] = grade
    return found


def set_grade(suite_dir: Path, qid: str, section: str, grade: int) -> GradeChange:
    """Give ``section`` the grade ``grade`` for query ``qid``; the line changed is the diff."""
    if grade not in GRADES:
        raise JudgmentsError(Path(suite_dir) / QRELS, None, f"a grade is 0, 1 or 2, not {grade}")
    path = Path(suite_dir) / QRELS
    with locked(suite_dir):
        lines = _read(path)
        before: int | None = None
        last_of_query = None
        for index, line_qid, line_section, line_grade in _qrels(path, lines):
            if line_qid == qid:
                last_of_query = index
                if line_section == section:
                    before = line_grade
                    lines[index] = f"{qid} 0 {section} {grade}"
        if before is None:
            at = len(lines) if last_of_query is None else last_of_query + 1
            lines.insert(at, f"{qid} 0 {section} {grade}")
        if before != grade:
            _replace(path, lines)
    return GradeChange(qid, section, before, grade)


def add_query(suite_dir: Path, kind: str, text: str) -> str:
    """Append a query of ``kind`` to ``queries.tsv``; its new id (``kind-NN``)."""
    path = Path(suite_dir) / QUERIES
    text = " ".join(text.split())
    if not text or len(text) > MAX_QUERY_CHARS:
        raise JudgmentsError(path, None, f"a query has 1 to {MAX_QUERY_CHARS} characters")
    if not QID.fullmatch(kind):
        raise JudgmentsError(path, None, f"'{kind}' is not a kind of query")
    with locked(suite_dir):
        lines = _read(path)
        numbers = []
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 4:
                raise JudgmentsError(path, number, "expected 4 tab-separated fields")
            if fields[3] == text:
                return fields[0]  # judged already: grade it under its id
            prefix, _, tail = fields[0].rpartition("-")
            if prefix == kind and tail.isdigit():
                numbers.append(int(tail))
        qid = f"{kind}-{max(numbers, default=0) + 1:02d}"
        split = "heldout" if len(numbers) % HELDOUT_EVERY == HELDOUT_EVERY - 1 else "dev"
        _replace(path, [*lines, f"{qid}\t{kind}\t{split}\t{text}"])
    return qid


def _read(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as error:
        raise JudgmentsError(path, None, f"not UTF-8 ({error.reason})") from None


def _qrels(path: Path, lines: list[str]) -> Iterator[tuple[int, str, str, int]]:
    """(index, qid, section, grade) of every judgment line; a malformed one names its line."""
    for index, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 4 or not fields[3].lstrip("-").isdigit():
            raise JudgmentsError(path, index + 1, "expected 'qid 0 section-id grade'")
        yield index, fields[0], fields[2], int(fields[3])


def _replace(path: Path, lines: list[str]) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write("".join(f"{line}\n" for line in lines))
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
