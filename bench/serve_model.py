"""The serving process and its scoring model: memory, and the pause when a build lands.

    python -m bench.serve_model --scale 1000 [--swaps 3] [--full-swaps 1]

Runs ``foramen serve`` (one process) on a copy of the scale's corpus and index (copied
from ``bench/corpora/index-x<scale>`` when ``bench.latency`` has built it, else built).
Memory: the server's resident set (VmRSS, and how much of it is mapped files such as the
model's arrays) and PSS, right after start, after its first search, and after every
realistic query once. The pick-up of a new generation: a search of a query not asked
before, timed just before a ``foramen build`` (one edit, incremental; then a ``--full``
build) and the first search after it — no request reaches the server in between, so
the first one after the build opens the new generation (model and vocabulary) inside
its own request. The pause is the difference.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.build import _edit
from bench.common import OUT, corpus_dir, median, table, write_json
from bench.http_load import free_port, start, stop, wait_ready
from bench.latency import index_dir
from bench.queries import realistic_queries, two_word_queries

MEMORY_KEYS = ("rss_mb", "rss_file_mb", "rss_anon_mb", "peak_rss_mb", "pss_mb")


def memory(pid: int) -> dict[str, float]:
    """MB of ``pid``: resident set, its file-backed part, its peak, and PSS."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssFile", "RssAnon", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            fields["Pss"] = int(line.split()[1]) / 1024
    return {
        "rss_mb": fields["VmRSS"],
        "rss_file_mb": fields.get("RssFile", 0.0),
        "rss_anon_mb": fields.get("RssAnon", 0.0),
        "peak_rss_mb": fields["VmHWM"],
        "pss_mb": fields.get("Pss", 0.0),
    }


def timed_search(port: int, query: str) -> float:
    """ms of one ``/api/search`` on a new connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", "/api/search?" + urllib.parse.urlencode({"q": query}))
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{query!r} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def foramen_build(corpus: Path, index: Path, *flags: str) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "foramen", "build", "--corpus", str(corpus)]
    subprocess.run([*command, "--index", str(index), *flags], check=True, capture_output=True)
    return time.perf_counter() - started


def run(scale: int, swaps: int, full_swaps: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"foramen-serve-model-x{scale}-"))
    fresh = iter(two_word_queries(1000, seed=77))
    try:
        corpus, index = work / "corpus", work / "index"
        shutil.copytree(corpus_dir(scale), corpus)
        if (index_dir(scale) / "CURRENT").exists():
            shutil.copytree(index_dir(scale), index)
        else:
            foramen_build(corpus, index, "--full")
        port = free_port()
        OUT.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "foramen", "serve", "--corpus", str(corpus)]
        command += ["--index", str(index), "--port", str(port), "--workers", "1"]
        process = start(command, OUT / f"serve-model-x{scale}.log")
        try:
            wait_ready(port, timeout=300)  # /healthz opens the generation
            mem: dict[str, dict[str, float]] = {"started": memory(process.pid)}
            first_ms = timed_search(port, "femoral nerve stretch")
            mem["first search"] = memory(process.pid)
            for _, query in realistic_queries():
                timed_search(port, query)
            mem["every realistic query once"] = memory(process.pid)
            pickups: dict[str, list[dict[str, float]]] = {"one-edit build": [], "full build": []}
            plan = (("one-edit build", (), swaps), ("full build", ("--full",), full_swaps))
            for kind, flags, count in plan:
                for n in range(count):
                    if not flags:
                        _edit(corpus, n)
                    before = [timed_search(port, next(fresh)) for _ in range(3)]
                    seconds = foramen_build(corpus, index, *flags)
                    after = timed_search(port, next(fresh))
                    settled = [timed_search(port, next(fresh)) for _ in range(3)]
                    pickups[kind].append(
                        {
                            "build_s": seconds,
                            "before_ms": median(before),
                            "first_after_ms": after,
                            "settled_ms": median(settled),
                            "pause_ms": after - median(before + settled),
                        }
                    )
            mem["after the builds"] = memory(process.pid)
        finally:
            stop(process)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"scale": scale, "first_search_ms": first_ms, "memory": mem, "pickups": pickups}


def main() -> None:
    parser = argparse.ArgumentParser(description="Serving memory and new-generation pick-up.")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--swaps", type=int, default=3, help="one-edit builds")
    parser.add_argument("--full-swaps", type=int, default=1, help="full builds")
    parser.add_argument("--label", default="serve-model")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = [run(s, args.swaps, args.full_swaps) for s in args.scale or [1000]]
    for r in results:
        print(f"\nx{r['scale']}: first search {r['first_search_ms']:.1f} ms")
        print(
            table(
                ["server process", "RSS MB", "of it files", "anon", "peak RSS", "PSS"],
                [[when, *(m[k] for k in MEMORY_KEYS)] for when, m in r["memory"].items()],
            )
        )
        rows = []
        for kind, runs in r["pickups"].items():
            if not runs:
                continue
            rows.append(
                [
                    kind,
                    median([p["build_s"] for p in runs]),
                    median([p["before_ms"] for p in runs]),
                    median([p["first_after_ms"] for p in runs]),
                    median([p["settled_ms"] for p in runs]),
                    median([p["pause_ms"] for p in runs]),
                    max(p["pause_ms"] for p in runs),
                ]
            )
        headers = ["new generation", "build s", "search before ms", "first after", "settled"]
        print(table([*headers, "pause ms", "max pause"], rows))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(write_json(args.label, {"results": results, "loadavg_end": os.getloadavg()}))


if __name__ == "__main__":
    main()
