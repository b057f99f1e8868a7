"""Where the corpus and the index are: an option, else an environment variable, else a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CORPUS_ENV = "FORAMEN_CORPUS"
INDEX_ENV = "FORAMEN_INDEX"
DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("var/index")


@dataclass(frozen=True, slots=True)
class Settings:
    corpus_dir: Path
    index_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS),
            Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX),
        )

    def export(self) -> None:
        """Put these paths in the environment, for worker processes that read them back."""
        os.environ[CORPUS_ENV] = str(self.corpus_dir.resolve())
        os.environ[INDEX_ENV] = str(self.index_dir.resolve())
