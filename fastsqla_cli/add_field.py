"""``fastsqla add-field``: add fields to a model: its model, schemas, router, factory and
tests, the record in its docstring, and the revision that adds the columns; all or nothing.

The model's files are rendered twice, as the recorded commands made them and with the new
fields; the difference is applied to the files as they are now (a three-way merge, by
`git merge-file`), so the user's own edits stay. Where the new lines cannot be placed with
certainty, it refuses, naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Unpack
from uuid import UUID

from fastsqla_cli import filetx
from fastsqla_cli.change import ModelPlan, Options, Outcome, carry_out, new_revision
from fastsqla_cli.errors import FieldSpecError
from fastsqla_cli.field_types import Import
from fastsqla_cli.fields import Field, parse_fields
from fastsqla_cli.model_edits import model_edits
from fastsqla_cli.models import (
    Factories,
    check_link_tables,
    existing_models,
    find_model,
    require_field_support,
    resolve_references,
)
from fastsqla_cli.naming import ModelName
from fastsqla_cli.project import Project, migration_head
from fastsqla_cli.record import model_commands, recorded_specs
from fastsqla_cli.revisions import render_field_revision
from fastsqla_cli.ruff import format_python
from fastsqla_cli.templates import templates_dir

ValueLiteral = tuple[str, list[Import]]  # Python source of a value, and what it imports


def add_field(
    project_dir: Path | str,
    name: str,
    specs: Sequence[str],
    *,
    defaults: Mapping[str, str] | None = None,
    **options: Unpack[Options],
) -> Outcome[ModelPlan]:
    """Add the fields ``specs`` to model ``name``; ``defaults`` maps a field to the value
    (as typed on the command line) that the rows already in the table get. ``options`` are
    `change.Options` (dry run, checks, ...)."""
    return carry_out(
        project_dir,
        lambda project: plan_fields(project, name, specs, defaults or {}),
        undone="the fields were not added to {plan.model.class_name}, the project is as it was"
        " (add them with --no-check to fix the failures by hand)",
        **options,
    )


def parse_defaults(items: Sequence[str]) -> dict[str, str]:
    """The ``--default FIELD=VALUE`` options, as a field -> value (as typed) mapping."""
    defaults: dict[str, str] = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise FieldSpecError(f"--default {item!r}: write FIELD=VALUE, such as rating=0")
        defaults[field] = value
    return defaults


def plan_fields(
    project: Project, name: str, specs: Sequence[str], defaults: Mapping[str, str]
) -> ModelPlan:
    """Validate everything and compute the change; nothing is written."""
    models = existing_models(project)
    model = find_model(models, name)
    new = parse_fields(specs)
    if not new:
        raise FieldSpecError(
            f"give at least one field to add to {model.class_name}, such as title:str"
        )
    commands = model_commands(project, model)
    old = parse_fields(recorded_specs(commands))
    taken = {attribute for field in old for attribute in field.names}
    for field in new:
        clash = next((a for a in field.names if a in taken), None)
        if clash is not None:
            raise FieldSpecError(
                f"{model.class_name} already has a field {clash!r}: choose another name"
            )
    require_field_support(project, new)
    check_link_tables(project, model, new, models)
    everything = (*old, *new)
    targets = resolve_references(model, everything, models)
    factories = Factories(project)
    _refuse_required_cycles(factories, model, new, targets, models)
    values = _defaults(new, defaults)

    after_commands = [*commands, ["add-field", model.class_name, *(f.spec for f in new)]]
    edits = model_edits(
        project, model, models, (old, commands), (everything, after_commands), factories
    )

    revision_path, revision_text = render_field_revision(
        project.package,
        model,
        new,
        {f.name: t for f in new if f.name in targets for t in [targets[f.name]]},
        values,
        new_revision(migration_head(project)),
    )
    revision = format_python(project.root, {revision_path: revision_text}, refuse_long_lines=True)[
        revision_path
    ]
    change = filetx.Change(creates={project.root / revision_path: revision}, edits=edits)
    filetx.check_writable(change)
    return ModelPlan(project, model, change)


def _refuse_required_cycles(
    factories: Factories,
    model: ModelName,
    fields: Sequence[Field],
    targets: dict[str, ModelName],
    models: dict[str, ModelName],
) -> None:
    """A required reference to a model whose test data makes rows of ``model`` closes a
    cycle that no test data can fill: each row would need the next made first."""
    classes = {other.module: other.class_name for other in models.values()}
    for field in fields:
        target = targets.get(field.name)
        if field.type != "ref" or field.optional or target is None or target == model:
            continue
        path = factories.rows_made(target.module, model.module)
        if path is not None:
            cycle = " -> ".join(classes.get(module, module) for module in [model.module, *path])
            raise FieldSpecError(
                f"{field.spec} closes a cycle of references ({cycle}), which the test data "
                f"cannot fill if it is required: add it as {field.spec}:optional"
            )


# A value as typed on the command line -> (Python literal for the revision, its imports).
# It is checked first as the generated API checks a value of the field (`_check`).
def _literal(field: Field, value: str) -> ValueLiteral:
    kind = field.type
    if kind in ("str", "text"):
        _check(field, value)
        return repr(value), []
    if kind in ("int", "bigint", "ref"):
        number = int(value)
        _check(field, number)
        return str(number), []
    if kind == "float":
        real = float(value)
        _check(field, real)
        return repr(real), []
    if kind == "decimal":
        _check(field, value.strip())
        amount = Decimal(value.strip()).quantize(Decimal("0.01"))
        return f'Decimal("{amount}")', [("decimal", "Decimal")]
    if kind == "bool":
        truth = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
        if value.lower() not in truth:
            raise ValueError("not true or false")
        return str(truth[value.lower()]), []
    if kind == "date":
        _check(field, value)
        day = date.fromisoformat(value)
        return f"date({day.year}, {day.month}, {day.day})", [("datetime", "date")]
    if kind == "datetime":
        _check(field, value)
        moment = datetime.fromisoformat(value)
        return f'datetime.fromisoformat("{moment.isoformat()}")', [("datetime", "datetime")]
    if kind == "uuid":
        _check(field, value)
        return f'UUID("{UUID(value)}")', [("uuid", "UUID")]
    if kind == "many":
        raise ValueError("the rows there start with no link; set them through the API")
    if kind == "enum":
        if value not in field.values:
            raise ValueError(f"choose one of {', '.join(field.values)}")
        return repr(value), []
    if kind == "json":
        document = json.loads(value)
        _check(field, document)
        return repr(document), []
    raise AssertionError(kind)


def _check(field: Field, value: object) -> None:
    """Validate ``value`` (as JSON would give it) with the type the generated API's request
    bodies give ``field`` (`FieldType.input_annotation`, made of the template's own
    `field_types.py`): one source for what a value may be."""
    from pydantic import TypeAdapter, ValidationError

    annotation = eval(field.kind.schema_annotation(field.max_length), _api_types())
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError as error:
        raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None


@cache
def _api_types() -> dict[str, Any]:
    """The names the request bodies' annotations use: the template's `field_types.py`,
    loaded from the templates this fastsqla renders, with pydantic's `Field`."""
    import importlib.util
    from typing import Annotated

    from pydantic import Field as PydanticField

    path = templates_dir() / "project" / "template" / "{{ package }}" / "field_types.py"
    spec = importlib.util.spec_from_file_location("fastsqla_api_field_types", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = {name: getattr(module, name) for name in dir(module) if not name.startswith("_")}
    return {
        "__builtins__": {},
        **names,
        "Annotated": Annotated,
        "Field": PydanticField,
        "UUID": UUID,
    }


def _defaults(
    fields: Sequence[Field], given: Mapping[str, str]
) -> dict[str, tuple[str, list[Import]]]:
    by_name = {field.name: field for field in fields}
    values: dict[str, ValueLiteral] = {}
    for name, value in given.items():
        field = by_name.get(name)
        if field is None:
            raise FieldSpecError(f"--default {name}=...: {name} is not one of the fields added")
        try:
            values[field.column_name] = _literal(field, value)
        except ValueError as error:
            raise FieldSpecError(
                f"--default {name}={value!r} is not a valid {field.type}: {error}"
            ) from None
    for field in fields:
        if field.default is not None and field.column_name not in values:
            values[field.column_name] = _literal(field, field.default)
        if field.optional or field.type == "many":  # a many-to-many adds no column
            continue
        if field.unique:
            raise FieldSpecError(
                f"{field.name} is unique and required: the rows already there cannot all get "
                f"one value; add it as {field.spec}:optional, fill it, then make it required"
            )
        if field.column_name not in values:
            raise FieldSpecError(
                f"{field.name} is required: give the value the rows already there get with "
                f"--default {field.name}=VALUE, or add it as {field.spec}:optional"
            )
    return values
