"""``fastsqla new``: render the project template into place, all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli import __version__, filetx
from fastsqla_cli.copier_template import CopierTemplate
from fastsqla_cli.errors import DestinationError, UsageError
from fastsqla_cli.naming import ProjectName, project_name
from fastsqla_cli.projectinfo import ProjectInfo
from fastsqla_cli.scaffold import plan_model
from fastsqla_cli.templating import templates_dir

DATABASES = ("sqlite", "postgresql", "mysql")
UV_TESTED = "0.13.9"  # the uv release fastsqla's own tests last ran with
STARTER_MODEL = ("User", ("name:str", "email:str:unique"))


@dataclass(frozen=True)
class NewProject:
    """A project that ``create_project`` wrote."""

    root: Path
    name: ProjectName
    database: str
    files: tuple[Path, ...]


def validate_description(description: str) -> str:
    for char in description:
        if char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cs"):
            raise UsageError(f"the description contains the control character {char!r}: remove it")
    return description


def python_literal(text: str) -> str:
    """``text`` as a Python string literal, quoted the way ruff's formatter quotes it."""
    escaped = (
        text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + escaped.replace(quote, "\\" + quote) + quote


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
    path: Path | str, *, database: str = "sqlite", description: str = ""
) -> NewProject:
    """Render a new project at ``path``; on any failure nothing is left behind."""
    destination = Path(path).expanduser().absolute()
    name = project_name(destination.name)
    if database not in DATABASES:
        raise UsageError(f"unknown database {database!r}: choose one of {', '.join(DATABASES)}")
    validate_description(description)
    _check_destination(destination)

    created_parents = [
        p for p in [destination.parent, *destination.parent.parents] if not p.exists()
    ]
    for parent in reversed(created_parents):
        parent.mkdir()
    staging = Path(
        tempfile.mkdtemp(
            prefix=f".{destination.name}.", suffix=".fastsqla-new", dir=destination.parent
        )
    )
    try:
        staging.chmod(0o777 & ~_current_umask())  # mkdtemp's 0700 would stay on the project
        _render(staging, name, database, description)
        files = tuple(sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file()))
        _check_destination(destination)  # it may have appeared meanwhile
        _move_into_place(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in created_parents:
            if parent.exists() and not any(parent.iterdir()):
                parent.rmdir()
        raise
    return NewProject(root=destination, name=name, database=database, files=files)


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


def _render(root: Path, name: ProjectName, database: str, description: str) -> None:
    CopierTemplate(templates_dir() / "project").render(
        root,
        {
            "project_name": name.distribution,
            "package": name.package,
            "description": description,
            "description_literal": python_literal(description),
            "database": database,
            "fastsqla_version": __version__,
            "uv_build_requirement": uv_build_requirement(installed_uv_version()),
        },
    )
    # The starter model goes through the same code path as `fastsqla add-model`.
    project = ProjectInfo(root=root, package=name.package, database=database)
    model, specs = STARTER_MODEL
    filetx.apply(plan_model(project, model, specs).change)
