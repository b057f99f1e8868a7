import json
from importlib.metadata import version
from pathlib import Path

from click.testing import CliRunner

from foramen.cli import main


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_build_then_search(write_corpus, tmp_path: Path) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    first = run("build", "--corpus", str(corpus), "--index", str(index))
    assert first.exit_code == 0
    assert first.output.startswith("7 added, 0 updated, 0 removed, 0 unchanged in ")
    again = run("build", "--corpus", str(corpus), "--index", str(index))
    assert again.output.startswith("0 added, 0 updated, 0 removed, 7 unchanged in ")
    full = run("build", "--full", "--corpus", str(corpus), "--index", str(index))
    assert full.output.startswith("7 added")
    found = run("search", "meniscus", "--corpus", str(corpus), "--index", str(index))
    assert found.exit_code == 0 and "Meniscus Tear" in found.output
    assert "/articles/knee#meniscus-tear" in found.output


def test_version_names_the_installed_package() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"foramen, version {version('foramen')}\n"


def test_search_json_and_env(write_corpus, tmp_path: Path) -> None:
    corpus = write_corpus()
    env = {"FORAMEN_CORPUS": str(corpus), "FORAMEN_INDEX": str(tmp_path / "envindex")}
    result = run("search", "knee", "--json", "--limit", "2", env=env)
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["limit"] == 2 and body["query"] == "knee" and len(body["results"]) == 2
    assert (tmp_path / "envindex" / "CURRENT").exists()


def test_bad_corpus_exits_1_naming_file_and_line(write_corpus, tmp_path: Path) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    run("build", "--corpus", str(corpus), "--index", str(index))
    (corpus / "bad.md").write_bytes(b"# Title\n\nok\n\n#### \n")
    result = run("build", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 1
    assert "bad.md:5" in result.output and "empty heading" in result.output
    still = run("search", "meniscus", "--json", "--corpus", str(corpus), "--index", str(index))
    assert json.loads(still.stdout)["results"][0]["id"] == "meniscus-tear"


def test_bad_front_matter_exits_1_and_keeps_the_index(write_corpus, tmp_path: Path) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    run("build", "--corpus", str(corpus), "--index", str(index))
    knee = corpus / "knee.md"
    knee.write_text(knee.read_text("utf-8").replace("updated:", "updatd:"), "utf-8")
    result = run("build", "--corpus", str(corpus), "--index", str(index))
    assert result.exit_code == 1
    assert "knee.md:3" in result.output and "did you mean 'updated'" in result.output
    still = run("search", "meniscus", "--json", "--corpus", str(corpus), "--index", str(index))
    assert json.loads(still.stdout)["results"][0]["id"] == "meniscus-tear"


def test_limit_is_validated(write_corpus, tmp_path: Path) -> None:
    result = run("search", "x", "--limit", "0", "--index", str(tmp_path / "i"))
    assert result.exit_code == 2


def test_search_says_when_it_corrected_and_exact_turns_it_off(write_corpus, tmp_path: Path):
    corpus = write_corpus()
    index = ("--corpus", str(corpus), "--index", str(tmp_path / "index"))
    corrected = run("search", "menicsus", *index)
    assert "Showing results for: meniscus" in corrected.output
    assert "Meniscus Tear" in corrected.output
    exact = run("search", "menicsus", "--exact", *index)
    assert "Showing results for" not in exact.output and "Meniscus Tear" not in exact.output


def test_search_explains_and_names_missing_words(write_corpus, tmp_path: Path) -> None:
    corpus = write_corpus()
    index = tmp_path / "index"
    run("build", "--corpus", str(corpus), "--index", str(index))
    found = run(
        "search", "meniscus zebra", "--explain", "--corpus", str(corpus), "--index", str(index)
    )
    assert found.exit_code == 0
    assert "No section mentions: zebra" in found.output
    plain = run("search", "meniscus", "--explain", "--corpus", str(corpus), "--index", str(index))
    assert "concept menisc" in plain.output and "(typed) in title" in plain.output
    as_json = run("search", "meniscus", "--explain", "--json", "--index", str(index))
    assert json.loads(as_json.output)["results"][0]["explain"]["parts"]
