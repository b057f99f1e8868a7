"""Median latency of the web endpoints with one client, /healthz measured in the same run.

    foramen serve &                         # in another terminal, or pass --serve
    python bench/web_latency.py             # the example queries, asked again and again
    python bench/web_latency.py --distinct  # every search a new query
    python bench/web_latency.py --serve --distinct --new-connection   # issue 10's figure

One keep-alive HTTP/1.1 connection sends the requests one after another, rotating through
the endpoints so that machine noise falls on all of them alike; with --new-connection
every request opens a connection of its own (timed from the connect), as a new visitor
would, and /healthz is measured the same way. Prints a table of the median and p90 per
endpoint and its ratio to /healthz; no pass/fail.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from webui.state import EXAMPLE_QUERIES

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_FILE = "l1-l2-foraminal-narrowing.md"
# The home page's example queries, plus two short ones.
QUERIES = (*EXAMPLE_QUERIES, "mri", "nerve root compression")


def distinct_queries(count: int) -> list[str]:
    """``count`` different two-word queries made of heading words of the real corpus."""
    words = sorted(
        {
            word.lower()
            for line in (ROOT / "corpus" / ARTICLE_FILE).read_text("utf-8").splitlines()
            if line.startswith("#")
            for word in re.findall(r"[A-Za-z]{4,}", line)
        }
    )
    pairs = [f"{a} {b}" for i, a in enumerate(words) for b in words[i + 1 :]]
    random.Random(7).shuffle(pairs)
    return pairs[:count]


def endpoints(queries: list[list[str]]) -> dict[str, list[str]]:
    """Request paths per endpoint; ``queries`` holds one query list per search endpoint."""
    api, page, article = ([urllib.parse.urlencode({"q": q}) for q in qs] for qs in queries)
    return {
        "/healthz": ["/healthz"],
        "/api/search": [f"/api/search?{q}" for q in api],
        "/search": [f"/search?{q}" for q in page],
        "/articles/… ?q=": [f"/articles/{ARTICLE_FILE.removesuffix('.md')}?{q}" for q in article],
    }


def _get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return elapsed * 1000.0


def _connect(host: str, port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.connect()
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _get_new(host: str, port: int, path: str) -> float:
    """One GET on a connection of its own, timed from the connect to the closed socket."""
    started = time.perf_counter()
    connection = _connect(host, port)
    try:
        _get(connection, path)
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000.0


def measure(
    host: str,
    port: int,
    plan: dict[str, list[str]],
    requests: int,
    warmup: int,
    new_connection: bool = False,
) -> dict[str, list[float]]:
    """``requests`` GETs per endpoint, cycling through its paths, endpoints interleaved;
    on one keep-alive connection, or a new connection for each GET."""
    connection = _connect(host, port)
    for _ in range(warmup):
        _get(connection, "/healthz")
        _get(connection, "/articles/l1-l2-foraminal-narrowing")
    samples: dict[str, list[float]] = {name: [] for name in plan}
    for index in range(requests):
        for name, paths in plan.items():
            path = paths[index % len(paths)]
            if new_connection:
                samples[name].append(_get_new(host, port, path))
            else:
                samples[name].append(_get(connection, path))
    connection.close()
    return samples


@contextmanager
def serve(port: int, index: Path | None) -> Iterator[None]:
    """`foramen serve` on ``port`` for the length of the measurement."""
    command = [sys.executable, "-m", "foramen", "serve", "--port", str(port)]
    if index is not None:
        command += ["--index", str(index)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("foramen serve did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def report(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    base = statistics.median(samples["/healthz"])
    table: dict[str, dict[str, float]] = {}
    print(f"{'endpoint':<18}{'n':>6}{'median ms':>12}{'p90 ms':>10}{'× healthz':>11}")
    for name, values in samples.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        table[name] = {"n": len(values), "median_ms": median, "p90_ms": p90, "ratio": median / base}
        print(f"{name:<18}{len(values):>6}{median:>12.3f}{p90:>10.3f}{median / base:>10.2f}×")
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="a running foramen serve")
    parser.add_argument("--serve", action="store_true", help="start foramen serve for the run")
    parser.add_argument("--index", type=Path, help="with --serve: the index folder to serve")
    parser.add_argument("--requests", type=int, default=400, help="requests per endpoint")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="every search a query not asked before (no result cache can help), "
        f"instead of the {len(QUERIES)} example queries over and over",
    )
    parser.add_argument(
        "--new-connection",
        action="store_true",
        help="open a new connection for every request (timed from the connect)",
    )
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    if args.distinct:
        fresh = distinct_queries(3 * args.requests)
        queries = [fresh[i::3] for i in range(3)]
    else:
        queries = [list(QUERIES)] * 3
    plan = endpoints(queries)
    if args.serve:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        host = "127.0.0.1"
        with serve(port, args.index):
            samples = measure(host, port, plan, args.requests, args.warmup, args.new_connection)
    else:
        samples = measure(host, port, plan, args.requests, args.warmup, args.new_connection)
    table = report(samples)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(table, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
