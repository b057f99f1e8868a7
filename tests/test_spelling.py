import pytest

from indexer.spelling import Speller, distance, english_words, max_edits

VOCABULARY = {
    "gabapentin": 3,
    "ibuprofen": 2,
    "femoral": 4,
    "femur": 1,
    "tramadol": 1,
    "nerve": 9,
    "never": 1,
    "b12": 2,
    "200": 5,
}


@pytest.mark.parametrize(
    ("word", "edits"),
    [("ct", 0), ("emg", 0), ("tens", 1), ("nervy", 1), ("femurl", 1), ("ibuprofin", 2)],
)
def test_the_edit_budget_grows_with_length(word: str, edits: int) -> None:
    assert max_edits(word) == edits


@pytest.mark.parametrize("word", ["b13", "300", "400mg", "l1", "d3"])
def test_numbers_and_doses_are_never_corrected(word: str) -> None:
    assert max_edits(word) == 0
    assert Speller(VOCABULARY).correct(word) is None


def test_distance_counts_a_swap_as_one_edit() -> None:
    assert distance("ibuprofen", "ibuprfoen") == 1
    assert distance("ibuprofen", "ibuprofin") == 1
    assert distance("gabapentin", "gabapentine") == 1
    assert distance("tramadol", "femoral") > 2


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("gabapentine", "gabapentin"),
        ("ibuprofin", "ibuprofen"),
        ("ibprofen", "ibuprofen"),
        ("femural", "femoral"),
        ("tramadoll", "tramadol"),
        ("nerv", "nerve"),
    ],
)
def test_misspellings_are_corrected(typed: str, meant: str) -> None:
    assert Speller(VOCABULARY).correct(typed) == meant


def test_known_and_far_words_are_left_alone() -> None:
    speller = Speller(VOCABULARY)
    assert speller.correct("nerve") is None
    assert speller.correct("vaccine") is None
    assert speller.correct("xyzzyq") is None


def test_ties_prefer_the_same_first_letter_then_the_commoner_word() -> None:
    # "nevre" is one swap from "never" and one swap from "nerve": both keep the "n",
    # so the commoner word wins.
    assert Speller(VOCABULARY).correct("nevre") == "nerve"


def test_real_english_words_are_not_typos() -> None:
    speller = Speller({"standing": 3, "heat": 2, "path": 1}, english_words)
    assert speller.correct("stabbing") is None  # a real word, just not in the corpus
    assert speller.correct("heart") is None
    assert speller.correct("patch") is None
    assert speller.correct("standign") == "standing"  # a typo is still corrected


def test_the_english_word_list_is_loaded() -> None:
    words = english_words()
    assert {"heart", "stabbing", "vaccine"} <= words
    assert "gabapetin" not in words and "acetominophen" not in words


def test_a_first_letter_changes_only_to_one_that_sounds_alike() -> None:
    speller = Speller({"chiropractor": 1, "celebrex": 1, "chair": 1})
    assert speller.correct("kiropractor") == "chiropractor"
    assert speller.correct("selebrex") == "celebrex"
    assert speller.correct("hair") is None
