"""``fastsqla add-model``: plan every file and edit of a new model, then write them at once."""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli import filetx
from fastsqla_cli.errors import FieldSpecError, ModelNameError, RegistrationError, UsageError
from fastsqla_cli.fields import Field, parse_fields
from fastsqla_cli.formatting import format_python
from fastsqla_cli.modelgen import render_model
from fastsqla_cli.naming import ModelName, model_name
from fastsqla_cli.projectinfo import ProjectInfo, defines, existing_models, find_project
from fastsqla_cli.registration import register_model, register_router


@dataclass(frozen=True)
class ModelPlan:
    """What adding one model will do to a project."""

    project: ProjectInfo
    model: ModelName
    fields: tuple[Field, ...]
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


def plan_model(
    project: ProjectInfo, name: str, specs: Sequence[str], table: str | None = None
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

    database = project.package_dir / "database.py"
    rendered = render_model(
        project.package,
        model,
        fields,
        targets,
        connection_dependency=defines(database, "ConnectionDep"),
    )
    files = format_python(project.root, rendered.files)
    creates = {project.root / path: text for path, text in files.items()}
    package = project.package
    registrations: dict[str, Callable[[str, str], str]] = {
        f"{package}/models/__init__.py": lambda text, path: register_model(
            text, rendered.model_module, model.class_name, package, path
        ),
        f"{package}/main.py": lambda text, path: register_router(
            text, rendered.router_module, rendered.router_include, package, path
        ),
    }
    edits: dict[Path, tuple[str, str]] = {}
    for relative, register in registrations.items():
        path = project.root / relative
        if not path.is_file():
            raise RegistrationError(f"{relative} is missing: restore it before adding a model")
        old = path.read_text(encoding="utf-8")
        edits[path] = (old, register(old, relative))
    edits = {path: pair for path, pair in edits.items() if pair[0] != pair[1]}
    return ModelPlan(project, model, fields, filetx.Change(creates=creates, edits=edits))


def _check_new(project: ProjectInfo, model: ModelName, models: dict[str, ModelName]) -> None:
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


def add_model(
    project_dir: Path | str, name: str, specs: Sequence[str], *, table: str | None = None
) -> ModelPlan:
    """Add model ``name`` with ``specs`` to the project in ``project_dir``; all or nothing."""
    project = find_project(Path(project_dir))
    plan = plan_model(project, name, specs, table=table)
    filetx.apply(plan.change)
    return plan
