"""A project's models, as their files say: which there are, what they refer to and what
refers to them, the tables their many-to-many fields link through, and the tests a change
of one of them can break."""

from __future__ import annotations

import ast
import contextlib
import re
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fastsqla_cli.errors import FieldSpecError, ModelNameError, RegistrationError, UsageError
from fastsqla_cli.fields import Field
from fastsqla_cli.naming import MAX_IDENTIFIER, ModelName, link_table, model_name

if TYPE_CHECKING:
    from fastsqla_cli.project import Project


def existing_models(project: Project) -> dict[str, ModelName]:
    """Every model class in ``<package>/models/``, by class name, with its real table."""
    models: dict[str, ModelName] = {}
    models_dir = project.package_dir / "models"
    for path in sorted(models_dir.glob("*.py")) if models_dir.is_dir() else []:
        if path.name == "__init__.py":
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            table = _table_name(node)
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


def _table_name(node: ast.ClassDef) -> str | None:
    for statement in node.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__tablename__" for t in statement.targets)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            return statement.value.value
    return None


# A factory's import of another model's factory: its test data makes rows of that model.
_MAKES = re.compile(r"^from tests\.factories\.(\w+) import create_\1$", re.M)


def unfilled_references(
    factories: Factories, model: ModelName, fields: Iterable[Field], targets: dict[str, ModelName]
) -> frozenset[str]:
    """The optional references of ``model`` that its test data leaves empty: those whose
    target's test data makes a row of ``model``, itself or through the rows it refers to
    (a cycle of references, made by `add-field`; filling it would never end)."""
    return frozenset(
        field.name
        for field in fields
        if field.type == "ref" and field.optional
        for target in [targets.get(field.name)]
        if target is not None and target.module != model.module
        if factories.rows_made(target.module, model.module) is not None
    )


class Factories:
    """The project's test data (`tests/factories`), as it is on disk: which models' rows
    each model's factory makes. Each file is read once, when first asked about."""

    def __init__(self, project: Project) -> None:
        self._directory = project.root / "tests" / "factories"
        self._makes: dict[str, list[str]] = {}

    def makes(self, module: str) -> list[str]:
        """The models whose rows the factory of ``module`` makes for each of its own."""
        if module not in self._makes:
            factory = self._directory / f"{module}.py"
            text = factory.read_text(encoding="utf-8") if factory.is_file() else ""
            self._makes[module] = _MAKES.findall(text)
        return self._makes[module]

    def rows_made(self, start: str, goal: str) -> list[str] | None:
        """The model modules whose test data leads from ``start``'s to a row of
        ``goal``'s, each making a row of the next (None when it never does)."""
        came_from: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            module = queue.popleft()
            if module == goal:
                path = [module]
                while (previous := came_from[path[-1]]) is not None:
                    path.append(previous)
                return path[::-1]
            for other in self.makes(module):
                if other not in came_from:
                    came_from[other] = module
                    queue.append(other)
        return None


def referring_models(
    project: Project, model: ModelName, models: dict[str, ModelName]
) -> list[ModelName]:
    """The other models whose tables have a foreign key to ``model``'s table."""
    reference = re.compile(rf"""ForeignKey\(\s*["']{re.escape(model.table)}\.id["']""")
    return sorted(
        (
            other
            for other in models.values()
            if other.class_name != model.class_name
            and reference.search(
                (project.package_dir / "models" / f"{other.module}.py").read_text(encoding="utf-8")
            )
        ),
        key=lambda other: other.class_name,
    )


def find_model(models: dict[str, ModelName], name: str) -> ModelName:
    """The model ``name`` names, by class name or any spelling of it (`post`, `posts`)."""
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


# What enum and many-to-many fields use of the project's own modules, which projects made
# before them lack: (field type, module, what it defines).
_FIELD_SUPPORT = (("enum", "column_types", "enum_values"), ("many", "integrity", "linked"))


def require_field_support(project: Project, fields: Iterable[Field]) -> None:
    """Refuse enum and many-to-many fields in a project made before they existed."""
    types = {field.type for field in fields}
    for kind, module, name in _FIELD_SUPPORT:
        if kind not in types:
            continue
        path = project.package_dir / f"{module}.py"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
        if f"def {name}(" not in text:
            raise RegistrationError(
                f"{path.relative_to(project.root)} has no {name}, which {kind} fields use: "
                "run `fastsqla update` (or restore the file), then add the field again"
            )


_LINK_TABLE = re.compile(r"""\bTable\(\s*["'](\w+)["']""")


def link_tables(project: Project, models: dict[str, ModelName]) -> dict[str, ModelName]:
    """The association tables of the project's many-to-many fields, each with the model
    whose module defines it."""
    tables: dict[str, ModelName] = {}
    for model in models.values():
        path = project.package_dir / "models" / f"{model.module}.py"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for table in _LINK_TABLE.findall(text):
            tables[table] = model
    return tables


def check_link_tables(
    project: Project, model: ModelName, fields: Iterable[Field], models: dict[str, ModelName]
) -> None:
    """Refuse a model whose table is the association table of another's many-to-many
    field, and a many-to-many field whose association table (`<table>_<field>`) would be
    too long a name, or is a table the project already has."""
    links = link_tables(project, models)
    other = links.get(model.table)
    if other is not None and other.class_name != model.class_name:
        raise ModelNameError(
            f"the table {model.table!r} links the rows of {other.class_name}: "
            "choose another name or pass --table"
        )
    taken = {other.table: other for other in models.values()} | links
    taken[model.table] = model
    for field in fields:
        if field.type != "many":
            continue
        table = link_table(model.table, field.name)
        if len(table) > MAX_IDENTIFIER:
            raise FieldSpecError(
                f"{field.name}:many:{field.ref} needs the table {table!r}, longer than the "
                f"{MAX_IDENTIFIER} characters PostgreSQL keeps: choose a shorter field name"
            )
        if table in taken:
            raise FieldSpecError(
                f"{field.name}:many:{field.ref} needs the table {table!r}, which "
                f"{taken[table].class_name} already has: choose another field name"
            )


# The tests of the project as a whole that a change of one model can break: its schema
# (the revision the change wrote, and the models against the revisions) and its start-up
# (`/health` goes through the app's lifespan). The migration tests that walk every revision
# are left to `fastsqla check`: their cost grows with the project.
PROJECT_TESTS = (
    "tests/test_migrations.py::test_single_head_revision",
    "tests/test_migrations.py::test_the_models_match_the_migrations",
    "tests/test_migrations.py::test_the_last_revision_comes_down_and_back",
    "tests/test_health.py",
)


def affected_tests(project: Project, model: ModelName) -> list[str]:
    """The tests a change of ``model`` can break, as they are now: its own, those of the
    models that refer to it (their factories make its rows), and `PROJECT_TESTS`; a file
    or a test that is not there is left out."""
    models = existing_models(project)
    touched = [model, *referring_models(project, model, models)]
    names = [f"tests/test_{m.module}.py" for m in touched] + list(PROJECT_TESTS)
    return [name for name in dict.fromkeys(names) if _is_test(project.root, name)]


def _is_test(root: Path, name: str) -> bool:
    """Whether the test file, or the test of a file (``file::test``), is there."""
    path, _, test = name.partition("::")
    if not (root / path).is_file():
        return False
    return (
        not test or re.search(rf"\b{test}\b", (root / path).read_text(encoding="utf-8")) is not None
    )


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
