"""From what a person typed to a Whoosh query.

Any string is accepted. ``"quoted words"`` are phrases, a leading ``-`` excludes a word,
and everything else — operators, field syntax, wildcards, stray punctuation — is read as
plain words. Nothing here raises on user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as q
from whoosh.analysis import Analyzer

from indexer.analysis import text_analyzer

MAX_QUERY_TERMS = 32
SEARCH_FIELDS: tuple[str, ...] = ("title", "path", "body")
_PIECES = re.compile(r'(-?)"([^"]*)"?|(\S+)')


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
    """What the searcher runs, and which index terms the highlighter marks."""

    query: q.Query | None
    highlight_terms: frozenset[str] = field(default_factory=frozenset)


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


def _fields_or(terms: list[str], fields: tuple[str, ...]) -> q.Query:
    """A word (one term) or a dashed compound like L1-L2 (a phrase) in any field."""
    if len(terms) == 1:
        return q.Or([q.Term(name, terms[0]) for name in fields])
    return q.Or([q.Phrase(name, terms, slop=1) for name in fields])


def compile_query(user: UserQuery, analyzer: Analyzer | None = None) -> QueryPlan:
    """Words are OR-ed with a bonus for matching more of them; phrases must match."""
    analyzer = analyzer or text_analyzer()
    highlight: set[str] = set()
    should: list[q.Query] = []
    for word in user.words:
        terms = [t.text for t in analyzer(word)][:MAX_QUERY_TERMS]
        if terms:
            highlight.update(terms)
            should.append(_fields_or(terms, SEARCH_FIELDS))
        if len(should) >= MAX_QUERY_TERMS:
            break
    must: list[q.Query] = []
    for phrase in user.phrases:
        terms = [t.text for t in analyzer(phrase)][:MAX_QUERY_TERMS]
        if terms:
            highlight.update(terms)
            must.append(_fields_or(terms, SEARCH_FIELDS))
    if not should and not must:
        return QueryPlan(None)
    main: q.Query = q.Or(should, scale=0.9) if should else q.Every()
    if must:
        main = q.And([*must, main]) if should else q.And(must)
    excluded = [t.text for word in user.excluded for t in analyzer(word)]
    if excluded:
        main = q.AndNot(main, q.Or([q.Term(name, t) for t in excluded for name in SEARCH_FIELDS]))
    return QueryPlan(main, frozenset(highlight))
