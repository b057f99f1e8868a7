"""The relevance regression suite: the engine must stay above its gates and its baseline."""

from pathlib import Path

import pytest

from indexer import evaluation as ev
from indexer.search import Engine

SUITE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def report(real_engine: Engine) -> ev.Report:
    suite = ev.load_suite(SUITE)
    run, seconds = ev.run_suite(suite, ev.engine_search(real_engine))
    existing = set(real_engine.section_ids())
    return ev.score(suite, run, existing, seconds)


def test_the_suite_is_big_and_covers_every_kind() -> None:
    suite = ev.load_suite(SUITE)
    kinds = {x.kind for x in suite.queries}
    assert len(suite.queries) >= 100
    assert kinds == {
        "term",
        "abbrev",
        "brand",
        "lay",
        "typo",
        "variant",
        "question",
        "category",
        "noanswer",
    }
    for query in suite.queries:
        grades = suite.qrels.get(query.qid, {})
        assert (query.kind == ev.NO_ANSWER) == (not grades), query.qid
        assert query.kind == ev.NO_ANSWER or 2 in grades.values(), query.qid


def test_every_judged_section_exists(report: ev.Report) -> None:
    assert report.missing_ids == []


def test_aggregates_and_kinds_stay_above_their_gates(report: ev.Report) -> None:
    assert report.failures() == []


def test_no_query_falls_below_its_baseline(report: ev.Report) -> None:
    baseline = ev.read_baseline(SUITE / "baseline.json")
    assert baseline, "tests/relevance/baseline.json is missing: run foramen eval --update-baseline"
    worse = ev.regressions(report, baseline)
    assert worse == [], "\n".join(f"{c.qid}: {c.before:.3f} -> {c.after:.3f}" for c in worse)
