"""A small made-up corpus of three articles, for the pages that speak of many articles.

Two articles share a part name ("Symptoms") and a section heading ("Ibuprofen (NSAID)"),
with ids pinned to stay corpus-unique. The real corpus stays the single seed article.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from indexer.build import build_index
from webui import create_app

KNEE = """\
---
title: "Knee Pain"
updated: 2025-01-01
---

Knee pain is common and usually settles with rest.

## Symptoms {#knee-symptoms}

#### Swelling {#knee-swelling}

The knee swells after a twisting injury.

#### Pins and Needles {#knee-pins-and-needles}

Pins and needles around the kneecap come from an irritated nerve.

## Treatments {#knee-treatments}

### Drugs {#knee-drugs}

#### Ibuprofen (NSAID) {#knee-ibuprofen}

Ibuprofen eases knee pain and swelling for a few days.

#### Paracetamol {#knee-paracetamol}

Paracetamol eases knee pain when ibuprofen is not tolerated.
"""

THUMB = """\
---
title: "Numbness in the Thumb"
updated: 2025-03-02
---

Numbness in the thumb usually comes from a pinched nerve at the wrist.

## Symptoms {#thumb-symptoms}

#### Tingling {#thumb-tingling}

Pins and needles in the thumb, worse at night.

#### Weak Grip {#thumb-weak-grip}

Jars are hard to open and things slip from the hand.

## Drugs {#thumb-drugs}

#### Ibuprofen (NSAID) {#thumb-ibuprofen}

Ibuprofen calms the swollen tendons that press on the nerve.

## Causes {#thumb-causes}

#### Carpal Tunnel {#thumb-carpal-tunnel}

The median nerve is squeezed in the carpal tunnel of the wrist.

## Tests {#thumb-tests}

#### Tinel's Sign {#thumb-tinel}

Tapping over the nerve at the wrist brings on the tingling.
"""

ANKLE = """\
---
title: "Ankle Sprain"
updated: 2024-11-20
---

A sprained ankle hurts most in the first two days.

## Treatments {#ankle-treatments}

#### Rest and Ice {#ankle-rest}

Rest the ankle and cool it with ice for twenty minutes.

#### Ibuprofen for the Ankle {#ankle-ibuprofen}

Ibuprofen for three days eases the ankle's swelling.
"""

ARTICLES = {"knee-pain.md": KNEE, "thumb-numbness.md": THUMB, "ankle-sprain.md": ANKLE}
TITLES = {
    "knee-pain": "Knee Pain",
    "thumb-numbness": "Numbness in the Thumb",
    "ankle-sprain": "Ankle Sprain",
}


def write_articles(corpus: Path) -> Path:
    """Write the three articles into ``corpus`` (made if missing) and return it."""
    corpus.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def multi_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus, index) of the three articles, built once for a test module."""
    root = tmp_path_factory.mktemp("multi")
    corpus = write_articles(root / "corpus")
    build_index(corpus, root / "index", full=True)
    return corpus, root / "index"


@pytest.fixture(scope="module")
def multi_client(multi_index: tuple[Path, Path]) -> Iterator[TestClient]:
    """The web app serving the three articles."""
    corpus, index = multi_index
    with TestClient(create_app(index_dir=index, corpus_dir=corpus)) as client:
        yield client
