"""What a corpus edit does to search, before it goes live.

``check_and_publish`` (``foramen build --check``, ``serve --watch``): build the corpus into
a staged generation, run the relevance suite on it and on the live index, and publish
only when every gate holds — the suite's gates (``evaluation.GATES``, ``KIND_GATE``, no
query more than ``MAX_DROP`` below the baseline) and no query more than ``MAX_DROP``
below the live index. ``top_changes`` (``foramen diff``): the queries whose top 5 differ.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer import evaluation as ev
from indexer.build import BuildReport, CorpusCheck
from indexer.querylog import QueryLog, normalise
from indexer.search import Engine
from indexer.staging import (
    CheckStatus,
    changes_from_live,
    live_pointer,
    publish,
    record_check,
    same_synonyms,
    stage,
    staged_root,
)
from indexer.store import build_lock, recover

DIFF_DEPTH = 5  # `foramen diff` compares each query's top 5


@dataclass(frozen=True, slots=True)
class Judgement:
    """The suite on the candidate, beside the live index (None: nothing live yet)."""

    candidate: ev.Report
    live: ev.Report | None
    failures: tuple[str, ...]

    def changes(self) -> tuple[list[ev.Change], list[ev.Change]]:
        """(better, worse) queries against the live index, biggest change first."""
        return ev.compare(self.candidate, self.live.per_query) if self.live else ([], [])


@dataclass(frozen=True, slots=True)
class CheckResult:
    status: CheckStatus
    report: BuildReport  # sections added, updated, removed against the live index
    judgement: Judgement | None  # None when nothing changed (nothing was judged)
    notes: tuple[str, ...] = field(default=())


def suite_report(suite: ev.Suite, index_root: Path) -> ev.Report:
    """The suite run once against the index at ``index_root``."""
    engine = Engine(index_root, cache_size=0)
    try:
        search = ev.engine_search(engine)
        run = {query.qid: search(query.text) for query in suite.queries}
        return ev.score(suite, run, set(engine.section_ids()))
    finally:
        engine.close()


def judges_this_index(suite_dir: Path, index_root: Path) -> bool:
    """Whether the suite in ``suite_dir`` is about this index: it judges one of its sections
    (or nothing is live yet). A suite of another corpus would refuse every edit."""
    try:
        suite = ev.load_suite(suite_dir)
    except (OSError, ValueError):
        return False
    if live_pointer(index_root) is None:
        return True
    judged = {doc for docs in suite.qrels.values() for doc in docs}
    engine = Engine(index_root, cache_size=0)
    try:
        return not judged.isdisjoint(engine.section_ids())
    finally:
        engine.close()


def judge(suite: ev.Suite, live_root: Path, candidate_root: Path, baseline_path: Path) -> Judgement:
    candidate = suite_report(suite, candidate_root)
    live = suite_report(suite, live_root) if live_pointer(live_root) else None
    baseline = ev.read_baseline(baseline_path)
    failures = candidate.failures() + ev.regression_failures(candidate, baseline)
    if live is not None:
        said = {c.qid for c in ev.regressions(candidate, baseline)}  # once per query
        failures += [
            f"{c.qid} nDCG@10 falls from {c.before:.3f} to {c.after:.3f} against the live "
            f"index, more than {ev.MAX_DROP:.2f}"
            for c in ev.regressions(candidate, live.per_query)
            if c.qid not in said
        ]
    return Judgement(candidate, live, tuple(failures))


def check_and_publish(
    corpus_dir: Path,
    index_root: Path,
    suite_dir: Path,
    *,
    force: bool = False,
    wait: float = 30.0,
    checks: tuple[CorpusCheck, ...] = (),
) -> CheckResult:
    """Stage, judge, and publish only if every gate holds (``force``: publish anyway).

    The build lock of ``index_root`` is held throughout, so no other build lands between
    the judgement and the switch. An invalid corpus raises ``CorpusError`` (recorded as
    ``invalid``); a refusal keeps the candidate in ``<index>/staged``.
    """
    suite = ev.load_suite(suite_dir)  # a broken suite stops before anything is built
    started = time.perf_counter()
    index_root = Path(index_root)
    candidate = staged_root(index_root)
    with build_lock(index_root, wait=wait) as interrupted:
        notes = [interrupted] if interrupted else []
        pointer = live_pointer(index_root)
        if pointer is not None:
            notes += recover(index_root, pointer)
        if candidate.exists():
            notes.append(f"removed the previous staged generation in {candidate}")
        try:
            stage(corpus_dir, candidate, checks, wait)
        except Exception as error:
            record_check(index_root, CheckStatus("invalid", str(error), at=time.time()))
            raise
        report = changes_from_live(index_root, candidate, time.perf_counter() - started)
        if pointer is not None and not report.changed and same_synonyms(index_root, candidate):
            shutil.rmtree(candidate, ignore_errors=True)
            status = CheckStatus("unchanged", "nothing changed; the live index stays")
            record_check(index_root, status)
            return CheckResult(status, report, None, tuple(notes))
        judgement = judge(suite, index_root, candidate, suite_dir / "baseline.json")
        if judgement.failures and not force:
            status = CheckStatus(
                "refused",
                f"not published; the live index keeps answering; the staged generation is "
                f"kept in {candidate}",
                judgement.failures,
                str(candidate),
            )
        else:
            published = publish(index_root, candidate)
            what = "forced past failed gates" if judgement.failures else "every gate holds"
            status = CheckStatus(
                "forced" if judgement.failures else "published",
                f"published {published.dir} (build {published.build}): {what}",
                judgement.failures,
            )
        report = dataclasses.replace(report, seconds=time.perf_counter() - started)
        record_check(index_root, status)
        return CheckResult(status, report, judgement, tuple(notes))


def format_check(result: CheckResult, texts: dict[str, str]) -> list[str]:
    """The per-query differences from the live index, with the top 3 before and after."""
    if result.judgement is None:
        return []
    judgement = result.judgement
    if judgement.live is None:
        return ["nothing live yet: the candidate is judged against the gates and baseline"]
    better, worse = judgement.changes()
    lines = [f"against the live index: {len(better)} better, {len(worse)} worse"]
    before, after = ev.top_ids(judgement.live.run), ev.top_ids(judgement.candidate.run)
    for label, changes in (("worse", worse), ("better", better)):
        for change in changes:
            lines.append(
                f"  {label:<6} {change.qid:<14} {change.before:.3f} -> {change.after:.3f} "
                f"({change.delta:+.3f})  {texts.get(change.qid, '')!r}"
            )
            lines.append(f"{'':9}before: {ev.format_top(tuple(before.get(change.qid, [])))}")
            lines.append(f"{'':9}after:  {ev.format_top(tuple(after.get(change.qid, [])))}")
    for qid, doc in judgement.candidate.missing_ids:
        lines.append(f"warning: {qid} judges '{doc}', which the edit removes")
    return lines


@dataclass(frozen=True, slots=True)
class TopChange:
    """A query whose top ``DIFF_DEPTH`` differ between the live index and the corpus on disk."""

    label: str  # the judged query's id, or "searched N×" for a query of the log
    text: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def top_changes(
    live_root: Path, candidate_root: Path, queries: list[tuple[str, str]]
) -> list[TopChange]:
    """Of ``queries`` (label, text), those whose top 5 differ between the two indexes."""
    engines = [Engine(live_root, cache_size=0), Engine(candidate_root, cache_size=0)]
    try:
        changed = []
        for label, text in queries:
            before, after = (
                tuple(hit.id for hit in engine.search(text, limit=DIFF_DEPTH).hits)
                for engine in engines
            )
            if before != after:
                changed.append(TopChange(label, text, before, after))
        return changed
    finally:
        for engine in engines:
            engine.close()


def diff_queries(suite_dir: Path, log_path: Path | None, top: int) -> list[tuple[str, str]]:
    """(label, text): the judged queries, then the log's most frequent ones not among them."""
    queries = [(x.qid, x.text) for x in ev.load_suite(suite_dir).queries]
    seen = {normalise(text) for _, text in queries}
    if log_path is not None and top:
        for count in QueryLog(log_path).top(top):
            if count.query not in seen:
                queries.append((f"searched {count.searches}×", count.query))
    return queries


def format_top_changes(changes: list[TopChange], compared: int) -> list[str]:
    lines = []
    for change in changes:
        lines.append(f"{change.label:<14} {change.text!r}")
        lines.append(f"  before: {ev.format_top(change.before)}")
        lines.append(f"  after:  {ev.format_top(change.after)}")
    lines.append(f"{len(changes)} of {compared} queries change their top {DIFF_DEPTH}")
    return lines
