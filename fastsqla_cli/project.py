"""A project made by ``fastsqla new``: where it is, what it answered, which models it has,
and the lock that keeps two fastsqla commands from changing it at once."""

from __future__ import annotations

import ast
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli.databases import DATABASES
from fastsqla_cli.errors import (
    BusyError,
    NotAProjectError,
    ProjectFileError,
)

ANSWERS_FILE = ".copier-answers.yml"
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
