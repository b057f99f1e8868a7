"""The learned weights of the parts of a score, read from ``weights.json`` beside this file.

Each kind of part (a concept, a quoted phrase, each bonus: ``score.PART_KINDS``) is
multiplied by its weight; a kind the file does not name weighs 1, so without the file
the engine ranks by the hand-set constants of :mod:`indexer.query.plan`. The file is
written by ``foramen eval --learn`` (:mod:`indexer.learning`) and checked in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from indexer.query.score import PART_KINDS

WEIGHTS_FILE = Path(__file__).with_name("weights.json")


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """The weights in ``path`` (none when it does not exist); a malformed file is an
    error that names it, never a silent fall back."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot be read as JSON ({error})") from None
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict):
        raise ValueError(f"{path}: expected an object with a 'weights' object")
    found: dict[str, float] = {}
    for kind, value in weights.items():
        if kind not in PART_KINDS:
            raise ValueError(f"{path}: unknown part kind {kind!r} (known: {', '.join(PART_KINDS)})")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{path}: the weight of {kind!r} must be a number >= 0")
        found[kind] = float(value)
    return found


def save_weights(
    weights: dict[str, float], about: Mapping[str, object], path: Path = WEIGHTS_FILE
) -> None:
    """Write ``weights`` with what they were learned from (``about``), readably."""
    body = {"weights": {k: round(weights[k], 4) for k in PART_KINDS if k in weights}, **about}
    path.write_text(json.dumps(body, indent=1, sort_keys=False) + "\n", "utf-8")
