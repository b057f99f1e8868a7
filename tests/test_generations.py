"""One truth per build: the same corpus ranks the same whatever the build history.

Statistics (document count, document frequencies, mean field lengths) count the
sections live in the generation only, so sections an incremental build deleted or
replaced weigh nowhere.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from indexer.build import build_index
from indexer.search import Engine

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "relevance" / "queries.tsv"


def _queries() -> list[str]:
    with SUITE.open(encoding="utf-8") as stream:
        rows = [r for r in csv.reader(stream, delimiter="\t") if r and not r[0].startswith("#")]
    return [r[3] for r in rows if len(r) > 3]


def _edit(corpus: Path) -> None:
    article = next(corpus.glob("*.md"))
    text = article.read_text("utf-8")
    # Replace a few sections' text and drop one section: deletions in the big segment.
    text = text.replace("thigh", "upper leg", 3).replace("## Kemp", "### Kemp", 1)
    article.write_text(text, "utf-8")


def test_incremental_and_full_builds_rank_every_judged_query_alike(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    stepwise, whole = tmp_path / "stepwise", tmp_path / "whole"
    build_index(corpus, stepwise, full=True)
    _edit(corpus)
    report = build_index(corpus, stepwise)
    assert not report.full and report.changed
    build_index(corpus, whole, full=True)
    engines = Engine(stepwise, cache_size=0), Engine(whole, cache_size=0)
    with engines[0].snapshot() as current:
        assert not current.model.live.all()  # the incremental build left deleted documents
    queries = _queries()
    assert len(queries) > 200
    for text in queries:
        a, b = (e.search(text, limit=10) for e in engines)
        assert a.total == b.total, text
        assert [h.id for h in a.hits] == [h.id for h in b.hits], text
        assert [round(h.score, 9) for h in a.hits] == [round(h.score, 9) for h in b.hits], text
        assert a.facets == b.facets, text


def test_a_new_generation_reuses_unchanged_synonyms_and_spells_its_own_words(
    tmp_path: Path,
) -> None:
    """Opening a generation re-reads the synonyms only when their file changed, and the
    speller (made in the background) knows the new generation's words."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    root = tmp_path / "index"
    build_index(corpus, root, full=True)
    engine = Engine(root, cache_size=0)
    with engine.snapshot() as first:
        rules = first.vocabulary.synonyms
    article = next(corpus.glob("*.md"))
    article.write_text(
        article.read_text("utf-8") + "\n## Zygapophyseal Orientation\n\nFacet angles vary.\n",
        "utf-8",
    )
    build_index(corpus, root)
    with engine.snapshot() as second:
        assert second.build != first.build
        assert second.vocabulary.synonyms is rules
    result = engine.search("zygapophyseal orientatoin")
    assert result.suggestion == "zygapophyseal orientation"
    (corpus / "synonyms.txt").write_text("facet angles, zygapophyseal\n", "utf-8")
    build_index(corpus, root)
    with engine.snapshot() as third:
        assert third.vocabulary.synonyms is not rules
    assert engine.search("facet angles").total >= 1
