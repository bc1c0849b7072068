"""The record of commands that made a model, kept in its docstring: written by every
command that changes the model, read back to render it again (`add-field`, `update`,
`remove-model`)."""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from fastsqla_cli.errors import ProjectFileError
from fastsqla_cli.fields import parse_field

if TYPE_CHECKING:
    from fastsqla_cli.naming import ModelName
    from fastsqla_cli.project import Project

RECORD_WIDTH = 79  # the docstring's record of commands stays within any usual line length


def record(commands: list[list[str]]) -> str:
    """The commands that made a model, as its docstring keeps them: one per line after four
    spaces, continued after eight when long. :func:`read_record` reads them back."""
    lines: list[str] = []
    for command in commands:
        line = "    " + command[0]
        for word in map(shlex.quote, command[1:]):  # an enum value may hold a space
            if len(line) + 1 + len(word) > RECORD_WIDTH and line.strip() != command[0]:
                lines.append(line)
                line = "        " + word
            else:
                line += " " + word
        lines.append(line)
    return "\n".join(lines)


def read_record(model_text: str) -> list[list[str]] | None:
    """The commands kept in a model's docstring (see :func:`record`), or None if the
    docstring no longer has them."""
    import ast

    try:
        docstring = ast.get_docstring(ast.parse(model_text), clean=False)
    except SyntaxError:
        return None
    commands: list[list[str]] = []
    for line in (docstring or "").splitlines():
        try:
            words = shlex.split(line)
        except ValueError:  # an unbalanced quote: not a line of the record
            continue
        if line.startswith("    ") and line[4:5].isalpha() and words[0] in COMMANDS:
            commands.append(words)
        elif line.startswith("        ") and commands:
            commands[-1] += words
    return commands if commands and commands[0][0] == "add-model" else None


COMMANDS = ("add-model", "add-field", "add-value")


def recorded_specs(commands: list[list[str]]) -> list[str]:
    """The field specs of recorded commands, in order (``--table NAME`` left out), an enum's
    spec with the values added to it since."""
    specs: list[str] = []
    for command in commands:
        words = command[2:]
        if command[0] == "add-value" and words:
            name, *values = words
            at = next((i for i, spec in enumerate(specs) if spec.startswith(f"{name}:")), None)
            if at is not None:
                field = parse_field(specs[at])
                specs[at] = replace(field, values=(*field.values, *values)).spec
            continue
        if "--table" in words:
            at = words.index("--table")
            words = words[:at] + words[at + 2 :]
        specs += words
    return specs


def model_commands(project: Project, model: ModelName) -> list[list[str]]:
    """The commands that made ``model``, as its docstring keeps them (see
    `record.record`); :class:`ProjectFileError` when they are gone."""
    path = project.package_dir / "models" / f"{model.module}.py"
    commands = read_record(path.read_text(encoding="utf-8"))
    if commands is None:
        raise ProjectFileError(
            f"{path.relative_to(project.root)} no longer has the commands that made "
            f"{model.class_name} in its docstring: put them back (see models/*.py for their "
            "form), then run this again"
        )
    return commands
