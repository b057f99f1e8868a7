"""Fixed query sets: distinct queries drawn from the real article, and query logs.

Deterministic: the same queries on every run. Four sets:

- :func:`realistic_queries`: ``realistic_queries.txt``, written by hand from the article
  and the synonyms (long questions, lay descriptions, two concepts, drug classes, doses,
  abbreviations, typos, British spellings, headings, phrases, exclusions), with kinds;
- :func:`two_word_queries`: random pairs of the article's words (seeded);
- :func:`distinct_queries`: generated fragments of the text — headings, two- and
  three-word fragments, single words, quoted phrases, a lay synonym or a typo now and
  then, and an exclusion;
- the logs for HTTP: :func:`skewed_log` repeats popular queries with a Zipf distribution,
  the way a real search box is used; :func:`mixed_log` is 70 % of that and 30 % queries
  asked once.
"""

from __future__ import annotations

import random
import re

from bench.common import BENCH, REAL_CORPUS

REALISTIC = BENCH / "realistic_queries.txt"

WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
LAY = [
    "tylenol dose", "pins and needles in thigh", "groin pain", "back pain when bending",
    "numb thigh", "advil", "when to see a doctor", "is surgery always necessary",
    "vitamin b12", "kemps test", "femoral nerve stretch", "mri", "physical therapy",
    "nerve root injection", "walking aids", "sleep position", "weight loss",
]  # fmt: skip
STOP = {"the", "and", "with", "for", "that", "this", "from", "are", "may", "can", "into"}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def distinct_queries(count: int = 400, seed: int = 11) -> list[str]:
    """``count`` distinct queries (case-insensitively distinct)."""
    rng = random.Random(seed)
    text = "\n".join(p.read_text("utf-8") for p in sorted(REAL_CORPUS.glob("*.md")))
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
    paragraphs = [line for line in text.splitlines() if len(line) > 80]
    candidates: list[str] = list(LAY)
    candidates += [h.lower() if rng.random() < 0.6 else h for h in headings]
    while len(candidates) < count * 3:
        words = [w for w in WORD.findall(rng.choice(paragraphs)) if w.lower() not in STOP]
        if len(words) < 4:
            continue
        roll = rng.random()
        start = rng.randrange(len(words) - 3)
        if roll < 0.3:
            query = words[start].lower()
        elif roll < 0.65:
            query = " ".join(words[start : start + 2]).lower()
        elif roll < 0.8:
            query = " ".join(words[start : start + 3]).lower()
        elif roll < 0.88:
            query = '"' + " ".join(words[start : start + 2]).lower() + '"'
        elif roll < 0.96:
            query = " ".join(_typo(w.lower(), rng) for w in words[start : start + 2])
        else:
            query = f"{words[start].lower()} -{words[start + 1].lower()}"
        candidates.append(query)
    seen: set[str] = set()
    out: list[str] = []
    for query in candidates:
        key = " ".join(query.casefold().split())
        if key not in seen:
            seen.add(key)
            out.append(query)
        if len(out) == count:
            break
    return out


def warmup_queries(count: int = 50) -> list[str]:
    """Queries not in :func:`distinct_queries`, to warm a searcher before measuring."""
    measured = {" ".join(q.casefold().split()) for q in distinct_queries()}
    extra = distinct_queries(count * 4 + 400, seed=97)
    return [q for q in extra if " ".join(q.casefold().split()) not in measured][:count]


def skewed_log(
    length: int = 5000, pool: int = 300, exponent: float = 1.1, seed: int = 3
) -> list[str]:
    """A query log where popular queries repeat (Zipf over a pool of distinct queries)."""
    rng = random.Random(seed)
    queries = distinct_queries(pool)
    weights = [1.0 / (rank**exponent) for rank in range(1, len(queries) + 1)]
    return rng.choices(queries, weights=weights, k=length)


def realistic_queries() -> list[tuple[str, str]]:
    """(kind, query) of every query in ``realistic_queries.txt``, in file order: a
    comment after a blank line names the kind of the queries below it."""
    out: list[tuple[str, str]] = []
    kind, previous = "other", ""
    for line in REALISTIC.read_text("utf-8").splitlines():
        line = line.strip()
        if line.startswith("#"):
            if not previous:
                kind = line.lstrip("# ")
        elif line:
            out.append((kind, line))
        previous = line
    return out


def _article_words() -> list[str]:
    text = "\n".join(p.read_text("utf-8") for p in sorted(REAL_CORPUS.glob("*.md")))
    return sorted({w.lower() for w in WORD.findall(text)} - STOP)


def two_word_queries(count: int = 300, seed: int = 5) -> list[str]:
    """``count`` distinct random pairs of the article's words (three letters or more)."""
    rng = random.Random(seed)
    words = _article_words()
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        query = " ".join(rng.sample(words, 2))
        if query not in seen:
            seen.add(query)
            out.append(query)
    return out


def mixed_log(
    length: int = 60000, popular_share: float = 0.7, exponent: float = 1.1, seed: int = 4
) -> list[str]:
    """A query log of ``length`` requests: ``popular_share`` of them Zipf draws from the
    realistic queries (popular ones repeat), the rest queries that appear once in the
    log (random pairs of article words not among the realistic ones), interleaved at
    random. Long enough that a benchmark run does not wrap round it."""
    rng = random.Random(seed)
    pool = [q for _, q in realistic_queries()]
    rng.shuffle(pool)  # popularity does not follow the file's order
    weights = [1.0 / (rank**exponent) for rank in range(1, len(pool) + 1)]
    popular = round(length * popular_share)
    log = rng.choices(pool, weights=weights, k=popular)
    taken = {" ".join(q.casefold().split()) for q in pool}
    fresh = [
        q for q in two_word_queries(length - popular + len(pool), seed + 100) if q not in taken
    ]
    log += fresh[: length - popular]
    rng.shuffle(log)
    return log
