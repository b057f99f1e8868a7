"""In-process query latency: Engine.search (highlights and query understanding on) vs FTS5.

    python -m bench.latency --scale 1 --scale 100 [--rounds 5]

Every round runs each of the 400 distinct queries once through both engines (after a
warm-up on other queries); the result cache, when the engine has one, is cleared between
rounds so every measured query is a miss. Reports p50/p99 over all rounds and the median
of the per-round p50/p99, and the Whoosh/FTS5 ratio.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from bench import fts
from bench.common import CORPORA, corpus_dir, median, percentile, table, write_json
from bench.queries import distinct_queries, warmup_queries
from indexer.build import build_index
from indexer.search import Engine


def index_dir(scale: int) -> Path:
    return CORPORA / f"index-x{scale}"


def ensure_indexes(scale: int, rebuild: bool = False) -> tuple[Path, Path]:
    """(Whoosh index root, FTS5 database) of a scale, built when missing."""
    corpus = corpus_dir(scale)
    root = index_dir(scale)
    if rebuild or not (root / "CURRENT").exists():
        started = time.perf_counter()
        build_index(corpus, root, full=True)
        print(f"built {root} in {time.perf_counter() - started:.1f} s")
    db = fts.db_path(scale)
    if rebuild or not db.exists():
        fts.build(corpus, db)
    return root, db


def _clear(engine: Engine) -> None:
    clear = getattr(engine, "clear_cache", None)
    if clear is not None:
        clear()


def measure(scale: int, rounds: int, rebuild: bool = False) -> dict[str, object]:
    root, db = ensure_indexes(scale, rebuild)
    engine = Engine(root)
    reference = fts.Fts(db)
    queries = distinct_queries()
    for query in warmup_queries():
        engine.search(query)
        reference.search(query)
    whoosh_ms: list[list[float]] = []
    fts_ms: list[list[float]] = []
    gc.collect()
    for _ in range(rounds):
        _clear(engine)
        w: list[float] = []
        f: list[float] = []
        for query in queries:
            started = time.perf_counter()
            engine.search(query)
            middle = time.perf_counter()
            reference.search(query)
            f.append((time.perf_counter() - middle) * 1000)
            w.append((middle - started) * 1000)
        whoosh_ms.append(w)
        fts_ms.append(f)
    engine.close()

    def summary(samples: list[list[float]]) -> dict[str, float]:
        flat = [v for r in samples for v in r]
        return {
            "p50_ms": percentile(flat, 50),
            "p99_ms": percentile(flat, 99),
            "mean_ms": sum(flat) / len(flat),
            "median_round_p50_ms": median([percentile(r, 50) for r in samples]),
            "median_round_p99_ms": median([percentile(r, 99) for r in samples]),
        }

    return {
        "scale": scale,
        "sections": engine_count(root),
        "queries": len(queries),
        "rounds": rounds,
        "whoosh": summary(whoosh_ms),
        "fts5": summary(fts_ms),
    }


def engine_count(root: Path) -> int:
    engine = Engine(root)
    try:
        return engine.count()
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process query latency, Whoosh vs FTS5.")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="rebuild both indexes first")
    parser.add_argument("--label", default="latency", help="name of the JSON output")
    args = parser.parse_args()
    results = [measure(s, args.rounds, args.rebuild) for s in args.scale or [1]]
    rows = []
    for r in results:
        w, f = r["whoosh"], r["fts5"]
        rows.append(
            [
                f"x{r['scale']}",
                r["sections"],
                w["p50_ms"],
                w["p99_ms"],
                f["p50_ms"],
                f["p99_ms"],
                w["p50_ms"] / f["p50_ms"],
                w["p99_ms"] / f["p99_ms"],
            ]
        )
    print(
        table(
            ["scale", "sections", "whoosh p50", "p99", "fts5 p50", "p99", "x p50", "x p99"],
            rows,
        )
    )
    print(f"(ms over {args.rounds} rounds of 400 distinct queries)")
    print(write_json(args.label, {"results": results}))


if __name__ == "__main__":
    main()
