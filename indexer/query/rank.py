"""The top N of an evaluation, its exact total and its count per part, from the arrays.

Ties are broken by docnum (the section that comes first in the index first), so a
ranking is the same on every run and on every page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.model import ScoringModel
from indexer.query.score import Scores

Ranked = list[tuple[float, int]]  # (score, docnum), best first


@dataclass(frozen=True, slots=True)
class Ranking:
    top: Ranked
    total: int
    facets: dict[str, int]


def rank(scores: Scores, model: ScoringModel, n: int, part: str | None = None) -> Ranking:
    """The best ``n`` of ``scores`` (in ``part`` when given), the total and part counts."""
    docs, values = scores.docs, scores.values
    parts = model.part[docs]
    if part:
        keep = parts == model.part_number(part)
        docs, values, parts = docs[keep], values[keep], parts[keep]
    matches = len(docs)
    counts = np.bincount(parts, minlength=len(model.part_names))
    facets = {model.part_names[i]: int(counts[i]) for i in np.flatnonzero(counts)}
    if n < len(docs):
        # Only the sections scoring at least the n-th best score can be in the top n.
        threshold = np.partition(values, len(values) - n)[len(values) - n]
        near = np.flatnonzero(values >= threshold)
        docs, values = docs[near], values[near]
    order = np.lexsort((docs, -values))[:n]
    top = [(float(values[i]), int(docs[i])) for i in order]
    return Ranking(top, matches, facets)
