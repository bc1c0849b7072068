"""``fastsqla remove-model``: take a model out of a project, all or nothing: its files, its
registration, and a revision that drops its table (and creates it again on downgrade).

It refuses when other models refer to the model, and, unless forced, when a file of the
model differs from what fastsqla wrote (it renders them again from the commands kept in
the model's docstring, and compares).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastsqla_cli import filetx
from fastsqla_cli.add_model import (
    ModelPlan,
    new_revision,
    resolve_references,
    unregister_model,
    unregister_router,
)
from fastsqla_cli.errors import (
    ChangedFilesError,
    ModelNameError,
    ProjectFileError,
    UsageError,
)
from fastsqla_cli.fields import parse_fields
from fastsqla_cli.naming import ModelName, model_name
from fastsqla_cli.project import Project, existing_models, find_project, locked, migration_head
from fastsqla_cli.rendering import format_python, read_record, render_model, render_revision

if TYPE_CHECKING:
    from fastsqla_cli.check import CheckReport, Reporter


@dataclass(frozen=True)
class RemovedModel:
    """What :func:`remove_model` did: its plan, whether it was written, the checks' report,
    and the model's files that differed from what fastsqla wrote (removed with ``force``)."""

    plan: ModelPlan
    written: bool
    changed: tuple[Path, ...] = ()
    report: CheckReport | None = None


def remove_model(
    project_dir: Path | str,
    name: str,
    *,
    force: bool = False,
    dry_run: bool = False,
    search_parents: bool = False,
    check: bool = False,
    python: str | None = None,
    types: bool = False,
    report: Reporter | None = None,
    on_wait: Callable[[], None] | None = None,
) -> RemovedModel:
    """Remove model ``name`` from the project in ``project_dir``; see the module's doc."""
    project = find_project(Path(project_dir), search_parents=search_parents)
    if check and python is not None and not dry_run:
        from fastsqla_cli.check import resolve_python

        python = resolve_python(python)
    if dry_run:
        plan, changed = plan_removal(project, name, force=True)
        return RemovedModel(plan, written=False, changed=changed)
    with locked(project.root, on_wait=on_wait):
        plan, changed = plan_removal(project, name, force=force)
        filetx.apply(plan.change)
        if not check:
            return RemovedModel(plan, written=True, changed=changed)
        from fastsqla_cli.check import check_change

        result = check_change(
            project.root,
            plan.change,
            python,
            types,
            report,
            f"{plan.model.class_name} was not removed, the project is as it was (remove it "
            "with --no-check to fix the failures by hand)",
        )
        return RemovedModel(plan, written=True, changed=changed, report=result)


def plan_removal(project: Project, name: str, *, force: bool) -> tuple[ModelPlan, tuple[Path, ...]]:
    """Validate everything and compute the change; nothing is written."""
    models = existing_models(project)
    model = _find(models, name)
    _refuse_if_referenced(project, model, models)

    package = project.package
    model_file = project.package_dir / "models" / f"{model.module}.py"
    commands = read_record(model_file.read_text(encoding="utf-8"))
    if commands is None:
        raise ProjectFileError(
            f"{model_file.relative_to(project.root)} no longer has the commands that made "
            f"{model.class_name} in its docstring: put them back (see models/*.py for their "
            "form), then run this again"
        )
    specs = [word for command in commands for word in _specs(command)]
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

    registrations: dict[str, Callable[[str], str]] = {
        f"{package}/models/__init__.py": lambda text: unregister_model(
            text, rendered.model_module, model.class_name
        ),
        f"{package}/main.py": lambda text: unregister_router(
            text, rendered.router_module, rendered.router_include
        ),
    }
    edits: dict[Path, tuple[str, str]] = {}
    for registry, unregister in registrations.items():
        path = project.root / registry
        if path.is_file():
            old = path.read_text(encoding="utf-8")
            new = unregister(old)
            if new != old:
                edits[path] = (old, new)

    revision_path, revision_text = render_revision(
        package, model, fields, targets, new_revision(migration_head(project)), drop=True
    )
    revision = format_python(project.root, {revision_path: revision_text})[revision_path]
    change = filetx.Change(
        creates={project.root / revision_path: revision}, edits=edits, deletes=deletes
    )
    filetx.check_writable(change)
    return ModelPlan(project, model, change), tuple(changed)


def _find(models: dict[str, ModelName], name: str) -> ModelName:
    if name in models:
        return models[name]
    try:
        class_name = model_name(name).class_name  # `post`, `blog_posts`
    except UsageError:
        class_name = name
    if class_name in models:
        return models[class_name]
    known = ", ".join(sorted(models)) or "none"
    raise ModelNameError(f"the project has no model {name!r} (models: {known})")


def _refuse_if_referenced(project: Project, model: ModelName, models: dict[str, ModelName]) -> None:
    reference = re.compile(rf"""ForeignKey\(\s*["']{re.escape(model.table)}\.id["']""")
    referring = sorted(
        other.class_name
        for other in models.values()
        if other.class_name != model.class_name
        and reference.search(
            (project.package_dir / "models" / f"{other.module}.py").read_text(encoding="utf-8")
        )
    )
    if referring:
        raise ModelNameError(
            f"{' and '.join(referring)} refer{'s' if len(referring) == 1 else ''} to "
            f"{model.class_name}: remove {'it' if len(referring) == 1 else 'them'} (or the "
            "reference) first"
        )


def _specs(command: list[str]) -> list[str]:
    """The field specs of a recorded `add-model`/`add-field` command."""
    words = command[2:]
    if "--table" in words:
        at = words.index("--table")
        words = words[:at] + words[at + 2 :]
    return words
