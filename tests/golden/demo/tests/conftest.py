"""Fixtures: one database and one running app for the whole session, emptied after each test.

The database is `TEST_DATABASE_URL` when it is set (the suite drops and recreates every
table in it), otherwise a temporary SQLite file. `pytest_configure` names it in
`DATABASE_URL` before any test imports the app, so `database.engine` and `async_session`
use it too; the fixtures import the app for that reason.
"""

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        directory = tempfile.mkdtemp(prefix="demo-tests-")
        config.add_cleanup(partial(shutil.rmtree, directory, ignore_errors=True))
        url = f"sqlite+aiosqlite:///{directory}/test.db"
    os.environ["DATABASE_URL"] = url


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The contract test is collected only by `pytest -m fuzz`: it needs the `fuzz` extra
    and takes seconds to collect."""
    if collection_path.name == "test_api_contract.py":
        return bool(config.getoption("markexpr") != "fuzz")
    return None


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url() -> str:
    return os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[AsyncEngine]:
    from demo.database import engine

    from tests.tables import drop_tables

    async with engine.begin() as connection:
        await connection.run_sync(drop_tables)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(drop_tables)
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(engine: AsyncEngine) -> AsyncIterator[ASGIApp]:
    from demo.main import app

    # The lifespan creates the tables, once for the session.
    async with LifespanManager(app) as manager:
        yield manager.app


@pytest.fixture
async def client(app: ASGIApp, engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    from tests.tables import empty_tables

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
    await empty_tables(engine)
