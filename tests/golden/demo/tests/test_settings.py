"""Settings that change how the app is built (CORS, the log level), and the one line a
value the app cannot use stops it with."""

import logging

import pytest
from httpx import ASGITransport
from httpx import AsyncClient
from pydantic import ValidationError

from demo.main import create_app
from demo.settings import Settings

pytestmark = pytest.mark.anyio

PREFLIGHT = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}


@pytest.mark.parametrize(
    ("origins", "allowed"), [([], None), (["https://app.example"], "https://app.example")]
)
async def test_cors_origins(origins: list[str], allowed: str | None) -> None:
    app = create_app(Settings(cors_origins=origins))
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        response = await client.options("/health", headers=PREFLIGHT)
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_the_log_level_applies_to_the_app_loggers() -> None:
    create_app(Settings.model_validate({"log_level": "debug"}))
    assert logging.getLogger("demo").level == logging.DEBUG
    create_app(Settings())
    assert logging.getLogger("demo").level == logging.INFO


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: Input should be 'DEBUG', 'INFO'"),
        ("DATABASE_QUEUE_TIMEOUT", "0", "DATABASE_QUEUE_TIMEOUT: Input should be greater than 0"),
        ("DATABASE_STATEMENT_TIMEOUT", "-1", "DATABASE_STATEMENT_TIMEOUT: Input should be greater"),
        ("CORS_ORIGINS", "https://app.example", '"cors_origins"'),
        ("DATABASE_URL", "sqlite:///app.db", "DATABASE_URL: begins with sqlite, not with an"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: not a database URL: begin it with"),
        ("DATABASE_URL", "mysql+pymysql://root@localhost/app", "mysql+pymysql, not with"),
    ],
)
def test_a_setting_the_app_cannot_use_stops_it_with_one_line(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit) as stopped:
        Settings.from_environment()
    line = str(stopped.value.code)
    assert line.startswith("error: invalid settings: ") and message in line
    assert "\n" not in line


def test_the_pgbouncer_setting_needs_postgresql() -> None:
    with pytest.raises(ValidationError, match="pgbouncer needs a postgresql"):
        Settings(database_url="sqlite+aiosqlite:///app.db", database_pooler="pgbouncer")


def test_sqlite_has_no_read_replica() -> None:
    with pytest.raises(ValidationError, match="SQLite has no read replicas"):
        Settings(
            database_url="sqlite+aiosqlite:///app.db",
            database_read_url="sqlite+aiosqlite:///copy.db",
        )


def test_an_empty_read_url_means_no_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_READ_URL", "")
    assert Settings().database_read_url is None
