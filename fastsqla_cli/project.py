"""A project made by ``fastsqla new``: where it is, what it answered, which models it has,
and the lock that keeps two fastsqla commands from changing it at once."""

from __future__ import annotations

import ast
import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli.errors import (
    BusyError,
    FieldSpecError,
    ModelNameError,
    NotAProjectError,
    ProjectFileError,
    RegistrationError,
    UsageError,
)
from fastsqla_cli.fields import Field
from fastsqla_cli.naming import MAX_IDENTIFIER, ModelName, link_table, model_name

ANSWERS_FILE = ".copier-answers.yml"
DATABASES = ("sqlite", "postgresql", "mysql")
LOCK_TIMEOUT = 600.0  # seconds another command may keep a project busy before we give up


@dataclass(frozen=True)
class Project:
    """A generated project: its root directory, import package and database."""

    root: Path
    package: str
    database: str

    @property
    def package_dir(self) -> Path:
        return self.root / self.package


def read_answers(path: Path) -> dict[str, object]:
    """The answers file as a mapping; :class:`ProjectFileError` in one line when it is not."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        where = f" (line {error.problem_mark.line + 1})" if error.problem_mark else ""
        problem = error.problem or "invalid YAML"
        raise ProjectFileError(
            f"{path} is not valid YAML{where}: {problem}; fix it or restore it from git"
        ) from None
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ProjectFileError(f"{path} cannot be read ({reason}): fix it or restore it") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{path} does not hold question: answer pairs: restore it from git")
    return data


def find_project(directory: Path, *, search_parents: bool = False) -> Project:
    """The project rooted at ``directory`` (or, with ``search_parents``, at the nearest
    directory above it that has the answers file), or :class:`NotAProjectError`."""
    directory = directory.absolute()
    if search_parents:
        for candidate in [directory, *directory.parents]:
            if (candidate / ANSWERS_FILE).is_file():
                directory = candidate
                break
    answers_path = directory / ANSWERS_FILE
    hint = "run this inside a project made by `fastsqla new`, or pass its directory"
    if not directory.is_dir():
        raise NotAProjectError(f"{directory} is not a directory: {hint}")
    if not answers_path.is_file():
        raise NotAProjectError(f"{directory} has no {ANSWERS_FILE}: {hint}")
    answers = read_answers(answers_path)
    package = answers.get("package")
    if not isinstance(package, str) or not package.isidentifier():
        raise ProjectFileError(
            f"{answers_path} names no valid `package`: restore the line `package: <name>`"
        )
    if not (directory / package / "main.py").is_file():
        raise NotAProjectError(f"{directory} has no {package}/main.py: {hint}")
    database = answers.get("database", "sqlite")
    if database not in DATABASES:
        raise ProjectFileError(
            f"{answers_path} names the database {database!r}: "
            f"it must be one of {', '.join(DATABASES)}"
        )
    assert isinstance(database, str)
    return Project(root=directory, package=package, database=database)


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


# A factory's import of another model's factory: its test data makes rows of that model.
_MAKES = re.compile(r"^from tests\.factories\.(\w+) import create_\1$", re.M)


def unfilled_references(
    project: Project, model: ModelName, fields: Iterable[Field], targets: dict[str, ModelName]
) -> frozenset[str]:
    """The optional references of ``model`` that its test data leaves empty: those whose
    target's test data makes a row of ``model``, itself or through the rows it refers to
    (a cycle of references, made by `add-field`; filling it would never end). The test
    data of each model, as it is on disk, says which rows it makes."""
    factories = project.root / "tests" / "factories"

    def makes(module: str) -> list[str]:
        path = factories / f"{module}.py"
        return _MAKES.findall(path.read_text(encoding="utf-8")) if path.is_file() else []

    unfilled: set[str] = set()
    for field in fields:
        target = targets.get(field.name)
        if field.type != "ref" or not field.optional or target is None:
            continue
        seen: set[str] = set()
        todo = [target.module] if target.module != model.module else []
        while todo:
            module = todo.pop()
            if module == model.module:
                unfilled.add(field.name)
                break
            if module not in seen:
                seen.add(module)
                todo += makes(module)
    return frozenset(unfilled)


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


def migration_head(project: Project) -> str | None:
    """The last revision in ``<package>/migrations/versions`` (None when there is none),
    read from each file's `revision` and `down_revision`, as Alembic links them."""
    migrations = project.package_dir / "migrations"
    if not (migrations / "env.py").is_file():
        raise ProjectFileError(
            f"{migrations.relative_to(project.root)}/env.py is missing: restore the migrations "
            "folder from git"
        )
    versions = migrations / "versions"
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            raise ProjectFileError(f"{path} does not parse: fix it and run again") from None
        values = _assigned_constants(tree, ("revision", "down_revision"))
        revision, down = values.get("revision"), values.get("down_revision")
        if isinstance(revision, str):
            revisions.add(revision)
        parents.update([down] if isinstance(down, str) else down if isinstance(down, tuple) else ())
    heads = sorted(revisions - parents)
    if len(heads) > 1:
        raise ProjectFileError(
            f"the migrations have {len(heads)} heads ({', '.join(heads)}): join them with "
            "`alembic merge heads`, then run this again"
        )
    return heads[0] if heads else None


def _assigned_constants(tree: ast.Module, names: tuple[str, ...]) -> dict[str, object]:
    """Top-level ``name = <literal>`` and ``name: T = <literal>`` assignments."""
    found: dict[str, object] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and target.id in names and value is not None:
                with contextlib.suppress(ValueError):
                    found[target.id] = ast.literal_eval(value)
    return found


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


def model_commands(project: Project, model: ModelName) -> list[list[str]]:
    """The commands that made ``model``, as its docstring keeps them (see
    `record.record`); :class:`ProjectFileError` when they are gone."""
    from fastsqla_cli.record import read_record

    path = project.package_dir / "models" / f"{model.module}.py"
    commands = read_record(path.read_text(encoding="utf-8"))
    if commands is None:
        raise ProjectFileError(
            f"{path.relative_to(project.root)} no longer has the commands that made "
            f"{model.class_name} in its docstring: put them back (see models/*.py for their "
            "form), then run this again"
        )
    return commands


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


@contextlib.contextmanager
def locked(
    root: Path,
    *,
    timeout: float = LOCK_TIMEOUT,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the project's lock: one fastsqla command changes or checks a project at a time.

    The lock is an advisory ``flock`` on the project directory itself, so it writes nothing
    into the project and vanishes with the process however it ends. A second command waits
    for it (``on_wait`` is called once when it starts waiting), at most ``timeout`` seconds.
    Where there is no ``flock`` (Windows), commands are not serialised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(root, os.O_RDONLY)
    try:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting and on_wait is not None:
                    on_wait()
                waiting = True
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"another fastsqla command has kept {root} busy for {timeout:g} s: "
                        "wait for it to finish, then run this again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


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
