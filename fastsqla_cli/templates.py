"""The templates fastsqla renders: where they are, and the strict Jinja environment of a
model's files (an undefined name is an error, never an empty string)."""

from __future__ import annotations

import re
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


@cache
def _model_environment(compiled_templates: Path | None) -> jinja2.Environment:
    environment = strict_environment(
        templates_dir() / "model",
        compiled_templates,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pyrepr"] = repr  # a value as a Python literal
    environment.filters["wrap79"] = wrap79
    return environment


def wrap79(text: str, indent: int = 0, prefix: str = "") -> str:
    """A line of a docstring or comment (``prefix`` "# ") that holds user names, wrapped at
    79 columns (any usual line length) after ``indent`` spaces; a name longer than that
    keeps its line."""
    import textwrap

    pad = " " * indent + prefix
    return textwrap.fill(
        text,
        width=79,
        initial_indent=pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    )


@cache
def defined_names(name: str) -> frozenset[str]:
    """The names the model template ``name`` defines at module level whatever the model:
    its functions and its constants, read from its source."""
    source = (templates_dir() / "model" / name).read_text(encoding="utf-8")
    definition = re.compile(r"^(?:async )?def (\w+)|^([A-Za-z_]\w*)(?::[^=\n]*)? = ", re.M)
    return frozenset(found.group(1) or found.group(2) for found in definition.finditer(source))


def render(name: str, **context: object) -> str:
    """Render the model template ``name``."""
    from fastsqla_cli.template_cache import cache_dir

    return _model_environment(cache_dir()).get_template(name).render(**context)
