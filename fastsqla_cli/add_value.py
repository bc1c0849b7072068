"""``fastsqla add-value``: add values to an enum field: its class in the model, the test
data, the record in the model's docstring, and the revision that makes the column's CHECK
constraint again; all or nothing, the user's edits kept (as ``add-field`` does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Unpack

from fastsqla_cli import filetx
from fastsqla_cli.change import ModelPlan, Options, Outcome, carry_out, new_revision
from fastsqla_cli.errors import FieldSpecError
from fastsqla_cli.fields import parse_fields, parse_values
from fastsqla_cli.model_edits import model_edits
from fastsqla_cli.models import existing_models, find_model
from fastsqla_cli.project import Project, migration_head
from fastsqla_cli.record import model_commands, recorded_specs
from fastsqla_cli.revisions import render_value_revision
from fastsqla_cli.ruff import format_python


def add_value(
    project_dir: Path | str,
    name: str,
    field_name: str,
    values: Sequence[str],
    **options: Unpack[Options],
) -> Outcome[ModelPlan]:
    """Add ``values`` to the enum field ``field_name`` of model ``name``. ``options`` are
    `change.Options` (dry run, checks, ...)."""
    return carry_out(
        project_dir,
        lambda project: plan_values(project, name, field_name, values),
        undone="the values were not added to {plan.model.class_name}, the project is as it was"
        " (add them with --no-check to fix the failures by hand)",
        **options,
    )


def plan_values(project: Project, name: str, field_name: str, values: Sequence[str]) -> ModelPlan:
    """Validate everything and compute the change; nothing is written."""
    models = existing_models(project)
    model = find_model(models, name)
    commands = model_commands(project, model)
    fields = parse_fields(recorded_specs(commands))
    field = next((f for f in fields if f.name == field_name), None)
    if field is None or field.type != "enum":
        enums = ", ".join(f.name for f in fields if f.type == "enum") or "none"
        raise FieldSpecError(
            f"{model.class_name} has no enum field {field_name!r} (its enum fields: {enums})"
        )
    if not values:
        raise FieldSpecError(f"give at least one value to add to {model.class_name}.{field.name}")
    spec = f"{field.name}:enum:{','.join(values)}"
    added = parse_values(",".join(values), spec)
    already = [value for value in added if value in field.values]
    if already:
        raise FieldSpecError(
            f"{model.class_name}.{field.name} already has the value {already[0]!r} "
            f"(its values: {', '.join(field.values)})"
        )
    grown = replace(field, values=(*field.values, *added))
    after_fields = tuple(grown if f is field else f for f in fields)
    after_commands = [*commands, ["add-value", model.class_name, field.name, *added]]
    edits = model_edits(project, model, models, (fields, commands), (after_fields, after_commands))

    revision_path, revision_text = render_value_revision(
        project.package, model, field, grown, new_revision(migration_head(project))
    )
    revision = format_python(project.root, {revision_path: revision_text})[revision_path]
    change = filetx.Change(creates={project.root / revision_path: revision}, edits=edits)
    filetx.check_writable(change)
    return ModelPlan(project, model, change)
