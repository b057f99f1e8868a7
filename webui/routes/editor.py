"""The editor's pages (``/editor``, only in editor mode): judge results, see the gaps in the
judgments, see what the corpus on disk would change, and the last check's outcome.

Pages are plain ``def`` (Starlette's thread pool); the form posts are ``async`` for the
body and hand their file writes to the thread pool. Every refusal is a 4xx page that says
what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from indexer import evaluation as ev
from indexer import judgments
from indexer.checking import diff_queries, suite_report, top_changes
from indexer.corpus import SLUG
from indexer.errors import ForamenError
from indexer.models import Hit
from indexer.staging import read_check, scratch_stage
from webui.editor import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    EditorConfig,
    FormError,
    csrf_nonce,
    csrf_token,
    read_form,
    signed_in,
    token_matches,
)
from webui.errors import error_page
from webui.state import web_state
from webui.urls import path_for

JUDGED_SHOWN = 10  # hits graded on a judging page
LOG_SHOWN = 20  # queries of the log on the overview and the diff page
MAX_ID_CHARS = 200


@dataclass(frozen=True, slots=True)
class GradedHit:
    hit: Hit
    grade: int | None  # None: unjudged


def _config(request: Request, *, page: bool = True) -> EditorConfig | Response:
    """The editor configuration, or the answer to a request that may not use it."""
    config = web_state(request).editor
    if config is None:
        raise HTTPException(404)  # the routes are not mounted then; this is belt and braces
    if signed_in(config, request):
        return config
    if config.token is None:
        raise HTTPException(404)  # loopback only: to anyone else there is nothing here
    if page:
        return RedirectResponse(path_for(request.app, "editor_login"), status_code=303)
    return error_page(request, 403, "Sign in as an editor first (/editor/login).")


def _render(request: Request, name: str, context: dict[str, object], status: int = 200) -> Response:
    state = web_state(request)
    assert state.editor is not None
    nonce = csrf_nonce(request)
    response = state.templates.TemplateResponse(
        request,
        name,
        {
            "q": "",
            "banner": read_check(state.editor.index_dir),
            "csrf": csrf_token(state.editor, nonce),
            **context,
        },
        status_code=status,
    )
    response.headers["Cache-Control"] = "no-store"
    if request.cookies.get(CSRF_COOKIE) != nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/editor")
    return response


def _problem(request: Request, status: int, message: str) -> Response:
    response = error_page(request, status, message)
    response.headers["Cache-Control"] = "no-store"
    return response


def home(request: Request) -> Response:
    config = _config(request)
    if isinstance(config, Response):
        return config
    log = web_state(request).query_log
    context: dict[str, object] = {"top": [], "empty": [], "unopened": [], "logging": bool(log)}
    if log is not None:
        context |= {
            "top": log.top(LOG_SHOWN),
            "empty": log.top(LOG_SHOWN, no_results=True),
            "unopened": log.top(LOG_SHOWN, unopened=True),
        }
    return _render(request, "editor/home.html", context)


def judge(request: Request) -> Response:
    """One query's results, each hit with its grade and buttons to grade it 0, 1 or 2."""
    config = _config(request)
    if isinstance(config, Response):
        return config
    state = web_state(request)
    try:
        suite = ev.load_suite(config.suite_dir)
        grades = judgments.grades(config.suite_dir)
    except (ForamenError, OSError, ValueError) as error:
        return _problem(request, 503, f"The judgments cannot be read: {error}")
    qid, text = request.query_params.get("qid", ""), request.query_params.get("q", "")
    query = next((x for x in suite.queries if x.qid == qid or (not qid and x.text == text)), None)
    if qid and query is None:
        return _problem(request, 404, f"There is no judged query “{qid}” in queries.tsv.")
    if query is not None:
        text = query.text
    text = " ".join(text.split())
    if not text or len(text) > judgments.MAX_QUERY_CHARS:
        message = f"Give a query (q, 1–{judgments.MAX_QUERY_CHARS} characters) or a qid."
        return _problem(request, 400, message)
    result = state.engine.search(text, limit=JUDGED_SHOWN, correct=True)
    given = grades.get(query.qid, {}) if query else {}
    shown = {hit.id for hit in result.hits}
    return _render(
        request,
        "editor/judge.html",
        {
            "text": text,
            "query": query,
            "hits": [GradedHit(hit, given.get(hit.id)) for hit in result.hits],
            "others": [
                (sid, grade, state.engine.section(sid) is not None)
                for sid, grade in sorted(given.items())
                if sid not in shown
            ],
            "kinds": sorted({x.kind for x in suite.queries} - {ev.NO_ANSWER}),
            "graded": request.query_params.get("graded", ""),
            "was": request.query_params.get("was", ""),
        },
    )


Action = Callable[[Request, EditorConfig, dict[str, str]], dict[str, str]]


async def _post(request: Request, action: Action) -> Response:
    """Check who posts and the form, run ``action`` in the thread pool (it writes files),
    and send the editor to the judging page with the query string it returns."""
    config = _config(request, page=False)
    if isinstance(config, Response):
        return config
    try:
        form = await read_form(config, request)
        query = await run_in_threadpool(action, request, config, form)
    except FormError as error:
        return _problem(request, error.status, error.message)
    target = path_for(request.app, "editor_judge")
    return RedirectResponse(f"{target}?{urlencode(query)}", status_code=303)


async def grade(request: Request) -> Response:
    """POST qid, section, grade (0/1/2): write the grade into qrels.txt, back to the query."""
    return await _post(request, _grade)


async def add_query(request: Request) -> Response:
    """POST kind, q: add the query to queries.tsv (to grade its results), then judge it."""
    return await _post(request, _add_query)


def _grade(request: Request, config: EditorConfig, form: dict[str, str]) -> dict[str, str]:
    qid, section, grade_text = (form.get(k, "") for k in ("qid", "section", "grade"))
    if grade_text not in ("0", "1", "2"):
        raise FormError(400, "'grade' must be 0 (not relevant), 1 (relevant) or 2 (the answer)")
    if not judgments.QID.fullmatch(qid):
        raise FormError(400, "'qid' must be a judged query's id, such as term-01")
    if not SLUG.fullmatch(section) or len(section) > MAX_ID_CHARS:
        raise FormError(400, "'section' must be a section id: a-z, 0-9 and '-'")
    try:
        suite = ev.load_suite(config.suite_dir)
        judged = judgments.grades(config.suite_dir).get(qid, {})
    except (ForamenError, OSError, ValueError) as error:
        raise FormError(409, f"the judgments cannot be read: {error}") from None
    query = next((x for x in suite.queries if x.qid == qid), None)
    if query is None:
        raise FormError(400, f"there is no query '{qid}' in queries.tsv")
    if query.kind == ev.NO_ANSWER:
        raise FormError(400, f"'{qid}' is a no-answer query: it has no judgments to grade")
    if section not in judged and web_state(request).engine.section(section) is None:
        raise FormError(400, f"there is no section '{section}' in the index")
    try:
        change = judgments.set_grade(config.suite_dir, qid, section, int(grade_text))
    except ForamenError as error:
        raise FormError(409, str(error)) from None
    was = "unjudged" if change.before is None else str(change.before)
    return {"qid": qid, "graded": section, "was": was}


def _add_query(request: Request, config: EditorConfig, form: dict[str, str]) -> dict[str, str]:
    kind, text = form.get("kind", ""), " ".join(form.get("q", "").split())
    if not text or len(text) > judgments.MAX_QUERY_CHARS:
        raise FormError(400, f"'q' must have 1 to {judgments.MAX_QUERY_CHARS} characters")
    try:
        kinds = {x.kind for x in ev.load_suite(config.suite_dir).queries} - {ev.NO_ANSWER}
        if kind not in kinds:
            raise FormError(400, f"'kind' must be one of: {', '.join(sorted(kinds))}")
        return {"qid": judgments.add_query(config.suite_dir, kind, text)}
    except (ForamenError, OSError, ValueError) as error:
        raise FormError(409, str(error)) from None


def gaps(request: Request) -> Response:
    """Judged ids the index no longer holds, and unjudged sections reaching a top 3."""
    config = _config(request)
    if isinstance(config, Response):
        return config
    try:
        suite = ev.load_suite(config.suite_dir)
        report = suite_report(suite, config.index_dir)
    except (ForamenError, OSError, ValueError) as error:
        return _problem(request, 503, f"The judgments cannot be run: {error}")
    texts = {x.qid: x.text for x in suite.queries}
    return _render(
        request,
        "editor/gaps.html",
        {"missing": report.missing_ids, "unjudged": report.unjudged_top, "texts": texts},
    )


def diff(request: Request) -> Response:
    """What the corpus on disk would change: the queries whose top 5 differ from the live."""
    config = _config(request)
    if isinstance(config, Response):
        return config
    log = web_state(request).query_log
    problem, changes, compared = None, [], 0
    try:
        queries = diff_queries(config.suite_dir, log.path if log else None, LOG_SHOWN)
        compared = len(queries)
        with scratch_stage(config.corpus_dir, config.index_dir) as candidate:
            changes = top_changes(config.index_dir, candidate, queries)
    except (ForamenError, OSError, ValueError) as error:
        problem = f"The corpus on disk cannot be compared: {error}"
    return _render(
        request, "editor/diff.html", {"changes": changes, "compared": compared, "problem": problem}
    )


def login(request: Request) -> Response:
    config = web_state(request).editor
    if config is None:
        raise HTTPException(404)
    if config.token is None:
        return RedirectResponse(path_for(request.app, "editor_home"), status_code=303)
    return _render(request, "editor/login.html", {"banner": None})  # nothing before sign-in


async def sign_in(request: Request) -> Response:
    config = web_state(request).editor
    if config is None or config.token is None:
        raise HTTPException(404)
    try:
        form = await read_form(config, request)
    except FormError as error:
        return _problem(request, error.status, error.message)
    offered = form.get("token", "")
    if not token_matches(config, offered):
        return _problem(request, 403, "That is not the editor token this server was started with.")
    response = RedirectResponse(path_for(request.app, "editor_home"), status_code=303)
    response.set_cookie(SESSION_COOKIE, offered, httponly=True, samesite="strict", path="/editor")
    return response
