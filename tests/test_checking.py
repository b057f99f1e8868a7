"""`foramen build --check` publishes only what keeps the judged queries, and `foramen diff`
shows what an edit would change."""

from __future__ import annotations

import json
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from foramen.cli import main
from foramen.server import watch_corpus
from foramen.settings import Settings
from indexer import staging
from indexer.build import build_index
from indexer.checking import check_and_publish, judges_this_index
from indexer.querylog import QUERY_LOG_FILE, QueryLog
from indexer.search import Engine
from indexer.staging import CHECK_LOG, STAGED, read_check
from indexer.store import read_pointer
from tests.conftest import ROOT, SMALL_ARTICLE, WriteCorpus

QUERIES = """\
# qid\tkind\tsplit\tquery
term-01\tterm\tdev\tmeniscus tear
term-02\tterm\tdev\tquadriceps strengthening
none-01\tnoanswer\tdev\tzzyzx
"""
QRELS = """\
term-01 0 meniscus-tear 2
term-02 0 quadriceps-strengthening 2
"""
WATCH_TIMEOUT = 30.0  # seconds; generous for a loaded machine, never hit when watching works
BROKEN = SMALL_ARTICLE.replace("#### Meniscus Tear", "#### Cartilage Injury").replace(
    "tears the cartilage", "injures the cartilage"
)


def write_suite(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "queries.tsv").write_text(QUERIES, "utf-8")
    (folder / "qrels.txt").write_text(QRELS, "utf-8")
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def check(corpus: Path, index: Path, suite: Path, *extra: str) -> Result:
    return run(
        "build", "--check", "--corpus", str(corpus), "--index", str(index), "--suite", str(suite),
        *extra,
    )  # fmt: skip


def top(index: Path, query: str) -> list[str]:
    engine = Engine(index, cache_size=0)
    try:
        return [hit.id for hit in engine.search(query, limit=5).hits]
    finally:
        engine.close()


def test_a_harmless_edit_is_published(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    first = check(corpus, index, suite)
    assert first.exit_code == 0, first.output
    assert "published gen-000001 (build 1): every gate holds" in first.output
    assert "nothing live yet" in first.output
    (corpus / "knee.md").write_text(SMALL_ARTICLE.replace("with rest", "with ice"), "utf-8")
    second = check(corpus, index, suite)
    assert second.exit_code == 0, second.output
    assert "against the live index: 0 better, 0 worse" in second.output
    assert "0 added, 1 updated, 0 removed, 6 unchanged in " in second.output
    pointer = read_pointer(index)
    assert pointer is not None and pointer.dir == "gen-000002" and pointer.build == 2
    assert top(index, "ice") == ["knee-pain"]
    assert not (index / STAGED).exists()
    # The published generation carries its manifest: the next build is incremental.
    again = run("build", "--corpus", str(corpus), "--index", str(index))
    assert again.output.startswith("0 added, 0 updated, 0 removed, 7 unchanged")


def test_nothing_changed_publishes_nothing(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    before = read_pointer(index)
    result = check(corpus, index, suite)
    assert result.exit_code == 0
    assert "unchanged: nothing changed; the live index stays" in result.output
    assert read_pointer(index) == before


def test_an_edit_that_breaks_a_judged_query_is_refused(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    before = read_pointer(index)
    (corpus / "knee.md").write_text(BROKEN, "utf-8")
    result = check(corpus, index, suite)
    assert result.exit_code == 3, result.output
    assert "against the live index: 0 better, 1 worse" in result.output
    assert "worse  term-01        1.000 -> 0.000 (-1.000)  'meniscus tear'" in result.output
    assert "before: meniscus-tear" in result.output
    assert "warning: term-01 judges 'meniscus-tear', which the edit removes" in result.output
    assert "FAIL: term-01 nDCG@10 falls from 1.000 to 0.000 against the live index" in (
        result.stderr
    )
    refused = "refused: not published; the live index keeps answering; the staged generation"
    assert f"{refused} is kept in {index / STAGED}\n" in result.output
    # The live index is untouched and still answers; the candidate is kept to inspect.
    assert read_pointer(index) == before
    assert top(index, "meniscus tear")[0] == "meniscus-tear"
    assert top(index / STAGED, "cartilage injury")[0] == "cartilage-injury"
    status = read_check(index)
    assert status is not None and status.outcome == "refused" and status.failures

    forced = check(corpus, index, suite, "--force")
    assert forced.exit_code == 0, forced.output
    assert "forced: published gen-000002 (build 2): forced past failed gates" in forced.output
    assert top(index, "cartilage injury")[0] == "cartilage-injury"
    log = (index / CHECK_LOG).read_text("utf-8").splitlines()
    assert [line.split()[1] for line in log] == ["refused:", "forced:"]
    assert "term-01 nDCG@10 falls" in log[-1]


def test_a_regression_against_the_baseline_is_refused(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    """With no live index to compare with, the baseline still guards every query."""
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    baseline = {"queries": {"term-01": {"nDCG@10": 1.0}, "term-02": {"nDCG@10": 1.0}}}
    (suite / "baseline.json").write_text(json.dumps(baseline), "utf-8")
    (corpus / "knee.md").write_text(BROKEN, "utf-8")
    result = check(corpus, index, suite)
    assert result.exit_code == 3
    assert "term-01 nDCG@10 fell from 1.000 to 0.000, more than 0.05 below the baseline" in (
        result.stderr
    )
    assert read_pointer(index) is None, "nothing was published"


def test_a_query_below_both_baseline_and_live_is_said_once(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    (suite / "baseline.json").write_text(json.dumps({"queries": {"term-01": {"nDCG@10": 1}}}))
    build_index(corpus, index)
    (corpus / "knee.md").write_text(BROKEN, "utf-8")
    result = check(corpus, index, suite)
    assert result.exit_code == 3
    about_term_01 = [line for line in result.stderr.splitlines() if "term-01" in line]
    assert about_term_01 == [
        "FAIL: term-01 nDCG@10 fell from 1.000 to 0.000, more than 0.05 below the baseline"
    ]


def test_an_invalid_corpus_stops_the_check(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    before = read_pointer(index)
    (corpus / "bad.md").write_text("---\ntitle: Bad\nwho: me\n---\n\n# Bad\n", "utf-8")
    result = check(corpus, index, suite)
    assert result.exit_code == 1
    assert "bad.md:3" in result.stderr
    assert read_pointer(index) == before and not (index / STAGED).exists()
    status = read_check(index)
    assert status is not None and status.outcome == "invalid"


def test_a_broken_suite_is_a_clear_error(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    (suite / "queries.tsv").write_text("term-01\tterm\tmeniscus\n", "utf-8")
    result = check(corpus, index, suite)
    assert result.exit_code == 1
    assert "queries.tsv:1: expected 4 tab-separated fields" in result.stderr
    assert read_pointer(index) is None


def test_force_needs_check(write_corpus: WriteCorpus, tmp_path: Path) -> None:
    result = run("build", "--force", "--corpus", str(write_corpus()), "--index", str(tmp_path))
    assert result.exit_code == 2 and "--force only applies to --check" in result.output


def test_diff_lists_the_queries_whose_top_5_change(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    args = ["diff", "--corpus", str(corpus), "--index", str(index), "--suite", str(suite)]
    unchanged = run(*args)
    assert unchanged.exit_code == 0
    assert unchanged.output == "0 of 3 queries change their top 5\n"
    (corpus / "knee.md").write_text(BROKEN, "utf-8")
    changed = run(*args)
    assert changed.exit_code == 0
    assert changed.output == textwrap.dedent(
        """\
        term-01        'meniscus tear'
          before: meniscus-tear
          after:  (nothing found)
        1 of 3 queries change their top 5
        """
    )
    assert top(index, "meniscus tear") == ["meniscus-tear"], "diff publishes nothing"
    assert [p.name for p in index.iterdir() if p.name.startswith(".scratch")] == []


@pytest.mark.slow
def test_serve_watch_checks_each_edit(
    write_corpus: WriteCorpus, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    before = read_pointer(index)
    settings = Settings(corpus, index, suite_dir=suite, check=True)
    stop = threading.Event()
    watcher = threading.Thread(target=watch_corpus, args=(settings, stop), daemon=True)
    watcher.start()
    try:
        deadline = time.monotonic() + WATCH_TIMEOUT
        while (status := read_check(index)) is None and time.monotonic() < deadline:
            # Edit again each round: the first edit may land before the watcher is ready.
            (corpus / "knee.md").write_text(BROKEN + f"\n<!-- {time.time()} -->\n", "utf-8")
            time.sleep(0.5)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert status is not None and status.outcome == "refused"
    assert read_pointer(index) == before
    assert "corpus changed: refused: not published" in caplog.text
    assert "term-01 nDCG@10 falls from 1.000 to 0.000" in caplog.text


def test_editor_mode_off_this_machine_needs_a_token(write_corpus: WriteCorpus) -> None:
    result = run("serve", "--editor", "--host", "0.0.0.0", "--corpus", str(write_corpus()))
    assert result.exit_code == 2
    assert "--editor on 0.0.0.0 needs --editor-token" in result.output


def test_a_publish_that_dies_half_way_leaves_the_live_index(
    write_corpus: WriteCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between moving the staged generation in and replacing CURRENT: readers keep
    the old index, and the next build clears the orphan folder."""
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    before = read_pointer(index)
    (corpus / "knee.md").write_text(SMALL_ARTICLE.replace("with rest", "with ice"), "utf-8")

    def die(root: Path, pointer: object) -> None:
        raise OSError("killed before CURRENT was replaced")

    monkeypatch.setattr(staging, "write_pointer", die)
    with pytest.raises(OSError, match="killed before CURRENT"):
        check_and_publish(corpus, index, suite)
    monkeypatch.undo()
    assert read_pointer(index) == before
    assert top(index, "rest") == ["knee-pain"] and top(index, "ice") == []
    report = build_index(corpus, index)
    assert "removed gen-000002, left behind by an interrupted full build" in report.notes
    assert top(index, "ice") == ["knee-pain"]


def test_watch_checks_only_with_judgments_of_this_corpus(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    """`serve --watch` on another corpus than the judgments' publishes unchecked."""
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    assert judges_this_index(suite, index), "nothing live yet: the check applies"
    build_index(corpus, index)
    assert judges_this_index(suite, index)
    assert not judges_this_index(ROOT / "tests" / "relevance", index)
    assert not judges_this_index(tmp_path / "no-suite", index)


def test_diff_compares_the_most_searched_queries_too(
    write_corpus: WriteCorpus, tmp_path: Path
) -> None:
    corpus, suite, index = write_corpus(), write_suite(tmp_path / "suite"), tmp_path / "index"
    build_index(corpus, index)
    log = QueryLog(index / QUERY_LOG_FILE)
    for text in ["Twisting injury", "twisting  injury", "meniscus tear", "knee"]:
        log.record_search(text, 1)
    log.flush()
    (corpus / "knee.md").write_text(BROKEN.replace("twisting injury", "fall"), "utf-8")
    args = ["diff", "--corpus", str(corpus), "--index", str(index), "--suite", str(suite)]
    result = run(*args)
    assert result.exit_code == 0
    assert "searched 2×    'twisting injury'\n  before: meniscus-tear\n" in result.output
    assert result.output.endswith("3 of 5 queries change their top 5\n"), "judged ones once"
    fewer = run(*args, "--top", "0")
    assert fewer.output.endswith("of 3 queries change their top 5\n")
