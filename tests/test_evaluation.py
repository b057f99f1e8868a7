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
    # The judged section that vanished counts as a miss: R@10 falls below its gate.
    assert first.exit_code == 1, first.output
    assert "FAIL: R@10" in first.output
    assert "nDCG@10" in first.output and "noanswer" in first.output
    assert "'removed-id', which is no longer in the index" in first.output
    assert (suite / "baseline.json").is_file()
    assert (tmp_path / "run.trec").read_text().startswith("q1 Q0 meniscus-tear 1 ")
    (suite / "qrels.txt").write_text("q1 0 kemp-sign 2\nq2 0 quadriceps-strengthening 2\n")
    worse = runner.invoke(main, args)
    assert worse.exit_code == 1
    assert "worse  q1" in worse.output
    assert "FAIL: nDCG@10" in worse.output


def test_foramen_eval_fails_on_a_regression_and_shows_top_3(tmp_path: Path, write_corpus) -> None:
    corpus = write_corpus()
    suite = tmp_path / "suite"
    suite.mkdir()
    steady = [f"q{n}" for n in range(20)]
    (suite / "queries.tsv").write_text(
        "".join(f"{qid}\tterm\tdev\tquadriceps\n" for qid in steady) + "m1\tterm\tdev\tmeniscus\n",
        encoding="utf-8",
    )
    (suite / "qrels.txt").write_text(
        "".join(f"{qid} 0 quadriceps-strengthening 2\n" for qid in steady)
        + "m1 0 meniscus-tear 2\n",
        encoding="utf-8",
    )
    paths = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    args = ["eval", *paths, "--suite", str(suite), "--run-file", str(tmp_path / "run.trec")]
    runner = CliRunner()
    accepted = runner.invoke(main, [*args, "--update-baseline"])
    assert accepted.exit_code == 0, accepted.output
    assert ev.read_baseline_top(suite / "baseline.json")["m1"] == ["meniscus-tear"]
    assert runner.invoke(main, args).exit_code == 0, "the baseline itself is no regression"

    with (corpus / "knee.md").open("a", encoding="utf-8") as article:
        article.write("\n## Meniscus Meniscus\n\nMeniscus, meniscus and meniscus again.\n")
    assert runner.invoke(main, ["build", *paths]).exit_code == 0
    worse = runner.invoke(main, args)
    assert worse.exit_code == 1, worse.output
    assert "FAIL: m1 nDCG@10 fell from 1.000 to " in worse.output
    assert "FAIL: nDCG@10" not in worse.output, "the gates hold: only the regression fails"
    lines = worse.output.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("  worse  m1")))
    assert lines[at + 1].split() == ["before:", "meniscus-tear"]
    assert lines[at + 2].split() == ["after:", "meniscus-meniscus,", "meniscus-tear"]


def test_top_changes_between_runs() -> None:
    before = {"a": ["x", "y", "z", "w"], "b": ["x"], "c": []}
    after = {"a": ["x", "y", "z", "v"], "b": ["y", "x"], "d": ["x"]}
    changes = ev.top_changes(before, after)
    assert [(c.qid, c.before, c.after) for c in changes] == [
        ("b", ("x",), ("y", "x")),
        ("c", (), None),
        ("d", None, ("x",)),
    ]
    assert [c.qid for c in ev.top_changes(before, after, k=4)] == ["a", "b", "c", "d"]
    assert ev.format_top(None).startswith("(not recorded")
    assert ev.format_top(()) == "(nothing found)"


def test_a_judged_section_that_vanished_counts_as_a_miss(suite: ev.Suite) -> None:
    """Deleting an answer must lower the score, not drop the judgment from the averages."""
    run = {"q1": ["knee-pain", "meniscus-tear"], "q2": ["ibuprofen"], "n1": []}
    kept = ev.score(suite, run, {"knee-pain", "meniscus-tear", "ibuprofen", "gone-section"})
    gone = ev.score(suite, run, {"knee-pain", "meniscus-tear", "ibuprofen"})
    assert gone.missing_ids == [("q2", "gone-section")]
    assert gone.per_query["q2"]["nDCG@10"] == kept.per_query["q2"]["nDCG@10"] < 1.0
    assert "q2" in gone.per_query
