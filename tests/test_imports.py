"""The integration's import graph: no circle, and a light package `__init__`.

Circles are found in the sources (every import, also those under TYPE_CHECKING or inside
functions): an import that only works because of the order modules happen to load in is a
trap for the next change.
"""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components"


def module_name(path: Path) -> str:
    """The dotted name of a source file below the repository root."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """For every module of the package, the package's modules it imports."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    module = f"{base}.{node.module}" if node.module else base
                else:
                    module = node.module or ""
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    targets.add(submodule if submodule in files else module)
        graph[name] = {target for target in targets if target in files and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read() -> None:
    """The reader sees the edges that exist (a reader that saw none would pass anything)."""
    graph = import_graph()
    assert "custom_components.talkback.axis.data" in graph["custom_components.talkback.entry"]
    assert "custom_components.talkback.const" in graph["custom_components.talkback.axis.setup"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_no_import_circle() -> None:
    """No module of custom_components imports, through others, itself."""
    assert cycles(import_graph()) == []


def test_package_init_imports_no_platform() -> None:
    """Importing a library (as `python -m ...isapi` does) runs the integration's `__init__`,
    which must not pull in the entity platforms and the media stack (they cost seconds)."""
    probe = (
        "import sys, custom_components.talkback.isapi; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(("
        "'homeassistant.components.', 'custom_components.talkback.')))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "custom_components.talkback.isapi" in loaded
    heavy = {
        "homeassistant.components.media_player",
        "homeassistant.components.tts",
        "homeassistant.components.media_source",
        "homeassistant.components.ffmpeg",
        "custom_components.talkback.speaker",
        "custom_components.talkback.media_player",
    }
    assert heavy.isdisjoint(loaded)


def test_config_flow_imports_no_entity_module() -> None:
    """The flow (and discovery after it) finds entries without loading any entity."""
    graph = import_graph()
    reached: set[str] = set()
    pending = ["custom_components.talkback.config_flow"]
    while pending:
        module = pending.pop()
        if module not in reached:
            reached.add(module)
            pending.extend(graph[module])
    entity_modules = {
        module
        for module in graph
        if module.rpartition(".")[2]
        in {"entity", "speaker", "media_player", "select", "switch", "number", "sensor"}
        or module.endswith("binary_sensor")
    }
    assert "custom_components.talkback.axis.entries" in reached
    assert reached.isdisjoint(entity_modules)


def imported_test_modules(path: Path) -> list[str]:
    """The test modules and conftests a source file imports (helpers modules are fine)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module is not None
            and (node.level > 0 or node.module.startswith("tests."))
        ):
            last = node.module.rpartition(".")[2]
            if last == "conftest" or last.startswith("test_"):
                found.append(node.module)
    return found


def test_test_modules_import_no_test_module() -> None:
    """Tests share code through helpers modules, never by importing a test module or conftest."""
    offenders = {
        str(path.relative_to(ROOT)): modules
        for path in (ROOT / "tests").rglob("*.py")
        if (modules := imported_test_modules(path))
    }
    assert offenders == {}


def test_the_test_import_reader_sees_imports(tmp_path: Path) -> None:
    """The reader finds both relative and absolute imports of test modules."""
    source = tmp_path / "test_probe.py"
    source.write_text(
        "from .conftest import x\nfrom tests.isapi.test_talk import y\n"
        "from .helpers import z\nfrom aiohttp.test_utils import w\n"
    )
    assert imported_test_modules(source) == ["conftest", "tests.isapi.test_talk"]
