"""Data flows one way: foramen (the CLI) -> webui -> indexer, through public names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package and the packages it must never import.
FORBIDDEN = {
    "indexer": ("webui", "foramen"),
    "webui": ("foramen",),
}


def imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name) for every import in ``path``; name is None for ``import x``."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.lineno, node.module, alias.name) for alias in node.names]
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_downwards(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in modules(package)
        for line, module, _ in imports(path)
        if module.split(".")[0] in FORBIDDEN[package]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", ["webui", "foramen"])
def test_upper_layers_use_public_names_of_the_indexer(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}.{name}"
        for path in modules(package)
        for line, module, name in imports(path)
        if module.split(".")[0] == "indexer" and (name or "").startswith("_")
    ]
    assert wrong == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom foramen.settings import Settings\nfrom . import x\n")
    assert imports(module) == [(1, "os", None), (2, "foramen.settings", "Settings")]
