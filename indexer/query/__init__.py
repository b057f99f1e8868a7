"""The query side: from what a person typed to ranked sections, one module a stage.

    parse.py       the typed text -> words, "quoted phrases", -excluded words
    understand.py  words -> concepts (fillers, spelling corrections, synonym runs)
    vocabulary.py  what one generation knows: terms, speller, synonyms, frequencies
    plan.py        concepts -> a plan: alternatives, min-match, phrases, bonuses
    score.py       the plan evaluated on the generation's scoring model (numpy arrays)
    rank.py        top N, exact total and per-part counts

:mod:`indexer.search` runs them for each query; :mod:`indexer.model` is the scoring
model they read.
"""

from indexer.query.parse import UserQuery, parse_user_query
from indexer.query.plan import QueryPlan, compile_query

__all__ = ["QueryPlan", "UserQuery", "compile_query", "parse_user_query"]
