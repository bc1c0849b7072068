"""Recognise a project made by ``fastsqla new`` and list the models it has."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli.errors import NotAProjectError, UsageError
from fastsqla_cli.naming import ModelName, model_name

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class ProjectInfo:
    root: Path
    package: str
    database: str

    @property
    def package_dir(self) -> Path:
        return self.root / self.package


def read_answers(path: Path) -> dict[str, object]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def find_project(directory: Path, *, search_parents: bool = False) -> ProjectInfo:
    """The project rooted at ``directory`` (or, with ``search_parents``, at the nearest
    directory above it that has the answers file), or :class:`NotAProjectError`."""
    if search_parents:
        for candidate in [directory, *directory.absolute().parents]:
            if (candidate / ANSWERS_FILE).is_file():
                directory = candidate
                break
    answers_path = directory / ANSWERS_FILE
    hint = "run this inside a project made by `fastsqla new`, or pass --project DIR"
    if not directory.is_dir():
        raise NotAProjectError(f"{directory} is not a directory: {hint}")
    if not answers_path.is_file():
        raise NotAProjectError(f"{directory} has no {ANSWERS_FILE}: {hint}")
    try:
        answers = read_answers(answers_path)
    except Exception as error:  # yaml's errors do not share a useful base
        raise NotAProjectError(f"{answers_path} cannot be read ({error}): {hint}") from None
    package = answers.get("package")
    if not isinstance(package, str) or not (directory / package / "main.py").is_file():
        raise NotAProjectError(f"{directory} does not look like a fastsqla project: {hint}")
    database = answers.get("database")
    return ProjectInfo(
        root=directory,
        package=package,
        database=database if isinstance(database, str) else "sqlite",
    )


def defines(path: Path, name: str) -> bool:
    """Whether the module at ``path`` assigns ``name`` at its top level."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return False
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return True
    return False


def existing_models(project: ProjectInfo) -> dict[str, ModelName]:
    """Every model class in ``<package>/models/``, by class name, with its real table."""
    models: dict[str, ModelName] = {}
    models_dir = project.package_dir / "models"
    for path in sorted(models_dir.glob("*.py")) if models_dir.is_dir() else []:
        if path.name == "__init__.py":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            table = None
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(
                        isinstance(t, ast.Name) and t.id == "__tablename__"
                        for t in statement.targets
                    )
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    table = statement.value.value
            if table is None:
                continue
            try:
                derived = model_name(node.name)
                route, label = derived.route, derived.label
            except UsageError:  # a class the user wrote by hand with another kind of name
                route, label = "/" + table.replace("_", "-"), node.name
            models[node.name] = ModelName(
                class_name=node.name, module=path.stem, table=table, route=route, label=label
            )
    return models
