from pathlib import Path

import pytest

from indexer.corpus import read_article
from indexer.errors import CorpusError


def write(tmp_path: Path, data: bytes, name: str = "a.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_front_matter_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, b'---\ntitle: "T\xe2\x80\x93x"\nupdated: 2025-05-20\n---\n\nBody\n')
    article = read_article(path)
    assert (article.title, article.meta["updated"], article.body_line) == ("T–x", "2025-05-20", 5)
    assert article.body.strip() == "Body"


def test_title_falls_back_to_h1(tmp_path: Path) -> None:
    assert read_article(write(tmp_path, b"# Heading One\n\ntext\n")).title == "Heading One"


@pytest.mark.parametrize(
    ("data", "where", "what"),
    [
        (b"ok line\nbad \xff byte\n", "a.md:2", "not valid UTF-8"),
        (b"---\ntitle: x\n", "a.md:1", "never closed"),
        (b"---\ntitle: [unclosed\n---\n", "a.md:", "not valid YAML"),
        (b"---\n- a list\n---\n", "a.md:2", "key: value"),
        (b"---\ntitle: ''\n---\n", "a.md:2", "title"),
        (b"---\nsource: x\n---\n\nno heading\n", "a.md:1", "no title"),
        (b"no front matter and no heading\n", "a.md:1", "no title"),
        (b"---\nupdated: 2025-01-01\ntitel: Knee\n---\n", "a.md:3", "did you mean 'title'"),
        (b"---\ntitle: T\nauthor: me\n---\n", "a.md:3", "unknown front matter key 'author'"),
        (b"---\ntitle: T\nupdated: 2025-13-01\n---\n", "a.md:3", "YYYY-MM-DD"),
        (b"---\ntitle: T\nupdated: 20 May 2025\n---\n", "a.md:3", "YYYY-MM-DD"),
        (b"---\ntitle: T\n\nupdated: 2025-02-30\n---\n", "a.md:4", "YYYY-MM-DD"),
        (b"---\ntitle: T\nupdated: 2999-01-01\n---\n", "a.md:3", "in the future"),
        (b"---\ntitle: [a, b]\n---\n", "a.md:2", "non-empty string"),
    ],
)
def test_invalid_files_name_file_and_line(tmp_path: Path, data: bytes, where: str, what: str):
    with pytest.raises(CorpusError) as caught:
        read_article(write(tmp_path, data))
    assert where in str(caught.value)
    assert what in str(caught.value)


def test_bad_file_name(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="lower-case"):
        read_article(write(tmp_path, b"# x\n", name="Bad Name.md"))


def test_updated_date_stays_text(tmp_path: Path) -> None:
    article = read_article(write(tmp_path, b"---\ntitle: T\nupdated: '2024-02-29'\n---\nx\n"))
    assert article.meta == {"title": "T", "updated": "2024-02-29"}
