"""Build timings: full build time and peak memory, and a one-edit incremental build.

    python -m bench.build --scale 100 --scale 1000 [--repeat 3] [--incremental 5]

Every build runs as a separate ``foramen build`` process, the way a person runs it, so
interpreter start-up and imports count. Peak memory is the largest resident set of the
build's processes (``getrusage(RUSAGE_CHILDREN)`` of a wrapper process that runs only that
build) and, for multi-process builds, the peak memory of the whole process tree sampled
every 20 ms from /proc (PSS: pages a forked worker shares with its parent count once).
The incremental build edits one paragraph of one article (alternating between two
versions so every run has one section to update).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from bench.common import corpus_dir, median, table, write_json

WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "maxrss_kb": usage.ru_maxrss, "rc": done.returncode,
                  "stdout": done.stdout, "stderr": done.stderr[-2000:]}))
"""


def _pss_kb(pid: int) -> int:
    """Proportional set size: resident memory with pages shared by n processes / n."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_pss_kb(root: int) -> int:
    """Memory of ``root`` and all its descendants (PSS, so forked pages count once)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, ppid = int(entry), int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(ppid, []).append(pid)
        rss[pid] = 1 if "VmRSS" in fields else 0  # a live process with memory
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid) if rss.get(pid) else 0
        stack.extend(children.get(pid, []))
    return total


def measured(command: list[str]) -> dict[str, Any]:
    """Run ``command`` under the wrapper: wall seconds, max RSS, sampled tree RSS."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command], stdout=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_pss_kb(process.pid))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    result = json.loads(output)
    if result["rc"] != 0:
        raise RuntimeError(f"{command} failed: {result['stderr']}")
    result["tree_peak_mb"] = peak / 1024
    result["maxrss_mb"] = result.pop("maxrss_kb") / 1024
    return result


def foramen(*args: str) -> list[str]:
    return [sys.executable, "-m", "foramen", *args]


def _edit(corpus: Path, version: int) -> None:
    """Change one paragraph of one article (two alternating versions)."""
    article = sorted(corpus.glob("*.md"))[len(list(corpus.glob("*.md"))) // 2]
    text = article.read_text("utf-8")
    marker = ("zzbenchmarkedit one", "zzbenchmarkedit two")
    for word in marker:
        text = text.replace(f" {word}.", "")
    lines = text.split("\n")
    index = next(i for i, line in enumerate(lines) if len(line) > 200)
    lines[index] = lines[index] + f" {marker[version % 2]}."
    article.write_text("\n".join(lines), "utf-8")


def run(scale: int, repeat: int, incremental: int, keep: bool) -> dict[str, Any]:
    source = corpus_dir(scale)
    work = Path(tempfile.mkdtemp(prefix=f"foramen-build-x{scale}-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(source, corpus)
        index = work / "index"
        fulls = []
        for _ in range(repeat):
            fulls.append(
                measured(foramen("build", "--full", "--corpus", str(corpus), "--index", str(index)))
            )
        incrementals = []
        for n in range(incremental):
            _edit(corpus, n)
            incrementals.append(
                measured(foramen("build", "--corpus", str(corpus), "--index", str(index)))
            )
        nothing = measured(foramen("build", "--corpus", str(corpus), "--index", str(index)))
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return {
        "scale": scale,
        "full": {
            "seconds": median([r["seconds"] for r in fulls]),
            "maxrss_mb": median([r["maxrss_mb"] for r in fulls]),
            "tree_peak_mb": median([r["tree_peak_mb"] for r in fulls]),
            "summary": fulls[-1]["stdout"].strip(),
            "runs": fulls,
        },
        "incremental": {
            "seconds": median([r["seconds"] for r in incrementals]) if incrementals else None,
            "runs": incrementals,
            "summary": incrementals[-1]["stdout"].strip() if incrementals else "",
        },
        "unchanged": {"seconds": nothing["seconds"], "summary": nothing["stdout"].strip()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Full and incremental build timings.")
    parser.add_argument("--scale", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=3, help="full builds per scale")
    parser.add_argument("--incremental", type=int, default=5, help="one-edit builds per scale")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpus and index")
    parser.add_argument("--label", default="build")
    args = parser.parse_args()
    results = [run(s, args.repeat, args.incremental, args.keep) for s in args.scale or [1]]
    rows = [
        [
            f"x{r['scale']}",
            r["full"]["seconds"],
            r["full"]["maxrss_mb"],
            r["full"]["tree_peak_mb"],
            r["incremental"]["seconds"] or float("nan"),
            r["unchanged"]["seconds"],
        ]
        for r in results
    ]
    print(
        table(["scale", "full s", "max RSS MB", "tree peak PSS MB", "one-edit s", "no-op s"], rows)
    )
    print(
        f"(whole `foramen build` processes; medians of {args.repeat} full,"
        f" {args.incremental} one-edit)"
    )
    for r in results:
        print(f"x{r['scale']}: {r['full']['summary']} | {r['incremental']['summary']}")
    print(write_json(args.label, {"results": results}))


if __name__ == "__main__":
    main()
