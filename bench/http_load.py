"""HTTP throughput and latency of ``foramen serve`` beside the FTS5 reference app.

    python -m bench.http_load                       # 1x corpus, 1 and 2 workers
    python -m bench.http_load --scale 100 --workers 2 --repeat 1

For each worker count, starts ``foramen serve --workers N`` (the real app) and
``bench.fts_app`` (FTS5, same uvicorn setup, same worker count) on 127.0.0.1, then drives
each with Debian's ``wrk`` (bounded: --duration seconds, --connections keep-alive
connections, one wrk thread) over: a realistic query log (Zipf-skewed, popular queries
repeat), the 70/30 log (70 % Zipf draws from the hand-written realistic queries, 30 %
queries asked once; issue 10's figure), all-distinct queries (never repeated in a run, so
no cache can answer), and ``/healthz`` (``--mix`` picks some). Runs alternate between
the two servers so machine noise falls on both; medians over --repeat runs. A last
check sends /healthz over a single keep-alive connection: a p50 near 40 ms would mean
Nagle/delayed-ACK stalls (uvicorn #3149).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import BENCH, OUT, corpus_dir, median, table, write_json
from bench.latency import ensure_indexes
from bench.queries import distinct_queries, mixed_log, skewed_log

WRK = "/usr/bin/wrk"
LUA = BENCH / "wrk_paths.lua"
MIXES = ("realistic", "70/30", "distinct", "healthz")


def _path(query: str) -> str:
    return "/api/search?" + urllib.parse.urlencode({"q": query})


def write_paths(name: str, paths: list[str]) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"paths-{name}.txt"
    target.write_text("\n".join(paths) + "\n", "utf-8")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 60.0) -> float:
    """Seconds until ``GET /healthz`` on ``port`` answers 200."""
    import http.client

    started = time.perf_counter()
    status: int | OSError | None = None
    while time.perf_counter() - started < timeout:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
            if status == 200:
                return time.perf_counter() - started
        except OSError as error:
            status = error
        time.sleep(0.02)
    raise RuntimeError(f"server on port {port} did not answer within {timeout} s ({status})")


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    stream = log.open("w")
    return subprocess.Popen(
        command,
        stdout=stream,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # its own process group: stopping it stops its workers
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(port: int, paths: Path, duration: float, connections: int) -> dict[str, Any]:
    command = [
        WRK,
        "-t1",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        str(paths),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds,
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["socket_errors"] + data["status_errors"],
        "requests": data["requests"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    index, _ = ensure_indexes(args.scale)
    corpus = corpus_dir(args.scale)
    realistic = write_paths("realistic", [_path(q) for q in skewed_log()])
    seventy = write_paths("70-30", [_path(q) for q in mixed_log()])
    pool = {" ".join(q.casefold().split()) for q in distinct_queries(300)}
    fresh = [
        q for q in distinct_queries(12000, seed=2024) if " ".join(q.casefold().split()) not in pool
    ]
    chunk = len(fresh) // max(1, args.repeat)
    healthz = write_paths("healthz", ["/healthz"])
    results: list[dict[str, Any]] = []
    for workers in args.workers:
        app_port, fts_port = free_port(), free_port()
        servers = {
            "foramen": start(
                [
                    sys.executable,
                    "-m",
                    "foramen",
                    "serve",
                    "--corpus",
                    str(corpus),
                    "--index",
                    str(index),
                    "--port",
                    str(app_port),
                    "--workers",
                    str(workers),
                ],
                OUT / f"serve-foramen-{workers}.log",
            ),
            "fts5": start(
                [
                    sys.executable,
                    "-m",
                    "bench.fts_app",
                    "--scale",
                    str(args.scale),
                    "--port",
                    str(fts_port),
                    "--workers",
                    str(workers),
                ],
                OUT / f"serve-fts5-{workers}.log",
            ),
        }
        ports = {"foramen": app_port, "fts5": fts_port}
        try:
            for port in ports.values():
                wait_ready(port)
            samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for port in ports.values():  # warm both up on other queries
                wrk(port, write_paths("warmup", [_path(q) for q in distinct_queries(60, 9)]), 1, 4)
            for rep in range(args.repeat):
                distinct = write_paths(
                    f"distinct-{rep}", [_path(q) for q in fresh[rep * chunk : (rep + 1) * chunk]]
                )
                logs = {
                    "realistic": realistic,
                    "70/30": seventy,
                    "distinct": distinct,
                    "healthz": healthz,
                }
                for mix in args.mix:
                    paths = logs[mix]
                    for name, port in ports.items():
                        sample = wrk(port, paths, args.duration, args.connections)
                        samples.setdefault((name, mix), []).append(sample)
            single = {name: wrk(port, healthz, 2, 1)["p50_ms"] for name, port in ports.items()}
        finally:
            for process in servers.values():
                stop(process)
        for (name, mix), runs in samples.items():
            results.append(
                {
                    "workers": workers,
                    "server": name,
                    "mix": mix,
                    "rps": median([r["rps"] for r in runs]),
                    "p50_ms": median([r["p50_ms"] for r in runs]),
                    "p99_ms": median([r["p99_ms"] for r in runs]),
                    "errors": sum(r["errors"] for r in runs),
                    "requests": sum(r["requests"] for r in runs),
                    "runs": runs,
                    "single_connection_healthz_p50_ms": single[name],
                }
            )
    return {
        "scale": args.scale,
        "duration_s": args.duration,
        "connections": args.connections,
        "repeat": args.repeat,
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP load: foramen serve vs the FTS5 app.")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--mix", action="append", choices=MIXES, help="query logs to run (default: all)"
    )
    parser.add_argument("--label", default="http")
    args = parser.parse_args()
    args.workers = args.workers or [1, 2]
    args.mix = args.mix or list(MIXES)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    data = run(args)
    by_key = {(r["workers"], r["server"], r["mix"]): r for r in data["results"]}
    rows = []
    for r in data["results"]:
        if r["server"] != "foramen":
            continue
        peer = by_key[(r["workers"], "fts5", r["mix"])]
        rows.append(
            [
                r["workers"],
                r["mix"],
                r["rps"],
                r["p50_ms"],
                r["p99_ms"],
                r["errors"],
                peer["rps"],
                peer["p50_ms"],
                peer["p99_ms"],
                peer["errors"],
                r["rps"] / peer["rps"],
                r["single_connection_healthz_p50_ms"],
            ]
        )
    print(
        table(
            [
                "workers",
                "mix",
                "foramen req/s",
                "p50",
                "p99",
                "err",
                "fts5 req/s",
                "p50",
                "p99",
                "err",
                "x req/s",
                "1-conn healthz p50",
            ],
            rows,
        )
    )
    print(
        f"(x{args.scale} corpus, {args.connections} connections, {args.duration:g} s runs, "
        f"median of {args.repeat}; ms)"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(write_json(args.label, data))


if __name__ == "__main__":
    main()
