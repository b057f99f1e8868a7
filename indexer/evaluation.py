"""The relevance regression suite: judged queries in, metrics and differences out.

    tests/relevance/queries.tsv   qid <tab> kind <tab> split <tab> query text
    tests/relevance/qrels.txt     TREC qrels: qid 0 section-id grade (2 the answer, 1 relevant)
    tests/relevance/baseline.json the accepted per-query scores and top 3, to compare against

Metrics come from ir-measures: nDCG@10 (graded), MRR and P@1 counting only grade-2
answers ("right first"), Recall@10 of everything judged. A query of kind ``noanswer``
has no judgments: it scores 1 on every metric when the engine returns nothing, else 0.
Judged ids missing from the index are reported and dropped, unjudged sections in a
top 3 are reported, so content edits show up instead of silently scoring zero.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ir_measures
from ir_measures import RR, P, R, nDCG

from indexer.search import Engine

SearchFn = Callable[[str], list[str]]
NO_ANSWER = "noanswer"
MEASURES = {"nDCG@10": nDCG @ 10, "MRR": RR(rel=2), "P@1": P(rel=2) @ 1, "R@10": R @ 10}
# A metric below its gate fails `foramen eval` and the relevance test.
GATES = {"nDCG@10": 0.92, "MRR": 0.90, "P@1": 0.88, "R@10": 0.88}
KIND_GATE = 0.80  # nDCG@10 within every kind of query
MAX_DROP = 0.05  # how far one query's nDCG@10 may fall below its baseline
UNCHANGED = 0.0005  # the baseline keeps four decimals: smaller differences are rounding
TOP_SHOWN = 3  # the ranked ids the baseline keeps per query, shown before -> after
RUN_NAME = "foramen"


@dataclass(frozen=True, slots=True)
class JudgedQuery:
    qid: str
    kind: str
    split: str
    text: str


@dataclass(frozen=True, slots=True)
class Suite:
    queries: tuple[JudgedQuery, ...]
    qrels: dict[str, dict[str, int]]

    def only(self, split: str | None) -> Suite:
        if split in (None, "all"):
            return self
        return Suite(tuple(x for x in self.queries if x.split == split), self.qrels)


@dataclass
class Report:
    """Per-query and aggregate metrics of one run of the suite."""

    per_query: dict[str, dict[str, float]]
    kinds: dict[str, str]
    run: dict[str, list[str]]
    seconds: dict[str, float]
    missing_ids: list[tuple[str, str]] = field(default_factory=list)
    unjudged_top: list[tuple[str, int, str]] = field(default_factory=list)

    def aggregate(self, qids: Iterable[str] | None = None) -> dict[str, float]:
        chosen = list(self.per_query) if qids is None else list(qids)
        if not chosen:
            return {name: 0.0 for name in MEASURES}
        return {
            name: sum(self.per_query[qid][name] for qid in chosen) / len(chosen)
            for name in MEASURES
        }

    def by_kind(self) -> dict[str, dict[str, float]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for qid in self.per_query:
            groups[self.kinds[qid]].append(qid)
        return {kind: self.aggregate(qids) | {"n": len(qids)} for kind, qids in groups.items()}

    def failures(self) -> list[str]:
        """Every gate this run falls below, said in words."""
        problems = [
            f"{name} {value:.3f} is below its gate {GATES[name]:.2f}"
            for name, value in self.aggregate().items()
            if value < GATES[name]
        ]
        problems += [
            f"nDCG@10 of kind '{kind}' {scores['nDCG@10']:.3f} is below {KIND_GATE:.2f}"
            for kind, scores in sorted(self.by_kind().items())
            if scores["nDCG@10"] < KIND_GATE
        ]
        return problems


def load_suite(folder: Path) -> Suite:
    queries: list[JudgedQuery] = []
    for number, line in enumerate((folder / "queries.tsv").read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{folder / 'queries.tsv'}:{number}: expected 4 tab-separated fields")
        queries.append(JudgedQuery(*parts))
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for qrel in ir_measures.read_trec_qrels(str(folder / "qrels.txt")):
        qrels[qrel.query_id][qrel.doc_id] = int(qrel.relevance)
    return Suite(tuple(queries), dict(qrels))


def run_suite(suite: Suite, search: SearchFn) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Ranked section ids and seconds taken, per query. An untimed first pass opens the
    index and warms what it loads lazily, so the times are of queries, not of the open
    (give the engine no result cache, or the timed pass only measures the cache)."""
    run: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    for query in suite.queries:
        search(query.text)
    for query in suite.queries:
        started = time.perf_counter()
        run[query.qid] = search(query.text)
        seconds[query.qid] = time.perf_counter() - started
    return run, seconds


def score(
    suite: Suite,
    run: dict[str, list[str]],
    existing_ids: set[str],
    seconds: dict[str, float] | None = None,
) -> Report:
    kinds = {x.qid: x.kind for x in suite.queries}
    missing = sorted(
        (qid, doc)
        for qid, docs in suite.qrels.items()
        if qid in kinds
        for doc in docs
        if doc not in existing_ids
    )
    # A judged section that no longer exists stays judged: the query misses it, so
    # content that lost an answer scores lower instead of dropping out of the averages.
    qrels = {qid: dict(docs) for qid, docs in suite.qrels.items() if qid in kinds}
    per_query: dict[str, dict[str, float]] = {}
    unjudged: list[tuple[str, int, str]] = []
    scorable = {qid for qid, docs in qrels.items() if docs}
    ir_run = {
        qid: {doc: float(len(ids) - rank) for rank, doc in enumerate(ids)}
        for qid, ids in run.items()
        if qid in scorable
    }
    measures = list(MEASURES.values())
    names = {str(m): name for name, m in MEASURES.items()}
    for metric in ir_measures.iter_calc(measures, {k: qrels[k] for k in scorable}, ir_run):
        per_query.setdefault(metric.query_id, {})[names[str(metric.measure)]] = metric.value
    for query in suite.queries:
        ids = run.get(query.qid, [])
        if query.kind == NO_ANSWER:
            value = 0.0 if ids else 1.0
            per_query[query.qid] = {name: value for name in MEASURES}
        elif query.qid in scorable:
            per_query.setdefault(query.qid, {name: 0.0 for name in MEASURES})
            for name in MEASURES:
                per_query[query.qid].setdefault(name, 0.0)
            judged = qrels[query.qid]
            unjudged += [(query.qid, r, d) for r, d in enumerate(ids[:3], 1) if d not in judged]
    return Report(per_query, kinds, run, seconds or {}, missing, unjudged)


def write_trec_run(path: Path, run: dict[str, list[str]], name: str = RUN_NAME) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{qid} Q0 {doc} {rank} {len(ids) - rank + 1} {name}"
        for qid, ids in run.items()
        for rank, doc in enumerate(ids, start=1)
    ]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def baseline_json(report: Report) -> dict[str, object]:
    return {
        "metrics": {k: round(v, 4) for k, v in report.aggregate().items()},
        "queries": {
            qid: {k: round(v, 4) for k, v in scores.items()}
            for qid, scores in sorted(report.per_query.items())
        },
        "top": dict(sorted(top_ids(report.run).items())),
    }


def top_ids(run: dict[str, list[str]], k: int = TOP_SHOWN) -> dict[str, list[str]]:
    """The first ``k`` ranked section ids of every query of a run."""
    return {qid: list(ids[:k]) for qid, ids in run.items()}


def read_baseline_top(path: Path) -> dict[str, list[str]]:
    """The top ids per query the baseline recorded; empty for a baseline without them."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    return {qid: [str(doc) for doc in ids] for qid, ids in data.get("top", {}).items()}


def read_baseline(path: Path) -> dict[str, dict[str, float]]:
    """Per-query scores of the accepted baseline; empty when there is none yet."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    return {qid: dict(scores) for qid, scores in data.get("queries", {}).items()}


@dataclass(frozen=True, slots=True)
class Change:
    qid: str
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


def compare(
    report: Report, baseline: dict[str, dict[str, float]], metric: str = "nDCG@10"
) -> tuple[list[Change], list[Change]]:
    """(better, worse) queries against the baseline, biggest change first."""
    changes = [
        Change(qid, baseline[qid][metric], scores[metric])
        for qid, scores in report.per_query.items()
        if qid in baseline and metric in baseline[qid]
    ]
    better = sorted((c for c in changes if c.delta > UNCHANGED), key=lambda c: -c.delta)
    worse = sorted((c for c in changes if c.delta < -UNCHANGED), key=lambda c: c.delta)
    return better, worse


def regressions(report: Report, baseline: dict[str, dict[str, float]]) -> list[Change]:
    """Queries whose nDCG@10 fell more than MAX_DROP below the baseline."""
    return [c for c in compare(report, baseline)[1] if c.delta < -MAX_DROP]


def regression_failures(report: Report, baseline: dict[str, dict[str, float]]) -> list[str]:
    """Every query that fell more than MAX_DROP below the baseline, said in words."""
    return [
        f"{c.qid} nDCG@10 fell from {c.before:.3f} to {c.after:.3f}, "
        f"more than {MAX_DROP:.2f} below the baseline"
        for c in regressions(report, baseline)
    ]


@dataclass(frozen=True, slots=True)
class TopChange:
    """One query whose top ids differ between two runs (``None``: that run has no record)."""

    qid: str
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None


def top_changes(
    before: dict[str, list[str]],
    after: dict[str, list[str]],
    qids: Iterable[str] | None = None,
    k: int = TOP_SHOWN,
) -> list[TopChange]:
    """The queries (``qids``, else all of either run) whose first ``k`` ids changed."""
    chosen = list(qids) if qids is not None else sorted(set(before) | set(after))
    changes = []
    for qid in chosen:
        old = tuple(before[qid][:k]) if qid in before else None
        new = tuple(after[qid][:k]) if qid in after else None
        if old != new:
            changes.append(TopChange(qid, old, new))
    return changes


def format_top(ids: tuple[str, ...] | None) -> str:
    if ids is None:
        return "(not recorded: accept a run with --update-baseline)"
    return ", ".join(ids) if ids else "(nothing found)"


def format_report(
    report: Report,
    baseline: dict[str, dict[str, float]],
    texts: dict[str, str],
    baseline_top: dict[str, list[str]] | None = None,
) -> list[str]:
    """The table ``foramen eval`` prints: aggregates, kinds, changes, warnings, failures.

    Each query that got worse is followed by its top ids in the baseline and now.
    """
    names = list(MEASURES)
    lines = [f"{'':<12}{'n':>5}" + "".join(f"{n:>9}" for n in names)]
    total = report.aggregate()
    lines.append(
        f"{'all':<12}{len(report.per_query):>5}" + "".join(f"{total[n]:>9.3f}" for n in names)
    )
    for kind, scores in sorted(report.by_kind().items()):
        lines.append(
            f"{kind:<12}{int(scores['n']):>5}" + "".join(f"{scores[n]:>9.3f}" for n in names)
        )
    if report.seconds:
        slowest = max(report.seconds, key=report.seconds.__getitem__)
        mean = sum(report.seconds.values()) / len(report.seconds)
        lines.append(
            f"\nmean {mean * 1000:.2f} ms per query; slowest {report.seconds[slowest] * 1000:.2f}"
            f" ms: {slowest} {texts.get(slowest, '')!r}"
        )
    better, worse = compare(report, baseline)
    if baseline:
        lines.append(f"\nagainst the baseline: {len(better)} better, {len(worse)} worse")
        now = top_ids(report.run)
        recorded = baseline_top or {}
        for label, changes in (("better", better), ("worse", worse)):
            for c in changes:
                lines.append(
                    f"  {label:<6} {c.qid:<14} {c.before:.3f} -> {c.after:.3f}"
                    f"  {texts.get(c.qid, '')!r}"
                )
                if label == "worse":
                    before = recorded.get(c.qid)
                    lines.append(
                        f"{'':9}before: {format_top(None if before is None else tuple(before))}"
                    )
                    lines.append(f"{'':9}after:  {format_top(tuple(now.get(c.qid, [])))}")
    else:
        lines.append("\nno baseline yet: accept this run with --update-baseline")
    for qid, doc in report.missing_ids:
        lines.append(f"warning: {qid} judges '{doc}', which is no longer in the index")
    if report.unjudged_top:
        lines.append(f"\n{len(report.unjudged_top)} unjudged sections reach a top 3 (judge them):")
        grouped: dict[str, list[str]] = defaultdict(list)
        for qid, rank, doc in report.unjudged_top:
            grouped[qid].append(f"{doc}@{rank}")
        for qid, docs in grouped.items():
            lines.append(f"  {qid:<14} {texts.get(qid, '')!r}: {', '.join(docs)}")
    return lines


def plain_search(index_dir: Path) -> SearchFn:
    """Plain Whoosh defaults (MultifieldParser over heading, path and body, OR-ed words):
    the engine before query understanding, kept to measure what it is worth."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser, OrGroup

    from indexer.store import read_pointer

    pointer = read_pointer(index_dir)
    if pointer is None:
        raise FileNotFoundError(f"no index at {index_dir}")
    ix = whoosh_index.open_dir(str(index_dir / pointer.dir))
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "path", "body"], ix.schema, group=OrGroup)

    def search(text: str) -> list[str]:
        hits = searcher.search(parser.parse(text), limit=10)
        return [str(hit["id"]) for hit in hits]

    return search


def engine_search(engine: Engine) -> SearchFn:
    def search(text: str) -> list[str]:
        return [hit.id for hit in engine.search(text, limit=10).hits]

    return search
