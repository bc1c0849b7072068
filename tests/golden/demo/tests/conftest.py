"""Fixtures: one database and one running app for the whole session, emptied after each test.

The database is `TEST_DATABASE_URL` when it is set (the suite drops and recreates every
table in it), otherwise a temporary SQLite file.
"""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from demo.database import make_engine
from demo.main import create_app
from demo.settings import Settings

from tests.tables import drop_tables
from tests.tables import empty_tables


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
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return url or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(drop_tables)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(drop_tables)
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(engine: AsyncEngine, database_url: str) -> AsyncIterator[ASGIApp]:
    # The lifespan creates the tables, once for the session.
    app = create_app(Settings(database_url=database_url, database_pool_size=5))
    async with LifespanManager(app) as manager:
        yield manager.app


@pytest.fixture
async def client(app: ASGIApp, engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
    await empty_tables(engine)
