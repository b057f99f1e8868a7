"""Cold start: seconds from launching ``foramen serve`` to its first answered search.

    python -m bench.serve_start [--scale 1] [--repeat 5]

Launches ``foramen serve`` as a new process (interpreter start-up, imports, app factory,
opening the index, first query) and polls ``/api/search?q=femoral+nerve+stretch`` every
10 ms until it answers 200. Two cases: an index already built (a restart) and an empty
index folder (the first start, which builds it). Medians over --repeat launches.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import OUT, corpus_dir, median, table, write_json
from bench.http_load import free_port, start, stop
from indexer.build import build_index

QUERY = "/api/search?q=femoral+nerve+stretch"


def first_answer(command: list[str], port: int, log: Path, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    process = start(command, log)
    try:
        while time.perf_counter() - started < timeout:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", QUERY)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"foramen serve exited early; see {log}")
            time.sleep(0.01)
        raise RuntimeError(f"no answer within {timeout} s; see {log}")
    finally:
        stop(process)


def run(scale: int, repeat: int, workers: list[int]) -> list[dict[str, Any]]:
    corpus = corpus_dir(scale)
    results = []
    work = Path(tempfile.mkdtemp(prefix="foramen-serve-"))
    try:
        built = work / "built"
        build_index(corpus, built, full=True)
        for count in workers:
            for case in ("index built", "no index yet"):
                times = []
                for n in range(repeat):
                    index = built
                    if case == "no index yet":
                        index = work / f"empty-{count}-{n}"
                        shutil.rmtree(index, ignore_errors=True)
                    port = free_port()
                    command = [
                        sys.executable, "-m", "foramen", "serve", "--corpus", str(corpus),
                        "--index", str(index), "--port", str(port), "--workers", str(count),
                    ]  # fmt: skip
                    OUT.mkdir(parents=True, exist_ok=True)
                    times.append(first_answer(command, port, OUT / "serve-start.log"))
                results.append(
                    {"workers": count, "case": case, "seconds": median(times), "runs": times}
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Seconds from 'foramen serve' to a first answer.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--label", default="serve-start")
    args = parser.parse_args()
    results = run(args.scale, args.repeat, args.workers or [1, 2])
    rows = [
        [r["workers"], r["case"], r["seconds"], min(r["runs"]), max(r["runs"])] for r in results
    ]
    print(table(["workers", "case", "median s", "min s", "max s"], rows))
    print(f"(x{args.scale} corpus, {args.repeat} launches each)")
    print(write_json(args.label, {"scale": args.scale, "results": results}))


if __name__ == "__main__":
    main()
