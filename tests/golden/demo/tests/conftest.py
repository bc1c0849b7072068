"""Fixtures: one database and one running app for the whole session, emptied after each test.

The database is `TEST_DATABASE_URL` when it is set (the suite drops and recreates every
table in it), otherwise a temporary SQLite file.
"""

import os
from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from demo.database import make_engine
from demo.main import create_app
from demo.models import Base
from demo.settings import Settings


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return url or f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def empty(connection: Connection) -> None:
    """Drop every table of the models, and Alembic's record of the revision."""
    Base.metadata.drop_all(connection)
    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(empty)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(empty)
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
    async with engine.begin() as connection:
        # MySQL checks foreign keys row by row: without this, a table whose rows refer to
        # each other could not be emptied in one statement.
        mysql = connection.dialect.name == "mysql"
        if mysql:
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
        if mysql:
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
