"""Snippets from the character offsets stored at index time equal snippets from analysis."""

from __future__ import annotations

import pytest

from indexer.highlight import match_spans, snippet, snippet_from_spans
from indexer.search import Engine


@pytest.mark.parametrize(
    "text",
    ["femoral nerve stretch", "groin pain", "kemps test", "vitamin b12", "nerve root compression"],
)
def test_stored_offsets_give_the_same_snippets_as_analysis(real_engine: Engine, text: str) -> None:
    result = real_engine.search(text, limit=20)
    assert result.hits
    terms = real_engine.plan(text).highlight_terms
    assert terms == result.highlight_terms
    checked = 0
    with real_engine.snapshot() as current, current.lock:
        for hit in result.hits:
            section = real_engine.section(hit.id)
            assert section is not None
            if not section.text:
                continue
            docnum = current.searcher.document_number(id=hit.id)
            stored = current.model.spans("body", [docnum], terms)[docnum]
            assert stored == match_spans(section.text, terms, real_engine.analyzer)
            assert snippet_from_spans(section.text, stored) == snippet(
                section.text, terms, real_engine.analyzer
            )
            checked += 1
    assert checked


def test_spans_of_absent_terms_are_empty(real_engine: Engine) -> None:
    with real_engine.snapshot() as current:
        assert current.model.spans("body", [0, 1], {"zzznotaword"}) == {0: [], 1: []}


def test_snippet_flattens_line_breaks_and_marks_matches() -> None:
    text = "First paragraph about knees.\nSecond   paragraph\tabout the knee joint."
    spans = [(22, 27, "knee"), (58, 62, "knee")]
    html = snippet_from_spans(text, spans)
    assert "\n" not in html and "\t" not in html and "  " not in html
    assert html.count("<mark>") == 2 and "<mark>knee</mark> joint" in html
    assert "<mark>knees</mark>. Second paragraph" in html, "a sentence end needs no separator"


def test_snippet_keeps_the_lines_of_a_labelled_list_apart() -> None:
    text = (
        "Take it as needed.\nDosage: 500 mg (max 3 g/day)\nTime: Any time\n\n"
        "Side Effects: nausea\nStorage: dry place"
    )
    spans = [(text.index(word), text.index(word) + len(word), word) for word in ("time", "nausea")]
    html = snippet_from_spans(text, spans)
    assert html == (
        "Take it as needed. Dosage: 500 mg (max 3 g/day) · Time: Any <mark>time</mark>"
        " · Side Effects: <mark>nausea</mark> · Storage: dry place"
    )
    window = snippet_from_spans("\n".join([text] * 4), spans, width=90)
    assert window.count("<mark>") == 2 and "· Side Effects: <mark>nausea</mark>" in window
