"""Where the corpus and the index are: an option, else an environment variable, else a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CORPUS_ENV = "FORAMEN_CORPUS"
INDEX_ENV = "FORAMEN_INDEX"
CORS_ENV = "FORAMEN_CORS_ORIGINS"  # comma-separated origins that may read the API; "*": any
DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("var/index")


@dataclass(frozen=True, slots=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    cors_origins: tuple[str, ...] = ("*",)

    @classmethod
    def from_env(cls) -> Settings:
        origins = os.environ.get(CORS_ENV)
        return cls(
            Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS),
            Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX),
            ("*",) if origins is None else parse_origins(origins),
        )

    def export(self) -> None:
        """Put these paths in the environment, for worker processes that read them back."""
        os.environ[CORPUS_ENV] = str(self.corpus_dir.resolve())
        os.environ[INDEX_ENV] = str(self.index_dir.resolve())
        os.environ[CORS_ENV] = ",".join(self.cors_origins)


def parse_origins(text: str) -> tuple[str, ...]:
    """'https://a.org, https://b.org' -> both; '' -> none (no other site may read the API)."""
    return tuple(origin.strip() for origin in text.split(",") if origin.strip())
