"""Shared fixtures: small corpora written into tmp_path, and one index of the real corpus."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.search import Engine

# The made-up corpus of many articles: fixtures multi_index and multi_client.
pytest_plugins = ["tests.multi_articles"]

ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = ROOT / "corpus"

SMALL_ARTICLE = """\
---
title: "Knee Pain"
updated: 2025-01-01
---

Knee pain is common and usually settles with rest.

## Causes

#### Meniscus Tear

A twisting injury tears the cartilage pad of the knee.

#### Kemp’s Sign {#kemp-sign}

An odd heading with a curly apostrophe and a pinned id.

## Treatments

### Exercise

#### Quadriceps Strengthening

Straight leg raises build the thigh muscles that support the knee.
"""


WriteCorpus = Callable[..., Path]


@pytest.fixture
def write_corpus(tmp_path: Path) -> WriteCorpus:
    """Write ``{name: markdown}`` into a fresh corpus folder and return it."""

    def write(files: dict[str, str] | None = None, folder: str = "corpus") -> Path:
        corpus = tmp_path / folder
        corpus.mkdir(exist_ok=True)
        for name, text in (files if files is not None else {"knee.md": SMALL_ARTICLE}).items():
            (corpus / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return corpus

    return write


@pytest.fixture
def small_index(tmp_path: Path, write_corpus: WriteCorpus) -> tuple[Path, Path]:
    """(corpus, index) of the small article, freshly built."""
    corpus = write_corpus()
    index = tmp_path / "index"
    build_index(corpus, index)
    return corpus, index


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the real corpus, shared by relevance and web tests."""
    index = tmp_path_factory.mktemp("real") / "index"
    build_index(REAL_CORPUS, index, full=True)
    return index


@pytest.fixture(scope="session")
def real_engine(real_index: Path) -> Engine:
    engine = Engine(real_index)
    yield engine  # type: ignore[misc]
    engine.close()
