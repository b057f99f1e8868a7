"""Synthetic corpora whose every section carries the marker word of the build that wrote it.

A search for ``sentinel`` then shows which corpus version answered: all hits must carry
one marker, and the total must be the section count of that version. A half-updated
index (some sections old, some new, or a removal without its addition) shows up as two
markers or a wrong total.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from indexer.models import SearchResult

QUERY = "sentinel"
SYNONYM_QUERY = "lookout"  # in no article: found only through corpus/synonyms.txt
_MARKER = re.compile(r"\bgen([a-z]+)\b")


def marker(version: int) -> str:
    """A word the analyzer keeps whole and unstemmed: 'genb', 'genbc', ..."""
    letters = string.ascii_lowercase
    digits = ""
    number = version
    while True:
        number, rest = divmod(number, 26)
        digits = letters[rest] + digits
        if number == 0:
            break
    return f"genx{digits}"


@dataclass(frozen=True, slots=True)
class Shape:
    articles: int = 4
    sections: int = 9  # per article, besides its lead

    def count(self, version: int) -> int:
        """Sections of ``version``: the first article gains 0-3 extra sections by version."""
        return self.articles * (self.sections + 1) + version % 4


def write_version(corpus: Path, version: int, shape: Shape) -> int:
    """(Re)write every article of ``corpus`` for ``version``; return its section count."""
    word = marker(version)
    corpus.mkdir(parents=True, exist_ok=True)
    for a in range(shape.articles):
        lines = ["---", f'title: "Synthetic article {a}"', "---", ""]
        lines += [f"Lead of article {a}: {QUERY} {word}.", ""]
        for s in range(shape.sections):
            lines += [f"## Topic {a} {s}", "", f"Body {a} {s} says {QUERY} {word}.", ""]
        if a == 0:
            for e in range(version % 4):
                lines += [f"## Extra {e}", "", f"Extra {e} says {QUERY} {word}.", ""]
        path = corpus / f"synthetic-{a}.md"
        temporary = corpus / f".synthetic-{a}.md.tmp"  # editors save by rename, too
        temporary.write_text("\n".join(lines), "utf-8")
        temporary.replace(path)
    (corpus / "synonyms.txt").write_text(f"{SYNONYM_QUERY}, {QUERY}  # version {version}\n")
    return shape.count(version)


def markers(result: SearchResult) -> set[str]:
    """The marker words shown in the snippets of ``result``."""
    found: set[str] = set()
    for hit in result.hits:
        text = BeautifulSoup(hit.snippet, "html.parser").get_text()
        found.update(f"gen{m}" for m in _MARKER.findall(text))
    return found


def check(result: SearchResult, expected: dict[str, int]) -> str | None:
    """Why ``result`` is not the answer of one complete version (None when it is)."""
    seen = markers(result)
    if len(seen) != 1:
        return f"markers {sorted(seen)} in one answer"
    (word,) = seen
    if word not in expected:
        return f"marker {word} of a version never written"
    if result.total != expected[word] or len(result.hits) != min(result.limit, result.total):
        return f"{word}: total {result.total}, {len(result.hits)} hits, {expected[word]} expected"
    return None
