"""Where the corpus and the index are: an option, else an environment variable, else a default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CORPUS_ENV = "FORAMEN_CORPUS"
INDEX_ENV = "FORAMEN_INDEX"
CORS_ENV = "FORAMEN_CORS_ORIGINS"  # comma-separated origins that may read the API; "*": any
QUERY_LOG_ENV = "FORAMEN_QUERY_LOG"  # the query log's SQLite file; "off": no log
SUITE_ENV = "FORAMEN_SUITE"  # the relevance judgments: queries.tsv, qrels.txt, baseline.json
EDITOR_ENV = "FORAMEN_EDITOR"  # "1": editor mode (set by `foramen serve --editor`)
EDITOR_TOKEN_ENV = "FORAMEN_EDITOR_TOKEN"  # editors sign in with it; required off loopback
EDITOR_SECRET_ENV = "FORAMEN_EDITOR_SECRET"  # signs CSRF tokens alike in every worker
DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("var/index")
DEFAULT_SUITE = Path("tests/relevance")
QUERY_LOG_OFF = "off"


@dataclass(frozen=True, slots=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    cors_origins: tuple[str, ...] = ("*",)
    query_log: Path | None = None  # None: no query log
    suite_dir: Path = DEFAULT_SUITE
    editor: bool = False
    editor_token: str | None = None
    editor_secret: str = ""
    check: bool = False  # --watch publishes an edit only when the judgments hold

    @classmethod
    def from_env(cls) -> Settings:
        origins = os.environ.get(CORS_ENV)
        index_dir = Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX)
        return cls(
            Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS),
            index_dir,
            ("*",) if origins is None else parse_origins(origins),
            query_log_path(index_dir, os.environ.get(QUERY_LOG_ENV)),
            Path(os.environ.get(SUITE_ENV) or DEFAULT_SUITE),
            os.environ.get(EDITOR_ENV) == "1",
            os.environ.get(EDITOR_TOKEN_ENV) or None,
            os.environ.get(EDITOR_SECRET_ENV, ""),
        )

    def export(self) -> None:
        """Put these paths in the environment, for worker processes that read them back."""
        os.environ[CORPUS_ENV] = str(self.corpus_dir.resolve())
        os.environ[INDEX_ENV] = str(self.index_dir.resolve())
        os.environ[CORS_ENV] = ",".join(self.cors_origins)
        log = self.query_log
        os.environ[QUERY_LOG_ENV] = QUERY_LOG_OFF if log is None else str(log.resolve())
        os.environ[SUITE_ENV] = str(self.suite_dir.resolve())
        os.environ[EDITOR_ENV] = "1" if self.editor else "0"
        os.environ[EDITOR_TOKEN_ENV] = self.editor_token or ""
        os.environ[EDITOR_SECRET_ENV] = self.editor_secret


def query_log_path(index_dir: Path, value: str | None) -> Path | None:
    """The query log's file: ``value`` if given ("off": none), else one in the index folder."""
    from indexer.querylog import QUERY_LOG_FILE

    if value == QUERY_LOG_OFF:
        return None
    return Path(value) if value else index_dir / QUERY_LOG_FILE


def parse_origins(text: str) -> tuple[str, ...]:
    """'https://a.org, https://b.org' -> both; '' -> none (no other site may read the API)."""
    return tuple(origin.strip() for origin in text.split(",") if origin.strip())
