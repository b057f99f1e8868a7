from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import indexer.synonyms
from foramen.cli import main
from indexer.build import build_index
from indexer.errors import CorpusError
from indexer.search import Engine
from indexer.store import read_pointer
from indexer.synonyms import SYNONYMS_FILE, SynonymMap, check_synonyms, parse_synonyms

RULES = """\
# brand names
tylenol, paracetamol, acetaminophen   # a group
advil, motrin => ibuprofen
pins and needles => paresthesia, tingling
Kemp’s test, quadrant test
"""


def test_a_group_expands_every_way_and_a_rule_one_way() -> None:
    rules = parse_synonyms(RULES)
    assert rules.get(("tylenol",)) == (("paracetamol",), ("acetaminophen",))
    assert ("tylenol",) in rules.get(("acetaminophen",))
    assert rules.get(("motrin",)) == (("ibuprofen",),)
    assert rules.get(("ibuprofen",)) == ()  # one way only


def test_entries_are_analysed_like_the_index() -> None:
    rules = parse_synonyms(RULES)
    assert rules.get(("pin", "needl")) == (("paresthesia",), ("tingl",))
    assert rules.get(("kemp", "test")) == (("quadrant", "test"),)
    assert rules.longest == 2
    assert {"tylenol", "advil", "needles"} <= rules.words


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("tylenol", "two or more entries"),
        ("x, , y", "empty entry"),
        ("advil,", "empty entry"),
        ("a => b => c", "at most one '=>'"),
        ("=> ibuprofen", "empty entry"),
        ("the, of", "no searchable words"),
        ("b c d e f g h, x", "longer than"),
    ],
)
def test_a_bad_line_is_named(line: str, message: str) -> None:
    with pytest.raises(CorpusError) as caught:
        parse_synonyms(f"# fine\nadvil, ibuprofen\n{line}\n", "corpus/synonyms.txt")
    assert caught.value.line == 3
    assert message in caught.value.message
    assert str(caught.value).startswith("corpus/synonyms.txt:3: ")


def test_no_file_is_fine(tmp_path: Path) -> None:
    check_synonyms(tmp_path)


def test_build_reports_a_bad_line_and_keeps_the_index(tmp_path: Path, write_corpus) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    runner = CliRunner()
    ok = runner.invoke(main, ["build", "--corpus", str(corpus), "--index", str(index)])
    assert ok.exit_code == 0, ok.output
    (corpus / SYNONYMS_FILE).write_text("knee, patella\nbroken,\n", encoding="utf-8")
    bad = runner.invoke(main, ["build", "--corpus", str(corpus), "--index", str(index)])
    assert bad.exit_code == 1
    assert f"{corpus / SYNONYMS_FILE}:2: empty entry" in bad.output
    assert Engine(index).search("meniscus").hits[0].id == "meniscus-tear"


def test_a_build_parses_the_synonyms_once_and_publishes_them(
    tmp_path: Path, write_corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index = write_corpus(), tmp_path / "index"
    rules = "bucket handle => meniscus\n"
    (corpus / SYNONYMS_FILE).write_text(rules, encoding="utf-8")
    parsed: list[str] = []

    def counting(text: str, *args: Any, **kwargs: Any) -> SynonymMap:
        parsed.append(text)
        return parse_synonyms(text, *args, **kwargs)

    monkeypatch.setattr(indexer.synonyms, "parse_synonyms", counting)
    for command in (["build", "--full"], ["build", "--full"], ["build"]):
        parsed.clear()
        (corpus / SYNONYMS_FILE).write_text(rules, encoding="utf-8")
        result = CliRunner().invoke(
            main, [*command, "--corpus", str(corpus), "--index", str(index)]
        )
        assert result.exit_code == 0, result.output
        assert parsed == [rules]
        pointer = read_pointer(index)
        assert pointer is not None
        assert (index / pointer.dir / SYNONYMS_FILE).read_text("utf-8") == rules
        rules += "cartilage pad => meniscus\n"


def test_edited_synonyms_reach_a_running_engine(tmp_path: Path, write_corpus) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    build_index(corpus, index)
    engine = Engine(index)
    assert engine.search("cartilage").hits[0].id == "meniscus-tear"
    assert engine.search("bucket handle").total == 0
    (corpus / SYNONYMS_FILE).write_text("bucket handle => meniscus\n", encoding="utf-8")
    report = build_index(corpus, index)
    assert report.changed == 0  # no section changed, yet the rules are new
    assert engine.search("bucket handle").hits[0].id == "meniscus-tear"
    (corpus / SYNONYMS_FILE).unlink()
    build_index(corpus, index)
    assert engine.search("bucket handle").total == 0


def test_the_literal_word_ranks_above_its_synonym(tmp_path: Path, write_corpus) -> None:
    corpus = write_corpus(
        {
            "drugs.md": """\
            # Drugs

            ## Paracetamol Notes

            Paracetamol is taken for pain.

            ## Acetaminophen Notes

            Acetaminophen is taken for pain.
            """,
            SYNONYMS_FILE: "acetaminophen, paracetamol\n",
        }
    )
    build_index(corpus, tmp_path / "i")
    engine = Engine(tmp_path / "i")
    assert [h.id for h in engine.search("paracetamol").hits] == [
        "paracetamol-notes",
        "acetaminophen-notes",
    ]
    assert [h.id for h in engine.search("acetaminophen").hits] == [
        "acetaminophen-notes",
        "paracetamol-notes",
    ]


def test_the_real_synonyms_file_is_valid() -> None:
    check_synonyms(Path(__file__).resolve().parent.parent / "corpus")
