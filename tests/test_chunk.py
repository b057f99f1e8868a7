from pathlib import Path

import pytest

from indexer.chunk import chunk_article, chunk_corpus, slugify, split_explicit_id
from indexer.corpus import read_article, read_corpus
from indexer.errors import CorpusError
from tests.conftest import REAL_CORPUS, WriteCorpus


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Femoral Nerve Stretch Test", "femoral-nerve-stretch-test"),
        ("Kemp’s Test", "kemps-test"),
        ("Vitamin B₁₂ (Cobalamin)", "vitamin-b12-cobalamin"),
        ("Herniated Disc–Related Narrowing", "herniated-disc-related-narrowing"),
        ("Types at L1–L2", "types-at-l1-l2"),
        ("Café   Crème!", "cafe-creme"),
        ("What causes it?", "what-causes-it"),
    ],
)
def test_slugify(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_split_explicit_id() -> None:
    assert split_explicit_id("Title {#my-id}") == ("Title", "my-id")
    assert split_explicit_id("Title") == ("Title", None)


def test_small_article_sections(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus()
    sections = chunk_article(read_article(corpus / "knee.md"))
    by_id = {s.id: s for s in sections}
    assert [s.id for s in sections] == [
        "knee-pain",
        "causes",
        "meniscus-tear",
        "kemp-sign",
        "treatments",
        "exercise",
        "quadriceps-strengthening",
    ]
    lead = by_id["knee-pain"]
    assert (lead.level, lead.path, lead.title) == (1, (), "Knee Pain")
    assert lead.text == "Knee pain is common and usually settles with rest."
    assert by_id["meniscus-tear"].path == ("Causes",)
    assert by_id["meniscus-tear"].level == 4
    assert by_id["kemp-sign"].title == "Kemp’s Sign"
    assert by_id["quadriceps-strengthening"].path == ("Treatments", "Exercise")
    assert by_id["quadriceps-strengthening"].part == "Treatments"
    assert by_id["quadriceps-strengthening"].url == "/articles/knee#quadriceps-strengthening"
    assert [s.order for s in sections] == list(range(len(sections)))
    assert by_id["causes"].text == ""


def test_line_numbers_point_at_headings(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus()
    lines = (corpus / "knee.md").read_text("utf-8").split("\n")
    for section in chunk_article(read_article(corpus / "knee.md"))[1:]:
        assert lines[section.line - 1].lstrip("#").strip().startswith(section.title[:5])


def test_content_hash_changes_with_text(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus()
    before = {s.id: s.content_hash for s in chunk_corpus(read_corpus(corpus))}
    path = corpus / "knee.md"
    path.write_text(path.read_text("utf-8").replace("twisting", "sudden"), "utf-8")
    after = {s.id: s.content_hash for s in chunk_corpus(read_corpus(corpus))}
    assert [k for k in before if before[k] != after[k]] == ["meniscus-tear"]


def test_lists_become_lines(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus(
        {"drugs.md": "# Drugs\n\n## Ibuprofen\n\n- Dosage: 200 mg\n- Time: food\n"}
    )
    (_, ibuprofen) = chunk_article(read_article(corpus / "drugs.md"))
    assert ibuprofen.text == "Dosage: 200 mg\nTime: food"


def test_duplicate_id_names_both_places(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus(
        {"a.md": "# A\n\n## Causes\n\ntext\n", "b.md": "# B\n\ntext\n\n## Causes\n\nmore\n"}
    )
    with pytest.raises(CorpusError) as caught:
        chunk_corpus(read_corpus(corpus))
    message = str(caught.value)
    assert "b.md:5" in message and "a.md:3" in message and "'causes'" in message


def test_empty_heading_is_an_error(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus({"a.md": "# A\n\ntext\n\n##   \n\nbody\n"})
    with pytest.raises(CorpusError, match=r"a\.md:5: empty heading"):
        chunk_corpus(read_corpus(corpus))


def test_bad_explicit_id_is_an_error(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus({"a.md": "# A\n\n## Title {#Not Valid}\n"})
    with pytest.raises(CorpusError, match=r"a\.md:3"):
        chunk_corpus(read_corpus(corpus))


def test_unicode_forms_survive(write_corpus: WriteCorpus) -> None:
    corpus = write_corpus(
        {"v.md": "# Vitamins\n\n## Vitamin B₁₂ (Cobalamin)\n\n500–1000 µg daily\n"}
    )
    (_, b12) = chunk_article(read_article(corpus / "v.md"))
    assert (b12.id, b12.title, b12.text) == (
        "vitamin-b12-cobalamin",
        "Vitamin B₁₂ (Cobalamin)",
        "500–1000 µg daily",
    )


NAMED_ITEMS = [
    "congenital-foraminal-narrowing",
    "age-related-disc-degeneration",
    "repetitive-occupational-stress",
    "paresthesia",
    "psychological-distress",
    "gait-inspection",
    "straight-leg-raise-slr-test",
    "femoral-nerve-stretch-test",
    "kemps-test",
    "hla-b27-antigen-testing",
    "somatosensory-evoked-potentials-sseps",
    "magnetic-resonance-imaging-mri",
    "transcutaneous-electrical-nerve-stimulation-tens",
    "joint-manipulation-chiropractic-adjustment",
    "mckenzie-extension-exercises",
    "mindfulness-meditation",
    "self-massage-techniques",
    "ibuprofen-nsaid",
    "acetaminophen-analgesic",
    "capsaicin-cream-topical-analgesic",
    "vitamin-d3-cholecalciferol",
    "vitamin-b12-cobalamin",
    "n-acetylcysteine-nac",
    "platelet-rich-plasma-prp",
    "hyaluronidase-cocktail",
    "open-foraminotomy",
    "facet-joint-arthroplasty-artificial-facet",
    "is-surgery-always-necessary",
    "how-do-i-choose-between-treatments",
]


def test_real_corpus_has_every_named_item() -> None:
    sections = chunk_corpus(read_corpus(REAL_CORPUS))
    ids = {s.id for s in sections}
    assert set(NAMED_ITEMS) <= ids
    levels = [s.level for s in sections]
    assert (levels.count(2), levels.count(3), levels.count(4)) == (15, 9, 170)
    by_id = {s.id: s for s in sections}
    assert by_id["femoral-nerve-stretch-test"].path == (
        "Diagnostic Tests for Unilateral Neural Foraminal Narrowing at L1–L2",
        "Manual Tests",
    )
    assert "Last Updated: May 20, 2025." in by_id["disclaimer"].text


def test_real_corpus_keeps_every_source_line() -> None:
    # The text the corpus article was written from, kept beside the tests.
    seed = Path(__file__).parent / "fixtures" / "source-article.txt"
    text = "\n".join(
        [s.title for s in chunk_corpus(read_corpus(REAL_CORPUS))]
        + [s.text for s in chunk_corpus(read_corpus(REAL_CORPUS))]
    )
    source = seed.read_text("utf-8")
    for line in source.split("\n"):
        line = line.strip().removesuffix(" -").removeprefix("• ").strip()
        if line and line != "-":
            assert line in text, line
