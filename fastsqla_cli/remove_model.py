"""``fastsqla remove-model``: take a model out of a project, all or nothing: its files and a
revision that drops its table (and creates it again on downgrade).

It refuses when other models refer to the model, and, unless forced, when a file of the
model differs from what fastsqla wrote (it renders them again from the commands kept in
the model's docstring, and compares).
"""

from __future__ import annotations

from pathlib import Path
from typing import Unpack

from fastsqla_cli import filetx
from fastsqla_cli.change import ModelPlan, Options, Outcome, carry_out, new_revision
from fastsqla_cli.errors import ChangedFilesError, ModelNameError
from fastsqla_cli.fields import parse_fields
from fastsqla_cli.model_files import render_model
from fastsqla_cli.models import existing_models, find_model, referring_models, resolve_references
from fastsqla_cli.naming import ModelName
from fastsqla_cli.project import Project, migration_head
from fastsqla_cli.record import model_commands, recorded_specs
from fastsqla_cli.revisions import render_revision
from fastsqla_cli.ruff import format_python


def remove_model(
    project_dir: Path | str, name: str, *, force: bool = False, **options: Unpack[Options]
) -> Outcome[ModelPlan]:
    """Remove model ``name`` from the project in ``project_dir``; see the module's doc.
    ``options`` are `change.Options` (dry run, checks, ...); a dry run lists
    the changed files instead of refusing them."""
    dry_run = bool(options.get("dry_run"))
    return carry_out(
        project_dir,
        lambda project: plan_removal(project, name, force=force or dry_run),
        undone="{plan.model.class_name} was not removed, the project is as it was (remove it with "
        "--no-check to fix the failures by hand)",
        **options,
    )


def plan_removal(project: Project, name: str, *, force: bool) -> ModelPlan:
    """Validate everything and compute the change; nothing is written."""
    models = existing_models(project)
    model = find_model(models, name)
    _refuse_if_referenced(project, model, models)

    package = project.package
    commands = model_commands(project, model)
    specs = recorded_specs(commands)
    fields = parse_fields(specs)
    targets = resolve_references(model, fields, models)
    rendered = render_model(package, model, fields, targets, commands)
    expected = format_python(project.root, rendered.files, first_party=(package, "tests"))

    deletes: dict[Path, str] = {}
    changed: list[Path] = []
    for relative, text in expected.items():
        path = project.root / relative
        if not path.is_file():
            continue
        current = path.read_text(encoding="utf-8")
        deletes[path] = current
        if current != text:
            changed.append(path)
    if changed and not force:
        listed = ", ".join(p.relative_to(project.root).as_posix() for p in changed)
        raise ChangedFilesError(
            f"these files of {model.class_name} differ from what fastsqla wrote: {listed}; "
            "keep what you need from them, then run this again with --force"
        )

    revision_path, revision_text = render_revision(
        package, model, fields, targets, new_revision(migration_head(project)), drop=True
    )
    revision = format_python(project.root, {revision_path: revision_text})[revision_path]
    change = filetx.Change(creates={project.root / revision_path: revision}, deletes=deletes)
    filetx.check_writable(change)
    return ModelPlan(project, model, change, changed=tuple(changed))


def _refuse_if_referenced(project: Project, model: ModelName, models: dict[str, ModelName]) -> None:
    referring = [other.class_name for other in referring_models(project, model, models)]
    if referring:
        raise ModelNameError(
            f"{' and '.join(referring)} refer{'s' if len(referring) == 1 else ''} to "
            f"{model.class_name}: remove {'it' if len(referring) == 1 else 'them'} (or the "
            "reference) first"
        )
