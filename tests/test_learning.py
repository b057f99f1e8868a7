"""Learning the weights of a score's parts: coordinate ascent, cross-validation, the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from foramen.cli import main
from indexer import learning
from indexer.query.score import PART_KINDS
from indexer.query.weights import load_weights, save_weights
from indexer.search import Engine

ROOT = Path(__file__).resolve().parent.parent


def _example(qid: str, rows: list[dict[str, float]], grades: list[int]) -> learning.Example:
    table = np.asarray([[row.get(k, 0.0) for k in PART_KINDS] for row in rows])
    return learning.Example(
        qid, "category", table, np.asarray(grades, dtype=float), np.sort(grades)[::-1]
    )


def _category_queries(count: int) -> list[learning.Example]:
    """Queries whose answer is the heading over others, outscored by one member unless
    the container bonus weighs more."""
    return [
        _example(
            f"q{n}",
            [{"concept": 3.0}, {"concept": 1.0, "container": 1.0}, {"concept": 0.5}],
            [0, 2, 1],
        )
        for n in range(count)
    ]


def test_coordinate_ascent_raises_the_weight_that_ranks_answers_first() -> None:
    found = _category_queries(4)
    before = learning.mean_metrics(found, learning.unit_weights())
    weights = learning.learn(found)
    after = learning.mean_metrics(found, weights)
    assert weights[PART_KINDS.index("container")] > 2.0
    assert weights[PART_KINDS.index("concept")] == 1.0  # the scale stays fixed
    assert before["P@1"] == 0.0 and after["P@1"] == 1.0 and after["nDCG@10"] > before["nDCG@10"]


def test_lambdamart_learns_from_the_same_parts_under_cross_validation() -> None:
    """LightGBM's LambdaMART, trained on the other folds, ranks the container first."""
    found = _category_queries(20)
    trees = learning.lambdamart_cv(found, folds=5)
    assert trees is not None
    assert learning.mean_metrics(found, learning.unit_weights())["P@1"] == 0.0
    assert trees["P@1"] == 1.0 and trees["nDCG@10"] > 0.99


def test_cross_validation_measures_each_query_without_it() -> None:
    found = _category_queries(5) + [
        # Queries that a large container weight would hurt: only learned from in their folds.
        _example(f"m{n}", [{"concept": 3.0}, {"concept": 1.5, "container": 1.0}], [2, 0])
        for n in range(5)
    ]
    cv = learning.cross_validate(found, folds=5)
    assert cv.queries == 10 and cv.folds == 5
    assert cv.hand_set["P@1"] == pytest.approx(0.5)
    assert 0.0 <= cv.learned["nDCG@10"] <= 1.0
    assert set(cv.by_kind) == {"category"}


def test_weights_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    assert load_weights(path) == {}
    save_weights({"concept": 1.0, "container": 2.5}, {"trained_on": "test"}, path)
    assert load_weights(path) == {"concept": 1.0, "container": 2.5}
    assert json.loads(path.read_text())["trained_on"] == "test"
    path.write_text(json.dumps({"weights": {"bogus": 1}}))
    with pytest.raises(ValueError, match="unknown part kind 'bogus'"):
        load_weights(path)
    path.write_text(json.dumps({"weights": {"near": -1}}))
    with pytest.raises(ValueError, match="must be a number >= 0"):
        load_weights(path)
    path.write_text("{")
    with pytest.raises(ValueError, match="cannot be read as JSON"):
        load_weights(path)


def test_the_checked_in_weights_load() -> None:
    weights = load_weights()
    assert set(weights) <= set(PART_KINDS) and all(w >= 0 for w in weights.values())


def test_weights_multiply_their_parts_and_explanations_follow(real_index: Path) -> None:
    text = "what causes foraminal narrowing?"
    plain = Engine(real_index, weights={}).search(text, explain=True)
    heavier = Engine(real_index, weights={"question": 5.0}).search(text, explain=True)
    assert plain.total == heavier.total
    faq = {h.id: h.score for h in plain.hits}
    moved = [h for h in heavier.hits if h.id in faq and h.score != pytest.approx(faq[h.id])]
    assert moved  # the question bonus weighs 5 times more
    for hit in heavier.hits:
        assert hit.explain is not None
        parts = hit.explain["parts"]
        assert sum(p["score"] for p in parts) == pytest.approx(hit.score)  # type: ignore[attr-defined]


def test_foramen_eval_cv_prints_cross_validated_figures(real_index: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["eval", "--cv", "--index", str(real_index), "--suite", str(ROOT / "tests" / "relevance")],
    )
    assert result.exit_code == 0, result.output
    assert "cross-validated: 5 folds over" in result.output
    assert "learned (cv)" in result.output and "heldout (" in result.output
