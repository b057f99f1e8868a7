"""The schema's build shortcuts index exactly what plain Whoosh fields would."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage

import indexer.build
from indexer.analysis import text_analyzer
from indexer.build import build_index
from indexer.postings import read_segment
from indexer.schema import FACT_FIELD, SpelledText
from indexer.store import read_pointer

TEXTS = [
    "Kemp’s test: the L1–L2 foramen narrows; pain in the thigh.",
    "Tingling and numbness in the thighs, walking and standing.",
    "Ibuprofen (an NSAID) and acetaminophen; B₁₂ deficiency.",
    "",
]


def _terms(field: fields.FieldType) -> dict[str, list[tuple[bytes, int, float]]]:
    schema = fields.Schema(body=field)
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for text in TEXTS:
            writer.add_document(body=text)
    with ix.reader() as reader:
        return {
            name: [(t, i.doc_frequency(), i.weight()) for t, i in reader.iter_field(name)]
            for name in ("body", "spell_body")
        }


def test_spelled_text_indexes_the_same_terms_and_spelling_words_as_whoosh() -> None:
    analyzer = text_analyzer()
    plain = _terms(fields.TEXT(analyzer=analyzer, chars=True, spelling=True))
    fast = _terms(SpelledText(analyzer=analyzer, chars=True))
    assert plain["spell_body"] and plain["body"]
    assert fast == plain


def test_spelling_words_of_another_value_are_analysed_again() -> None:
    field = SpelledText(analyzer=text_analyzer())
    list(field.index("running nerves"))
    assert list(field.spellable_words("stretched roots")) == ["roots", "stretched"]
    assert list(field.spellable_words("running nerves")) == ["nerves", "running"]


def _block_lengths(root: Path) -> dict[tuple[str, bytes], tuple[int, int]]:
    pointer = read_pointer(root)
    assert pointer is not None
    ix = whoosh_index.open_dir(str(root / pointer.dir))
    with ix.reader() as reader:
        found = {}
        for name in ("title", "path", "body"):
            for term in reader.lexicon(name):
                matcher = reader.postings(name, term)
                found[(name, term)] = (matcher.block_min_length(), matcher.block_max_length())
        return found


def test_a_build_writes_the_field_lengths_whoosh_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = Path(__file__).parent.parent / "corpus"
    build_index(corpus, tmp_path / "fast", full=True)
    monkeypatch.setattr(indexer.build, "remembered_missing_columns", contextlib.nullcontext)
    build_index(corpus, tmp_path / "plain", full=True)
    fast, plain = _block_lengths(tmp_path / "fast"), _block_lengths(tmp_path / "plain")
    assert len(plain) > 1000
    assert any(low != high for low, high in plain.values())
    assert fast == plain


def test_an_index_without_a_newer_field_reads_as_one_without_its_terms() -> None:
    """A generation written before the facts field existed still opens."""
    schema = fields.Schema(title=fields.TEXT, path=fields.TEXT, body=fields.TEXT(chars=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        writer.add_document(title="Gabapentin", path="Drugs", body="Side Effects: dizziness")
    with ix.reader() as reader:
        arrays = read_segment(reader)
    assert len(arrays.fields[FACT_FIELD].terms) == 0
    assert arrays.fields[FACT_FIELD].lengths.tolist() == [0]
    assert b"dizziness" in arrays.fields["body"].index
