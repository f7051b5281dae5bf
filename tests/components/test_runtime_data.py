"""Home Assistant's runtime-data rule, with strict typing, read from the sources.

`entry.runtime_data` is set in `async_setup_entry` itself; every hook Home Assistant calls
with the entry takes the one typed entry; the vendor is told from the runtime data's type.
"""

from __future__ import annotations

import ast
from pathlib import Path

from homeassistant.const import Platform
import pytest

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "talkback"
ENTRY_TYPE = "TalkbackConfigEntry"
HOOKS = {
    "__init__": (
        "async_setup_entry",
        "async_unload_entry",
        "async_remove_config_entry_device",
        "async_migrate_entry",
        "async_remove_entry",
    ),
    "diagnostics": ("async_get_config_entry_diagnostics", "async_get_device_diagnostics"),
} | {platform.value: ("async_setup_entry",) for platform in Platform}


def module_functions(path: Path) -> dict[str, ast.AsyncFunctionDef | ast.FunctionDef]:
    """The functions defined at a module's top level, and in its classes, by name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: dict[str, ast.AsyncFunctionDef | ast.FunctionDef] = {}
    for node in tree.body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        for member in members:
            if isinstance(member, ast.AsyncFunctionDef | ast.FunctionDef):
                found[member.name] = member
    return found


def entry_annotation(function: ast.AsyncFunctionDef | ast.FunctionDef, position: int) -> str:
    """The annotation of the entry argument, as written."""
    annotation = function.args.args[position].annotation
    assert annotation is not None, f"{function.name}: the entry is not annotated"
    return ast.unparse(annotation)


def hooks() -> list[tuple[str, str]]:
    """Every hook the integration defines, as (module, function)."""
    return [
        (module, name)
        for module, names in HOOKS.items()
        if (path := INTEGRATION / f"{module}.py").exists()
        for name in names
        if name in module_functions(path)
    ]


def test_runtime_data_is_set_in_async_setup_entry() -> None:
    """`entry.runtime_data = ...` stands in `async_setup_entry` itself."""
    setup = module_functions(INTEGRATION / "__init__.py")["async_setup_entry"]
    entry = setup.args.args[1].arg
    assert any(
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and node.attr == "runtime_data"
        and isinstance(node.value, ast.Name)
        and node.value.id == entry
        for node in ast.walk(setup)
    )


def test_every_platform_has_a_hook() -> None:
    """The check below sees all platforms (a list that missed them would pass anything)."""
    assert ("media_player", "async_setup_entry") in hooks()
    assert len([hook for hook in hooks() if hook[1] == "async_setup_entry"]) == 9


@pytest.mark.parametrize(("module", "function"), hooks())
def test_hooks_take_the_typed_entry(module: str, function: str) -> None:
    """Each hook's entry argument is the integration's typed entry."""
    definition = module_functions(INTEGRATION / f"{module}.py")[function]
    assert entry_annotation(definition, 1) == ENTRY_TYPE


def test_options_flow_takes_the_typed_entry() -> None:
    """The options flow factory's entry is typed too."""
    factory = module_functions(INTEGRATION / "config_flow.py")["async_get_options_flow"]
    assert entry_annotation(factory, 0) == ENTRY_TYPE


def test_the_vendor_string_picks_only_the_setup() -> None:
    """Only the flow (which stores it) and setup (which picks the reader) use CONF_VENDOR."""
    users = sorted(
        str(path.relative_to(INTEGRATION))
        for path in INTEGRATION.rglob("*.py")
        if "CONF_VENDOR" in path.read_text()
    )
    assert users == ["__init__.py", "config_flow.py", "const.py"]
