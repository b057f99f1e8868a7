"""Generate synthetic corpora: N articles made from the real one with perturbed text.

    python -m bench.gen_corpus --scale 100 --scale 1000

Article 0 is the real article; every other article gets its own title, spine level and
condition, its paragraphs' sentences shuffled, ~8% of its words swapped for other corpus
words and ~1% for invented ones (so the vocabulary keeps growing, as in a real
collection), and every heading pinned to an id unique across the corpus. The output is
deterministic for a given scale and seed and goes to ``bench/corpora/x<N>/``, with the
real corpus's ``synonyms.txt`` beside the articles.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import time
from pathlib import Path

from bench.common import CORPORA, REAL_CORPUS
from indexer.chunk import slugify
from indexer.synonyms import SYNONYMS_FILE

LEVELS = [
    "C2–C3", "C3–C4", "C4–C5", "C5–C6", "C6–C7", "C7–T1", "T11–T12", "T12–L1",
    "L1–L2", "L2–L3", "L3–L4", "L4–L5", "L5–S1",
]  # fmt: skip
CONDITIONS = [
    "Neural Foraminal Narrowing", "Foraminal Stenosis", "Lateral Recess Stenosis",
    "Disc Protrusion", "Facet Arthropathy", "Spondylolisthesis", "Synovial Cyst",
    "Ligamentum Flavum Hypertrophy", "Radiculopathy", "Annular Fissure",
]  # fmt: skip
SIDES = ["Unilateral", "Bilateral", "Left-Sided", "Right-Sided", "Chronic", "Acute"]
WORD = re.compile(r"[A-Za-z]{4,}")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
SYLLABLES = ["ka", "lo", "mi", "ne", "ta", "ri", "xo", "bu", "sen", "dra", "vel", "quin"]


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _perturb_paragraph(
    text: str, rng: random.Random, vocabulary: list[str], invented: list[str]
) -> str:
    sentences = SENTENCE.split(text)
    if len(sentences) > 2 and rng.random() < 0.5:
        rng.shuffle(sentences)
    if len(sentences) > 3 and rng.random() < 0.3:
        sentences.pop(rng.randrange(len(sentences)))

    def swap(match: re.Match[str]) -> str:
        roll = rng.random()
        if roll < 0.08:
            return rng.choice(vocabulary)
        if roll < 0.09:
            return rng.choice(invented)
        return match.group(0)

    return WORD.sub(swap, " ".join(sentences))


def _article(source: str, number: int, rng: random.Random, vocabulary: list[str]) -> str:
    level = rng.choice(LEVELS)
    condition = rng.choice(CONDITIONS)
    side = rng.choice(SIDES)
    title = f"{side} {condition} at {level} ({number})"
    invented = [_pseudo_word(rng) for _ in range(50)]
    body = source.split("\n---\n", 1)[1]
    lines = [
        "---",
        f'title: "{title}"',
        f"updated: 2025-{1 + number % 12:02d}-{1 + number % 28:02d}",
        "---",
    ]
    seen: set[str] = set()
    for line in body.split("\n"):
        if line.startswith("#"):
            hashes, heading = line.split(" ", 1)
            heading = heading.replace("L1–L2", level).replace(
                "Neural Foraminal Narrowing", condition
            )
            if rng.random() < 0.15:
                heading = _perturb_paragraph(heading, rng, vocabulary, invented)
            base = slugify(heading) or "section"
            pinned = f"{base}-{number}"
            while pinned in seen:
                pinned += "-x"
            seen.add(pinned)
            lines.append(f"{hashes} {heading} {{#{pinned}}}")
        elif line.strip():
            lines.append(
                _perturb_paragraph(line.replace("L1–L2", level), rng, vocabulary, invented)
            )
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def generate(scale: int, seed: int = 5, out: Path | None = None) -> Path:
    """Write ``scale`` articles into ``out`` (default ``bench/corpora/x<scale>``)."""
    target = out or CORPORA / f"x{scale}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    sources = sorted(REAL_CORPUS.glob("*.md"))
    texts = [p.read_text("utf-8") for p in sources]
    vocabulary = sorted({w.lower() for t in texts for w in WORD.findall(t)})
    for path in sources:
        shutil.copy(path, target / path.name)
    # The synonyms too: without them queries at scale would skip the query understanding
    # (brands, lay words, abbreviations) that the real corpus gets.
    synonyms = REAL_CORPUS / SYNONYMS_FILE
    if synonyms.exists():
        shutil.copy(synonyms, target / SYNONYMS_FILE)
    for number in range(1, scale if scale > 1 else 1):
        rng = random.Random(seed * 1_000_003 + number)
        source = texts[number % len(texts)]
        slug = f"synthetic-{number:05d}"
        (target / f"{slug}.md").write_text(_article(source, number, rng, vocabulary), "utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, action="append", required=True)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    for scale in args.scale:
        started = time.perf_counter()
        path = generate(scale, args.seed)
        files = list(path.glob("*.md"))
        size = sum(p.stat().st_size for p in files)
        print(
            f"x{scale}: {len(files)} articles, {size / 1e6:.1f} MB in {path} "
            f"({time.perf_counter() - started:.1f} s)"
        )


if __name__ == "__main__":
    main()
