"""What a question asks beyond its topic: "how soon can I drive after surgery" asks for a
recovery time, "what causes thigh numbness" for causes.

Each form is a pattern over the folded words of a question and the heading words of the
section that typically answers that kind of question. The planner turns them into
*hints*: a small bonus for sections holding those words, and a section whose heading
holds them passes the min-match filter when it matches one of the query's concepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuestionForm:
    """A kind of question (``pattern``) and the words of the heading that answers it."""

    pattern: re.Pattern[str]
    asks: str


def _form(pattern: str, asks: str) -> QuestionForm:
    return QuestionForm(re.compile(pattern), asks)


FORMS = (
    _form(
        r"\bhow (long|soon|quickly|fast)\b|\bwhen (can|will|could|do) i\b.*\b(again|back|return"
        r"|resume|start)\b|\bback to (work|normal|sport|the gym)\b",
        "recovery",
    ),
    _form(
        r"\bwhen (should|do|must|would) i\b.*\b(see|call|visit|go|worry|get)\b"
        r"|\b(worry|worried|worrying|emergency|urgent|red flags?|warning signs?)\b",
        "see a doctor",
    ),
    _form(
        r"\b(is|are|would)\b.*\b(good|bad|safe|ok|okay|harmful|dangerous|wise|risky)\b"
        r"|\bshould i (avoid|stop)\b|\bmake (it|things|my \w+) worse\b|\bworsen",
        "avoid",
    ),
    _form(
        r"\b(is|are|can|could|would|does|do|will)\b.*\b(make (it|things|my \w+) worse|worsen"
        r"|aggravate|hurt it|bad for)\b",
        "worsen",
    ),
    _form(r"\bwhat (causes?|caused)\b|\bwhy (do|does|did|am|is|would)\b|\bcaused by\b", "causes"),
    _form(
        r"\bhow (is|do|does|are|will|can|would)\b.*\b(diagnos\w*|test\w*|tell|know|find out"
        r"|confirm\w*|check\w*)\b",
        "diagnosed",
    ),
    _form(
        r"\bwhat happens if\b|\buntreated\b|\bon (its|it s|it's) own\b|\bgo away\b"
        r"|\bget better\b|\bheal\b",
        "heal on its own",
    ),
    _form(r"\b(prevent\w*|stop it|keep it from|coming back|come back|recurr\w*)\b", "prevent"),
)


def question_asks(words: tuple[str, ...]) -> tuple[str, ...]:
    """The heading words each question form that ``words`` (folded) match asks for."""
    text = " ".join(words)
    return tuple(form.asks for form in FORMS if form.pattern.search(text))
