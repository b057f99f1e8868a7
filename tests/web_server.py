"""Start `foramen serve` as a person would, on a free local port, for HTTP-level tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0  # seconds; a bound, not an expectation


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def foramen_serve(corpus: Path, index: Path, log: Path, *extra: str) -> Iterator[str]:
    """Run `foramen serve` until the block ends; yields its base URL once /healthz answers."""
    port = free_port()
    command = [sys.executable, "-m", "foramen", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--corpus", str(corpus), "--index", str(index), *extra]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"foramen serve did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
