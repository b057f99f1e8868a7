"""From what a person typed to a plan the scorer evaluates: concepts, a filter, bonuses.

The words become concepts (:mod:`indexer.query.understand`). Each concept scores by the
best of its alternatives — the words as typed weigh more than their synonyms — and
concepts add up. A section must match enough of them (or the most specific one), and
earns bonuses for matching them all, for a heading that holds them all, for the words
side by side, for an FAQ heading when the query is a question, and for the other
concepts in the lines of a label the query names ("dizziness side effect": dizziness in a
Side Effects line). A query whose words are mostly unknown to the corpus ("covid
vaccine") finds nothing rather than loose overlaps. The plan is plain data:
:mod:`indexer.query.score` evaluates it on arrays.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from whoosh.analysis import Analyzer

from indexer.analysis import FACT_SEPARATOR, text_analyzer
from indexer.query.parse import UserQuery
from indexer.query.understand import (
    MAX_QUERY_TERMS,
    Concept,
    Understanding,
    suggestion_text,
    understand,
)
from indexer.query.vocabulary import Terms, Vocabulary
from indexer.schema import FACT_FIELD, SEARCH_FIELDS

SYNONYM_WEIGHT = 0.8  # a synonym counts this much of the words as typed ...
SYNONYM_DECAY = 0.9  # ... and each later one in its rule a little less
MAX_ALTERNATIVES = 12  # synonyms searched per concept, in the order of their rule
MAX_PHRASES = 8  # quoted phrases (and excluded words, MAX_QUERY_TERMS) past these are ignored
TIEBREAK = 0.3  # how much a concept's other matching alternatives add to the best one
ALL_CONCEPTS_WEIGHT = 0.5  # a section with every concept gets this share again
TITLE_ALL_WEIGHT = 1.0
PHRASE_WEIGHT = 0.5
FILLER_WEIGHT = 0.25
QUESTION_WEIGHT = 2.0
CONTAINER_WEIGHT = 1.5
MEMBER_WEIGHT = 0.7  # a class query ("opioids"): a heading beside others naming the class
OVERVIEW_WEIGHT = 1.0
HINT_WEIGHT = 0.5  # words of what a question asks for ("how soon" -> recovery)
FACT_WEIGHT = 1.0  # a concept in a line of the label the query names ("dizziness side effect")
NAME_WEIGHT = 2.0  # a named drug, test or procedure is what the query is about
SHORT_QUERY = 2  # known concepts up to which an unknown word may be the whole subject
RELAX_FROM = 3  # known concepts from which a query that finds nothing is relaxed
SPECIFIC = 3  # a synonym key in at most this many sections names one thing precisely
PHRASE_SLOP = 1  # a phrase's words follow each other ...
NEAR_SLOP = 2  # ... and the query's words, for the side-by-side bonus, nearly so


@dataclass(frozen=True, slots=True)
class Words:
    """One way to match: a word, or words in order (at most ``slop`` apart), in any of
    ``fields``; its score is the sum of the words' BM25F scores times ``weight`` (a
    phrase's weight is shared among its words), added up over the fields."""

    terms: Terms
    fields: tuple[str, ...]
    weight: float = 1.0
    slop: int = PHRASE_SLOP
    how: str = "typed"  # typed, synonym or quoted: for explanations


@dataclass(frozen=True, slots=True)
class ConceptPlan:
    """A concept's alternatives (the best one counts, the others ``TIEBREAK`` each)."""

    options: tuple[Words, ...]
    weight: float = 1.0  # NAME_WEIGHT for a named thing
    named: bool = False  # names one thing: a section with it passes the min-match filter
    typed: Terms = ()
    words: tuple[str, ...] = ()  # as typed, for "Missing: …" under a hit without it


@dataclass(frozen=True, slots=True)
class FactPlan:
    """A concept looked for in the lines of one label: "dizziness side effect" looks for
    dizziness in Side Effects lines (a bonus; ``concept``'s options are fact terms)."""

    label: str  # as typed, for explanations
    concept: ConceptPlan


@dataclass(frozen=True, slots=True)
class Hint:
    """What a question asks for (``asks``, as written in indexer.query.questions) and
    the words that say it (in headings and text)."""

    asks: str
    words: Words


@dataclass(frozen=True, slots=True)
class Plan:
    """What the scorer evaluates for one query."""

    concepts: tuple[ConceptPlan, ...] = ()
    need: int = 0  # concepts a section must match (0: the concepts are not searched)
    title_rescues: bool = False  # a concept in a section's heading passes the filter
    phrases: tuple[Words, ...] = ()  # quoted: every one must match
    excluded: Terms = ()
    near: Words | None = None  # the words as typed side by side (a bonus)
    fillers: Terms = ()  # question and filler words: a little score in a heading
    question: bool = False  # the FAQ bonus
    category: bool = False  # one concept: a heading gathering others earns a bonus
    facts: tuple[FactPlan, ...] = ()  # the other concepts in the lines of a named label
    # What a question asks for, as words of a heading (indexer.query.questions): a bonus,
    # and a heading with them passes the filter when the section matches a concept.
    hints: tuple[Hint, ...] = ()


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """The plan, which index terms the highlighter marks, and any spelling correction."""

    plan: Plan | None
    highlight_terms: frozenset[str] = field(default_factory=frozenset)
    suggestion: str | None = None
    missing: tuple[str, ...] = ()  # words as typed that no section holds
    # Looser plans tried in turn when ``plan`` finds nothing and most words are known:
    # fewer concepts required, down to any one of them ("closest matches").
    fallbacks: tuple[Plan, ...] = ()

    @property
    def corrected(self) -> bool:
        return self.suggestion is not None


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


def _names_first(meaning: Understanding) -> bool:
    """One known concept naming a single thing, typed before the unknown word: "voltaren
    gel" is about Voltaren, but "eczema cream" is about eczema."""
    concepts = meaning.concepts
    return len(concepts) == 2 and concepts[0].known and _names_one_thing(concepts[0])


def _topic_unknown(meaning: Understanding, vocabulary: Vocabulary | None) -> bool:
    """A short query with a word no section holds whose known words are all broad
    ("sore throat remedies", "how much does surgery cost"): the unknown word is what it
    is about, and sections about pain or treatment in general do not answer it."""
    known = meaning.known
    if not meaning.missing or len(known) > SHORT_QUERY or vocabulary is None:
        return False
    return all(vocabulary.broad(c.frequency) for c in known)


def _concept_plan(concept: Concept) -> ConceptPlan:
    synonym = SYNONYM_WEIGHT if concept.literal else 1.0
    literal = concept.literal
    options = [Words(literal, SEARCH_FIELDS, 1.0 / len(literal))] if literal else []
    for rank, alternative in enumerate(concept.alternatives[:MAX_ALTERNATIVES]):
        # A synonym phrase is looked for in headings and text, not in the parents' path:
        # phrases are the costly part of a query and the path rarely decides.
        fields = SEARCH_FIELDS if len(alternative) == 1 else ("title", "body")
        weight = synonym * SYNONYM_DECAY**rank / len(alternative)
        options.append(Words(alternative, fields, weight, how="synonym"))
    weight = NAME_WEIGHT if _names_one_thing(concept) else 1.0
    named = _names_one_thing(concept)
    return ConceptPlan(tuple(options), weight, named, concept.typed, concept.words)


def compile_query(
    user: UserQuery,
    analyzer: Analyzer | None = None,
    vocabulary: Vocabulary | None = None,
    correct: bool = True,
    prefix: bool = False,
) -> QueryPlan:
    analyzer = analyzer or text_analyzer()
    meaning = understand(user.words, analyzer, vocabulary, correct, prefix)
    suggestion = suggestion_text(" ".join(user.words), meaning.corrections)
    missing = tuple(" ".join(c.words) for c in meaning.concepts if not c.known)
    known = meaning.known
    highlight: set[str] = set()
    for concept in known:
        highlight.update(concept.literal)
        # A synonym's words are marked when it is one word: "knee" alone is not "prone knee bend".
        highlight.update(alt[0] for alt in concept.alternatives if len(alt) == 1)
    phrases: list[Words] = []
    for phrase in list(dict.fromkeys(user.phrases))[:MAX_PHRASES]:
        terms = tuple(t.text for t in analyzer(phrase))[:MAX_QUERY_TERMS]
        if terms:
            highlight.update(terms)
            phrases.append(Words(terms, SEARCH_FIELDS, 1.0 / len(terms), how="quoted"))
    need = required_matches(len(known), meaning.missing)
    if need == 0 and len(known) == 1 == meaning.missing and _names_first(meaning):
        need = 1  # "voltaren gel": the one known word names a single thing
    if need and _topic_unknown(meaning, vocabulary):
        need = 0  # "sore throat remedies": the word no section holds is the subject
    if need == 0 and not phrases:
        return QueryPlan(None, missing=missing)  # no answer, so no "showing results for"
    excluded_terms = (t.text for word in user.excluded for t in analyzer(word))
    concepts = tuple(_concept_plan(c) for c in known) if need else ()
    labels = vocabulary.fact_labels if vocabulary is not None else frozenset()
    plan = Plan(
        concepts=concepts,
        need=need,
        title_rescues=not meaning.missing,
        phrases=tuple(phrases),
        excluded=tuple(dict.fromkeys(excluded_terms))[:MAX_QUERY_TERMS],
        near=_near(known) if need else None,
        fillers=_present(meaning.fillers, vocabulary) if need else (),
        question=meaning.question and bool(need),
        category=len(known) == 1 and bool(need) and not meaning.question,
        facts=_facts(known, concepts, labels),
        hints=_hints(meaning.asks, analyzer, vocabulary) if need else (),
    )
    return QueryPlan(plan, frozenset(highlight), suggestion, missing, _fallbacks(plan, meaning))


def _mostly_known(meaning: Understanding) -> bool:
    """Whether more of the typed words are known to the corpus than not."""
    known = sum(len(c.words) for c in meaning.concepts if c.known)
    return known > sum(len(c.words) for c in meaning.concepts if not c.known)


def _fallbacks(plan: Plan, meaning: Understanding) -> tuple[Plan, ...]:
    """Recall before precision for answerable queries: when a long query (``RELAX_FROM``
    known concepts or more) has more known typed words than unknown ones, the unknown
    ones stop counting, then one concept is enough. Two known concepts that no section
    holds together ("knee replacement") and queries the corpus does not cover ("hip
    replacement", "asthma inhaler") keep their empty answer."""
    known = len(plan.concepts)
    if not plan.need or known < RELAX_FROM or not _mostly_known(meaning):
        return ()
    found: list[Plan] = []
    for need in (required_matches(known, 0), 1):
        if need < (found[-1].need if found else plan.need):
            found.append(dataclasses.replace(plan, need=need, title_rescues=True))
    return tuple(found)


def _facts(
    known: list[Concept], plans: tuple[ConceptPlan, ...], labels: frozenset[Terms]
) -> tuple[FactPlan, ...]:
    """The concepts that are not a label, each in the lines of every label the query
    names: by its words ("side effect", or "side" then "effect") or a synonym ("dose"
    for Dosage)."""
    if not plans or len(known) < 2 or not labels:
        return ()
    named: dict[Terms, str] = {}
    label_concepts: set[int] = set()
    for i in range(len(known)):
        for j in range(i + 1, len(known) + 1):
            typed = tuple(t for c in known[i:j] for t in c.typed)
            names = [typed] + (list(known[i].alternatives) if j == i + 1 else [])
            label = next((n for n in names if n in labels), None)
            if label is not None:
                named.setdefault(label, " ".join(w for c in known[i:j] for w in c.words))
                label_concepts.update(range(i, j))
    facts: list[FactPlan] = []
    for label, text in named.items():
        prefix = "_".join(label) + FACT_SEPARATOR
        for i, plan in enumerate(plans):
            if i in label_concepts:
                continue
            in_lines = tuple(
                dataclasses.replace(
                    w, terms=tuple(prefix + t for t in w.terms), fields=(FACT_FIELD,)
                )
                for w in plan.options
            )
            facts.append(FactPlan(text, dataclasses.replace(plan, options=in_lines)))
    return tuple(facts)


def _hints(
    asks: tuple[str, ...], analyzer: Analyzer, vocabulary: Vocabulary | None
) -> tuple[Hint, ...]:
    hints = []
    for words in asks:
        terms = tuple(t.text for t in analyzer(words))
        if terms and (vocabulary is None or vocabulary.knows(terms)):
            weight = HINT_WEIGHT / len(terms)
            hints.append(Hint(words, Words(terms, ("title", "body"), weight, how="asks")))
    return tuple(hints)


def _present(words: Terms, vocabulary: Vocabulary | None) -> Terms:
    if vocabulary is None:
        return ()
    return tuple(w for w in words if w in vocabulary.terms)


def _near(known: list[Concept]) -> Words | None:
    """Every concept's words as typed, side by side: a bonus when they appear so."""
    words = tuple(t for c in known for t in c.literal)
    if len(known) < 2 or len(words) < 2 or not all(c.literal for c in known):
        return None
    return Words(words, SEARCH_FIELDS, PHRASE_WEIGHT, NEAR_SLOP, "near")
