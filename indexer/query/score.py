"""Evaluate a plan on the generation's scoring model: whole posting lists at a time.

Scores are sparse vectors (:class:`Scores`: ascending docnums and their values). A word
in a field is its BM25F postings; a phrase is its words' postings intersected, kept
where the words' positions chain up (positions are read only for those candidates);
fields add up; a concept is the best of its alternatives plus ``TIEBREAK`` of the
others; concepts add up; the min-match filter counts concepts per section; bonuses are
masked additions. Every addition is kept by name (:class:`Evaluation`), so a hit's
score can be explained term by term and the parts add up to it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

# np.unique imports numpy.ma on first use, and that import parses source with ast. In a
# request thread beside another doing the same, CPython 3.11.7 can fail with "AST
# constructor recursion depth mismatch" (gh-106905): import it with this module instead.
import numpy.ma

from indexer.model import DENSE_FROM, DENSE_LIMIT, ScoringModel, both, member
from indexer.postings import CONTAINER, QUESTION
from indexer.query.plan import (
    ALL_CONCEPTS_WEIGHT,
    CONTAINER_WEIGHT,
    FACT_WEIGHT,
    FILLER_WEIGHT,
    MEMBER_WEIGHT,
    OVERVIEW_WEIGHT,
    QUESTION_WEIGHT,
    TIEBREAK,
    TITLE_ALL_WEIGHT,
    ConceptPlan,
    Plan,
    Words,
)
from indexer.schema import SEARCH_FIELDS

TIME_BUDGET = 2.0  # seconds one query may spend on position checks and bonuses
_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_VALUES = np.zeros(0, dtype=np.float64)
# The kinds of addition to a score, each multiplied by its learned weight (default 1).
PART_KINDS = (
    "concept",
    "quoted",
    "every",
    "title-all",
    "near",
    "fillers",
    "overview",
    "container",
    "member",
    "question",
    "fact",
    "hint",
)
MIN_MEMBERS = 2  # headings naming a class side by side make them its members
LEVELS = 16  # more heading levels than Markdown has: part * LEVELS + level is a key
_POSITION_BITS = 32  # an occurrence's key: docnum << 32 | token position


@dataclass(frozen=True, slots=True)
class Scores:
    """A sparse score vector: ascending, distinct docnums and their scores."""

    docs: np.ndarray = field(default_factory=lambda: _NO_DOCS)
    values: np.ndarray = field(default_factory=lambda: _NO_VALUES)

    def __len__(self) -> int:
        return len(self.docs)

    def times(self, factor: float) -> Scores:
        return self if factor == 1.0 else Scores(self.docs, self.values * factor)

    def only(self, docs: np.ndarray) -> Scores:
        """The entries whose docnum is in ``docs`` (ascending)."""
        keep = member(self.docs, docs)
        return Scores(self.docs[keep], self.values[keep])

    def at(self, docs: np.ndarray) -> np.ndarray:
        """The score of each of ``docs`` (0 where it has none)."""
        if not len(self.docs):
            return np.zeros(len(docs))
        i = np.minimum(np.searchsorted(self.docs, docs), len(self.docs) - 1)
        return np.where(self.docs[i] == docs, self.values[i], 0.0)


EMPTY = Scores()


def _grouped(parts: Sequence[Scores]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All entries of ``parts`` sorted by docnum: (docnums, values, group starts)."""
    docs = np.concatenate([p.docs for p in parts])
    values = np.concatenate([p.values for p in parts])
    order = np.argsort(docs, kind="stable")
    docs, values = docs[order], values[order]
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[starts], values, starts


def _dense(parts: Sequence[Scores]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Many entries: (docnums, sum, best) through tables over docnums instead of a sort
    (the parts are added in order, so the floats are the sorted path's)."""
    if sum(len(p) for p in parts) < DENSE_FROM:
        return None
    size = max(int(p.docs[-1]) for p in parts) + 1
    if size > DENSE_LIMIT:
        return None
    summed = np.zeros(size)
    best = np.full(size, -np.inf)
    for p in parts:
        summed[p.docs] += p.values
        best[p.docs] = np.maximum(best[p.docs], p.values)
    docs = np.flatnonzero(best > -np.inf)
    return docs, summed[docs], best[docs]


def total(parts: Sequence[Scores]) -> Scores:
    """The sum of score vectors (a section scores in any of them)."""
    return _combined(parts, best_share=0.0)


def best_of(parts: Sequence[Scores]) -> Scores:
    """Per section, its best score plus ``TIEBREAK`` times the sum of the others."""
    return _combined(parts, best_share=1.0)


def _combined(parts: Sequence[Scores], best_share: float) -> Scores:
    """Per section, the sum of its scores (``best_share`` 0), or its best score plus
    ``TIEBREAK`` times the others (``best_share`` 1)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    dense = _dense(parts)
    if dense is not None:
        docs, summed, best = dense
    else:
        docs, values, starts = _grouped(parts)
        summed = np.add.reduceat(values, starts)
        best = np.maximum.reduceat(values, starts) if best_share else summed
    if not best_share:
        return Scores(docs, summed)
    return Scores(docs, best + TIEBREAK * (summed - best))


def in_all(parts: Sequence[Scores]) -> np.ndarray:
    """The docnums every one of ``parts`` holds."""
    if not parts:
        return _NO_DOCS
    docs = parts[0].docs
    for part in parts[1:]:
        docs = both(docs, part.docs)
    return docs


def at_least(parts: Sequence[Scores], count: int) -> np.ndarray:
    """The docnums that at least ``count`` of ``parts`` hold."""
    if not parts:
        return _NO_DOCS
    docs, counts = np.unique(np.concatenate([p.docs for p in parts]), return_counts=True)
    return docs[counts >= count]


class Budget:
    """A deadline for the work whose cost is not bounded by posting counts."""

    def __init__(self, seconds: float) -> None:
        self._deadline = time.monotonic() + seconds
        self.ran_out = False

    def expired(self) -> bool:
        if not self.ran_out and time.monotonic() > self._deadline:
            self.ran_out = True
        return self.ran_out


@dataclass(frozen=True, slots=True)
class Match:
    """One alternative of a concept in one field, before the concept's weight."""

    option: int  # which alternative of the concept
    words: str
    how: str  # typed, synonym, completion
    field: str
    scores: Scores


@dataclass(frozen=True, slots=True)
class Part:
    """One named addition to the scores: a concept, a quoted phrase or a bonus."""

    kind: str  # one of PART_KINDS: what the learned weights multiply
    name: str
    scores: Scores
    matches: tuple[Match, ...] = ()  # a concept's alternatives, field by field
    weight: float = 1.0  # a concept's weight (a named thing counts double)
    words: tuple[str, ...] = ()  # a concept's words as typed


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The matching sections and their scores, and the parts that add up to them."""

    scores: Scores
    parts: tuple[Part, ...] = ()
    partial: bool = False
    concepts: tuple[Part, ...] = ()  # every concept's part, also those nothing matched


@dataclass
class Scorer:
    """Evaluates plans on one model; term scores are read once per scorer (per query)."""

    model: ScoringModel
    budget: Budget = field(default_factory=lambda: Budget(TIME_BUDGET))
    weights: Mapping[str, float] = field(default_factory=dict)  # learned, per part kind
    _terms: dict[tuple[str, str], Scores] = field(default_factory=dict)

    def term(self, fieldname: str, term: str) -> Scores:
        key = (fieldname, term)
        found = self._terms.get(key)
        if found is None:
            found = Scores(*self.model.scores(fieldname, term))
            self._terms[key] = found
        return found

    def in_field(self, words: Words, fieldname: str) -> Scores:
        """``words`` in one field: a word's scores, or a phrase's where it chains up."""
        if len(words.terms) == 1:
            return self.term(fieldname, words.terms[0]).times(words.weight)
        each = [self.term(fieldname, t) for t in words.terms]
        candidates = in_all(each)
        if not len(candidates):
            return EMPTY
        chained = self._chained(fieldname, words.terms, candidates, words.slop)
        docs = candidates[chained]
        summed = np.zeros(len(docs))
        for scores in each:
            summed = summed + scores.at(docs)
        return Scores(docs, summed * words.weight)

    def _chained(
        self, fieldname: str, terms: Sequence[str], docs: np.ndarray, slop: int
    ) -> np.ndarray:
        """Which of ``docs`` hold ``terms`` in order, each at most ``slop`` after the last
        (as a mask over ``docs``): occurrences are (docnum, position) keys, and each word
        keeps those one to ``slop`` positions after a kept occurrence of the word before."""
        if self.budget.expired():
            return np.zeros(len(docs), dtype=bool)  # out of time: no phrase is confirmed
        owner, positions, _ = self.model.positions(fieldname, terms[0], docs)
        reached = (owner << _POSITION_BITS) | positions
        for term in terms[1:]:
            owner, positions, _ = self.model.positions(fieldname, term, docs)
            keys = (owner << _POSITION_BITS) | positions
            follows = np.zeros(len(keys), dtype=bool)
            for gap in range(1, slop + 1):
                follows |= member(keys - gap, reached)
            reached = keys[follows]
            if not len(reached):
                break
        return member(docs, reached >> _POSITION_BITS)  # ascending; repeats are fine

    def words(self, words: Words) -> Scores:
        return total([self.in_field(words, name) for name in words.fields])

    def concept(self, concept: ConceptPlan) -> tuple[Scores, tuple[Match, ...]]:
        """A concept's scores and each alternative's in each field (before the concept's
        weight and the tiebreak share)."""
        matches = tuple(
            Match(i, _label(w), w.how, name, self.in_field(w, name))
            for i, w in enumerate(concept.options)
            for name in w.fields
        )
        options = [
            total([m.scores for m in matches if m.option == i]) for i in range(len(concept.options))
        ]
        return best_of(options).times(concept.weight), matches

    # -- a whole plan -------------------------------------------------------------------

    def evaluate(self, plan: Plan) -> Evaluation:
        parts: list[Part] = []
        concepts = [self.concept(c) for c in plan.concepts]
        # Each concept in headings only: its alternatives' title matches, already read.
        titled = [
            best_of([m.scores for m in matches if m.field == "title"]).times(c.weight)
            for c, (_, matches) in zip(plan.concepts, concepts, strict=True)
        ]
        matched: Scores = EMPTY
        if plan.need:
            scores = [s for s, _ in concepts]
            matched = total(scores)
            if plan.need > 1:
                matched = matched.only(self._enough(plan, scores, titled, matched.docs))
            for concept, (found, matches) in zip(plan.concepts, concepts, strict=True):
                name = f"concept {' '.join(concept.typed)}"
                parts.append(Part("concept", name, found, matches, concept.weight, concept.words))
        phrases = [self.words(p) for p in plan.phrases]
        docs = matched.docs
        if phrases:
            docs = in_all([*phrases, matched] if plan.need else phrases)
            for phrase, found in zip(plan.phrases, phrases, strict=True):
                parts.append(Part("quoted", f"quoted {_label(phrase)}", found))
        if plan.excluded and len(docs):
            unwanted = total([self.term(n, t) for t in plan.excluded for n in SEARCH_FIELDS])
            docs = docs[~member(docs, unwanted.docs)]
        if plan.need and len(docs):
            parts += self._bonuses(plan, [s for s, _ in concepts], titled, docs)
        parts = [
            Part(
                p.kind,
                p.name,
                p.scores.only(docs).times(self.weights.get(p.kind, 1.0)),
                p.matches,
                p.weight * self.weights.get(p.kind, 1.0),
                p.words,
            )
            for p in parts
        ]
        final = total([p.scores for p in parts])
        if len(final) != len(docs):  # a section can match with a score of 0
            final = Scores(docs, final.at(docs))
        kept = tuple(p for p in parts if len(p.scores))
        every_concept = tuple(p for p in parts if p.kind == "concept")
        return Evaluation(final, kept, self.budget.ran_out, every_concept)

    def _enough(
        self, plan: Plan, scores: list[Scores], titled: list[Scores], any_concept: np.ndarray
    ) -> np.ndarray:
        """Sections with ``need`` concepts, with a named thing, or (when every word is
        known) with a concept in the heading: "can't sleep because of back pain" wants
        Sleep Disturbance even though that section never says "back pain". A section
        with a concept and a heading that says what the question asks for also passes:
        "how soon can I lift heavy things after surgery" wants the recovery FAQ."""
        allowed = [at_least(scores, plan.need)]
        allowed += [s.docs for s, c in zip(scores, plan.concepts, strict=True) if c.named]
        if plan.title_rescues:
            allowed += [t.docs for t in titled]
        allowed += [both(self.in_field(h.words, "title").docs, any_concept) for h in plan.hints]
        return np.unique(np.concatenate(allowed))

    def _class_members(self, docs: np.ndarray) -> np.ndarray:
        """Of the sections whose heading holds a class ("opioids"), the ones with a
        sibling heading that holds it too (same part, same level): the members listed
        ("Tramadol (Opioid Analgesic)", "Oxycodone (Opioid Analgesic)") rather than a
        lone question or overview that mentions the class."""
        docs = docs[(self.model.flags[docs] & (QUESTION | CONTAINER)) == 0]
        if len(docs) < MIN_MEMBERS:
            return _NO_DOCS
        keys = self.model.part[docs].astype(np.int64) * LEVELS + self.model.level[docs]
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        return docs[counts[inverse] >= MIN_MEMBERS]

    def _bonuses(
        self, plan: Plan, scores: list[Scores], titled: list[Scores], docs: np.ndarray
    ) -> list[Part]:
        if self.budget.expired():
            return []
        bonus: list[Part] = []
        in_titles = in_all(titled)
        title_sum = total(titled).only(in_titles)
        if len(plan.concepts) > 1:
            every = total(scores).only(in_all(scores))
            bonus.append(Part("every", "every concept", every.times(ALL_CONCEPTS_WEIGHT)))
            title_all = title_sum.times(TITLE_ALL_WEIGHT)
            bonus.append(Part("title-all", "every concept in the heading", title_all))
        if plan.near is not None:
            near = self.words(plan.near)
            bonus.append(Part("near", f"side by side: {_label(plan.near)}", near))
        if plan.fillers:
            fillers = total([self.term("title", f) for f in plan.fillers])
            fillers = fillers.times(FILLER_WEIGHT)
            bonus.append(Part("fillers", "question words in the heading", fillers))
        overviews = both(self.model.overviews, in_titles)
        if len(overviews):
            lead = Scores(overviews, 1.0 + title_sum.at(overviews))
            lead = lead.times(OVERVIEW_WEIGHT)
            bonus.append(Part("overview", "the article's own subject", lead))
        if plan.category:
            heading = titled[0]
            groups = both(self.model.containers, heading.docs)
            if len(groups):
                group = Scores(groups, 1.0 + heading.at(groups))
                group = group.times(CONTAINER_WEIGHT)
                bonus.append(Part("container", "a heading over others", group))
            members = self._class_members(heading.docs)
            if len(members):
                member = Scores(members, 1.0 + heading.at(members)).times(MEMBER_WEIGHT)
                bonus.append(Part("member", "one of several headings naming it", member))
        for fact in plan.facts:
            found, matches = self.concept(fact.concept)
            bonus.append(
                Part(
                    "fact",
                    f"{' '.join(fact.concept.words)} in a line of {fact.label}",
                    found.times(FACT_WEIGHT),
                    matches,
                    fact.concept.weight * FACT_WEIGHT,
                    fact.concept.words,
                )
            )
        for hint in plan.hints:
            asks = self.words(hint.words)
            bonus.append(Part("hint", f"the question asks for: {hint.asks}", asks))
        if plan.question:
            faqs = both(self.model.questions, docs)
            if len(faqs):
                bonus.append(
                    Part(
                        "question",
                        "a question heading",
                        Scores(faqs, np.full(len(faqs), QUESTION_WEIGHT)),
                    )
                )
        return bonus


def missing_words(evaluation: Evaluation, docnum: int) -> tuple[str, ...]:
    """The typed words of the concepts section ``docnum`` matched without (a min-match
    lets a section in with some of them): "Missing: …" under that hit."""
    at = np.asarray([docnum])
    return tuple(
        " ".join(part.words)
        for part in evaluation.concepts
        if part.words and not part.scores.at(at)[0]
    )


def explain(evaluation: Evaluation, docnum: int) -> dict[str, object]:
    """Why section ``docnum`` scored what it did: each part's contribution (they add up
    to the score) and, for a concept, which alternative matched in which field (the
    best alternative counts whole, the others ``TIEBREAK``)."""
    at = np.asarray([docnum])
    parts: list[dict[str, object]] = []
    for part in evaluation.parts:
        value = float(part.scores.at(at)[0])
        if not value:
            continue
        entry: dict[str, object] = {"part": part.name, "score": value}
        found = [(m, float(m.scores.at(at)[0])) for m in part.matches]
        found = [(m, v) for m, v in found if v]
        if found:
            options: dict[int, float] = {}
            for m, v in found:
                options[m.option] = options.get(m.option, 0.0) + v
            best = max(options, key=lambda o: (options[o], -o))
            entry["matches"] = [
                {
                    "words": m.words,
                    "how": m.how,
                    "field": m.field,
                    "score": v * (1.0 if m.option == best else TIEBREAK) * part.weight,
                }
                for m, v in found
            ]
        parts.append(entry)
    score = float(evaluation.scores.at(at)[0])
    return {"score": score, "parts": parts}


def _label(words: Words) -> str:
    text = " ".join(words.terms)
    return f'"{text}"' if len(words.terms) > 1 else text
