"""Editor mode: who may use the editor's pages, and the checks on every form they post.

Off unless ``create_app(editor=EditorConfig(...))``: then the ``/editor`` routes exist.
Without a token only requests from this machine (loopback) reach them; with one, an
editor signs in once (a ``SameSite=Strict``, ``HttpOnly`` cookie) or sends it as a
``Bearer`` token. Every form carries a CSRF token: an HMAC of a random nonce kept in a
``SameSite=Strict`` cookie, so a page of another site can neither read nor forge it.
Forms are ``application/x-www-form-urlencoded``, small, and parsed here.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from starlette.requests import Request

SESSION_COOKIE = "foramen_editor"
CSRF_COOKIE = "foramen_csrf"
CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 4096
MAX_FORM_FIELDS = 8
FORM_TYPE = "application/x-www-form-urlencoded"


class FormError(Exception):
    """A posted form that is refused: ``status`` and a message saying what to fix."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class EditorConfig:
    suite_dir: Path  # queries.tsv, qrels.txt, baseline.json: where grades are written
    index_dir: Path  # the live index (its last check's outcome is the pages' banner)
    corpus_dir: Path  # the corpus on disk, which the diff page builds
    token: str | None = None  # None: loopback only
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def from_secret(
        cls, suite_dir: Path, index_dir: Path, corpus_dir: Path, token: str | None, secret: str
    ) -> EditorConfig:
        """Workers of one server share ``secret``, so a form one rendered another accepts."""
        key = secret.encode() if secret else secrets.token_bytes(32)
        return cls(Path(suite_dir), Path(index_dir), Path(corpus_dir), token, key)


def is_loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "testclient"  # Starlette's TestClient, which is this process


def signed_in(config: EditorConfig, request: Request) -> bool:
    """Whether ``request`` may use the editor's pages."""
    if config.token is None:
        return is_loopback(request)
    offered = request.cookies.get(SESSION_COOKIE, "")
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        offered = bearer[7:].strip()
    return token_matches(config, offered)


def token_matches(config: EditorConfig, offered: str) -> bool:
    """Whether ``offered`` is the editor token (compared in constant time)."""
    if config.token is None:
        return False
    return hmac.compare_digest(offered.encode(), config.token.encode())


def csrf_nonce(request: Request) -> str:
    """The nonce of this browser's CSRF cookie, or a new one (the page sets it)."""
    nonce = request.cookies.get(CSRF_COOKIE, "")
    return nonce if _is_nonce(nonce) else secrets.token_urlsafe(18)


def csrf_token(config: EditorConfig, nonce: str) -> str:
    return hmac.new(config.secret, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def _is_nonce(text: str) -> bool:
    return 16 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


async def read_form(config: EditorConfig, request: Request) -> dict[str, str]:
    """The posted fields (one value each), once the CSRF token and the body are checked."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM_TYPE:
        raise FormError(415, f"post the form as {FORM_TYPE}")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormError(413, f"a form is at most {MAX_FORM_BYTES} bytes")
    try:
        pairs = parse_qs(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise FormError(400, "the form is not valid UTF-8 URL-encoded text") from None
    if any(len(values) > 1 for values in pairs.values()):
        raise FormError(400, "each field of the form may be sent once")
    form = {name: values[0] for name, values in pairs.items()}
    nonce = request.cookies.get(CSRF_COOKIE, "")
    offered = form.pop(CSRF_FIELD, "")
    if not _is_nonce(nonce) or not hmac.compare_digest(offered, csrf_token(config, nonce)):
        raise FormError(403, "the form's CSRF token is missing or stale: reload the page")
    return form
