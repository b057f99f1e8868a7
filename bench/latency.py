"""In-process query latency: Engine.search (snippets and full query understanding) vs peers.

    python -m bench.latency --scale 1 --scale 100 --scale 1000 [--rounds 3]
    python -m bench.latency --scale 1000 --peer none       # foramen alone
    python -m bench.latency --scale 1000 --set realistic   # one query set

Every query is one never seen before: the engine's caches and per-generation memos are
emptied (``Engine.clear_cache()``) before each measured search, outside the timing. Two
query sets: the hand-written realistic queries (``bench/realistic_queries.txt``, all
kinds) and random two-word queries of article words. Each round runs every query of a
set once through foramen and then through each peer (SQLite FTS5, tantivy) in the same
loop, so machine noise falls on all of them alike. Reports p50/p99 over all rounds and
the ratio to each peer; the "warm" column is foramen again over the same queries with
its memos kept (result cache off), after one unmeasured pass.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import fts
from bench.common import CORPORA, corpus_dir, percentile, table, write_json
from bench.queries import realistic_queries, two_word_queries, warmup_queries
from indexer.build import build_index
from indexer.search import Engine

PEERS = ("fts5", "tantivy")
Search = Callable[[str], object]


def index_dir(scale: int) -> Path:
    return CORPORA / f"index-x{scale}"


def ensure_indexes(scale: int, rebuild: bool = False) -> tuple[Path, Path]:
    """(foramen index root, FTS5 database) of a scale, built when missing; the foramen
    index is brought up to date (rebuilt when its schema is older than the code's)."""
    corpus = corpus_dir(scale)
    root = index_dir(scale)
    started = time.perf_counter()
    report = build_index(corpus, root, full=rebuild or not (root / "CURRENT").exists())
    if report.changed:
        print(f"built {root} in {time.perf_counter() - started:.1f} s")
    db = fts.db_path(scale)
    if rebuild or not db.exists():
        fts.build(corpus, db)
    return root, db


def open_peer(name: str, scale: int, rebuild: bool = False) -> Search:
    """The search function of a peer on the sections of ``scale`` (built when missing)."""
    if name == "fts5":
        db = fts.db_path(scale)
        if rebuild or not db.exists():
            fts.build(corpus_dir(scale), db)
        return fts.Fts(db).search
    if name == "tantivy":
        from bench import tantivy_peer  # an optional dependency: pip install -e '.[bench]'

        path = tantivy_peer.index_path(scale)
        if rebuild or not (path / "meta.json").exists():
            tantivy_peer.build(corpus_dir(scale), path)
        return tantivy_peer.Tantivy(path).search
    raise ValueError(f"unknown peer {name!r}: choose from {', '.join(PEERS)}")


def _timed(search: Search, query: str) -> float:
    started = time.perf_counter()
    search(query)
    return (time.perf_counter() - started) * 1000


def _summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(samples, 50),
        "p99_ms": percentile(samples, 99),
        "mean_ms": sum(samples) / len(samples),
    }


def measure_set(
    engine: Engine, peers: dict[str, Search], queries: list[str], rounds: int
) -> dict[str, Any]:
    """Per-query samples of a query set: foramen cold (memos cleared before each query),
    each peer in the same loop, then foramen warm (memos kept, no result cache)."""
    samples: dict[str, list[list[float]]] = {"foramen": [], **{name: [] for name in peers}}
    gc.collect()
    for _ in range(rounds):
        per_query: dict[str, list[float]] = {name: [] for name in samples}
        for query in queries:
            engine.clear_cache()  # never seen before: no cached result, no memo
            per_query["foramen"].append(_timed(engine.search, query))
            for name, search in peers.items():
                per_query[name].append(_timed(search, query))
        for name, values in per_query.items():
            samples[name].append(values)
    engine.clear_cache()
    for query in queries:  # the warm figure: memos filled by one pass, then measured
        engine.search(query)
    warm = [_timed(engine.search, query) for query in queries]
    flat = {name: [v for r in runs for v in r] for name, runs in samples.items()}
    return {
        "queries": len(queries),
        "rounds": rounds,
        "summary": {name: _summary(values) for name, values in flat.items()},
        "warm": _summary(warm),
        # per query, the median over rounds: for per-kind figures and the slowest queries
        "per_query": {
            name: [sorted(r[i] for r in runs)[len(runs) // 2] for i in range(len(queries))]
            for name, runs in samples.items()
        },
    }


SETS = ("realistic", "two-word")


def measure(
    scale: int, rounds: int, peers: list[str], sets_measured: Sequence[str], rebuild: bool = False
) -> dict[str, Any]:
    root, _ = ensure_indexes(scale, rebuild)
    engine = Engine(root, cache_size=0)  # the result cache off: clear_cache() empties memos
    searches = {name: open_peer(name, scale, rebuild) for name in peers}
    realistic = realistic_queries()
    every = {"realistic": [q for _, q in realistic], "two-word": two_word_queries()}
    sets = {name: every[name] for name in sets_measured}
    for query in warmup_queries():
        engine.search(query)
        for search in searches.values():
            search(query)
    results = {name: measure_set(engine, searches, qs, rounds) for name, qs in sets.items()}
    kinds: dict[str, dict[str, list[float]]] = {}
    slowest: list[tuple[float, str]] = []
    if "realistic" in results:
        per_query = results["realistic"]["per_query"]
        for i, (kind, _) in enumerate(realistic):
            for name, values in per_query.items():
                kinds.setdefault(kind, {}).setdefault(name, []).append(values[i])
        slowest = sorted(zip(per_query["foramen"], sets["realistic"], strict=True))[-10:]
    sections = engine.count()
    engine.close()
    return {
        "scale": scale,
        "sections": sections,
        "rounds": rounds,
        "sets": results,
        "realistic_kinds_p50_ms": {
            kind: {name: percentile(v, 50) for name, v in by.items()} for kind, by in kinds.items()
        },
        "realistic_slowest_ms": [{"query": q, "ms": ms} for ms, q in reversed(slowest)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="In-process query latency, foramen vs peers.")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--peer",
        action="append",
        choices=[*PEERS, "none"],
        help="peers to measure in the same loop (default: fts5 and tantivy)",
    )
    parser.add_argument(
        "--set", action="append", choices=SETS, help="query sets to measure (default: both)"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild every index first")
    parser.add_argument("--label", default="latency", help="name of the JSON output")
    args = parser.parse_args()
    peers = [p for p in (args.peer or list(PEERS)) if p != "none"]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = []
    for scale in args.scale or [1]:
        results.append(measure(scale, args.rounds, peers, args.set or list(SETS), args.rebuild))
        write_json(args.label, {"results": results})  # what is done survives a timeout
    headers = ["scale", "set", "foramen p50", "p99", "warm p50", "warm p99"]
    for name in peers:
        headers += [f"{name} p50", "p99", "x p50", "x p99"]
    rows = []
    for r in results:
        for set_name, data in r["sets"].items():
            s = data["summary"]
            row: list[object] = [f"x{r['scale']}", set_name]
            row += [s["foramen"]["p50_ms"], s["foramen"]["p99_ms"]]
            row += [data["warm"]["p50_ms"], data["warm"]["p99_ms"]]
            for name in peers:
                row += [s[name]["p50_ms"], s[name]["p99_ms"]]
                row += [
                    s["foramen"]["p50_ms"] / s[name]["p50_ms"],
                    s["foramen"]["p99_ms"] / s[name]["p99_ms"],
                ]
            rows.append(row)
    print(table(headers, rows))
    print(
        f"(ms; {args.rounds} rounds, every foramen query after clear_cache(); x = foramen / peer)"
    )
    for r in results:
        kinds = r["realistic_kinds_p50_ms"]
        if not kinds:
            continue
        print(f"\nx{r['scale']} realistic p50 by kind (ms)")
        print(
            table(
                ["kind", "n", "foramen", *peers],
                [
                    [kind, len([1 for k, _ in realistic_queries() if k == kind])]
                    + [by[name] for name in ["foramen", *peers]]
                    for kind, by in kinds.items()
                ],
            )
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(write_json(args.label, {"results": results, "loadavg_end": os.getloadavg()}))


if __name__ == "__main__":
    main()
