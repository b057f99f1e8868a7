"""Run the web app under uvicorn, with optional workers and a corpus watcher."""

from __future__ import annotations

import inspect
import logging
import socket
import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from foramen.settings import Settings
from indexer.build import build_index
from indexer.checking import check_and_publish, judges_this_index
from indexer.errors import ForamenError
from indexer.querylog import QueryLog
from webui import create_app
from webui.editor import EditorConfig

log = logging.getLogger("foramen")
APP_FACTORY = "foramen.server:app_from_env"


def app_from_env() -> Starlette:
    """The factory uvicorn calls in each worker: the paths ``run_server`` exported."""
    settings = Settings.from_env()
    editor = None
    if settings.editor:
        editor = EditorConfig.from_secret(
            settings.suite_dir,
            settings.index_dir,
            settings.corpus_dir,
            settings.editor_token,
            settings.editor_secret,
        )
    return create_app(
        index_dir=settings.index_dir,
        corpus_dir=settings.corpus_dir,
        cors_origins=settings.cors_origins,
        query_log=QueryLog(settings.query_log) if settings.query_log else None,
        editor=editor,
    )


def run_server(settings: Settings, *, host: str, port: int, workers: int, watch: bool) -> None:
    settings.export()  # worker processes build their app from the environment
    config = uvicorn.Config(
        APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info"
    )
    stop = threading.Event()
    if watch:
        threading.Thread(
            target=watch_corpus, args=(settings, stop), daemon=True, name="foramen-watch"
        ).start()
    try:
        run_uvicorn(config)
    finally:
        stop.set()


def run_uvicorn(config: uvicorn.Config) -> None:
    """Serve ``config`` in this process, or in ``config.workers`` worker processes."""
    if config.workers <= 1:
        uvicorn.Server(config).run()
        return
    # uvicorn binds a socket that asyncio in the workers does not see as TCP, so
    # TCP_NODELAY stays off and keep-alive requests stall ~40 ms (uvicorn #3149).
    # Rebuilding the socket object from its descriptor restores its family/type.
    sock = socket.socket(fileno=config.bind_socket().detach())
    if "target" in inspect.signature(Multiprocess).parameters:  # older uvicorn
        target = uvicorn.Server(config).run
        Multiprocess(config, target=target, sockets=[sock]).run()  # type: ignore[call-arg]
    else:
        Multiprocess(config, sockets=[sock]).run()


def watch_corpus(settings: Settings, stop: threading.Event) -> None:
    """Rebuild the index incrementally whenever a corpus file changes."""
    from watchfiles import watch

    corpus: Path = settings.corpus_dir
    checked = settings.check and judges_this_index(settings.suite_dir, settings.index_dir)
    if settings.check and not checked:
        log.warning(
            "the judgments in %s name no section of this index: edits are published unchecked",
            settings.suite_dir,
        )
    for _changes in watch(corpus, stop_event=stop, debounce=300, raise_interrupt=False):
        try:
            if checked:
                check_edit(settings)
                continue
            report = build_index(corpus, settings.index_dir, wait=30.0)
            log.info("corpus changed: %s", report.summary())
        except (ForamenError, OSError, ValueError) as error:
            log.error(
                "corpus changed but the build failed, still serving the last index: %s", error
            )


def check_edit(settings: Settings) -> None:
    """``build --check`` for an edit: the outcome in the log and on the editor's banner."""
    result = check_and_publish(settings.corpus_dir, settings.index_dir, settings.suite_dir)
    status = result.status
    if status.ok:
        log.info("corpus changed: %s; %s", status.message, result.report.summary())
    else:
        log.error("corpus changed: %s: %s", status.outcome, status.message)
        for failure in status.failures:
            log.error("  %s", failure)
