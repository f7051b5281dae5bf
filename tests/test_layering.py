"""The protocol, audio and simulator packages stay liftable: no Home Assistant, no voluptuous.

Importing a subpackage always imports the integration package first, so an import test
cannot prove this; the check reads the sources instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LIFTABLE = [
    ROOT / "custom_components" / "talkback" / name
    for name in ("isapi", "vapix", "audio", "rawhttp")
] + [ROOT / "simulator"]
FORBIDDEN = ("homeassistant", "voluptuous")


def imported_modules(source: Path) -> set[str]:
    """Return every module name a Python file imports, at any depth (including lazy imports)."""
    tree = ast.parse(source.read_text(), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def forbidden_imports(package: Path, root: Path = ROOT) -> list[str]:
    """Return `file: module` for every forbidden import below a package."""
    return [
        f"{source.relative_to(root)}: {module}"
        for source in sorted(package.rglob("*.py"))
        for module in sorted(imported_modules(source))
        if module.split(".")[0] in FORBIDDEN
    ]


@pytest.mark.parametrize("package", LIFTABLE, ids=lambda path: path.name)
def test_package_is_liftable(package: Path) -> None:
    """No module below the package imports Home Assistant or voluptuous."""
    if not package.exists():
        pytest.skip(f"{package.name} does not exist yet")
    assert forbidden_imports(package) == []


def test_checker_finds_a_forbidden_import(tmp_path: Path) -> None:
    """The check itself catches direct, dotted, aliased and function-level imports."""
    (tmp_path / "a.py").write_text("import homeassistant.core as core\n")
    (tmp_path / "b.py").write_text("def f():\n    from voluptuous import Schema\n")
    (tmp_path / "c.py").write_text("from .homeassistant import x\nimport json\n")
    found = [line.split(": ")[1] for line in forbidden_imports(tmp_path, tmp_path)]
    assert found == ["homeassistant.core", "voluptuous"]
