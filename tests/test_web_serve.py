"""`foramen serve` over real HTTP: one process, and several uvicorn workers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.web_server import ROOT, foramen_serve

REAL_CORPUS = ROOT / "corpus"

pytestmark = pytest.mark.slow  # a served app, in one process and in several


def _get(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_answers_pages_and_api(real_index: Path, tmp_path: Path, workers: str) -> None:
    log = tmp_path / "serve.log"
    with foramen_serve(REAL_CORPUS, real_index, log, "--workers", workers) as base:
        for _ in range(4):  # several requests, so that more than one worker answers
            status, headers, body = _get(f"{base}/api/search?q=kemp&limit=3")
            assert status == 200 and json.loads(body)["results"][0]["id"] == "kemps-test"
        status, headers, body = _get(f"{base}/search?q=kemp")
        assert status == 200 and b'data-section-id="kemps-test"' in body
        assert headers["X-Content-Type-Options"] == "nosniff"
        status, _, body = _get(f"{base}/api/search?q=kemp&limit=0")
        assert status == 400 and "limit" in json.loads(body)["error"]
    assert "Traceback" not in log.read_text()
