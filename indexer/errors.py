"""Errors of our own, named for what went wrong."""

from __future__ import annotations

from pathlib import Path


class ForamenError(Exception):
    """Base class for every error foramen raises on purpose."""


class CorpusError(ForamenError):
    """The corpus is invalid: names the file and the line so an editor can fix it."""

    def __init__(self, file: Path | str, line: int | None, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {message}")


class IndexBusyError(ForamenError):
    """Another build holds the index lock."""


class IndexMissingError(ForamenError):
    """No index has been built yet at the given folder."""
