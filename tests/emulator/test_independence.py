"""The emulator is an independent implementation of the service: it never imports the SDK.

Only the demo (a story told *with* the SDK against the emulator) may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import smartcar.emulator

EMULATOR = Path(smartcar.emulator.__file__).parent
SDK_USERS = {"demo.py"}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(("smartcar", *path.relative_to(EMULATOR.parent).parent.parts))
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            names.add(base)
    return names


def test_relative_imports_resolve_inside_the_package() -> None:
    source = EMULATOR / "routes" / "v1.py"
    assert any(name.startswith("smartcar.emulator.") for name in imported_modules(source))


def test_no_emulator_module_imports_the_sdk() -> None:
    offenders = {
        f"{path.relative_to(EMULATOR)}: {name}"
        for path in EMULATOR.rglob("*.py")
        if path.name not in SDK_USERS
        for name in imported_modules(path)
        if (name == "smartcar" or name.startswith("smartcar."))
        and not (name == "smartcar.emulator" or name.startswith("smartcar.emulator."))
    }
    assert offenders == set()


def test_the_check_sees_an_sdk_import() -> None:
    module = EMULATOR / "demo.py"
    assert "smartcar.webhooks" in imported_modules(module)
