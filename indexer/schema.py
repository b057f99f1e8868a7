"""The Whoosh schema: what is indexed and stored for each section."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import CompositeAnalyzer, Filter, StemFilter, Token
from whoosh.fields import ID, STORED, TEXT, Schema

from indexer.analysis import fact_analyzer, text_analyzer

# Bump when the schema or the analysis changes: an index built by another version
# is rebuilt from scratch instead of being updated in place.
# 2: the Porter2 (Snowball English) stemmer; 3: level and order stored, not indexed;
# 4: a number glued to a unit is two words ("200mg" -> 200 mg); 5: the facts field
SCHEMA_VERSION = 5

TITLE_BOOST = 3.0
PATH_BOOST = 0.6
BODY_BOOST = 1.0
PATH_SEPARATOR = "\x1f"
# The full-text fields a query searches, and the weight Whoosh gives each posting in them.
SEARCH_FIELDS: tuple[str, ...] = ("title", "path", "body")
# The labelled lines of a section, a word of a line's value prefixed with its label
# (``side_effect:dizzi``, :class:`indexer.analysis.FactTokenizer`): searched only for a
# query that names a label ("dizziness side effect").
FACT_FIELD = "facts"
FIELD_BOOSTS = {"title": TITLE_BOOST, "path": PATH_BOOST, "body": BODY_BOOST, FACT_FIELD: 1.0}
# Every field the scoring model lays out as arrays.
INDEXED_FIELDS: tuple[str, ...] = (*SEARCH_FIELDS, FACT_FIELD)


class _WordRecorder(Filter):
    """Passes tokens on unchanged, noting each word (before stemming) while ``words`` is set."""

    def __init__(self) -> None:
        self.words: list[str] | None = None

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        words = self.words
        for token in tokens:
            if words is not None and not token.stopped:
                words.append(token.text)
            yield token


class SpelledText(TEXT):
    """A ``TEXT(spelling=True)`` field that finds its spelling words (the unstemmed words,
    for the ``spell_*`` field) in the same analysis pass that indexes its terms.

    Whoosh's writer calls ``index(value)`` and then ``spellable_words(value)``, which
    analyses the text a second time without stemming; here the first pass notes the words
    just before the stemmer, and the second call returns them. The same words either way:
    the stemmer is the analysis's last step and the only one ``no_morph`` skips.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(spelling=True, **kwargs)

    def _recording(self) -> tuple[CompositeAnalyzer, _WordRecorder] | None:
        pipeline = self.__dict__.get("_pipeline")
        if pipeline is None:
            items = list(getattr(self.analyzer, "items", ()))
            if not items or not isinstance(items[-1], StemFilter):
                return None
            recorder = _WordRecorder()
            pipeline = (CompositeAnalyzer(*items[:-1], recorder, items[-1]), recorder)
            self.__dict__["_pipeline"] = pipeline
        return pipeline

    def index(self, value: Any, **kwargs: Any) -> list[tuple[bytes, int, float, bytes]]:
        recording = self._recording() if isinstance(value, str) else None
        if recording is None:
            self.__dict__.pop("_spelled", None)
            return list(super().index(value, **kwargs))
        pipeline, recorder = recording
        kwargs.setdefault("mode", "index")
        words: list[str] = []
        recorder.words = words
        try:
            items = [
                (text.encode("utf-8"), freq, weight, vbytes)
                for text, freq, weight, vbytes in self.format.word_values(value, pipeline, **kwargs)
            ]
        finally:
            recorder.words = None
        self.__dict__["_spelled"] = (value, sorted(set(words)))
        return items

    def spellable_words(self, value: Any) -> Iterator[str]:
        spelled = self.__dict__.get("_spelled")
        if spelled is not None and spelled[0] is value:
            return iter(spelled[1])
        return super().spellable_words(value)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_pipeline", None)
        state.pop("_spelled", None)
        return state


def section_schema() -> Schema:
    analyzer = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        article=ID(stored=True),
        article_title=STORED(),
        title=SpelledText(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        path=TEXT(analyzer=analyzer, stored=True, field_boost=PATH_BOOST),
        body=SpelledText(analyzer=analyzer, stored=True, field_boost=BODY_BOOST, chars=True),
        facts=TEXT(analyzer=fact_analyzer()),
        part=ID(stored=True),
        level=STORED(),  # nothing searches or sorts by these two in the index
        order=STORED(),
        hash=STORED(),
    )
