"""Learning the weights of a score's parts from the judgments, with cross-validation.

A section's score is a sum of parts (concepts, quoted phrases, bonuses:
``PART_KINDS``); the learned model multiplies each kind by a weight. For every judged
query the engine lists its best sections with the parts of their scores (all weights
1); coordinate ascent then searches each weight on a grid, the others held, keeping
what raises the mean nDCG@10 of the training queries (the concept weight stays 1: the
scale of a ranking does not matter). Cross-validation splits the queries into folds,
learns on all folds but one and measures on that one, so the figures reported are
those of queries the weights never saw. Only the ``dev`` split is learned from; the
``heldout`` split is measured with the final weights and never tuned on.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.evaluation import NO_ANSWER, Suite
from indexer.query.score import PART_KINDS
from indexer.search import Engine

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)
PASSES = 3
FOLDS = 5
DEPTH = 100  # sections per query the weights may reorder
TOP = 10
LEARNED = tuple(k for k in PART_KINDS if k != "concept")
METRICS = ("nDCG@10", "MRR", "P@1")


@dataclass(frozen=True, slots=True)
class Example:
    """One judged query: its candidate sections' parts and their grades."""

    qid: str
    kind: str
    table: np.ndarray  # sections x PART_KINDS
    grades: np.ndarray  # the grade of each candidate (0 when unjudged)
    ideal: np.ndarray  # every judged grade of the query, best first


def examples(engine: Engine, suite: Suite, split: str = "dev") -> list[Example]:
    """The judged queries of ``split`` (no-answer queries have nothing to reorder)."""
    found = []
    for query in suite.queries:
        if query.split != split or query.kind == NO_ANSWER:
            continue
        judged = suite.qrels.get(query.qid, {})
        if not judged:
            continue
        ids, table = engine.features(query.text, DEPTH)
        grades = np.asarray([judged.get(i, 0) for i in ids], dtype=np.float64)
        ideal = np.sort(np.asarray(list(judged.values()), dtype=np.float64))[::-1]
        found.append(Example(query.qid, query.kind, table, grades, ideal))
    return found


def metrics(example: Example, weights: np.ndarray) -> tuple[float, float, float]:
    """nDCG@10 (linear gains), MRR and P@1 of answers (grade 2) under ``weights``."""
    return ranked_metrics(example, example.table @ weights)


def ranked_metrics(example: Example, scores: np.ndarray) -> tuple[float, float, float]:
    """nDCG@10, MRR and P@1 of the candidates ordered by ``scores``."""
    if not len(example.grades):
        return 0.0, 0.0, 0.0
    order = np.argsort(-scores, kind="stable")  # ties keep the engine's order
    grades = example.grades[order]
    discount = 1.0 / np.log2(np.arange(2, TOP + 2))
    dcg = float((grades[:TOP] * discount[: min(TOP, len(grades))]).sum())
    ideal = float((example.ideal[:TOP] * discount[: min(TOP, len(example.ideal))]).sum())
    answers = np.flatnonzero(grades >= 2)
    mrr = 1.0 / (answers[0] + 1) if len(answers) else 0.0
    return (dcg / ideal if ideal else 0.0), float(mrr), float(grades[0] >= 2)


def mean_metrics(found: Sequence[Example], weights: np.ndarray) -> dict[str, float]:
    rows = np.asarray([metrics(e, weights) for e in found]) if found else np.zeros((1, 3))
    return dict(zip(METRICS, rows.mean(axis=0).tolist(), strict=True))


def unit_weights() -> np.ndarray:
    return np.ones(len(PART_KINDS))


def learn(found: Sequence[Example]) -> np.ndarray:
    """Coordinate ascent on the mean nDCG@10 of ``found`` (ties: the weight nearer 1)."""
    weights = unit_weights()
    best = mean_metrics(found, weights)["nDCG@10"]
    for _ in range(PASSES):
        changed = False
        for kind in LEARNED:
            i = PART_KINDS.index(kind)
            for value in sorted(GRID, key=lambda v: abs(v - 1.0)):
                trial = weights.copy()
                trial[i] = value
                score = mean_metrics(found, trial)["nDCG@10"]
                if score > best + 1e-9:
                    best, weights, changed = score, trial, True
        if not changed:
            break
    return weights


@dataclass(frozen=True, slots=True)
class CrossValidation:
    hand_set: dict[str, float]  # all weights 1, on the same held-out folds
    learned: dict[str, float]  # learned on the other folds, measured on each
    by_kind: dict[str, tuple[float, float]]  # nDCG@10 hand-set, learned, per kind
    folds: int
    queries: int


def _folds(
    found: Sequence[Example], folds: int, seed: int
) -> list[tuple[list[Example], list[Example]]]:
    """(training, test) queries of each fold: every query is tested exactly once."""
    order = list(found)
    random.Random(seed).shuffle(order)
    return [
        ([e for i, e in enumerate(order) if i % folds != k], order[k::folds]) for k in range(folds)
    ]


def cross_validate(found: Sequence[Example], folds: int = FOLDS, seed: int = 7) -> CrossValidation:
    """k-fold cross-validation by query: every query is measured by weights learned
    without it."""
    learned_rows: dict[str, tuple[float, float, float]] = {}
    for train, test in _folds(found, folds, seed):
        weights = learn(train)
        for example in test:
            learned_rows[example.qid] = metrics(example, weights)
    unit = {e.qid: metrics(e, unit_weights()) for e in found}

    def mean(rows: dict[str, tuple[float, float, float]], qids: list[str]) -> list[float]:
        return np.asarray([rows[q] for q in qids]).mean(axis=0).tolist() if qids else [0.0] * 3

    qids = [e.qid for e in found]
    kinds = sorted({e.kind for e in found})
    by_kind = {}
    for kind in kinds:
        members = [e.qid for e in found if e.kind == kind]
        by_kind[kind] = (mean(unit, members)[0], mean(learned_rows, members)[0])
    return CrossValidation(
        dict(zip(METRICS, mean(unit, qids), strict=True)),
        dict(zip(METRICS, mean(learned_rows, qids), strict=True)),
        by_kind,
        folds,
        len(found),
    )


def as_mapping(weights: np.ndarray) -> dict[str, float]:
    return {kind: float(w) for kind, w in zip(PART_KINDS, weights, strict=True)}


def lambdamart_cv(
    found: Sequence[Example], folds: int = FOLDS, seed: int = 7
) -> dict[str, float] | None:
    """The same cross-validation for LightGBM's LambdaMART on the same parts: gradient
    boosted trees, the alternative to weights per part (measured, not served: trees are
    not weights a person can read). None when LightGBM is not installed (the ``learn``
    extra)."""
    try:
        import lightgbm
    except ImportError:
        return None
    rows: list[tuple[float, float, float]] = []
    for train, test in _folds(found, folds, seed):
        train = [e for e in train if len(e.grades)]
        params = {
            "objective": "lambdarank",
            "learning_rate": 0.05,
            "num_leaves": 7,
            "min_data_in_leaf": 5,
            "seed": seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,
            "verbose": -1,
        }
        data = lightgbm.Dataset(
            np.concatenate([e.table for e in train]),
            np.concatenate([e.grades for e in train]).astype(int),
            group=[len(e.grades) for e in train],
        )
        ranker = lightgbm.train(params, data, num_boost_round=200)
        rows += [
            ranked_metrics(e, np.asarray(ranker.predict(e.table)))
            if len(e.grades)
            else (0.0, 0.0, 0.0)
            for e in test
        ]
    return dict(zip(METRICS, np.asarray(rows).mean(axis=0).tolist(), strict=True))
