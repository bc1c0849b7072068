"""The `fastsqla` command: a thin layer over the library, one option per parameter."""

from __future__ import annotations

import enum
import os
import shlex
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fastsqla_cli import __version__
from fastsqla_cli.errors import CheckFailed, FastsqlaError

if TYPE_CHECKING:
    from fastsqla_cli.checks import CheckReport, Reporter

app = typer.Typer(
    name="fastsqla",
    help="Generate and grow FastAPI + async SQLAlchemy services that test themselves.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Database(enum.StrEnum):
    sqlite = "sqlite"
    postgresql = "postgresql"
    mysql = "mysql"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fastsqla {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Generate and grow FastAPI + async SQLAlchemy services that test themselves."""


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn our errors into one red line and an exit code; never a traceback."""
    from fastsqla_cli import ui

    try:
        yield
    except CheckFailed as failure:
        steps = getattr(failure.report, "steps", ())
        ui.show_failures(steps)
        ui.error(str(failure))
        raise typer.Exit(failure.exit_code) from None
    except FastsqlaError as failure:
        ui.error(str(failure))
        raise typer.Exit(failure.exit_code) from None
    except KeyboardInterrupt:
        ui.error("interrupted: nothing was left half-written")
        raise typer.Exit(130) from None


CheckOption = Annotated[
    bool, typer.Option("--check/--no-check", help="Install the project and run its checks.")
]
PythonOption = Annotated[
    str | None,
    typer.Option(
        "--python",
        help="Check with this interpreter, which has the dependencies, instead of a .venv.",
        metavar="PYTHON",
    ),
]
TypesOption = Annotated[
    bool, typer.Option("--types/--no-types", help="Also type-check with mypy --strict.")
]


@app.command()
def new(
    path: Annotated[Path, typer.Argument(help="Directory to create; its name is the project's.")],
    db: Annotated[Database, typer.Option("--db", help="Database to configure.")] = Database.sqlite,
    description: Annotated[str, typer.Option(help="One paragraph about the project.")] = "",
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Create a project, install it, and run its tests.

    Example: fastsqla new my-shop --db postgresql
    """
    from fastsqla_cli import ui

    with _user_errors():
        from fastsqla_cli.project import create_project

        progress = ui.Progress()
        started = time.perf_counter()
        with progress.running():
            with progress.step("render"):
                project = create_project(path, database=db.value, description=description)
            report = None
            if check:
                try:
                    report = _check(project.root, python, types, progress)
                except CheckFailed as failure:
                    failure.args = (f"{failure}; the project is kept at {project.root}",)
                    raise
        seconds = time.perf_counter() - started
        where = _display(project.root)
        lines = [
            f"Created [bold]{project.name.distribution}[/] at {ui.escape(str(project.root))}: "
            f"{len(project.files)} files, {project.database}, {seconds:.1f} s.",
            f"Package [bold]{project.name.package}[/]; model User at /users; health at /health.",
        ]
        if report is None:
            lines.append("Checks skipped (--no-check).")
        next_commands = [f"cd {shlex.quote(where)}"]
        if report is not None and python is None:
            next_commands.append(f".venv/bin/uvicorn {project.name.package}.main:app --reload")
        else:
            next_commands.append('uv venv && uv pip install -e ".[dev]"')
            next_commands.append(f".venv/bin/uvicorn {project.name.package}.main:app --reload")
        fastsqla = _fastsqla_command(project.root)
        next_commands.append(f"{fastsqla} add-model Post title:str body:text author:ref:User")
        ui.summary("fastsqla new", lines, next_commands)


@app.command("add-model")
def add_model(
    name: Annotated[str, typer.Argument(help="Model name: Post, blog_post, BlogPost.")],
    fields: Annotated[
        list[str],
        typer.Argument(
            help="name:type[:modifier...]. Types: str text int bigint float decimal bool date "
            "datetime uuid json ref (author:ref:User). Modifiers: unique index optional max=N.",
            show_default=False,
        ),
    ],
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="The project's directory (default: the one around the current directory).",
            show_default=False,
        ),
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", help="Table name instead of the derived plural.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the files and edits; write nothing.")
    ] = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Add a model with its schemas, routes, tests and registration.

    Example: fastsqla add-model Post title:str:max=200 body:text author:ref:User
    """
    from fastsqla_cli import ui

    with _user_errors():
        from fastsqla_cli import filetx
        from fastsqla_cli.projectinfo import find_project
        from fastsqla_cli.scaffold import plan_model

        if project is None:
            info = find_project(Path.cwd(), search_parents=True)
        else:
            info = find_project(project.absolute())
        plan = plan_model(info, name, fields, table=table)
        relative = [p.relative_to(info.root).as_posix() for p in plan.created()]
        if dry_run:
            ui.console.print(
                f"[bold]Would create[/] ({plan.model.class_name}, table {plan.model.table}):"
            )
            for path in relative:
                ui.console.print(f"  {path}")
            ui.console.print("[bold]Would edit:[/]")
            ui.console.print(ui.escape(plan.diff()), soft_wrap=True, end="")
            ui.console.print("Nothing was written (--dry-run).")
            return
        progress = ui.Progress()
        with progress.running():
            filetx.apply(plan.change)
            ui.console.print(
                f"  [green]✓[/] Added {plan.model.class_name} ({plan.model.route}): "
                f"{len(relative)} files, {len(plan.edited())} edits"
            )
            try:
                report = _check(info.root, python, types, progress) if check else None
            except CheckFailed as failure:
                failure.args = (
                    f"{failure}; {plan.model.class_name} was added, fix the "
                    "failures above or remove its files",
                )
                raise
        lines = [f"Created {path}" for path in relative]
        lines += [f"Edited  {p.relative_to(info.root).as_posix()}" for p in plan.edited()]
        if report is None:
            lines.append("Checks skipped (--no-check).")
        ui.summary(f"fastsqla add-model {plan.model.class_name}", lines, [])


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="The project's directory.")] = Path("."),
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Run the tests on this database (TEST_DATABASE_URL)."),
    ] = None,
    python: PythonOption = None,
    junit_xml: Annotated[
        Path | None, typer.Option("--junit-xml", help="Write the test results as JUnit XML.")
    ] = None,
    types: Annotated[
        bool, typer.Option("--types/--no-types", help="Type-check with mypy --strict.")
    ] = True,
) -> None:
    """Run a project's tests, ruff and mypy; exit 0 only when all pass.

    Example: fastsqla check . --database-url postgresql+asyncpg://postgres@localhost/shop_test
    """
    from fastsqla_cli import ui

    with _user_errors():
        progress = ui.Progress()
        with progress.running():
            report = _check(
                directory, python, types, progress, database_url=database_url, junit_xml=junit_xml
            )
        ran = [step.name for step in report.steps if not step.skipped]
        where = ui.escape(str(report.root))
        ui.summary("fastsqla check", [f"All checks passed ({', '.join(ran)}) in {where}"], [])


def _check(
    root: Path,
    python: str | None,
    types: bool,
    progress: Reporter,
    *,
    database_url: str | None = None,
    junit_xml: Path | None = None,
) -> CheckReport:
    from fastsqla_cli.checks import check_project

    return check_project(
        root,
        python=python,
        types=types,
        database_url=database_url,
        junit_xml=junit_xml,
        report=progress,
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


def _fastsqla_command(cwd: Path) -> str:
    """How to run this fastsqla again from ``cwd``: `fastsqla` when that name on PATH is this
    very script, else the script's path (from a virtualenv that is not activated, say)."""
    script = Path(sys.argv[0])
    if script.name == "__main__.py":  # python -m fastsqla_cli
        return f"{_path_from(Path(sys.executable), cwd)} -m fastsqla_cli"
    on_path = shutil.which("fastsqla")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "fastsqla"
    return _path_from(script, cwd)


def _path_from(path: Path, cwd: Path) -> str:
    """``path`` as typed in a shell in ``cwd``: relative when that is shorter, else absolute."""
    absolute = str(path.absolute())
    relative = os.path.relpath(absolute, cwd)
    return shlex.quote(relative if len(relative) < len(absolute) else absolute)


def main() -> None:
    app()
