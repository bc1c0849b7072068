"""``fastsqla new``: render the project template into place, all or nothing, then install
and check it.

Everything is validated before the first byte is written. The project is rendered in a
staging directory beside the destination and moved into place in one rename. What an
interrupted ``new`` leaves: nothing, whenever Ctrl-C comes (the project it made and the
parents it created are removed). What a failed install or check leaves: the complete
project, which ``fastsqla check`` installs and checks again.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastsqla_cli import __version__, filetx, interrupts
from fastsqla_cli.add_model import plan_model
from fastsqla_cli.databases import DATABASES
from fastsqla_cli.deploys import validate_deploy
from fastsqla_cli.errors import CheckFailed, DestinationError, ToolError, UsageError, WriteError
from fastsqla_cli.naming import ProjectName, project_name
from fastsqla_cli.project import Project, locked
from fastsqla_cli.templates import templates_dir

if TYPE_CHECKING:
    from fastsqla_cli.steps import CheckReport, Reporter

UV_TESTED = "0.13.9"  # the uv release fastsqla's own tests last ran with
STARTER_MODEL = ("User", ("name:str", "email:str:unique"))


@dataclass(frozen=True)
class NewProject:
    """A project that ``create_project`` wrote."""

    root: Path
    name: ProjectName
    database: str
    files: tuple[Path, ...]
    report: CheckReport | None = None


def validate_description(description: str) -> str:
    """One line of text: it is the package's summary, which cannot span lines."""
    for char in description:
        if char in "\n\r":
            raise UsageError(
                "the description must be one line (it is the package summary): "
                "put longer text in the README"
            )
        if char != "\t" and unicodedata.category(char) in ("Cc", "Cs"):
            raise UsageError(f"the description contains the control character {char!r}: remove it")
    return description


def uv_build_requirement(uv_version: str | None) -> str:
    """The project's build backend: ``uv_build`` bounded to one minor release, as ``uv init``
    writes it, namely the minor release of the uv that fastsqla runs. That uv then builds
    the project itself, with no backend to install (twice as fast as hatchling here); pip
    takes the newest ``uv_build`` of the release, whose patch number can lag behind uv's.
    """
    for version in (uv_version, UV_TESTED):
        major, _, rest = (version or "").partition(".")
        minor = rest.partition(".")[0]
        if major.isdigit() and minor.isdigit():
            return f"uv_build>={major}.{minor}.0,<{major}.{int(minor) + 1}.0"
    raise AssertionError("UV_TESTED is not a version")


def installed_uv_version() -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version("uv")
    except importlib.metadata.PackageNotFoundError:
        return None


def _check_destination(destination: Path) -> None:
    if destination.is_symlink() or (destination.exists() and not destination.is_dir()):
        raise DestinationError(f"{destination} exists and is not a directory: choose another path")
    if destination.is_dir() and any(destination.iterdir()):
        raise DestinationError(
            f"{destination} exists and is not empty: choose a new directory (nothing was changed)"
        )


def create_project(
    path: Path | str,
    *,
    database: str = "sqlite",
    description: str = "",
    deploy: str = "none",
    check: bool = False,
    python: str | None = None,
    types: bool = False,
    report: Reporter | None = None,
) -> NewProject:
    """Render a new project at ``path``; with ``check``, install it and run its checks.

    An invalid argument raises before anything is written; a failure or an interruption
    while rendering, or an interruption while checking, leaves nothing behind. A failed
    check raises :class:`CheckFailed` and keeps the project."""
    if not str(path).strip():
        raise DestinationError("the project path is empty: give a directory such as `my-shop`")
    destination = Path(path).expanduser().absolute()
    name = project_name(destination.name)
    if database not in DATABASES:
        raise UsageError(f"unknown database {database!r}: choose one of {', '.join(DATABASES)}")
    validate_deploy(deploy, database, remedy="add --db postgresql or --db mysql")
    validate_description(description)
    _check_destination(destination)
    _check_writable(destination)
    if check and python is not None:
        from fastsqla_cli.environment import resolve_python

        python = resolve_python(python)

    created_parents = [
        p for p in [destination.parent, *destination.parent.parents] if not p.exists()
    ]
    existed = destination.exists()  # then empty: `fastsqla new .`
    started = time.perf_counter()
    if report is not None:
        report("render", None)
    try:
        answers = {"database": database, "description": description, "deploy": deploy}
        files = _render_into_place(destination, created_parents, name, answers)
        interrupts.checkpoint()
    except KeyboardInterrupt:
        _remove_project(destination, existed, created_parents)
        raise
    if report is not None:
        from fastsqla_cli.steps import StepResult

        report("render", StepResult("render", True, time.perf_counter() - started))
    if not check:
        return NewProject(root=destination, name=name, database=database, files=files)
    from fastsqla_cli.check import run_all

    try:
        with locked(destination):
            result = run_all(destination, python, None, None, types, report)
            interrupts.checkpoint()
    except (CheckFailed, ToolError) as failure:
        again = shlex.quote(str(destination))
        failure.args = (
            f"{failure}; the project is kept at {destination}: "
            f"`fastsqla check {again}` checks it again",
        )
        raise
    except KeyboardInterrupt:
        _remove_project(destination, existed, created_parents)
        raise
    return NewProject(destination, name, database, files, report=result)


def _remove_project(destination: Path, existed: bool, created_parents: list[Path]) -> None:
    """Interrupted, `new` leaves nothing, so the same command can be run again at once:
    the project (and its `.venv`), or, in a directory that was empty, all it holds now."""
    if not existed:
        _remove_tree(destination)
    elif destination.is_dir():
        for entry in destination.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                _remove_tree(entry)
            else:
                entry.unlink(missing_ok=True)
    _remove_empty(created_parents)


def _remove_tree(path: Path, seconds: float = 2.0) -> None:
    """Remove ``path``. The interrupt reaches the install and the checks at the same time:
    one still stopping may write a file into ``path`` meanwhile, so try again, for at most
    ``seconds``."""
    deadline = time.monotonic() + seconds
    shutil.rmtree(path, ignore_errors=True)
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
        shutil.rmtree(path, ignore_errors=True)


def _check_writable(destination: Path) -> None:
    """The project is staged beside the destination, then moved into it."""
    staging_parent = next(p for p in destination.parents if p.exists())
    for folder in {staging_parent, destination} if destination.exists() else {staging_parent}:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise WriteError(f"cannot write in {folder}: permission denied (nothing was written)")


def _remove_empty(created_parents: list[Path]) -> None:
    for parent in created_parents:
        if parent.exists() and not any(parent.iterdir()):
            parent.rmdir()


def _render_into_place(
    destination: Path,
    created_parents: list[Path],
    name: ProjectName,
    answers: dict[str, str],
) -> tuple[Path, ...]:
    try:
        for parent in reversed(created_parents):
            parent.mkdir()
        staging = Path(
            tempfile.mkdtemp(
                prefix=f".{destination.name}.", suffix=".fastsqla-new", dir=destination.parent
            )
        )
    except OSError as error:
        _remove_empty(created_parents)
        raise WriteError.from_os_error(error, "nothing was written") from None
    try:
        staging.chmod(0o777 & ~_current_umask())  # mkdtemp's 0700 would stay on the project
        _render(staging, name, answers)
        files = tuple(sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file()))
        _check_destination(destination)  # it may have appeared meanwhile
        _move_into_place(staging, destination)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created_parents)
        if isinstance(error, OSError) and not isinstance(error, WriteError):
            if error.filename is not None and Path(error.filename) == destination:
                raise DestinationError(
                    f"{destination} appeared while fastsqla ran: choose a new directory"
                ) from None
            raise WriteError.from_os_error(error, "nothing was written") from None
        raise
    return files


def _current_umask() -> int:
    umask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(umask)
    return umask


def _move_into_place(staging: Path, destination: Path) -> None:
    """One rename; into an existing empty directory (`fastsqla new .`), entry by entry, so
    the directory a shell may stand in stays the same, and a failure takes them back."""
    if not destination.exists():
        os.rename(staging, destination)
        return
    moved: list[Path] = []
    try:
        for entry in sorted(staging.iterdir()):
            os.rename(entry, destination / entry.name)
            moved.append(destination / entry.name)
    except BaseException:
        for path in moved:
            os.rename(path, staging / path.name)
        raise
    staging.rmdir()


def _render(root: Path, name: ProjectName, answers: dict[str, str]) -> None:
    """Render the template into ``root`` with the ``answers`` to its questions (database,
    description, deploy), then add the starter model."""
    from copier import run_copy

    database = answers["database"]
    run_copy(
        str(templates_dir() / "project"),
        root,
        data={
            "project_name": name.distribution,
            "package": name.package,
            **answers,
            "fastsqla_version": __version__,
            "uv_build_requirement": uv_build_requirement(installed_uv_version()),
        },
        defaults=True,
        quiet=True,
        unsafe=False,
    )
    # The starter model goes through the same code path as `fastsqla add-model`.
    project = Project(root=root, package=name.package, database=database)
    model, specs = STARTER_MODEL
    filetx.apply(plan_model(project, model, specs).change)
