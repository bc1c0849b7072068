"""``fastsqla add-model``: plan every file and edit of a new model, write them at once, and
check the project; a failed check takes the model back out.

A model is registered in two files the user owns, at marked lines: its class is imported
in ``models/__init__.py`` and its router included in ``main.py``. Each edit is pure (text
in, text out) and idempotent, and refuses, naming the lines to add by hand, when its
marker is gone.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fastsqla_cli import filetx
from fastsqla_cli.errors import (
    FieldSpecError,
    ModelNameError,
    RegistrationError,
    UsageError,
)
from fastsqla_cli.fields import Field, parse_fields
from fastsqla_cli.naming import ModelName, model_name
from fastsqla_cli.project import Project, existing_models, find_project, locked, migration_head
from fastsqla_cli.rendering import Revision, format_python, render_model, render_revision

if TYPE_CHECKING:
    from fastsqla_cli.check import CheckReport, Reporter

MODELS_MARKER = "# fastsqla: models"
ROUTERS_MARKER = "# fastsqla: routers"


@dataclass(frozen=True)
class ModelPlan:
    """What adding one model does to a project: files to create and files to edit."""

    project: Project
    model: ModelName
    change: filetx.Change

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
class AddedModel:
    """What :func:`add_model` did: its plan, whether it was written, the checks' report."""

    plan: ModelPlan
    written: bool
    report: CheckReport | None = None


def add_model(
    project_dir: Path | str,
    name: str,
    specs: Sequence[str],
    *,
    table: str | None = None,
    dry_run: bool = False,
    search_parents: bool = False,
    check: bool = False,
    python: str | None = None,
    types: bool = False,
    report: Reporter | None = None,
    on_wait: Callable[[], None] | None = None,
) -> AddedModel:
    """Add model ``name`` with ``specs`` to the project in ``project_dir``, all or nothing.

    With ``dry_run``, only the plan is made. With ``check``, the project's checks run after
    the files are written; when they fail (or are interrupted), the model is taken back out
    and :class:`CheckFailed` is raised. Another fastsqla command in the same project is
    waited for (``on_wait`` is told when that starts).
    """
    project = find_project(Path(project_dir), search_parents=search_parents)
    if check and python is not None and not dry_run:
        from fastsqla_cli.check import resolve_python

        python = resolve_python(python)
    if dry_run:
        return AddedModel(plan_model(project, name, specs, table=table), written=False)
    with locked(project.root, on_wait=on_wait):
        plan = plan_model(project, name, specs, table=table)
        filetx.apply(plan.change)
        if not check:
            return AddedModel(plan, written=True)
        from fastsqla_cli.check import check_change

        result = check_change(
            project.root,
            plan.change,
            python,
            types,
            report,
            f"{plan.model.class_name} was not added, the project is as it was (add it with "
            "--no-check to keep its files and fix them by hand)",
        )
        return AddedModel(plan, written=True, report=result)


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

    targets = resolve_references(model, fields, models)

    command = ["add-model", model.class_name, *(field.spec for field in fields)]
    if model.table != model_name(model.class_name).table:
        command += ["--table", model.table]
    rendered = render_model(project.package, model, fields, targets, [command])
    revision = new_revision(migration_head(project))
    revision_path, revision_text = render_revision(
        project.package, model, fields, targets, revision
    )
    package = project.package
    registrations: dict[str, Callable[[str, str], str]] = {
        f"{package}/models/__init__.py": lambda text, path: register_model(
            text, rendered.model_module, model.class_name, package, path
        ),
        f"{package}/main.py": lambda text, path: register_router(
            text, rendered.router_module, rendered.router_include, package, path
        ),
    }
    old_texts: dict[PurePosixPath, str] = {}
    new_texts = {**rendered.files, revision_path: revision_text}
    for relative, register in registrations.items():
        path = project.root / relative
        if not path.is_file():
            raise RegistrationError(f"{relative} is missing: restore it before adding a model")
        old = path.read_text(encoding="utf-8")
        new = register(old, relative)
        if new != old:
            old_texts[PurePosixPath(relative)] = old
            new_texts[PurePosixPath(relative)] = new
    laid_out = format_python(project.root, new_texts, first_party=(package, "tests"))
    change = filetx.Change(
        creates={project.root / p: laid_out[p] for p in [*rendered.files, revision_path]},
        edits={project.root / p: (old, laid_out[p]) for p, old in old_texts.items()},
    )
    filetx.check_writable(change)
    return ModelPlan(project, model, change)


def new_revision(down_revision: str | None) -> Revision:
    """A revision after ``down_revision``, identified the way Alembic does (12 hex digits)."""
    return Revision(uuid.uuid4().hex[-12:], down_revision, datetime.now())


def resolve_references(
    model: ModelName, fields: Sequence[Field], models: dict[str, ModelName]
) -> dict[str, ModelName]:
    """The model each `ref` field refers to, by field name: one of ``models`` (by class name
    or module spelling) or ``model`` itself (then the field must be optional)."""
    targets: dict[str, ModelName] = {}
    for field in fields:
        if field.type != "ref":
            continue
        assert field.ref is not None
        class_name = field.ref
        if class_name not in models:
            with contextlib.suppress(UsageError):
                class_name = model_name(field.ref).class_name  # `user`, `blog_post`
        if class_name == model.class_name:
            if not field.optional:
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
                f"{field.name}:ref:{field.ref} refers to a model the project does not have "
                f"(models: {known}): add {class_name} first"
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


# --- registration: edits at marked lines of files the user owns ------------------------


def register_model(text: str, module: str, class_name: str, package: str, path: str) -> str:
    """``models/__init__.py``: import the model so ``Base.metadata`` knows its table."""
    statement = f"from {module} import {class_name} as {class_name}"
    _marker_index(text.splitlines(), MODELS_MARKER, path, [statement])
    return insert_import(text, statement, module, class_name, package, path)


def register_router(text: str, module: str, include_line: str, package: str, path: str) -> str:
    """``main.py``: import the router module and include it in the app."""
    parent, _, name = module.rpartition(".")
    statement = f"from {parent} import {name}"
    _marker_index(text.splitlines(), ROUTERS_MARKER, path, [statement, include_line])
    text = insert_import(text, statement, parent, name, package, path)
    return insert_before_marker(text, include_line, ROUTERS_MARKER, path)


def insert_import(
    text: str, statement: str, module: str, name: str, package: str, path: str
) -> str:
    """Add ``statement`` (which imports ``name`` from ``module``) after the project's own
    imports, unless it is there; ruff sorts it into place afterwards."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise RegistrationError(
            f"{path} does not parse ({error.msg}, line {error.lineno}): fix it and run again"
        ) from None
    ours = [
        node
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.level == 0
        and node.module.split(".")[0] == package
    ]
    if any(node.module == module and any(a.name == name for a in node.names) for node in ours):
        return text
    if not ours:
        raise RegistrationError(
            f"{path} has no `from {package}... import ...` lines left to add "
            f"`{statement}` to: add that line to {path} by hand"
        )
    lines = text.splitlines(keepends=True)
    lines.insert(ours[-1].end_lineno or ours[-1].lineno, statement + "\n")
    return "".join(lines)


def insert_before_marker(text: str, line: str, marker: str, path: str) -> str:
    """Insert ``line`` just above the marker comment (idempotent)."""
    lines = text.splitlines(keepends=True)
    if any(existing.rstrip("\n") == line for existing in lines):
        return text
    index = _marker_index(lines, marker, path, [line])
    lines.insert(index, line + "\n")
    return "".join(lines)


def _marker_index(lines: list[str], marker: str, path: str, wanted: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip().startswith(marker):
            return index
    lines_to_add = "; ".join(line.strip() for line in wanted)
    raise RegistrationError(
        f"the line `{marker} ...` is missing from {path}: add `{lines_to_add}` to {path} by hand, "
        f"or restore the marker and run the command again"
    )


def unregister_model(text: str, module: str, class_name: str) -> str:
    """``models/__init__.py`` without the model's import (unchanged if it is not there)."""
    return _without_lines(text, {f"from {module} import {class_name} as {class_name}"})


def unregister_router(text: str, module: str, include_line: str) -> str:
    """``main.py`` without the router's import and include (those that are there)."""
    parent, _, name = module.rpartition(".")
    return _without_lines(text, {f"from {parent} import {name}", include_line.strip()})


def _without_lines(text: str, lines: set[str]) -> str:
    kept = [line for line in text.splitlines(keepends=True) if line.strip() not in lines]
    return "".join(kept)
