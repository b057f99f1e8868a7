"""Bounded load test: ``foramen serve`` on 127.0.0.1 answers everything, even while rebuilding.

    python bench/loadtest.py                 # 64 connections for 30 s, rebuilds every 5 s
    python bench/loadtest.py --duration 5 --connections 16 --rebuild-every 0
    python bench/loadtest.py --workers 2     # foramen serve --workers 2

Copies the corpus into a temporary folder, builds it, starts ``foramen serve`` there on a
free port, and runs two Debian ``wrk`` processes at once (each one thread, keep-alive):

- the *ok* mix (all connections but 8): judged queries (tests/relevance/queries.tsv),
  odd but valid input (operators, quotes, emoji, markup, empty), HTML results pages,
  article pages with highlighting, section lookups and /healthz; every answer must be 2xx;
- the *refused* mix (8 connections): bad numbers, over-long queries, unknown sections and
  path tricks; every answer must be 4xx.

Meanwhile it edits the corpus copy and runs ``foramen build`` and ``foramen build --full``
in turn every ``--rebuild-every`` seconds (0: never). Errors are socket errors, timeouts,
unexpected statuses (every 5xx among them) and failed builds; any error exits 1. Prints a
summary and writes ``--out`` (default bench/out/loadtest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "loadtest.lua"
WRK = "/usr/bin/wrk"
REFUSED_CONNECTIONS = 8
ODD_QUERIES = [
    "",
    "   ",
    '"femoral nerve',
    "((nerve)",
    "AND OR NOT",
    "-",
    "*",
    "nerve~",
    "title:nerve",
    "id:*",
    "the of and",
    "\u202enerve",
    "💥🦴 nerve",
    "<script>alert(1)</script>",
    "'; DROP TABLE sections; --",
    "%zz",
    "nerve\x00stretch",
    "x" * 256,
]
SECTIONS = ["femoral-nerve-stretch-test", "kemps-test", "vitamin-b12-cobalamin"]
SECTIONS += ["ibuprofen-nsaid", "acetaminophen-analgesic", "is-surgery-always-necessary"]
ARTICLE = "/articles/l1-l2-foraminal-narrowing"
REFUSED_PATHS = [
    "/api/search?q=nerve&limit=0",
    "/api/search?q=nerve&limit=51",
    "/api/search?q=nerve&limit=-1",
    "/api/search?q=nerve&limit=1.5",
    "/api/search?q=nerve&page=0",
    "/api/search?q=nerve&page=abc",
    "/api/search?q=nerve&page=" + "9" * 40,
    "/api/search?q=" + "n" * 300,
    "/search?q=nerve&limit=x",
    "/search?q=" + "n" * 300,
    "/api/sections/no-such-section",
    "/api/sections/..%2F..%2Fpyproject.toml",
    "/articles/no-such-article",
    "/articles/..%2F..%2Fpyproject.toml",
    "/static/%2e%2e/pyproject.toml",
    "/no/such/page",
]


def query_path(prefix: str, q: str, **extra: str) -> str:
    q = q.encode("utf-8", "replace").decode("utf-8")
    return f"{prefix}?" + urllib.parse.urlencode({"q": q, **extra})


def ok_paths() -> list[str]:
    judged = [
        line.split("\t")[3]
        for line in (ROOT / "tests/relevance/queries.tsv").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    paths = [query_path("/api/search", q) for q in judged]
    paths += [query_path("/api/search", q, limit="50", page="2") for q in judged[::7]]
    paths += [query_path("/search", q) for q in judged[::5]]
    paths += [query_path(ARTICLE, q) for q in judged[::11]]
    paths += [query_path("/api/search", q) for q in ODD_QUERIES] * 2
    paths += [query_path("/search", q) for q in ODD_QUERIES]
    paths += [f"/api/sections/{s}" for s in SECTIONS] + ["/healthz", "/", ARTICLE]
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"foramen serve exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"foramen serve did not answer on port {port} within {timeout:g} s")


def foramen(*args: str, corpus: Path, index: Path) -> list[str]:
    return [sys.executable, "-m", "foramen", *args, "--corpus", str(corpus), "--index", str(index)]


def wrk(port: int, paths: Path, expect: str, connections: int, duration: float) -> list[str]:
    return [
        WRK,
        "-t1",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
        "--",
        str(paths),
        expect,
    ]


def parse(output: str) -> dict[str, Any]:
    line = next(x for x in output.splitlines() if x.startswith("LOADJSON "))
    data: dict[str, Any] = json.loads(line[len("LOADJSON ") :])
    data["errors"] = sum(
        data[k] for k in ("unexpected", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return data


class Rebuilder(threading.Thread):
    """Edit the corpus copy and rebuild, incremental and --full in turn, until stopped."""

    def __init__(self, corpus: Path, index: Path, every: float) -> None:
        super().__init__(name="rebuilder", daemon=True)
        self.corpus, self.index, self.every = corpus, index, every
        self.stop = threading.Event()
        self.builds: list[dict[str, Any]] = []

    def run(self) -> None:
        article = self.corpus / "l1-l2-foraminal-narrowing.md"
        original = article.read_text("utf-8")
        round_ = 0
        while not self.stop.wait(self.every):
            round_ += 1
            article.write_text(f"{original}\nLoad test edit {round_}.\n", "utf-8")
            full = round_ % 2 == 0
            args = ("build", "--full") if full else ("build",)
            started = time.perf_counter()
            done = subprocess.run(
                foramen(*args, corpus=self.corpus, index=self.index),
                capture_output=True,
                text=True,
                check=False,
            )
            self.builds.append(
                {
                    "full": full,
                    "exit": done.returncode,
                    "seconds": round(time.perf_counter() - started, 3),
                    "output": (done.stdout + done.stderr).strip()[-300:],
                }
            )


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.connections <= REFUSED_CONNECTIONS:
        sys.exit(f"--connections must be more than {REFUSED_CONNECTIONS}")
    work = Path(tempfile.mkdtemp(prefix="foramen-load-"))
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    subprocess.run(foramen("build", "--full", corpus=corpus, index=index), check=True)
    (work / "ok.txt").write_text("\n".join(ok_paths()) + "\n", "utf-8")
    (work / "refused.txt").write_text("\n".join(REFUSED_PATHS) + "\n", "utf-8")
    port = free_port()
    server_log = (work / "server.log").open("wb")
    serve = foramen("serve", corpus=corpus, index=index)
    server = subprocess.Popen(
        [*serve, "--port", str(port), "--workers", str(args.workers)],
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its workers
    )
    rebuilder = Rebuilder(corpus, index, args.rebuild_every)
    try:
        wait_ready(port, server)
        ok_connections = args.connections - REFUSED_CONNECTIONS
        runs = {
            "ok": subprocess.Popen(
                wrk(port, work / "ok.txt", "ok", ok_connections, args.duration),
                stdout=subprocess.PIPE,
                text=True,
            ),
            "refused": subprocess.Popen(
                wrk(port, work / "refused.txt", "refused", REFUSED_CONNECTIONS, args.duration),
                stdout=subprocess.PIPE,
                text=True,
            ),
        }
        if args.rebuild_every > 0:
            rebuilder.start()
        results = {
            name: parse(p.communicate(timeout=args.duration + 60)[0]) for name, p in runs.items()
        }
    finally:
        rebuilder.stop.set()
        if rebuilder.is_alive():
            rebuilder.join(120)
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        server_log.close()
    log = (work / "server.log").read_text("utf-8", "replace")
    failed_builds = [b for b in rebuilder.builds if b["exit"] != 0]
    summary = {
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "requests": sum(r["requests"] for r in results.values()),
        "errors": sum(r["errors"] for r in results.values()) + len(failed_builds),
        "server_errors": sum(r["server_errors"] for r in results.values()),
        "tracebacks_in_server_log": log.count("Traceback"),
        "builds": len(rebuilder.builds),
        "failed_builds": failed_builds,
        "ok": results["ok"],
        "refused": results["refused"],
    }
    summary["errors"] += summary["tracebacks_in_server_log"]
    if summary["errors"] == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        summary["kept"] = str(work)  # the server log and path lists, to look into
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections")
    parser.add_argument(
        "--rebuild-every", type=float, default=5.0, help="seconds between rebuilds (0: none)"
    )
    parser.add_argument("--workers", type=int, default=1, help="foramen serve --workers")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/loadtest.json")
    args = parser.parse_args(argv)
    summary = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
    for name in ("ok", "refused"):
        r = summary[name]
        print(
            f"{name:>8}: {r['requests']} requests, {r['errors']} errors, "
            f"p50 {r['p50_us'] / 1000:.1f} ms, p90 {r['p90_us'] / 1000:.1f} ms, "
            f"p99 {r['p99_us'] / 1000:.1f} ms, max {r['max_us'] / 1000:.1f} ms"
        )
    print(
        f"   total: {summary['requests']} requests over {args.connections} connections in "
        f"{args.duration:g} s, {summary['builds']} rebuilds while serving, "
        f"{summary['errors']} errors"
    )
    if summary["errors"]:
        print(json.dumps(summary, indent=2), file=sys.stderr)
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
