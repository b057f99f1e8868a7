"""What a typed query is about: its words turned into *concepts*.

1. stop words go; question and filler words ("how much", "should I") are kept aside: they
   may add a little score but never make a match on their own;
2. a word the index does not know is corrected against its vocabulary (typo tolerance),
   unless it is a synonym key (a brand name the articles never print);
3. runs of words that are synonym keys ("pins and needles", "advil") become one concept
   whose alternatives are the synonyms; other words are concepts of their own, and words
   typed together (``L1-L2``, ``HLA-B27``) stay together as one phrase.

A concept is *known* when the index holds it (as typed or through a synonym); the
planner decides from the known and unknown concepts whether a query can be answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.analysis import Analyzer, RegexTokenizer
from whoosh.lang.porter2 import stem as porter_stem

from indexer.analysis import STOP_WORDS, WORD_PATTERN, fold, text_analyzer
from indexer.query.questions import question_asks
from indexer.query.vocabulary import Terms, Vocabulary

MAX_QUERY_TERMS = 32
MAX_CONCEPTS = 8
_TOKENS = RegexTokenizer(WORD_PATTERN)
_DOTTED = re.compile(r"(?<![\w.])((?:\w\.){2,}\w?)(?![\w])")  # S.L.R., e.g. -> SLR, eg


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that open a question.
QUESTION_STARTS = _words(
    "how what whats why when where which who whom is are can could do does did should "
    "would will was were am"
)
# Words that shape a request but are not what it is about.
FILLER_WORDS = QUESTION_STARTS | _words(
    """into onto cant cannot couldnt dont doesnt didnt wont isnt arent
    i im ive id me my mine myself our ours he she his her they them their there here
    get gets getting got need needs needed want wants know tell explain about any some
    much many very really please thing things something anything way ways someone people
    person go going come just also so too than then but nor not no yes good best better bad
    ok okay shall might must may has had having been being doing done make makes made use
    used using work works take takes taking help helps helpful because since while still
    even all every lot lots little bit quite time times day days long last like feel feels
    feeling other others one ones mean means vs versus compared comparison difference
    between out give gives giving machine machines device devices gadget right think
    thinks thought say says said ask asked wonder wondering maybe probably likely ago
    week weeks month months year years old two three four five six happen happens happened"""
)
# How a pain feels or how bad it is: it colours a query but is not its subject, so an
# unfamiliar one ("stabbing pain in groin") must not count as an unknown topic.
DESCRIPTOR_WORDS = _words(
    """stabbing throbbing nagging excruciating unbearable terrible awful horrible agonizing
    agonising crippling debilitating annoying niggling niggle pulsing pounding piercing
    searing gnawing stinging extreme extremely super constant constantly sudden
    suddenly occasional occasionally recurring worst moderate slight slightly left both
    kind sort weird strange funny odd random easy easier easiest"""
)
# Their stems: "coming" and "helping" are filler words too, unless the index holds them.
FILLER_STEMS = frozenset(porter_stem(w) for w in FILLER_WORDS | DESCRIPTOR_WORDS)


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing a query asks about: the words as typed and what else they may be called.

    ``literal`` is empty when the words as typed are not in the index (a brand name): the
    alternatives then stand for them. ``frequency`` is how many sections hold it, at most.
    """

    literal: Terms
    alternatives: tuple[Terms, ...] = ()
    known: bool = True
    frequency: int = 0
    typed: Terms = ()
    named: bool = False  # the words are a synonym key: a drug, test, procedure, lay term
    words: tuple[str, ...] = ()  # the words as typed (folded, unstemmed), for people


@dataclass(frozen=True, slots=True)
class Understanding:
    concepts: tuple[Concept, ...] = ()
    fillers: Terms = ()
    corrections: tuple[tuple[str, str], ...] = ()  # (folded word as typed, correction)
    question: bool = False
    asks: tuple[str, ...] = ()  # heading words of what the question asks for ("recovery")

    @property
    def known(self) -> list[Concept]:
        return [c for c in self.concepts if c.known]

    @property
    def missing(self) -> int:
        return sum(not c.known for c in self.concepts)


@dataclass(slots=True)
class _Token:
    word: str  # folded, unstemmed
    stem: str
    piece: int
    filler: bool


def _stem(word: str, analyzer: Analyzer) -> str:
    terms = [t.text for t in analyzer(word)]
    return terms[0] if terms else word


def _tokens(
    words: tuple[str, ...],
    analyzer: Analyzer,
    vocabulary: Vocabulary,
    correct: bool,
    prefix: bool = False,
) -> tuple[list[_Token], list[tuple[str, str]]]:
    tokens: list[_Token] = []
    corrections: list[tuple[str, str]] = []
    for piece, text in enumerate(words):
        # The word still being typed is completed, not corrected ("ibupro").
        correct_here = correct and not (prefix and piece == len(words) - 1)
        text = _DOTTED.sub(lambda m: m.group(1).replace(".", ""), text)
        for raw in _TOKENS(text):
            word = fold(raw.text)
            if not word or word in STOP_WORDS:
                continue
            stem = _stem(word, analyzer)
            filler = (
                word in FILLER_WORDS
                or word in DESCRIPTOR_WORDS
                or ((word.endswith("ly") or stem in FILLER_STEMS) and stem not in vocabulary.terms)
            )
            unknown = stem not in vocabulary.terms and word not in vocabulary.synonyms.words
            if correct_here and not filler and unknown:
                better = vocabulary.speller.correct(word)
                if better in FILLER_WORDS:
                    filler = True  # "hwo" -> "how": nothing worth announcing
                elif better is not None:
                    corrections.append((word, better))
                    word, stem = better, _stem(better, analyzer)
            tokens.append(_Token(word, stem, piece, filler))
            if len(tokens) >= MAX_QUERY_TERMS:
                return tokens, corrections
    return tokens, corrections


def _synonym_concept(
    key: Terms, alternatives: tuple[Terms, ...], vocabulary: Vocabulary, words: tuple[str, ...]
) -> Concept:
    literal = key if vocabulary.knows(key) else ()
    if literal and vocabulary.common(literal):
        # "foraminal narrowing" is everywhere already: its synonyms would only cost time.
        frequency = vocabulary.frequency((literal,))
        return Concept(literal, (), True, frequency, key, named=True, words=words)
    known = tuple(a for a in alternatives if vocabulary.knows(a))
    options = (literal, *known) if literal else known
    frequency = vocabulary.frequency(options)
    return Concept(literal, known, bool(options), frequency, key, named=True, words=words)


def _completed(token: _Token, vocabulary: Vocabulary) -> Concept:
    """The word being typed as a concept: itself when the index knows it, or else, and
    besides, the index terms it begins (the most frequent first)."""
    literal = (token.stem,) if token.stem in vocabulary.terms else ()
    completions = tuple((t,) for t in vocabulary.completions(token.word) if t != token.stem)
    options = (literal, *completions) if literal else completions
    frequency = vocabulary.frequency(options) if options else 0
    typed = literal or (token.stem,)
    return Concept(literal, completions, bool(options), frequency, typed, words=(token.word,))


def _lone_letter(
    concepts: list[Concept], tokens: list[_Token], at: int, vocabulary: Vocabulary
) -> int:
    """A single letter after a concept names a variant of it ("vitamin c", "hepatitis
    b"): when the corpus never has the two side by side, the last concept becomes that
    unknown thing (1 token taken) rather than two loose words that are each common."""
    if at >= len(tokens) or not concepts or not concepts[-1].known:
        return 0
    letter = tokens[at]
    if len(letter.word) != 1 or not letter.word.isalpha() or letter.filler:
        return 0
    if at + 1 < len(tokens) and tokens[at + 1].piece == letter.piece:
        return 0  # "vitamin b-12": the letter begins a word of its own
    if vocabulary.synonyms.get((letter.stem,)):
        return 0
    concept = concepts[-1]
    typed = (*concept.typed, letter.stem)
    if vocabulary.phrase_known(typed):
        return 0
    concepts[-1] = Concept((), (), False, 0, typed, words=(*concept.words, letter.word))
    return 1


def understand(
    words: tuple[str, ...],
    analyzer: Analyzer | None = None,
    vocabulary: Vocabulary | None = None,
    correct: bool = True,
    prefix: bool = False,
) -> Understanding:
    """The concepts, filler words and spelling corrections of the typed ``words``.

    ``correct=False`` takes every word as typed ("search instead for …"); ``prefix``
    reads the last word as unfinished (search as you type: "femoral ner").
    """
    analyzer = analyzer or text_analyzer()
    vocabulary = vocabulary or Vocabulary()
    tokens, corrections = _tokens(words, analyzer, vocabulary, correct, prefix)
    last = tokens.pop() if prefix and tokens and tokens[-1].piece == len(words) - 1 else None
    synonyms = vocabulary.synonyms
    concepts: list[Concept] = []
    fillers: list[str] = []
    i = 0
    while i < len(tokens):
        for length in range(min(synonyms.longest, len(tokens) - i), 0, -1):
            key = tuple(t.stem for t in tokens[i : i + length])
            alternatives = synonyms.get(key)
            if alternatives:
                typed = tuple(t.word for t in tokens[i : i + length])
                concepts.append(_synonym_concept(key, alternatives, vocabulary, typed))
                i += length
                i += _lone_letter(concepts, tokens, i, vocabulary)
                break
        else:
            token = tokens[i]
            if token.filler:
                fillers.append(token.stem)
                i += 1
                continue
            run = [token]
            while (
                i + len(run) < len(tokens)
                and tokens[i + len(run)].piece == token.piece
                and not tokens[i + len(run)].filler
                and not synonyms.get((tokens[i + len(run)].stem,))
            ):
                run.append(tokens[i + len(run)])
            literal = tuple(t.stem for t in run)
            known = vocabulary.knows(literal)
            frequency = vocabulary.frequency((literal,)) if known else 0
            typed = tuple(t.word for t in run)
            concepts.append(
                Concept(literal if known else (), (), known, frequency, literal, words=typed)
            )
            i += len(run)
            i += _lone_letter(concepts, tokens, i, vocabulary)
    if last is not None:
        concepts.append(_completed(last, vocabulary))
    first = words[0].casefold() if words else ""
    question = first in QUESTION_STARTS or any(w.endswith("?") for w in words)
    folded = tuple(fold(w) for w in words)
    return Understanding(
        tuple(concepts[:MAX_CONCEPTS]),
        tuple(fillers),
        tuple(corrections),
        question,
        question_asks(folded),
    )


def suggestion_text(text: str, corrections: tuple[tuple[str, str], ...]) -> str | None:
    """``text`` with each corrected word replaced, for "Showing results for …"."""
    if not corrections:
        return None
    fixes = dict(corrections)
    out: list[str] = []
    last = 0
    for token in _TOKENS(text, chars=True):
        better = fixes.get(fold(token.text))
        if better is not None:
            out.append(text[last : token.startchar])
            out.append(better)
            last = token.endchar
    out.append(text[last:])
    return "".join(out)
