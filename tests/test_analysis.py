"""The analysis: words as the regular expression finds them, gaps between lines, facts."""

from __future__ import annotations

import pytest
from whoosh.analysis import RegexTokenizer

from indexer.analysis import (
    LINE_GAP,
    WORD_PATTERN,
    LineTokenizer,
    fact_analyzer,
    fact_label,
    text_analyzer,
)

TEXTS = [
    "Kemp’s test: the L1–L2 foramen narrows; pain in the thigh.",
    "Dosage: 300 mg at bedtime\nTime: Start low at night\n\nSide Effects: Drowsiness",
    "B₁₂ deficiency, 200mg daily",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_line_tokenizer_finds_the_words_the_regex_tokenizer_finds(text: str) -> None:
    def words(tokenizer: RegexTokenizer | LineTokenizer) -> list[tuple[str, int, int]]:
        return [(t.text, t.startchar, t.endchar) for t in tokenizer(text, chars=True)]

    assert words(LineTokenizer()) == words(RegexTokenizer(WORD_PATTERN))


def test_a_line_break_leaves_a_gap_in_the_positions() -> None:
    analysed = text_analyzer()("reduce nausea\nside effects", positions=True)
    tokens = [(t.text, t.pos) for t in analysed]
    assert tokens == [("reduc", 0), ("nausea", 1), ("side", 2 + LINE_GAP), ("effect", 3 + LINE_GAP)]
    # Within a line, stop words leave no gap: "pins and needles" stays a phrase.
    assert [t.pos for t in text_analyzer()("pins and needles", positions=True)] == [0, 1]


def test_facts_are_the_words_of_labelled_lines_under_their_label() -> None:
    text = "\n".join(
        [
            "a sentence: not a label (lowercase)",
            "A Longer Phrase Than Labels: no",
            "Dosage: 300 mg at bedtime",
            "Side Effects: Dry mouth, dizziness",
        ]
    )
    tokens = [(t.text, t.pos) for t in fact_analyzer()(text, positions=True)]
    assert tokens == [
        ("dosag:300", 0),
        ("dosag:mg", 1),
        ("dosag:bedtim", 2),
        ("side_effect:dri", 4),  # a gap after each line: no phrase spans two
        ("side_effect:mouth", 5),
        ("side_effect:dizzi", 6),
    ]
    assert fact_label("Side Effects") == "side_effect"


def test_facts_keep_the_characters_of_their_words() -> None:
    text = "Intro\nTime: with food"
    found = [(t.text, text[t.startchar : t.endchar]) for t in fact_analyzer()(text, chars=True)]
    assert found == [("time:food", "food")]
