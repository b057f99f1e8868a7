"""Property-based tests (hypothesis): any string searches safely and snippets stay inert.

For every string — random Unicode (lone surrogates included), or corpus words mixed with
query syntax — ``Engine.search`` returns without raising, and every snippet is text plus
``<mark>`` elements only, whose text is a passage of the section it came from.
"""

from __future__ import annotations

import re
from html import escape

from bs4 import BeautifulSoup, NavigableString, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import text_analyzer
from indexer.highlight import LINE_SEPARATOR, highlight_text, snippet
from indexer.search import Engine

WORDS = [
    "femoral", "nerve", "stretch", "test", "kemp's", "b12", "L1-L2", "tylenol", "dose",
    "surgery", "pain", "thigh", "numbness", "pins", "needles", "foraminal", "narrowing",
    "the", "and", "of", "is", "not", "a",
]  # fmt: skip
SYNTAX = ['"', "(", ")", "AND", "OR", "NOT", "-", "*", "?", "~", "^", ":", "title:", "id:*"]
MARKUP = ["<script>", "</mark>", "<mark>", "&amp;", "&", "<", ">", "'", "`", "**", "[x](y)"]
ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates and controls too
TEXT_CHARACTER = st.characters(exclude_categories=("Cs",))  # UTF-8 files hold no surrogates
queries = st.one_of(
    st.text(ANY_CHARACTER, max_size=300),
    st.lists(st.sampled_from(WORDS + SYNTAX + MARKUP), max_size=12).map(" ".join),
    st.lists(st.sampled_from(WORDS + SYNTAX), max_size=8).map("".join),
)
ELLIPSIS = "…"


def passage_of(snippet_html: str, source: str) -> str:
    """Check the snippet is text and <mark>s only; return its text without ellipses."""
    soup = BeautifulSoup(snippet_html, "html.parser")
    for node in soup.contents:
        if isinstance(node, Tag):
            assert node.name == "mark" and not node.attrs, node
            assert all(isinstance(child, NavigableString) for child in node.contents), node
        else:
            assert isinstance(node, NavigableString)
    text = soup.get_text().removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)

    def squeeze(passage: str) -> str:
        # Whitespace may be folded differently, and line breaks may show as separators.
        return "".join(passage.replace(LINE_SEPARATOR.strip(), " ").split())

    assert squeeze(text) in squeeze(source), (text, source)
    return text


@settings(max_examples=200, deadline=None)
@given(text=queries)
def test_any_query_answers_with_inert_snippets(real_engine: Engine, text: str) -> None:
    result = real_engine.search(text, limit=5)
    assert result.total >= len(result.hits)
    for hit in result.hits:
        section = real_engine.section(hit.id)
        assert section is not None
        passage_of(hit.snippet, section.text or section.title)


body_text = st.lists(
    st.one_of(st.sampled_from(WORDS + MARKUP), st.text(TEXT_CHARACTER, max_size=8)),
    min_size=1,
    max_size=80,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(text=body_text, words=st.lists(st.sampled_from(WORDS), max_size=4))
def test_snippets_of_any_text_escape_it(text: str, words: list[str]) -> None:
    analyzer = text_analyzer()
    terms = {token.text for word in words for token in analyzer(word)}
    passage_of(snippet(text, terms, analyzer), text)
    marked = highlight_text(text, terms, analyzer)
    soup = BeautifulSoup(marked, "html.parser")
    assert {tag.name for tag in soup.find_all()} <= {"mark"}
    assert re.sub(r"</?mark>", "", marked) == escape(text, quote=False)
