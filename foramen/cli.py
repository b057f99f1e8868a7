"""The ``foramen`` command: build, search, serve, eval."""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from foramen.settings import (
    CORPUS_ENV,
    DEFAULT_CORPUS,
    DEFAULT_INDEX,
    DEFAULT_SUITE,
    EDITOR_TOKEN_ENV,
    INDEX_ENV,
    QUERY_LOG_ENV,
    SUITE_ENV,
    Settings,
    query_log_path,
)
from indexer.build import BuildReport, Progress, build_index
from indexer.errors import ForamenError
from indexer.models import MAX_LIMIT
from indexer.store import read_pointer

PROGRESS_AFTER = 500  # sections: smaller builds finish before a bar would be drawn


def folder_option(
    flag: str, name: str, envvar: str, default: Path, help_text: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A folder option with an environment variable and a default, both shown in --help."""
    return click.option(
        flag,
        name,
        type=click.Path(file_okay=False, path_type=Path),
        envvar=envvar,
        default=default,
        show_default=True,
        show_envvar=True,
        help=help_text,
    )


def paths(command: Callable[..., Any]) -> Callable[..., Any]:
    """The --corpus and --index options every subcommand takes."""
    command = folder_option(
        "--index", "index_dir", INDEX_ENV, DEFAULT_INDEX, "Folder of the search index."
    )(command)
    return folder_option(
        "--corpus", "corpus_dir", CORPUS_ENV, DEFAULT_CORPUS, "Folder of Markdown articles."
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="foramen", prog_name="foramen")
def main() -> None:
    """foramen: section-level search for medical articles."""


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A progress bar for long builds when attached to a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    state: dict[str, Any] = {}

    def report(done: int, total: int) -> None:
        if total < PROGRESS_AFTER:
            return
        if "bar" not in state:
            state["bar"] = click.progressbar(length=total, label="indexing", file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state.get("done", 0))
        state["done"] = done

    try:
        yield report
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


def run_build(settings: Settings, full: bool, wait: float) -> BuildReport:
    with _progress() as progress:
        return build_index(
            settings.corpus_dir,
            settings.index_dir,
            full=full,
            wait=wait,
            progress=progress,
            checks=corpus_checks(),
        )


def corpus_checks() -> tuple[Callable[[Path], None], ...]:
    """Validations of corpus files other than articles, run before a build writes."""
    from indexer.synonyms import check_synonyms

    return (check_synonyms,)


def suite_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The --suite option: the relevance judgments eval, a check, a diff or an editor uses."""
    return folder_option(
        "--suite",
        "suite_dir",
        SUITE_ENV,
        DEFAULT_SUITE,
        "Folder with queries.tsv, qrels.txt and baseline.json.",
    )(command)


def query_log_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The --query-log option: the server's query counts (a SQLite file)."""
    return click.option(
        "--query-log",
        "query_log",
        envvar=QUERY_LOG_ENV,
        default=None,
        show_envvar=True,
        help="The query log's SQLite file [default: querylog.sqlite3 in the index folder; "
        "'off': none].",
    )(command)


def top_option(low: int, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --top option: how many of the query log's queries (50 unless told)."""
    return click.option(
        "--top", type=click.IntRange(low, 10_000), default=50, show_default=True, help=help_text
    )


def checked_build(settings: Settings, force: bool, wait: float) -> None:
    """``foramen build --check``: exit 0 published, 3 refused, 1 invalid corpus or suite."""
    from indexer import evaluation as ev
    from indexer.checking import check_and_publish, format_check

    try:
        result = check_and_publish(
            settings.corpus_dir,
            settings.index_dir,
            settings.suite_dir,
            force=force,
            wait=wait,
            checks=corpus_checks(),
        )
        texts = {x.qid: x.text for x in ev.load_suite(settings.suite_dir).queries}
    except (ForamenError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for line in format_check(result, texts):
        click.echo(line)
    for failure in result.status.failures:
        click.echo(f"FAIL: {failure}", err=True)
    click.echo(f"{result.status.outcome}: {result.status.message}")
    click.echo(result.report.summary())
    if not result.status.ok and result.status.outcome != "forced":
        sys.exit(3)


@main.command()
@paths
@click.option("--full", is_flag=True, help="Rebuild from scratch and swap the new index in.")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another running build before giving up.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Build a staged generation, run the relevance suite on it and publish it only "
    "if every gate holds (exit 3 when refused; the live index keeps answering).",
)
@click.option("--force", is_flag=True, help="With --check: publish even when a gate fails.")
@suite_option
def build(
    corpus_dir: Path,
    index_dir: Path,
    full: bool,
    wait: float,
    check: bool,
    force: bool,
    suite_dir: Path,
) -> None:
    """Bring the index up to date with the corpus, touching only sections that changed."""
    if force and not check:
        raise click.UsageError("--force only applies to --check")
    if check:
        checked_build(Settings(corpus_dir, index_dir, suite_dir=suite_dir), force, wait)
        return
    try:
        report = run_build(Settings(corpus_dir, index_dir), full, wait)
    except ForamenError as error:
        raise click.ClickException(str(error)) from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(report.summary())


@main.command()
@paths
@click.argument("query")
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_LIMIT),
    default=10,
    show_default=True,
    help="How many results to show.",
)
@click.option(
    "--page",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Which page of results to show.",
)
@click.option(
    "--exact", is_flag=True, help="Search the words as typed, without correcting misspellings."
)
@click.option("--json", "as_json", is_flag=True, help="Print the /api/search JSON body.")
@click.option(
    "--explain", is_flag=True, help="Show why each hit scored so (the parts add up to it)."
)
def search(
    corpus_dir: Path,
    index_dir: Path,
    query: str,
    limit: int,
    page: int,
    exact: bool,
    as_json: bool,
    explain: bool,
) -> None:
    """Search the index and print the best sections."""
    # Argument bytes that are not UTF-8 arrive as lone surrogates, which no UTF-8 output
    # can carry: show them as U+FFFD, as a browser would.
    query = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in query)
    settings = Settings(corpus_dir, index_dir)
    try:
        ensure_index(settings)
        from indexer.search import Engine  # not imported by 'foramen build'

        engine = Engine(index_dir)
        result = engine.search(query, limit=limit, page=page, correct=not exact, explain=explain)
    except ForamenError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    if result.corrected and result.suggestion:
        click.echo(
            f"Showing results for: {result.suggestion} (search instead for the words as typed "
            "with --exact)"
        )
    elif result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if result.missing:
        click.echo("No section mentions: " + ", ".join(_no_controls(w) for w in result.missing))
    if result.relaxed:
        click.echo("No section has all of the words; showing the closest matches.")
    click.echo(f"{result.total} results for {query!r} ({result.elapsed_ms:.1f} ms)")
    for rank, hit in enumerate(result.hits, start=(page - 1) * limit + 1):
        crumbs = _no_controls(" › ".join((*hit.path, hit.title)))
        click.echo(f"\n{rank:>2}. {click.style(crumbs, bold=True)}  [{hit.score:.2f}]")
        click.echo(f"    {hit.url}")
        click.echo(f"    {_terminal_snippet(hit.snippet)}")
        if hit.explain is not None:
            for line in _explanation(hit.explain):
                click.echo(f"      {line}")


def _learn_weights(settings: Settings, suite_dir: Path, write: bool) -> None:
    """``foramen eval --cv`` / ``--learn``: see indexer.learning."""
    from indexer import evaluation as ev
    from indexer import learning
    from indexer.query.weights import WEIGHTS_FILE, save_weights
    from indexer.search import Engine

    try:
        ensure_index(settings)
        suite = ev.load_suite(suite_dir)
        engine = Engine(settings.index_dir, cache_size=0, weights={})
        dev = learning.examples(engine, suite, "dev")
        heldout = learning.examples(engine, suite, "heldout")
    except (ForamenError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    cv = learning.cross_validate(dev)
    click.echo(
        f"cross-validated: {cv.folds} folds over {cv.queries} dev queries; each query is "
        "measured with weights learned without it"
    )
    click.echo(f"{'':14}" + "".join(f"{name:>9}" for name in learning.METRICS))
    trees = learning.lambdamart_cv(dev)
    rows = [("hand-set", cv.hand_set), ("learned (cv)", cv.learned)]
    rows += [("LambdaMART", trees)] if trees is not None else []
    for label, figures in rows:
        click.echo(f"{label:14}" + "".join(f"{figures[m]:9.3f}" for m in learning.METRICS))
    click.echo("nDCG@10 per kind, hand-set -> learned (cv):")
    for kind, (before, after) in cv.by_kind.items():
        click.echo(f"  {kind:12} {before:.3f} -> {after:.3f}")
    weights = learning.learn(dev)
    final = learning.as_mapping(weights)
    click.echo(
        "weights learned on every dev query: " + ", ".join(f"{k} {v:g}" for k, v in final.items())
    )
    held_before = learning.mean_metrics(heldout, learning.unit_weights())
    held_after = learning.mean_metrics(heldout, weights)
    click.echo(
        f"heldout ({len(heldout)} queries, never tuned on): nDCG@10 "
        f"{held_before['nDCG@10']:.3f} hand-set, {held_after['nDCG@10']:.3f} learned"
    )
    if write:
        about: dict[str, object] = {
            "learned_by": "foramen eval --learn (indexer/learning.py: coordinate ascent)",
            "trained_on": f"{len(dev)} judged dev queries of {suite_dir}",
            "cross_validated": {"hand_set": cv.hand_set, "learned": cv.learned},
            "heldout_ndcg10": {
                "hand_set": held_before["nDCG@10"],
                "learned": held_after["nDCG@10"],
            },
        }
        save_weights(final, about, WEIGHTS_FILE)
        click.echo(f"weights written: {WEIGHTS_FILE}")


def _explanation(explain: dict[str, object]) -> list[str]:
    """An explanation as indented lines: each part, then what matched in which field."""
    lines = []
    for part in explain.get("parts", []):  # type: ignore[attr-defined]
        lines.append(f"{part['score']:7.3f}  {_no_controls(part['part'])}")
        for match in part.get("matches", []):
            what = f"{match['words']} ({match['how']}) in {match['field']}"
            lines.append(f"         {match['score']:7.3f}  {_no_controls(what)}")
    return lines


def _no_controls(text: str) -> str:
    """Corpus text without control characters: no escape sequence reaches the terminal."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def _terminal_snippet(html_snippet: str) -> str:
    """The snippet for a terminal: <mark> as bold, entities unescaped."""
    from html import unescape

    marked = _no_controls(html_snippet).replace("<mark>", "\x00").replace("</mark>", "\x01")
    text = unescape(marked)
    if sys.stdout.isatty():
        return text.replace("\x00", "\x1b[1m").replace("\x01", "\x1b[0m")
    return text.replace("\x00", "").replace("\x01", "")


def ensure_index(settings: Settings) -> None:
    """Build the index first when none exists yet."""
    if read_pointer(settings.index_dir) is None:
        report = run_build(settings, full=True, wait=30.0)
        click.echo(f"built the index: {report.summary()}", err=True)


@main.command()
@paths
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port to listen on.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="uvicorn worker processes.",
)
@click.option("--watch", is_flag=True, help="Re-index corpus edits while serving.")
@click.option(
    "--check/--no-check",
    default=True,
    show_default=True,
    help="With --watch: publish an edit only when the judgments in --suite hold, as "
    "'build --check' does.",
)
@click.option(
    "--editor",
    is_flag=True,
    help="Editor mode: pages under /editor to judge results and see what edits change.",
)
@click.option(
    "--editor-token",
    envvar=EDITOR_TOKEN_ENV,
    default=None,
    show_envvar=True,
    help="The token editors sign in with; required to serve --editor beyond this machine.",
)
@suite_option
@query_log_option
def serve(
    corpus_dir: Path,
    index_dir: Path,
    host: str,
    port: int,
    workers: int,
    watch: bool,
    check: bool,
    editor: bool,
    editor_token: str | None,
    suite_dir: Path,
    query_log: str | None,
) -> None:
    """Build the index if needed, then serve the search UI and API."""
    import secrets

    from foramen.server import run_server

    if editor and not editor_token and not _is_loopback(host):
        raise click.UsageError(
            f"--editor on {host} needs --editor-token (or ${EDITOR_TOKEN_ENV}); "
            "without one, serve it on 127.0.0.1"
        )
    settings = Settings(
        corpus_dir,
        index_dir,
        query_log=query_log_path(index_dir, query_log),
        suite_dir=suite_dir,
        editor=editor,
        editor_token=editor_token or None,
        editor_secret=secrets.token_urlsafe(32) if editor else "",
        check=check,
    )
    try:
        ensure_index(settings)
    except ForamenError as error:
        raise click.ClickException(str(error)) from None
    run_server(settings, host=host, port=port, workers=workers, watch=watch)


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@main.command(name="eval")
@paths
@suite_option
@click.option(
    "--split",
    type=click.Choice(["all", "dev", "heldout"]),
    default="all",
    show_default=True,
    help="Which queries to run: those tuned on (dev), those kept back (heldout), or all.",
)
@click.option(
    "--run-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("var/eval/foramen.run"),
    show_default=True,
    help="Where to write the TREC run file.",
)
@click.option("--update-baseline", is_flag=True, help="Accept this run as the new baseline.")
@click.option("--plain", is_flag=True, help="Score plain Whoosh defaults instead of the engine.")
@click.option(
    "--cv",
    "cross_validate",
    is_flag=True,
    help="Learn the weights of a score's parts with 5-fold cross-validation on the dev "
    "queries and print the held-out figures beside the hand-set weights'.",
)
@click.option(
    "--learn",
    is_flag=True,
    help="As --cv, then learn on every dev query and write indexer/query/weights.json.",
)
def evaluate(
    corpus_dir: Path,
    index_dir: Path,
    suite_dir: Path,
    split: str,
    run_file: Path,
    update_baseline: bool,
    plain: bool,
    cross_validate: bool,
    learn: bool,
) -> None:
    """Run the relevance judgments; print metrics and differences from the baseline.

    Exits 1 when a metric falls below its gate or a query's nDCG@10 falls more than
    0.05 below the baseline; each query that got worse is shown with its top 3 before
    and after.
    """
    from indexer import evaluation as ev
    from indexer.search import Engine

    settings = Settings(corpus_dir, index_dir)
    if cross_validate or learn:
        _learn_weights(settings, suite_dir, write=learn)
        return
    try:
        ensure_index(settings)
        suite = ev.load_suite(suite_dir).only(split)
        engine = Engine(index_dir, cache_size=0)  # time queries, not the result cache
        existing = set(engine.section_ids())  # live sections only
        search = ev.plain_search(index_dir) if plain else ev.engine_search(engine)
        run, seconds = ev.run_suite(suite, search)
    except (ForamenError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    report = ev.score(suite, run, existing, seconds)
    baseline_path = suite_dir / "baseline.json"
    baseline = {} if plain else ev.read_baseline(baseline_path)
    texts = {x.qid: x.text for x in suite.queries}
    baseline_top = {} if plain else ev.read_baseline_top(baseline_path)
    for line in ev.format_report(report, baseline, texts, baseline_top):
        click.echo(line)
    ev.write_trec_run(run_file, run)
    click.echo(f"\nrun file: {run_file}")
    if update_baseline:
        if plain or split != "all":
            raise click.ClickException("only a full run of the engine can become the baseline")
        baseline_path.write_text(
            json.dumps(ev.baseline_json(report), indent=1, sort_keys=True) + "\n", "utf-8"
        )
        click.echo(f"baseline updated: {baseline_path}")
    failures = report.failures()
    if not update_baseline:  # an accepted run is the new baseline: nothing fell below it
        failures += ev.regression_failures(report, baseline)
    for failure in failures:
        click.echo(f"FAIL: {failure}", err=True)
    if failures:
        sys.exit(1)


@main.command()
@paths
@suite_option
@query_log_option
@top_option(0, "How many of the query log's most frequent queries to compare beside the judged.")
def diff(
    corpus_dir: Path, index_dir: Path, suite_dir: Path, query_log: str | None, top: int
) -> None:
    """Compare the corpus on disk with the live index: the queries whose top 5 change."""
    from indexer.checking import diff_queries, format_top_changes, top_changes
    from indexer.staging import scratch_stage

    settings = Settings(corpus_dir, index_dir, suite_dir=suite_dir)
    try:
        ensure_index(settings)
        queries = diff_queries(suite_dir, query_log_path(index_dir, query_log), top)
        with scratch_stage(corpus_dir, index_dir, corpus_checks()) as candidate:
            changes = top_changes(index_dir, candidate, queries)
    except (ForamenError, OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for line in format_top_changes(changes, len(queries)):
        click.echo(line)


@main.command()
@paths
@query_log_option
@top_option(1, "How many queries to list.")
@click.option("--no-results", is_flag=True, help="Only queries that found nothing.")
@click.option("--unopened", is_flag=True, help="Only queries none of whose results was opened.")
def queries(
    corpus_dir: Path,
    index_dir: Path,
    query_log: str | None,
    top: int,
    no_results: bool,
    unopened: bool,
) -> None:
    """The most frequent searches of the server's query log."""
    from indexer.querylog import QueryLog

    path = query_log_path(index_dir, query_log)
    if path is None:
        raise click.ClickException("the query log is off ('--query-log off')")
    try:
        counts = QueryLog(path).top(top, no_results=no_results, unopened=unopened)
    except sqlite3.Error as error:
        raise click.ClickException(f"{path}: {error}") from None
    if not counts:
        click.echo(f"no queries logged in {path}")
        return
    click.echo(f"{'searches':>9}{'no results':>11}{'opened':>8}  query")
    for count in counts:
        click.echo(
            f"{count.searches:>9}{count.empty:>11}{count.opened:>8}  {_no_controls(count.query)}"
        )
