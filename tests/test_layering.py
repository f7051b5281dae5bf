"""The protocol, audio and simulator packages stay liftable: no Home Assistant, no voluptuous.

The four libraries (`audio/`, `isapi/`, `vapix/`, `rawhttp/`) also lift as one unit: they
import each other relatively and nothing else of the integration package. Importing a
subpackage always imports the integration package first, so an import test cannot prove
this; the check reads the sources instead.
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
LIBRARIES = frozenset({"audio", "isapi", "vapix", "rawhttp"})
FORBIDDEN = ("homeassistant", "voluptuous")
INTEGRATION = "custom_components"


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


def outside_imports(library: Path) -> list[str]:
    """Return `file: import` for every import of the integration package that is not a sibling.

    Allowed: relative imports inside the library (`from .x`) and of a sibling library
    (`from ..rawhttp import`). Refused: any absolute `custom_components...` import, and a
    relative import of the integration package itself or of its top-level modules.
    """
    found: list[str] = []
    for source in sorted(library.rglob("*.py")):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
                found += [
                    f"{source.relative_to(library.parent)}: {module}"
                    for module in modules
                    if module.split(".")[0] == INTEGRATION
                ]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 0 and module.split(".")[0] == INTEGRATION:
                    found.append(f"{source.relative_to(library.parent)}: {module}")
                elif node.level >= 2 and module.split(".")[0] not in LIBRARIES:
                    dots = "." * node.level
                    found.append(f"{source.relative_to(library.parent)}: {dots}{module}")
    return found


@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_library_imports_only_its_siblings(name: str) -> None:
    """A library imports the other libraries relatively and nothing else of the package."""
    assert outside_imports(ROOT / "custom_components" / "talkback" / name) == []


def test_checker_finds_an_integration_import(tmp_path: Path) -> None:
    """Absolute imports and relative imports of the adapter's modules are caught."""
    library = tmp_path / "isapi"
    library.mkdir()
    (library / "a.py").write_text("from custom_components.talkback.rawhttp import Origin\n")
    (library / "b.py").write_text("import custom_components.talkback.const\n")
    (library / "c.py").write_text("def f():\n    from ..const import DOMAIN\n")
    (library / "d.py").write_text("from .. import coordinator\n")
    (library / "e.py").write_text("from ..rawhttp import Origin\nfrom .models import X\n")
    assert [line.split(": ")[1] for line in outside_imports(library)] == [
        "custom_components.talkback.rawhttp",
        "custom_components.talkback.const",
        "..const",
        "..",
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


def library_import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the four libraries it imports (type-checking imports too)."""
    graph: dict[str, set[str]] = {}
    for library in sorted(LIBRARIES):
        for source in sorted((package / library).glob("*.py")):
            module = f"{library}.{source.stem}"
            targets: set[str] = set()
            for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
                if not isinstance(node, ast.ImportFrom) or node.level == 0:
                    continue
                base = library if node.level == 1 else ""
                name = ".".join(part for part in (base, node.module or "") if part)
                if "." not in name:  # `from . import x` / `from ..rawhttp import x`
                    for alias in node.names:
                        is_module = (package / name / f"{alias.name}.py").exists()
                        targets.add(f"{name}.{alias.name}" if is_module else f"{name}.__init__")
                else:
                    targets.add(name)
            graph[module] = {target for target in targets if target != module}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from where it closed)."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return cycles


def test_no_import_cycle_in_the_libraries() -> None:
    """No module of the libraries imports one that imports it back (even for type checking).

    A package's `__init__` re-exporting its modules is not a cycle: modules import their
    siblings directly, never through their own package.
    """
    graph = library_import_graph(ROOT / "custom_components" / "talkback")
    for module, targets in graph.items():
        if module.endswith(".__init__"):
            graph[module] = set()  # the package face re-exports; see the docstring
        else:
            assert f"{module.split('.')[0]}.__init__" not in targets, module
    assert import_cycles(graph) == []


def test_cycle_finder_finds_one() -> None:
    """The walk reports a cycle, including one through a type-checking import."""
    assert import_cycles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}}) == [
        ["a.x", "a.y", "a.z", "a.x"]
    ]
    assert import_cycles({"a.x": {"a.y"}, "a.y": set()}) == []
