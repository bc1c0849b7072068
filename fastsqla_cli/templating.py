"""Where the templates live, and the Jinja environment fastsqla renders its own with."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


def templates_dir() -> Path:
    """The templates: inside the installed wheel, or beside the package in a checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def strict_environment(
    root: Path,
    compiled_templates: Path | None,
    *,
    keep_trailing_newline: bool = False,
    trim_blocks: bool = False,
    lstrip_blocks: bool = False,
) -> jinja2.Environment:
    """Templates under ``root``, compiled once into ``compiled_templates`` (see
    ``template_cache``; None: no cache). Strict: an undefined name is an error, never an
    empty string; nothing is HTML-escaped."""
    import jinja2

    from fastsqla_cli.template_cache import bytecode_cache

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        bytecode_cache=bytecode_cache(compiled_templates),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
    )


def environment() -> jinja2.Environment:
    """The model templates' environment, one per cache directory."""
    from fastsqla_cli.template_cache import cache_dir

    return _environment(cache_dir())


@cache
def _environment(compiled_templates: Path | None) -> jinja2.Environment:
    return strict_environment(
        templates_dir() / "model",
        compiled_templates,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)


# --- imports, written the way ruff's isort (force-single-line) sorts them -----------


def _member_key(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions and modules.
    if name.isupper() and len(name) > 1:
        rank = 0
    elif name[:1].isupper():
        rank = 1
    else:
        rank = 2
    return rank, name.lower()


def import_key(module: str, name: str) -> tuple[str, tuple[int, str]]:
    return module.lower(), _member_key(name)


def render_imports(imports: Iterable[tuple[str, str]], first_party: Iterable[str]) -> str:
    """Import lines in sections: standard library, third party, ours.

    ``(module, name)`` is ``from module import name``; ``(module, "")`` is ``import module``.
    """
    ours = set(first_party)
    sections: list[list[tuple[str, str]]] = [[], [], []]
    for module, name in set(imports):
        root = module.split(".")[0]
        index = 0 if root in sys.stdlib_module_names else 2 if root in ours else 1
        sections[index].append((module, name))
    blocks = []
    for section in sections:
        if section:
            plain = sorted(module for module, name in section if not name)
            members = sorted(((m, n) for m, n in section if n), key=lambda i: import_key(*i))
            lines = [f"import {module}" for module in plain]
            lines += [f"from {module} import {name}" for module, name in members]
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
