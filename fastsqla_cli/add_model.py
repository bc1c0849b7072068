"""``fastsqla add-model``: plan every file and edit of a new model, write them at once, and
check the project; a failed check takes the model back out.

A model is its files: the generated project imports every module of ``models/`` and
serves the ``router`` of every module of ``routers/`` (its ``discovery`` module), so
adding a model edits no file the user owns, and no later template change can conflict
with it.
"""

from __future__ import annotations

import contextlib
import difflib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastsqla_cli import filetx
from fastsqla_cli.errors import (
    FieldSpecError,
    ModelNameError,
    UsageError,
)
from fastsqla_cli.fields import Field, parse_fields
from fastsqla_cli.model_files import render_model
from fastsqla_cli.naming import ModelName, model_name
from fastsqla_cli.project import (
    Project,
    affected_tests,
    check_link_tables,
    existing_models,
    find_project,
    locked,
    migration_head,
    require_field_support,
)
from fastsqla_cli.revisions import Revision, render_revision
from fastsqla_cli.ruff import format_python

if TYPE_CHECKING:
    from fastsqla_cli.check import CheckReport, Reporter


@dataclass(frozen=True)
class ModelPlan:
    """What a command does to one model of a project: the files it creates, edits and
    deletes; ``changed`` lists files to delete that differ from what fastsqla wrote."""

    project: Project
    model: ModelName
    change: filetx.Change
    changed: tuple[Path, ...] = ()

    def created(self) -> list[Path]:
        return sorted(self.change.creates)

    def edited(self) -> list[Path]:
        return sorted(self.change.edits)

    def diff(self) -> str:
        """A unified diff of every edit to an existing file."""
        chunks: list[str] = []
        for path, (old, new) in sorted(self.change.edits.items()):
            relative = path.relative_to(self.project.root).as_posix()
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{relative}",
                    tofile=f"b/{relative}",
                )
            )
        return "".join(chunks)


@dataclass(frozen=True)
class Outcome:
    """What a command that changes a project did: its plan, whether the plan was written
    (not on a dry run), and the checks' report (None when they did not run)."""

    plan: ModelPlan
    written: bool
    report: CheckReport | None = None


def carry_out(
    project_dir: Path | str,
    make_plan: Callable[[Project], ModelPlan],
    *,
    undone: str,
    dry_run: bool = False,
    search_parents: bool = False,
    check: bool = False,
    python: str | None = None,
    types: bool = False,
    report: Reporter | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Outcome:
    """Plan a change of the project in ``project_dir`` and write it all or nothing, holding
    the project's lock (``on_wait`` is told when another command makes it wait).

    With ``dry_run``, only the plan is made. With ``check``, the project's checks run after,
    with the tests the change can break (`project.affected_tests`); when they fail or are
    interrupted, the change is undone and ``undone`` (in which ``{model}`` names the model)
    follows the failure.
    """
    project = find_project(Path(project_dir), search_parents=search_parents)
    if check and python is not None and not dry_run:
        from fastsqla_cli.check import resolve_python

        python = resolve_python(python)
    if dry_run:
        return Outcome(make_plan(project), written=False)
    with locked(project.root, on_wait=on_wait):
        plan = make_plan(project)
        filetx.apply(plan.change)
        if not check:
            return Outcome(plan, written=True)
        from fastsqla_cli.check import check_change

        message = undone.format(model=plan.model.class_name)
        tests = affected_tests(project, plan.model)
        result = check_change(project.root, plan.change, python, types, report, message, tests)
        return Outcome(plan, written=True, report=result)


def add_model(
    project_dir: Path | str,
    name: str,
    specs: Sequence[str],
    *,
    table: str | None = None,
    **options: Any,
) -> Outcome:
    """Add model ``name`` with ``specs`` to the project in ``project_dir``, all or nothing;
    ``options`` are those of :func:`carry_out` (dry run, checks, ...)."""
    return carry_out(
        project_dir,
        lambda project: plan_model(project, name, specs, table=table),
        undone="{model} was not added, the project is as it was (add it with --no-check "
        "to keep its files and fix them by hand)",
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


def new_revision(down_revision: str | None) -> Revision:
    """A revision after ``down_revision``, identified the way Alembic does (12 hex digits)."""
    return Revision(uuid.uuid4().hex[-12:], down_revision, datetime.now())


def resolve_references(
    model: ModelName, fields: Sequence[Field], models: dict[str, ModelName]
) -> dict[str, ModelName]:
    """The model each `ref` or `many` field refers to, by field name: one of ``models`` (by
    class name or module spelling) or ``model`` itself (then a `ref` must be optional)."""
    targets: dict[str, ModelName] = {}
    for field in fields:
        if field.type not in ("ref", "many"):
            continue
        assert field.ref is not None
        class_name = field.ref
        if class_name not in models:
            with contextlib.suppress(UsageError):
                class_name = model_name(field.ref).class_name  # `user`, `blog_post`
        if class_name == model.class_name:
            if field.type == "ref" and not field.optional:
                raise FieldSpecError(
                    f"{field.name}:ref:{field.ref} refers to the model itself, so it must be "
                    f"optional (the first row has nothing to refer to): add :optional"
                )
            targets[field.name] = model
        elif class_name in models:
            targets[field.name] = models[class_name]
        else:
            known = ", ".join(sorted(models)) or "none yet"
            raise FieldSpecError(
                f"{field.name}:{field.type}:{field.ref} refers to a model the project does "
                f"not have (models: {known}): add {class_name} first"
            )
    return targets


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
