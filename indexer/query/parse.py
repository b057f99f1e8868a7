"""What was typed, in pieces: words, ``"quoted phrases"`` and ``-excluded`` words.

Any string is accepted. Operators, field syntax, wildcards and stray punctuation are
read as plain words; nothing here raises on user input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
