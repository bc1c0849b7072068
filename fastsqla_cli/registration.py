"""Edits that register a model in files the user owns: explicit lines at marked places.

Each edit is pure (text in, text out), idempotent, and raises
:class:`RegistrationError` naming the lines to add by hand when its place is gone.
"""

from __future__ import annotations

import ast

from fastsqla_cli.errors import RegistrationError
from fastsqla_cli.templating import import_key

MODELS_MARKER = "# fastsqla: models"
ROUTERS_MARKER = "# fastsqla: routers"


def _marker_index(lines: list[str], marker: str, path: str, wanted: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip().startswith(marker):
            return index
    lines_to_add = "; ".join(line.strip() for line in wanted)
    raise RegistrationError(
        f"the line `{marker} ...` is missing from {path}: add `{lines_to_add}` to {path} by hand, "
        f"or restore the marker and run the command again"
    )


def import_statement(module: str, name: str, alias: bool = False) -> str:
    """``from module import name``, wrapped the way ruff formats it past 100 columns."""
    member = f"{name} as {name}" if alias else name
    line = f"from {module} import {member}"
    return line if len(line) <= 100 else f"from {module} import (\n    {member},\n)"


def insert_import(
    text: str, module: str, name: str, package: str, path: str, alias: bool = False
) -> str:
    """Insert ``from module import name`` among the project's own imports, in sorted order."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise RegistrationError(
            f"{path} does not parse ({error.msg}, line {error.lineno}): fix it and run again"
        ) from None
    ours = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.level == 0
        and node.module.split(".")[0] == package
    ]
    if any(node.module == module and any(a.name == name for a in node.names) for node in ours):
        return text
    statement = import_statement(module, name, alias)
    if not ours:
        raise RegistrationError(
            f"{path} has no `from {package}... import ...` lines left to sort "
            f"`{statement}` into: add that line to {path} by hand"
        )
    key = import_key(module, name)
    lines = text.splitlines(keepends=True)
    position = ours[-1].end_lineno or ours[-1].lineno  # after the last one
    for node in ours:
        assert node.module is not None
        if import_key(node.module, node.names[0].name) > key:
            position = node.lineno - 1
            break
    lines.insert(position, statement + "\n")
    return "".join(lines)


def insert_before_marker(text: str, line: str, marker: str, path: str) -> str:
    """Insert ``line`` just above the marker comment (idempotent)."""
    lines = text.splitlines(keepends=True)
    if any(existing.rstrip("\n") == line for existing in lines):
        return text
    index = _marker_index(lines, marker, path, [line])
    lines.insert(index, line + "\n")
    return "".join(lines)


def register_model(text: str, module: str, class_name: str, package: str, path: str) -> str:
    """``models/__init__.py``: import the model so ``Base.metadata`` knows its table."""
    statement = import_statement(module, class_name, alias=True)
    _marker_index(text.splitlines(), MODELS_MARKER, path, [statement])
    return insert_import(text, module, class_name, package, path, alias=True)


def register_router(text: str, module: str, include_line: str, package: str, path: str) -> str:
    """``main.py``: import the router module and include it in the app."""
    parent, _, name = module.rpartition(".")
    statement = import_statement(parent, name)
    _marker_index(text.splitlines(), ROUTERS_MARKER, path, [statement, include_line])
    text = insert_import(text, parent, name, package, path)
    return insert_before_marker(text, include_line, ROUTERS_MARKER, path)
