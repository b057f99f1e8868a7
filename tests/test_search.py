from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.errors import IndexMissingError
from indexer.search import Engine
from tests.multi_articles import TITLES, write_articles
from tests.test_api import HIT_KEYS


def test_femoral_nerve_stretch_first(real_engine: Engine) -> None:
    result = real_engine.search("femoral nerve stretch")
    assert result.hits[0].id == "femoral-nerve-stretch-test"
    top = result.hits[0]
    assert top.title == "Femoral Nerve Stretch Test"
    assert top.url == "/articles/l1-l2-foraminal-narrowing#femoral-nerve-stretch-test"
    assert "<mark>femoral</mark> <mark>nerve</mark>" in top.snippet
    assert result.total >= len(result.hits)


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("L1-L2 types", "types-of-unilateral-neural-foraminal-narrowing-at-l1-l2"),
        ("kemps test", "kemps-test"),
        ("Kemp's", "kemps-test"),
        ("b12", "vitamin-b12-cobalamin"),
        ("vitamin D3", "vitamin-d3-cholecalciferol"),
    ],
)
def test_character_variants(real_engine: Engine, query: str, section: str) -> None:
    assert real_engine.search(query).hits[0].id == section


@pytest.mark.parametrize(
    "query", ["", "   ", "AND", "OR NOT", '"', "((", "title:", "id:*", "*", "?", "~^", "-"]
)
def test_odd_queries_never_raise(real_engine: Engine, query: str) -> None:
    result = real_engine.search(query)
    # Operators and field syntax are plain words: none names a topic, so none matches.
    assert (result.total, result.hits, result.suggestion) == (0, (), None)
    assert result.query == query and not result.partial
    assert result.to_json()["results"] == []


def test_paging(real_engine: Engine) -> None:
    first = real_engine.search("pain", limit=5, page=1)
    second = real_engine.search("pain", limit=5, page=2)
    assert len(first.hits) == 5 and len(second.hits) == 5
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}
    beyond = real_engine.search("pain", limit=5, page=1000)
    assert beyond.hits == () and beyond.total == first.total


RESULT_KEYS = {"query", "total", "page", "limit", "suggestion", "missing", "relaxed", "results"}


def test_json_shape(real_engine: Engine) -> None:
    body = real_engine.search("groin pain", limit=2).to_json()
    assert set(body) == RESULT_KEYS
    assert set(body["results"][0]) == HIT_KEYS  # type: ignore[index]


def test_snippet_escapes_corpus_html(write_corpus, tmp_path: Path) -> None:
    from indexer.build import build_index

    corpus = write_corpus({"x.md": "# X\n\n## Tricks\n\n<b>bold</b> & <script>alert(1)</script>\n"})
    build_index(corpus, tmp_path / "i")
    hit = Engine(tmp_path / "i").search("alert").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>alert</mark>" in hit.snippet


def test_section_lookup(real_engine: Engine) -> None:
    section = real_engine.section("kemps-test")
    assert section is not None and section.title == "Kemp’s Test"
    assert real_engine.section("no-such-id") is None


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError):
        Engine(tmp_path / "nothing").search("x")


def test_correction_can_be_turned_off(real_engine: Engine) -> None:
    corrected = real_engine.search("kemps tset")
    assert (corrected.suggestion, corrected.corrected) == ("kemps test", True)
    assert corrected.hits[0].id == "kemps-test"
    exact = real_engine.search("kemps tset", correct=False)
    assert (exact.suggestion, exact.corrected) == (None, False)


def test_time_budget_ranks_what_it_found(real_index: Path) -> None:
    hurried = Engine(real_index, cache_size=0, time_budget=0.0)
    try:
        for query in ("pain", "surgery options", "pins and needles in thigh"):
            result = hurried.search(query)
            assert result.partial
            assert 0 <= len(result.hits) <= result.total
    finally:
        hurried.close()
    assert not Engine(real_index).search("pain").partial


def test_partial_results_are_not_cached(real_index: Path) -> None:
    engine = Engine(real_index, time_budget=0.0)
    try:
        assert engine.search("pain").partial
        engine.time_budget = 10.0
        again = engine.search("pain")
        assert not again.partial and again.total > 1
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("typed", "section"),
    [
        ("ibupro", "ibuprofen-nsaid"),
        ("kem", "kemps-test"),
        ("femoral ner", "femoral-nerve-stretch-test"),
    ],
)
def test_an_unfinished_last_word_matches_as_a_prefix(
    real_engine: Engine, typed: str, section: str
) -> None:
    live = real_engine.search(typed, prefix=True)
    assert live.hits and live.hits[0].id == section
    assert live.suggestion is None  # completed, not corrected
    submitted = real_engine.search(typed)  # a submitted form reads whole words only
    assert section not in [h.id for h in submitted.hits[:1]] or submitted.corrected


def test_a_finished_word_is_not_completed(real_engine: Engine) -> None:
    assert real_engine.search("kem ", prefix=True).total == real_engine.search("kem").total


@pytest.mark.parametrize(("glued", "spaced"), [("tylenol 500mg", "tylenol 500 mg"), ("3G", "3 g")])
def test_doses_typed_without_a_space_read_as_number_and_unit(
    real_engine: Engine, glued: str, spaced: str
) -> None:
    together = real_engine.search(glued)
    assert together.hits and together.hits[0].id == "acetaminophen-analgesic"
    assert together.hits[0].id == real_engine.search(spaced).hits[0].id
    assert "<mark>" in together.hits[0].snippet


def test_words_no_section_holds_are_listed(real_engine: Engine) -> None:
    result = real_engine.search("ibuprofen while pregnant")
    assert result.missing == ("pregnant",)
    assert result.to_json()["missing"] == ["pregnant"]
    assert real_engine.search("femoral nerve stretch").missing == ()


def test_a_long_query_finding_nothing_falls_back_to_closest_matches(real_engine: Engine) -> None:
    # No section holds "truck", so every known concept would be needed: closest matches.
    result = real_engine.search("numb thigh after long drives in my truck")
    assert result.relaxed and result.total > 0
    assert result.missing == ("truck",)
    assert "sensory-numbness" in [h.id for h in result.hits[:3]]
    for covered_nowhere in ("asthma inhaler", "knee replacement", "flu shot side effects"):
        assert real_engine.search(covered_nowhere).total == 0, covered_nowhere
    assert not real_engine.search("femoral nerve stretch").relaxed


def test_hits_carry_their_article(real_engine: Engine) -> None:
    hit = real_engine.search("femoral nerve stretch").hits[0]
    assert hit.article == "l1-l2-foraminal-narrowing"
    assert hit.article_title and hit.to_json()["article_title"] == hit.article_title


@pytest.mark.parametrize(
    "text",
    [
        "tylenol dose for back pain",
        "femoral nerve stretch",
        "what causes foraminal narrowing?",
        '"nerve root" injection',
        "imaging",
        "pins and needles in thigh",
    ],
)
def test_explanations_add_up_to_the_score(real_engine: Engine, text: str) -> None:
    result = real_engine.search(text, explain=True)
    assert result.hits
    for hit in result.hits:
        explained = hit.explain
        assert explained is not None
        parts = explained["parts"]
        assert explained["score"] == pytest.approx(hit.score)
        assert sum(p["score"] for p in parts) == pytest.approx(hit.score)  # type: ignore[attr-defined]
        for part in parts:  # type: ignore[attr-defined]
            if part.get("matches"):
                assert sum(m["score"] for m in part["matches"]) == pytest.approx(part["score"])
                assert {m["field"] for m in part["matches"]} <= {"title", "path", "body"}
    assert real_engine.search(text).hits[0].explain is None


def test_an_explanation_names_the_synonym_that_matched(real_engine: Engine) -> None:
    hit = real_engine.search("tylenol", explain=True).hits[0]
    assert hit.explain is not None
    concept = hit.explain["parts"][0]  # type: ignore[index]
    assert concept["part"] == "concept tylenol"
    assert any(m["how"] == "synonym" for m in concept["matches"])


def test_each_hit_names_the_words_it_lacks(real_engine: Engine) -> None:
    result = real_engine.search("numbness weakness thigh groin")
    lacking = {h.id: h.missing for h in result.hits}
    assert any(lacking.values()) and not all(lacking.values())
    for hit in result.hits:
        assert set(hit.missing) <= {"numbness", "weakness", "thigh", "groin"}
        assert len(hit.missing) < 4  # a hit has at least one of the words
        assert hit.to_json().get("missing", []) == list(hit.missing)
    assert real_engine.search("femoral nerve stretch").hits[0].missing == ()


def test_articles_are_counted_over_live_sections(tmp_path: Path) -> None:
    """Each article's id, title and sections, read from the model: an article deleted by
    an incremental build is gone although its sections still sit in a segment."""
    corpus = write_articles(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", full=True)
    engine = Engine(tmp_path / "index", cache_size=0)
    expected = {slug: len(engine.article_sections(slug)) for slug in TITLES}
    assert engine.articles() == [(s, TITLES[s], expected[s]) for s in sorted(TITLES)]
    (corpus / "ankle-sprain.md").unlink()
    build_index(corpus, tmp_path / "index")
    assert [a[0] for a in engine.articles()] == ["knee-pain", "thumb-numbness"]
    assert sum(a[2] for a in engine.articles()) == engine.count()


@pytest.mark.parametrize(
    "topic_not_covered",
    ["vitamin c dosage", "eczema cream", "sore throat remedies", "how much does surgery cost"],
)
def test_an_unknown_subject_is_not_answered_by_broad_or_neighbouring_words(
    real_engine: Engine, topic_not_covered: str
) -> None:
    assert real_engine.search(topic_not_covered).total == 0


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("voltaren gel", "diclofenac-nsaid"),
        ("ibuprofen while pregnant", "ibuprofen-nsaid"),
        ("vitamin b-12", "vitamin-b12-cobalamin"),
        ("vitamin d dosage", "vitamin-d3-cholecalciferol"),
        ("c reactive protein", "c-reactive-protein-crp"),
    ],
)
def test_a_named_thing_with_an_unknown_word_or_a_letter_still_answers(
    real_engine: Engine, query: str, answer: str
) -> None:
    assert real_engine.search(query).hits[0].id == answer


@pytest.mark.parametrize(
    ("query", "members", "overview"),
    [
        (
            "nsaids",
            {"ibuprofen-nsaid", "naproxen-nsaid", "diclofenac-nsaid", "meloxicam-nsaid"},
            "what-are-the-risks-of-long-term-nsaid-use",
        ),
        (
            "steroids",
            {"prednisone-oral-corticosteroid", "methylprednisolone-oral-corticosteroid"},
            "what-is-the-role-of-epidural-steroid-injections",
        ),
    ],
)
def test_a_class_query_ranks_its_members_above_a_lone_heading_naming_it(
    real_engine: Engine, query: str, members: set[str], overview: str
) -> None:
    ranked = [h.id for h in real_engine.search(query).hits]
    assert set(ranked[: len(members)]) == members
    assert ranked.index(overview) >= len(members)
    parts = real_engine.search(query, explain=True).hits[0].explain
    assert parts is not None and "one of several headings naming it" in str(parts)
