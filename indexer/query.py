"""From what a person typed to a Whoosh query.

Any string is accepted. ``"quoted words"`` are phrases that must match, a leading ``-``
excludes a word, and everything else — operators, field syntax, wildcards, stray
punctuation — is read as plain words. Nothing here raises on user input.

The words become concepts (:mod:`indexer.understanding`). Each concept scores by the best
of its alternatives — the words as typed weigh more than their synonyms — and concepts
add up. A section must match enough of them (or the most specific one), and earns
bonuses for matching them all, for a heading that holds them all, for the words side by
side, and for an FAQ heading when the query is a question. A query whose words are
mostly unknown to the corpus ("covid vaccine") finds nothing rather than loose overlaps.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.analysis import Analyzer

from indexer.analysis import text_analyzer
from indexer.atleast import AtLeast
from indexer.matching import BestOf
from indexer.understanding import (
    MAX_QUERY_TERMS,
    Concept,
    Terms,
    Understanding,
    suggestion_text,
    understand,
)
from indexer.vocabulary import QueryContext

SEARCH_FIELDS: tuple[str, ...] = ("title", "path", "body")
_PIECES = re.compile(r'(-?)"([^"]*)"?|(\S+)')

SYNONYM_WEIGHT = 0.8  # a synonym counts this much of the words as typed ...
SYNONYM_DECAY = 0.9  # ... and each later one in its rule a little less
MAX_ALTERNATIVES = 12  # synonyms searched per concept, in the order of their rule
MAX_PHRASES = 8  # quoted phrases (and excluded words, MAX_QUERY_TERMS) past these are ignored:
# each adds a query branch, and thousands of them take minutes or overflow Whoosh's matchers
ALL_CONCEPTS_WEIGHT = 0.5  # a section with every concept gets this share again
TITLE_ALL_WEIGHT = 1.0
PHRASE_WEIGHT = 0.5
FILLER_WEIGHT = 0.25
QUESTION_WEIGHT = 2.0
CONTAINER_WEIGHT = 0.5
OVERVIEW_WEIGHT = 1.0
NAME_WEIGHT = 2.0  # a named drug, test or procedure is what the query is about
SPECIFIC = 3  # a synonym key in at most this many sections names one thing precisely


@dataclass(frozen=True, slots=True)
class UserQuery:
    """The parts of a typed query: words, quoted phrases and excluded words, as typed."""

    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases)


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """What the searcher runs, which index terms the highlighter marks, any correction."""

    query: q.Query | None
    highlight_terms: frozenset[str] = field(default_factory=frozenset)
    suggestion: str | None = None

    @property
    def corrected(self) -> bool:
        return self.suggestion is not None


def parse_user_query(text: str) -> UserQuery:
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    for match in _PIECES.finditer(text):
        negated, phrase, word = match.groups()
        if phrase is not None:
            (excluded if negated else phrases).append(phrase)
        elif word.startswith("-") and len(word) > 1:
            excluded.append(word[1:])
        else:
            words.append(word)
    return UserQuery(tuple(words), tuple(phrases), tuple(excluded))


def _in_fields(terms: Terms, fields: tuple[str, ...], boost: float = 1.0) -> q.Query:
    """One word (a term) or several (a phrase) in any of ``fields``."""
    if len(terms) == 1:
        parts: list[q.Query] = [q.Term(name, terms[0], boost=boost) for name in fields]
    else:
        parts = [q.Phrase(name, list(terms), slop=1, boost=boost / (len(terms))) for name in fields]
    return parts[0] if len(parts) == 1 else q.Or(parts)


def _concept_query(concept: Concept, fields: tuple[str, ...] = SEARCH_FIELDS) -> q.Query:
    scored = _best_of(concept, fields)
    if _names_one_thing(concept):
        scored = scored.with_boost(scored.boost * NAME_WEIGHT)
    return scored


def _phrase_fields(terms: Terms, fields: tuple[str, ...]) -> tuple[str, ...]:
    """A synonym phrase is looked for in headings and text, not in the parents' path:
    phrase matching is the costly part of a query and the path rarely decides."""
    if len(terms) == 1 or fields != SEARCH_FIELDS:
        return fields
    return ("title", "body")


def _best_of(concept: Concept, fields: tuple[str, ...]) -> q.Query:
    weight = SYNONYM_WEIGHT if concept.literal else 1.0
    options = [_in_fields(concept.literal, fields)] if concept.literal else []
    options += [
        _in_fields(alt, _phrase_fields(alt, fields), weight * SYNONYM_DECAY**rank)
        for rank, alt in enumerate(concept.alternatives[:MAX_ALTERNATIVES])
    ]
    return options[0] if len(options) == 1 else BestOf(options)


def required_matches(known: int, missing: int) -> int:
    """How many known concepts a section must match; 0 means the query finds nothing.

    One or two concepts must all match, longer queries half of them (rounded up); all of
    them when some words are unknown to the corpus; none when the unknown words are as
    many as the known ones.
    """
    if known == 0 or missing >= known:
        return 0
    if missing or known <= 2:
        return known
    return math.ceil(known / 2)


def _names_one_thing(concept: Concept) -> bool:
    """A synonym key (a drug, a test, a procedure) held by only a few sections."""
    return concept.named and concept.frequency <= SPECIFIC


def _filter(scored: list[q.Query], known: list[Concept], need: int, missing: int) -> q.Query | None:
    """Sections with ``need`` of the concepts, with a named thing, or (when every
    word is known) with one of them in the heading: "can't sleep because of back pain"
    wants Sleep Disturbance even though that section never says "back pain"."""
    if need <= 1:
        return None
    options: list[q.Query] = [q.And(scored) if need >= len(scored) else AtLeast(scored, need)]
    options += [s for s, c in zip(scored, known, strict=True) if _names_one_thing(c)]
    if not missing:
        options += [_concept_query(c, ("title",)) for c in known]
    return options[0] if len(options) == 1 else q.Or(options)


def compile_query(
    user: UserQuery,
    analyzer: Analyzer | None = None,
    context: QueryContext | None = None,
    correct: bool = True,
) -> QueryPlan:
    analyzer = analyzer or text_analyzer()
    meaning = understand(user.words, analyzer, context, correct)
    suggestion = suggestion_text(" ".join(user.words), meaning.corrections)
    known = meaning.known
    highlight: set[str] = set()
    for concept in known:
        highlight.update(concept.literal)
        # A synonym's words are marked when it is one word: "knee" alone is not "prone knee bend".
        highlight.update(alt[0] for alt in concept.alternatives if len(alt) == 1)
    must: list[q.Query] = []
    for phrase in list(dict.fromkeys(user.phrases))[:MAX_PHRASES]:
        terms = tuple(t.text for t in analyzer(phrase))[:MAX_QUERY_TERMS]
        if terms:
            highlight.update(terms)
            must.append(_in_fields(terms, SEARCH_FIELDS))
    need = required_matches(len(known), meaning.missing)
    if need == 0 and len(known) == 1 == meaning.missing and _names_one_thing(known[0]):
        need = 1  # "voltaren gel": the one known word names a single thing
    if need == 0 and not must:
        return QueryPlan(None)  # no answer, so no "showing results for" either
    main: q.Query | None = None
    if need:
        scored = [_concept_query(c) for c in known]
        main = scored[0] if len(scored) == 1 else q.Or(scored)
        enough = _filter(scored, known, need, meaning.missing)
        if enough is not None:
            # (q.Require drops matching documents in Whoosh 2.7; a constant-score And
            # filters the same way and adds the same constant to every score.)
            main = q.And([main, q.ConstantScoreQuery(enough)])
        bonus = _bonuses(known, scored, meaning, context)
        if bonus:
            main = q.AndMaybe(main, bonus[0] if len(bonus) == 1 else q.Or(bonus))
    if must:
        main = q.And([*must, main]) if main is not None else q.And(must)
    assert main is not None
    excluded_terms = (t.text for word in user.excluded for t in analyzer(word))
    excluded = list(dict.fromkeys(excluded_terms))[:MAX_QUERY_TERMS]
    if excluded:
        main = q.AndNot(main, q.Or([q.Term(name, t) for t in excluded for name in SEARCH_FIELDS]))
    return QueryPlan(main, frozenset(highlight), suggestion)


def _bonuses(
    known: list[Concept],
    scored: list[q.Query],
    meaning: Understanding,
    context: QueryContext | None,
) -> list[q.Query]:
    bonus: list[q.Query] = []
    if len(known) > 1:
        # Every concept in one section, and all of them in its heading.
        bonus.append(q.And(scored, boost=ALL_CONCEPTS_WEIGHT))
        title_all = [_concept_query(c, ("title",)) for c in known]
        bonus.append(q.And(title_all, boost=TITLE_ALL_WEIGHT))
        # The words side by side, as typed.
        words = [t for c in known for t in c.literal]
        if len(words) > 1 and all(c.literal for c in known):
            bonus.append(
                q.Or([q.Phrase(name, words, slop=2, boost=PHRASE_WEIGHT) for name in SEARCH_FIELDS])
            )
    if meaning.fillers and context is not None:
        present = [f for f in meaning.fillers if f in context.terms]
        if present:
            bonus.append(q.Or([q.Term("title", f, boost=FILLER_WEIGHT) for f in present]))
    if context is not None and context.overview_ids():
        # The article's own title: "what is foraminal narrowing" wants its opening section.
        overview = q.Or([q.Term("id", i) for i in context.overview_ids()])
        title_all = [_concept_query(c, ("title",)) for c in known]
        bonus.append(q.And([overview, *title_all], boost=OVERVIEW_WEIGHT))
    if len(known) == 1 and context is not None:
        # One concept naming a heading that only gathers others is a category: "imaging"
        # wants Imaging Tests, the list of them, above any one member.
        ids = context.container_ids()
        if ids:
            heading = _concept_query(known[0], ("title",))
            members = q.Or([q.Term("id", i) for i in ids])
            bonus.append(q.And([members, heading], boost=CONTAINER_WEIGHT))
    if meaning.question and context is not None:
        ids = context.question_ids()
        if ids:
            bonus.append(q.Or([q.Term("id", i) for i in ids], boost=QUESTION_WEIGHT))
    return bonus
