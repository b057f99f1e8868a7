import pytest

from indexer.query import UserQuery, compile_query, parse_user_query
from indexer.query.plan import required_matches
from indexer.query.understand import suggestion_text, understand
from indexer.search import Engine


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", UserQuery()),
        ("   ", UserQuery()),
        ("femoral nerve", UserQuery(("femoral", "nerve"))),
        ('"nerve root" pain', UserQuery(("pain",), ("nerve root",))),
        ("pain -groin", UserQuery(("pain",), (), ("groin",))),
        ('-"lower back" pain', UserQuery(("pain",), (), ("lower back",))),
        ('"unclosed phrase', UserQuery((), ("unclosed phrase",))),
        ("title:x AND y*", UserQuery(("title:x", "AND", "y*"))),
    ],
)
def test_parse_user_query(text: str, expected: UserQuery) -> None:
    assert parse_user_query(text) == expected


def test_question_words_are_fillers_not_concepts() -> None:
    meaning = understand(("how", "much", "gabapentin", "should", "I", "take"))
    assert [c.typed for c in meaning.concepts] == [("gabapentin",)]
    assert meaning.question
    assert not understand(("gabapentin", "dose")).question


def test_words_typed_together_stay_one_phrase() -> None:
    meaning = understand(("L1–L2", "HLA-B27"))
    assert [c.typed for c in meaning.concepts] == [("l1", "l2"), ("hla", "b27")]


@pytest.mark.parametrize(
    ("known", "missing", "need"),
    [(0, 0, 0), (1, 0, 1), (2, 0, 2), (3, 0, 2), (5, 0, 3), (1, 1, 0), (2, 2, 0), (3, 1, 3)],
)
def test_required_matches(known: int, missing: int, need: int) -> None:
    assert required_matches(known, missing) == need


def test_suggestion_keeps_the_rest_of_the_text() -> None:
    fixes = (("gabapentine", "gabapentin"),)
    assert suggestion_text("How much Gabapentine?", fixes) == "How much gabapentin?"
    assert suggestion_text("anything", ()) is None


def test_compile_without_an_index_still_works() -> None:
    plan = compile_query(parse_user_query("nerve root"))
    assert plan.plan is None  # nothing is known without an index
    assert plan.suggestion is None


RECOVERY = "how-long-does-recovery-take-after-foraminotomy"


@pytest.mark.parametrize(
    ("query", "section"),
    [
        ("tylenol", "acetaminophen-analgesic"),
        ("Advil", "ibuprofen-nsaid"),
        ("motrin dose", "ibuprofen-nsaid"),
        ("neurontin", "gabapentin-anticonvulsant-neuropathic-pain"),
        ("flexeril", "cyclobenzaprine-muscle-relaxant"),
        ("pins and needles", "paresthesia"),
        ("slipped disc", "disc-herniation"),
        ("bone spurs", "osteophyte-formation"),
        ("cat scan", "computed-tomography-ct"),
        ("chiropractor", "joint-manipulation-chiropractic-adjustment"),
        ("heating pad", "heat-therapy"),
        ("sed rate", "erythrocyte-sedimentation-rate-esr"),
        ("TENS", "transcutaneous-electrical-nerve-stimulation-tens"),
        ("straight leg raise", "straight-leg-raise-slr-test"),
        ("SLR", "straight-leg-raise-slr-test"),
        ("Vitamin B₁₂", "vitamin-b12-cobalamin"),
        ("is surgery necessary", "is-surgery-always-necessary"),
        ("how much gabapentin", "gabapentin-anticonvulsant-neuropathic-pain"),
        ("how long is recovery after surgery", "how-long-does-recovery-take-after-foraminotomy"),
        ("muscle relaxers", "cyclobenzaprine-muscle-relaxant"),
        ("sitting for long periods", "difficulty-standing-from-sitting"),
        ("cupping", "myofascial-decompression-cupping"),
        ("S.L.R.", "straight-leg-raise-slr-test"),
        ("ibuprofen vs naproxen", "ibuprofen-nsaid"),
        ("can't sleep because of back pain", "sleep-disturbance"),
        ("elavil for sleep", "amitriptyline-tca-antidepressant"),
        ("blood tests", "laboratory-and-pathological-tests"),
        ("what is foraminal narrowing", "unilateral-neural-foraminal-narrowing-at-l1-l2"),
        ("belly pain coming from my spine", "referred-lower-abdominal-pain"),
        ("groin pain coming from the spine", "groin-pain"),
        ("can i go swimming", "can-exercise-worsen-my-condition"),
        ("how soon can i lift heavy things after surgery", RECOVERY),
        ("is walking bad for it", "what-to-do-and-what-to-avoid"),
    ],
)
def test_people_find_the_section_they_mean(real_engine: Engine, query: str, section: str) -> None:
    assert real_engine.search(query).hits[0].id == section


@pytest.mark.parametrize(
    ("query", "suggestion", "section"),
    [
        ("gabapetin", "gabapentin", "gabapentin-anticonvulsant-neuropathic-pain"),
        ("femural nerve stretch", "femoral nerve stretch", "femoral-nerve-stretch-test"),
        ("ibuprofin 400 mg", "ibuprofen 400 mg", "ibuprofen-nsaid"),
    ],
)
def test_misspellings_are_answered_and_said(
    real_engine: Engine, query: str, suggestion: str, section: str
) -> None:
    result = real_engine.search(query)
    assert result.corrected
    assert result.suggestion == suggestion
    assert result.to_json()["suggestion"] == suggestion
    assert result.hits[0].id == section


@pytest.mark.parametrize("query", ["tylenol", "l1-l2", "b12 dose", "HLA-B27", "400"])
def test_known_words_brands_and_numbers_are_not_corrected(real_engine: Engine, query: str) -> None:
    result = real_engine.search(query)
    assert not result.corrected and result.suggestion is None


@pytest.mark.parametrize(
    "query", ["covid vaccine", "migraine treatment", "asthma inhaler", "heart attack", "hair loss"]
)
def test_questions_the_article_cannot_answer_find_nothing(real_engine: Engine, query: str) -> None:
    result = real_engine.search(query)
    assert result.total == 0
    assert result.suggestion is None  # no "showing results for" a correction that found nothing


@pytest.mark.parametrize(
    ("query", "missing"),
    [("groin pain coming from the spine", ()), ("vomiting side effect", ())],
)
def test_everyday_words_are_not_reported_missing(
    real_engine: Engine, query: str, missing: tuple[str, ...]
) -> None:
    """An inflected filler ("coming") and a lay word with a synonym ("vomiting") are
    understood, so nothing is announced as missing and something is found."""
    result = real_engine.search(query)
    assert result.missing == missing
    assert result.total > 0


def test_a_heading_match_outranks_body_mentions(real_engine: Engine) -> None:
    hits = real_engine.search("paresthesia").hits
    assert hits[0].id == "paresthesia"
    assert len(hits) > 1  # the word also appears in other sections' text


def test_synonym_matches_are_highlighted(real_engine: Engine) -> None:
    hit = real_engine.search("pins and needles").hits[0]
    assert "<mark>Tingling</mark>" in hit.snippet  # the synonym
    assert "<mark>pins</mark> and <mark>needles</mark>" in hit.snippet  # the words typed


def _side_effects(engine: Engine, section_id: str) -> str:
    section = engine.section(section_id)
    assert section is not None
    return next(
        line.lower() for line in section.text.splitlines() if line.startswith("Side Effects:")
    )


def test_a_word_in_the_line_of_the_label_asked_for_ranks_first(real_engine: Engine) -> None:
    """Oxycodone's text says nausea ("Time: With food to reduce nausea") but its Side
    Effects line does not: every drug whose Side Effects line lists nausea comes first."""
    result = real_engine.search("nausea side effects", limit=20)
    ids = [hit.id for hit in result.hits]
    listing = [i for i in ids if "nausea" in _side_effects(real_engine, i)]
    assert len(listing) == 3  # Duloxetine, Baclofen, Tramadol
    assert ids[: len(listing)] == listing
    assert ids.index("oxycodone-opioid-analgesic") > len(listing) - 1


def test_the_fact_bonus_is_explained(real_engine: Engine) -> None:
    hit = real_engine.search("dizziness side effect", explain=True).hits[0]
    assert "dizziness" in _side_effects(real_engine, hit.id)
    assert hit.explain is not None
    parts = [p["part"] for p in hit.explain["parts"]]  # type: ignore[index, union-attr]
    assert "dizziness in a line of side effect" in parts


def test_what_a_question_asks_for_lifts_the_section_that_answers_it(real_engine: Engine) -> None:
    """ "when can I drive again" asks for a recovery time: the recovery FAQ, which says
    nothing of driving, is found and explained by the question's form."""
    result = real_engine.search("when can i drive again after the operation", explain=True)
    ids = [hit.id for hit in result.hits]
    assert RECOVERY in ids[:3]
    hit = result.hits[ids.index(RECOVERY)]
    assert hit.explain is not None
    parts = [p["part"] for p in hit.explain["parts"]]  # type: ignore[index, union-attr]
    assert "the question asks for: recovery" in parts
