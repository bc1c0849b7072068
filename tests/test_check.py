"""`fastsqla check --database-url` takes exactly the URLs the generated app takes, and
refuses in one line a database its tests could not use."""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fastsqla_cli.cli import app
from fastsqla_cli.database_url import validate_database_url
from fastsqla_cli.databases import ASYNC_DRIVERS, DATABASES
from fastsqla_cli.errors import UsageError
from fastsqla_cli.new import create_project
from tests.servers import required_server

TEMPLATE = Path(__file__).parents[1] / "templates" / "project"
SETTINGS = TEMPLATE / "template" / "{{ package }}" / "settings.py.jinja"
COPIER = TEMPLATE / "copier.yml"


def app_drivers() -> set[str]:
    """`DRIVERS` of the generated app's settings, read from the template (a Jinja file: its
    line, not the module, is Python)."""
    line = re.search(r"^DRIVERS = (.+)$", SETTINGS.read_text(encoding="utf-8"), re.MULTILINE)
    assert line is not None, f"no DRIVERS in {SETTINGS}"
    return set(ast.literal_eval(line.group(1)))


def test_the_cli_offers_the_databases_of_the_template() -> None:
    question = yaml.safe_load(COPIER.read_text(encoding="utf-8"))["database"]
    assert tuple(question["choices"]) == DATABASES and question["default"] == DATABASES[0]
    assert {driver.partition("+")[0] for driver in app_drivers()} <= {*DATABASES, "mariadb"}
    new_help = CliRunner().invoke(app, ["new", "--help"], terminal_width=200).stdout
    assert f"{DATABASES[0]} (the default), {DATABASES[1]} or {DATABASES[2]}." in new_help


def test_check_takes_the_drivers_of_the_app() -> None:
    ours = {
        f"{backend}+{driver}" for backend, drivers in ASYNC_DRIVERS.items() for driver in drivers
    }
    assert ours == app_drivers()


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://u@h/db", "mysql+asyncmy://u@h/db", "sqlite:///x.db"]
)
def test_a_driver_the_app_refuses_is_refused_first(url: str) -> None:
    with pytest.raises(UsageError, match="needs the app's async driver"):
        validate_database_url(url)


@pytest.mark.parametrize("driver", sorted(app_drivers()))
def test_every_driver_of_the_app_is_taken(driver: str) -> None:
    url = f"{driver}://user@host/db"
    assert validate_database_url(url) == url


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("kind", "database", "reason"),
    [
        (
            "postgresql",
            "fastsqla_no_such_database",
            'database "fastsqla_no_such_database" does not exist',
        ),
        ("mysql", "fastsqla_no_such_database", "Unknown database 'fastsqla_no_such_database'"),
    ],
)
def test_a_database_the_tests_cannot_use_is_refused_in_one_line(
    tmp_path: Path, kind: str, database: str, reason: str
) -> None:
    target = required_server(kind)
    project = create_project(tmp_path / "shop").root
    result = CliRunner().invoke(
        app,
        ["check", str(project), "--python", sys.executable, "--database-url", target.url(database)],
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and reason in result.stderr, result.stderr
