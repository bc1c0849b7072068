"""``fastsqla add-model``: plan every file and edit of a new model, write them at once, and
check the project; a failed check takes the model back out.

A model is its files: the generated project imports every module of ``models/`` and
serves the ``router`` of every module of ``routers/`` (its ``discovery`` module), so
adding a model edits no file the user owns, and no later template change can conflict
with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from fastsqla_cli import filetx
from fastsqla_cli.change import ModelPlan, Options, Outcome, carry_out, new_revision
from fastsqla_cli.errors import (
    FieldSpecError,
    ModelNameError,
)
from fastsqla_cli.fields import parse_fields
from fastsqla_cli.model_files import render_model
from fastsqla_cli.models import (
    check_link_tables,
    existing_models,
    require_field_support,
    resolve_references,
)
from fastsqla_cli.naming import ModelName, model_name
from fastsqla_cli.project import Project, migration_head
from fastsqla_cli.revisions import render_revision
from fastsqla_cli.ruff import format_python

if TYPE_CHECKING:
    pass


def add_model(
    project_dir: Path | str,
    name: str,
    specs: Sequence[str],
    *,
    table: str | None = None,
    **options: Unpack[Options],
) -> Outcome[ModelPlan]:
    """Add model ``name`` with ``specs`` to the project in ``project_dir``, all or nothing;
    ``options`` are `change.Options` (dry run, checks, ...)."""
    return carry_out(
        project_dir,
        lambda project: plan_model(project, name, specs, table=table),
        undone="{plan.model.class_name} was not added, the project is as it was (add it with"
        " --no-check to keep its files and fix them by hand)",
        **options,
    )


def plan_model(
    project: Project, name: str, specs: Sequence[str], table: str | None = None
) -> ModelPlan:
    """Validate everything and compute the change; nothing is written."""
    model = model_name(name, table=table)
    fields = parse_fields(specs)
    if not fields:
        raise FieldSpecError(
            "give the model at least one field, such as title:str (every model also gets `id`)"
        )
    models = existing_models(project)
    _check_new(project, model, models)
    require_field_support(project, fields)
    check_link_tables(project, model, fields, models)

    targets = resolve_references(model, fields, models)

    command = ["add-model", model.class_name, *(field.spec for field in fields)]
    if model.table != model_name(model.class_name).table:
        command += ["--table", model.table]
    rendered = render_model(project.package, model, fields, targets, [command])
    revision = new_revision(migration_head(project))
    revision_path, revision_text = render_revision(
        project.package, model, fields, targets, revision
    )
    new_texts = {**rendered.files, revision_path: revision_text}
    laid_out = format_python(
        project.root, new_texts, (project.package, "tests"), refuse_long_lines=True
    )
    change = filetx.Change(creates={project.root / p: laid_out[p] for p in new_texts})
    filetx.check_writable(change)
    return ModelPlan(project, model, change)


def _check_new(project: Project, model: ModelName, models: dict[str, ModelName]) -> None:
    if model.class_name in models:
        raise ModelNameError(
            f"the project already has a model {model.class_name} "
            f"({project.package}/models/{models[model.class_name].module}.py): choose another name"
        )
    for other in models.values():
        if other.table == model.table:
            raise ModelNameError(
                f"the table {model.table!r} is already used by {other.class_name}: "
                "choose another name or pass --table"
            )
        if other.module == model.module:
            raise ModelNameError(
                f"the module {model.module}.py is already used by {other.class_name}: "
                "choose another name"
            )
    for path in (
        project.package_dir / "models" / f"{model.module}.py",
        project.package_dir / "schemas" / f"{model.module}.py",
        project.package_dir / "routers" / f"{model.module}.py",
        project.root / "tests" / "factories" / f"{model.module}.py",
        project.root / "tests" / f"test_{model.module}.py",
    ):
        if path.exists():
            raise ModelNameError(
                f"{path.relative_to(project.root)} already exists: fastsqla never overwrites "
                "your files; choose another model name or move that file"
            )
