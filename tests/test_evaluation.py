import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from foramen.cli import main
from indexer import evaluation as ev

QUERIES = (
    "# qid\tkind\tsplit\tquery\n"
    "q1\tterm\tdev\tknee\nq2\tbrand\theldout\tadvil\nn1\tnoanswer\tdev\tcovid\n"
)
QRELS = "q1 0 knee-pain 2\nq1 0 meniscus-tear 1\nq2 0 ibuprofen 2\nq2 0 gone-section 1\n"


@pytest.fixture
def suite(tmp_path: Path) -> ev.Suite:
    (tmp_path / "queries.tsv").write_text(QUERIES, encoding="utf-8")
    (tmp_path / "qrels.txt").write_text(QRELS, encoding="utf-8")
    return ev.load_suite(tmp_path)


def test_load_and_split(suite: ev.Suite) -> None:
    assert [x.qid for x in suite.queries] == ["q1", "q2", "n1"]
    assert suite.qrels["q1"] == {"knee-pain": 2, "meniscus-tear": 1}
    assert [x.qid for x in suite.only("heldout").queries] == ["q2"]


def test_scores_warnings_and_no_answer_queries(suite: ev.Suite) -> None:
    run = {"q1": ["knee-pain", "meniscus-tear"], "q2": ["advil-page", "ibuprofen"], "n1": []}
    existing = {"knee-pain", "meniscus-tear", "ibuprofen", "advil-page"}
    report = ev.score(suite, run, existing)
    assert report.per_query["q1"]["nDCG@10"] == pytest.approx(1.0)
    assert report.per_query["q1"]["P@1"] == 1.0
    assert report.per_query["q2"]["P@1"] == 0.0
    assert report.per_query["q2"]["MRR"] == pytest.approx(0.5)
    assert report.per_query["n1"] == {name: 1.0 for name in ev.MEASURES}
    assert report.missing_ids == [("q2", "gone-section")]
    assert report.unjudged_top == [("q2", 1, "advil-page")]
    assert report.by_kind()["brand"]["P@1"] == 0.0


def test_an_answer_to_a_no_answer_query_scores_zero(suite: ev.Suite) -> None:
    report = ev.score(suite, {"q1": [], "q2": [], "n1": ["knee-pain"]}, {"knee-pain"})
    assert report.per_query["n1"]["nDCG@10"] == 0.0
    assert report.per_query["q1"]["nDCG@10"] == 0.0  # nothing found for a judged query
    assert any("nDCG@10" in failure for failure in report.failures())


def test_compare_with_a_baseline(suite: ev.Suite, tmp_path: Path) -> None:
    existing = {"knee-pain", "meniscus-tear", "ibuprofen"}
    before = ev.score(suite, {"q1": ["meniscus-tear", "knee-pain"], "q2": ["ibuprofen"]}, existing)
    after = ev.score(suite, {"q1": ["knee-pain", "meniscus-tear"], "q2": []}, existing)
    baseline = ev.baseline_json(before)
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline), encoding="utf-8")
    better, worse = ev.compare(after, ev.read_baseline(path))
    assert [c.qid for c in better] == ["q1"]
    assert [c.qid for c in worse] == ["q2"]
    assert [c.qid for c in ev.regressions(after, ev.read_baseline(path))] == ["q2"]
    assert ev.read_baseline(tmp_path / "none.json") == {}


def test_trec_run_file(tmp_path: Path) -> None:
    ev.write_trec_run(tmp_path / "out" / "r.run", {"q1": ["a", "b"]})
    lines = (tmp_path / "out" / "r.run").read_text().splitlines()
    assert lines == ["q1 Q0 a 1 2 foramen", "q1 Q0 b 2 1 foramen"]


def test_foramen_eval_prints_metrics_and_gates(tmp_path: Path, write_corpus) -> None:
    corpus = write_corpus()
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "queries.tsv").write_text(
        "q1\tterm\tdev\tmeniscus tear\nq2\tterm\tdev\tquadriceps\nn1\tnoanswer\tdev\tcovid\n",
        encoding="utf-8",
    )
    (suite / "qrels.txt").write_text(
        "q1 0 meniscus-tear 2\nq2 0 quadriceps-strengthening 2\nq2 0 removed-id 1\n",
        encoding="utf-8",
    )
    args = ["eval", "--corpus", str(corpus), "--index", str(tmp_path / "index")]
    args += ["--suite", str(suite), "--run-file", str(tmp_path / "run.trec")]
    runner = CliRunner()
    first = runner.invoke(main, [*args, "--update-baseline"])
    assert first.exit_code == 0, first.output
    assert "nDCG@10" in first.output and "noanswer" in first.output
    assert "'removed-id', which is no longer in the index" in first.output
    assert (suite / "baseline.json").is_file()
    assert (tmp_path / "run.trec").read_text().startswith("q1 Q0 meniscus-tear 1 ")
    (suite / "qrels.txt").write_text("q1 0 kemp-sign 2\nq2 0 quadriceps-strengthening 2\n")
    worse = runner.invoke(main, args)
    assert worse.exit_code == 1
    assert "worse  q1" in worse.output
    assert "FAIL: nDCG@10" in worse.output
