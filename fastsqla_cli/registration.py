"""Edits that register a model in files the user owns: explicit lines at marked places.

Each edit is pure (text in, text out), idempotent, and raises
:class:`RegistrationError` naming the lines to add by hand when its place is gone.
"""

from __future__ import annotations

import re

from fastsqla_cli.errors import RegistrationError
from fastsqla_cli.templating import import_key

MODELS_MARKER = "# fastsqla: models"
ROUTERS_MARKER = "# fastsqla: routers"

_FROM_IMPORT = re.compile(r"^from (\S+) import (\w+)(?: as \w+)?\s*$")


def _marker_index(lines: list[str], marker: str, path: str, wanted: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip().startswith(marker):
            return index
    lines_to_add = "; ".join(line.strip() for line in wanted)
    raise RegistrationError(
        f"the line `{marker} ...` is missing from {path}: add `{lines_to_add}` to {path} by hand, "
        f"or restore the marker and run the command again"
    )


def insert_import(text: str, line: str, package: str, path: str) -> str:
    """Insert ``from ... import ...`` among the project's own imports, in sorted order."""
    lines = text.splitlines(keepends=True)
    if any(existing.rstrip("\n") == line for existing in lines):
        return text
    match = _FROM_IMPORT.match(line)
    assert match, line
    key = import_key(match[1], match[2])
    ours = [
        (index, m)
        for index, existing in enumerate(lines)
        if (m := _FROM_IMPORT.match(existing)) and m[1].split(".")[0] == package
    ]
    if not ours:
        raise RegistrationError(
            f"{path} has no `from {package}... import ...` lines left to sort "
            f"`{line}` into: add that line to {path} by hand"
        )
    position = ours[-1][0] + 1
    for index, m in ours:
        if import_key(m[1], m[2]) > key:
            position = index
            break
    lines.insert(position, line + "\n")
    return "".join(lines)


def insert_before_marker(text: str, line: str, marker: str, path: str) -> str:
    """Insert ``line`` just above the marker comment (idempotent)."""
    lines = text.splitlines(keepends=True)
    if any(existing.rstrip("\n") == line for existing in lines):
        return text
    index = _marker_index(lines, marker, path, [line])
    lines.insert(index, line + "\n")
    return "".join(lines)


def register_model(text: str, import_line: str, package: str, path: str) -> str:
    """``models/__init__.py``: import the model so ``Base.metadata`` knows its table."""
    lines = text.splitlines()
    _marker_index(lines, MODELS_MARKER, path, [import_line])
    return insert_import(text, import_line, package, path)


def register_router(text: str, import_line: str, include_line: str, package: str, path: str) -> str:
    """``main.py``: import the router module and include it in the app."""
    lines = text.splitlines()
    _marker_index(lines, ROUTERS_MARKER, path, [import_line, include_line])
    text = insert_import(text, import_line, package, path)
    return insert_before_marker(text, include_line, ROUTERS_MARKER, path)
