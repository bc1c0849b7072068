"""The `fastsqla` command: each command maps its options onto one library call and shows
the result; every error the user can fix is one line on stderr and an exit code."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from fastsqla_cli import __version__
from fastsqla_cli.databases import DATABASES
from fastsqla_cli.errors import CheckFailed, FastsqlaError
from fastsqla_cli.field_types import TYPES
from fastsqla_cli.fields import MODIFIERS
from fastsqla_cli.usage import Command, Commands

if TYPE_CHECKING:
    from fastsqla_cli.change import ModelPlan, Options, Outcome
    from fastsqla_cli.steps import Reporter
    from fastsqla_cli.update import Update

T = TypeVar("T")


app = typer.Typer(
    name="fastsqla",
    cls=Commands,
    help="Generate and grow FastAPI + async SQLAlchemy services that test themselves.",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _database(value: str) -> str:
    if value not in DATABASES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(map(repr, DATABASES))}")
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fastsqla {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            metavar="",
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Generate and grow FastAPI + async SQLAlchemy services that test themselves."""
    if context.invoked_subcommand is None:
        typer.echo(context.get_help())


@contextmanager
def _user_errors(interrupted: str = "interrupted: nothing was changed") -> Iterator[None]:
    """Turn our errors into one red line and an exit code; never a traceback."""
    from fastsqla_cli import ui

    try:
        yield
    except CheckFailed as failure:
        ui.show_failures(getattr(failure.report, "steps", ()))
        ui.error(str(failure))
        raise typer.Exit(failure.exit_code) from None
    except FastsqlaError as failure:
        ui.error(str(failure))
        raise typer.Exit(failure.exit_code) from None
    except KeyboardInterrupt:
        ui.error(interrupted)
        raise typer.Exit(130) from None


def _running(
    call: Callable[[Reporter], T], interrupted: str = "interrupted: nothing was changed"
) -> T:
    """``call`` with the live progress of its steps; an error ends it in one line."""
    from fastsqla_cli import ui

    with _user_errors(interrupted):
        progress = ui.Progress()
        with progress.running():
            return call(progress)


def _waiting() -> None:
    from fastsqla_cli import ui

    ui.console.print("  [dim]Waiting for another fastsqla command in this project…[/]")


CheckOption = Annotated[
    bool,
    typer.Option(
        "--check/--no-check",
        metavar="",
        show_default=False,
        help="Install the project and run its checks (the default), or skip that.",
    ),
]
PythonOption = Annotated[
    str | None,
    typer.Option(
        "--python",
        metavar="PYTHON",
        help="Check with this interpreter, which has the dependencies, instead of a .venv.",
    ),
]
ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        metavar="DIR",
        help="The project's directory (default: the one around the current directory).",
        show_default=False,
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show the files and edits; write nothing.")
]
TypesOption = Annotated[
    bool,
    typer.Option(
        "--types/--no-types",
        metavar="",
        show_default=False,
        help="Also type-check with mypy --strict and pyright (off by default).",
    ),
]


@app.command(cls=Command)
def new(
    path: Annotated[
        str, typer.Argument(metavar="PATH", help="Directory to create; its name is the project's.")
    ],
    db: Annotated[
        str,
        typer.Option(
            "--db",
            metavar="DB",
            callback=_database,
            show_default=False,
            help=f"{DATABASES[0]} (the default), {', '.join(DATABASES[1:-1])} or {DATABASES[-1]}.",
        ),
    ] = DATABASES[0],
    description: Annotated[
        str, typer.Option(metavar="TEXT", help="One line about the project.")
    ] = "",
    deploy: Annotated[
        str,
        typer.Option(
            metavar="TARGET",
            show_default=False,
            help="kubernetes: also write manifests (Deployment, Service, migration Job,"
            " autoscaler) in kubernetes/; none (the default): the Dockerfile and compose file.",
        ),
    ] = "none",
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Create a project, install it, and run its tests.

    Example: fastsqla new my-shop --db postgresql
    """
    from fastsqla_cli.new import create_project
    from fastsqla_cli.outcomes import show_new

    started = time.perf_counter()
    project = _running(
        lambda progress: create_project(
            path,
            database=db,
            description=description,
            deploy=deploy,
            check=check,
            python=python,
            types=types,
            report=progress,
        ),
        "interrupted: nothing was left behind; run the command again",
    )
    show_new(project, time.perf_counter() - started, own_venv=python is None)


@app.command("add-model", cls=Command)
def add_model(
    name: Annotated[
        str, typer.Argument(metavar="MODEL", help="Model name: Post, blog_post, BlogPost.")
    ],
    fields: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FIELD...",
            help=f"name:type[:modifier...]. Types: {' '.join(TYPES)} (author:ref:User, "
            "status:enum:draft,published, tags:many:Tag). Modifiers: "
            f"{' '.join(MODIFIERS)} (default: enum; ondelete=cascade|set-null: ref).",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
    table: Annotated[
        str | None,
        typer.Option("--table", metavar="NAME", help="Table name instead of the derived plural."),
    ] = None,
    dry_run: DryRunOption = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Add a model with its schemas, routes, tests and migration.

    When its checks fail, the model is taken out again and the project is as it was.

    Example: fastsqla add-model Post title:str:max=200 body:text author:ref:User
    """

    def add(options: Options) -> Outcome[ModelPlan]:
        from fastsqla_cli.add_model import add_model

        return add_model(project or Path.cwd(), name, fields or [], table=table, **options)

    def headline(added: Outcome[ModelPlan]) -> str:
        model = added.plan.model
        return (
            f"Added [bold]{model.class_name}[/] at {model.route} (table {model.table}): "
            f"{len(added.plan.created())} files created."
        )

    _change_model("add-model", add, headline, _options(project, dry_run, check, python, types))


@app.command("add-field", cls=Command)
def add_field(
    name: Annotated[str, typer.Argument(metavar="MODEL", help="The model: Post.")],
    fields: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FIELD...",
            help="name:type[:modifier...], as for add-model.",
            show_default=False,
        ),
    ] = None,
    default: Annotated[
        list[str] | None,
        typer.Option(
            "--default",
            metavar="FIELD=VALUE",
            help="The value the rows already there get (required for a required field).",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Add fields to a model: its files, and a migration that adds the columns.

    Your edits to the model's files are kept; a required field needs --default.

    Example: fastsqla add-field Post rating:int --default rating=0
    """

    def add(options: Options) -> Outcome[ModelPlan]:
        from fastsqla_cli.add_field import add_field, parse_defaults

        defaults = parse_defaults(default or [])
        return add_field(project or Path.cwd(), name, fields or [], defaults=defaults, **options)

    def headline(added: Outcome[ModelPlan]) -> str:
        edited = len(added.plan.edited())
        return f"Added fields to [bold]{added.plan.model.class_name}[/]: {edited} files edited."

    _change_model("add-field", add, headline, _options(project, dry_run, check, python, types))


@app.command("add-value", cls=Command)
def add_value(
    name: Annotated[str, typer.Argument(metavar="MODEL", help="The model: Post.")],
    field: Annotated[str, typer.Argument(metavar="FIELD", help="Its enum field: status.")],
    values: Annotated[
        list[str] | None,
        typer.Argument(metavar="VALUE...", help="The values to add.", show_default=False),
    ] = None,
    project: ProjectOption = None,
    dry_run: DryRunOption = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Add values to an enum field: its enum class, and a migration for its column.

    Example: fastsqla add-value Post status archived
    """

    def add(options: Options) -> Outcome[ModelPlan]:
        from fastsqla_cli.add_value import add_value

        return add_value(project or Path.cwd(), name, field, values or [], **options)

    def headline(added: Outcome[ModelPlan]) -> str:
        model, edited = added.plan.model.class_name, len(added.plan.edited())
        return f"Added values to [bold]{model}.{field}[/]: {edited} files edited."

    _change_model("add-value", add, headline, _options(project, dry_run, check, python, types))


@app.command("remove-model", cls=Command)
def remove_model(
    name: Annotated[str, typer.Argument(metavar="MODEL", help="The model to remove: Post.")],
    project: ProjectOption = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Delete the model's files even if you changed them."),
    ] = False,
    dry_run: DryRunOption = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Remove a model: its files, and a migration that drops its table.

    Refused when other models refer to it, or when you changed its files (see --force).

    Example: fastsqla remove-model Post
    """

    def remove(options: Options) -> Outcome[ModelPlan]:
        from fastsqla_cli.remove_model import remove_model

        return remove_model(project or Path.cwd(), name, force=force, **options)

    def headline(removed: Outcome[ModelPlan]) -> str:
        model = removed.plan.model
        return (
            f"Removed [bold]{model.class_name}[/]: {len(removed.plan.change.deletes)} files "
            f"deleted, a migration drops the table {model.table}."
        )

    options = _options(project, dry_run, check, python, types)
    _change_model("remove-model", remove, headline, options)


@app.command(cls=Command)
def check(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="The project's directory (default: .).")
    ] = Path("."),
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            help="Run the tests on this database (TEST_DATABASE_URL).",
        ),
    ] = None,
    python: PythonOption = None,
    junit_xml: Annotated[
        Path | None,
        typer.Option("--junit-xml", metavar="FILE", help="Write the test results as JUnit XML."),
    ] = None,
    types: Annotated[
        bool,
        typer.Option(
            "--types/--no-types",
            metavar="",
            show_default=False,
            help="Type-check with mypy --strict and pyright (the default), or skip that.",
        ),
    ] = True,
    fuzz: Annotated[
        bool,
        typer.Option(
            "--fuzz",
            help="Also run schemathesis against the API (the project's fuzz extra).",
        ),
    ] = False,
) -> None:
    """Run a project's tests, ruff, mypy and pyright; exit 0 only when all pass.

    Example: fastsqla check . --database-url postgresql+asyncpg://postgres@localhost/shop_test
    """
    from fastsqla_cli.check import check_project
    from fastsqla_cli.outcomes import show_check

    report = _running(
        lambda progress: check_project(
            directory,
            python=python,
            types=types,
            database_url=database_url,
            junit_xml=junit_xml,
            fuzz=fuzz,
            report=progress,
            on_wait=_waiting,
        )
    )
    show_check(report)


@app.command(cls=Command)
def update(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="The project's directory (default: .).")
    ] = Path("."),
    deploy: Annotated[
        str | None,
        typer.Option(
            metavar="TARGET",
            show_default=False,
            help="Change the deployment as `new --deploy` sets it: kubernetes adds the"
            " manifests in kubernetes/, none takes them out.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the files the update changes; write nothing.")
    ] = False,
    check: CheckOption = True,
    python: PythonOption = None,
    types: TypesOption = False,
) -> None:
    """Bring the project to this fastsqla's template, keeping your changes (copier update).

    Needs the project committed in git. Where the template and you changed the same lines,
    the file keeps both between conflict markers. When the checks fail, the update is
    undone.

    Example: fastsqla update --deploy kubernetes
    """
    from fastsqla_cli.outcomes import show_update
    from fastsqla_cli.update import update_project

    options = _options(None, dry_run, check, python, types)

    def run(progress: Reporter) -> Outcome[Update]:
        reported: Options = {**options, "report": progress}
        return update_project(directory, deploy, **reported)

    if show_update(_running(run)) != 0:
        raise typer.Exit(1)  # conflicts to resolve


def _options(
    project: Path | None, dry_run: bool, check: bool, python: str | None, types: bool
) -> Options:
    """The options the commands that change a model take (`change.Options`)."""
    return {
        "dry_run": dry_run,
        "search_parents": project is None,
        "check": check,
        "python": python,
        "types": types,
        "on_wait": _waiting,
    }


def _change_model(
    command: str,
    change: Callable[[Options], Outcome[ModelPlan]],
    headline: Callable[[Outcome[ModelPlan]], str],
    options: Options,
) -> None:
    """Run a command that changes a model (``change``, given ``options`` and the progress
    report), and show what it did."""
    from fastsqla_cli.outcomes import show_model_change

    outcome = _running(lambda progress: change({**options, "report": progress}))
    show_model_change(command, outcome, headline(outcome))
