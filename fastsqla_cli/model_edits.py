"""The edits to one model's files when its fields change (`add-field`, `add-value`): the
files rendered before and after, and the difference merged into the files as they are, so
the user's own edits stay."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from fastsqla_cli.errors import RegistrationError, UsageError
from fastsqla_cli.fields import Field
from fastsqla_cli.model_files import render_model
from fastsqla_cli.models import Factories, resolve_references, unfilled_references
from fastsqla_cli.naming import ModelName
from fastsqla_cli.project import Project
from fastsqla_cli.ruff import format_python

Fields = tuple[Field, ...]


def model_edits(
    project: Project,
    model: ModelName,
    models: dict[str, ModelName],
    before: tuple[Fields, list[list[str]]],
    after: tuple[Fields, list[list[str]]],
    factories: Factories | None = None,
) -> dict[Path, tuple[str, str]]:
    """The edits (path -> text now, text after) that turn ``model``'s files as made from
    ``before`` (its fields and the commands that made them) into those of ``after``,
    merged into the files as they are now (``factories``: the project's test data, when
    the caller has read some of it already)."""
    first_party = (project.package, "tests")
    factories = factories or Factories(project)
    rendered = []
    for fields, commands in (before, after):
        targets = resolve_references(model, fields, models)
        unfilled = unfilled_references(factories, model, fields, targets)
        files = render_model(project.package, model, fields, targets, commands, unfilled).files
        rendered.append(files)
    base = format_python(project.root, rendered[0], first_party)
    try:
        other = format_python(project.root, rendered[1], first_party, refuse_long_lines=True)
    except UsageError:
        # Refused for the new names only: a line too long before (a model made before
        # fastsqla refused them, or a project whose line length changed since) stays.
        try:
            format_python(project.root, rendered[0], first_party, refuse_long_lines=True)
        except UsageError:
            other = format_python(project.root, rendered[1], first_party)
        else:
            raise
    edits: dict[Path, tuple[str, str]] = {}
    for relative in other:
        path = project.root / relative
        if not path.is_file():
            raise RegistrationError(f"{relative} is missing: restore it, then run this again")
        current = path.read_text(encoding="utf-8")
        merged = (
            other[relative]
            if current == base[relative]
            else _merge(relative, current, base[relative], other[relative])
        )
        if merged != current:
            edits[path] = (current, merged)
    return edits


def _merge(relative: PurePosixPath, current: str, base: str, other: str) -> str:
    """``current`` with the change from ``base`` to ``other`` applied (`git merge-file`)."""
    with tempfile.TemporaryDirectory(prefix="fastsqla-merge-") as scratch:
        paths = []
        for label, text in (("current", current), ("base", base), ("other", other)):
            path = Path(scratch, label)
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        try:
            merged = subprocess.run(
                ["git", "merge-file", "-p", "--quiet", *paths],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            raise RegistrationError(
                f"{relative} differs from what fastsqla wrote, and merging the new fields "
                "into it needs git, which is not installed: install git, or add them by hand"
            ) from None
    if merged.returncode != 0:
        raise RegistrationError(
            f"cannot place the change in {relative} with certainty (your edits touch the "
            "same lines): make it by hand, or undo those edits and run this again"
        )
    return merged.stdout
