"""Fixtures: one database and one running app per test process, and each test inside a
transaction that is rolled back when it ends.

The database is `TEST_DATABASE_URL` when it is set (the suite drops and recreates every
table in it), otherwise a temporary SQLite file. Under pytest-xdist (`pytest -n 2`) each
worker gets a database of its own beside it, named after it (`..._gw0`), made when the
worker starts and dropped when it ends. `pytest_configure` names the database in
`DATABASE_URL` before any test imports the app, so `database.engine` and `async_session`
use it too; the fixtures import the app for that reason.

A test that takes `client` (or `connection`) runs on one connection, in one transaction
that is rolled back at its end, as SQLAlchemy's documentation on joining a session into
an external transaction shows: the app's requests use that connection, and their commits
are savepoints inside the transaction; `async_session` is bound to it too, so code that
opens a session of its own joins it. Below the transaction are only the rows the test
data shares (`shared_rows`, one per model that another refers to, committed once). No
table is ever emptied, so a test costs the same however many models the project has.
"""

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncGenerator
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import pytest
from alembic.config import Config
from asgi_lifespan import LifespanManager
from httpx import ASGITransport
from httpx import AsyncClient
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from starlette.types import ASGIApp

# The test data's modules are not tests, whatever their model is called (`test_run.py`).
collect_ignore = ["factories"]


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        directory = tempfile.mkdtemp(prefix="demo-tests-")
        config.add_cleanup(partial(shutil.rmtree, directory, ignore_errors=True))
        url = f"sqlite+aiosqlite:///{directory}/test.db"
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        url, drop = database_beside(url, worker)
        config.add_cleanup(drop)
    os.environ["DATABASE_URL"] = url


def database_beside(url: str, suffix: str) -> tuple[str, Callable[[], None]]:
    """A database of its own beside the one of `url`, named with `suffix` (`test_gw0.db`,
    `app_test_migrations`), made empty now; and the function that drops it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        name = f"{parsed.database}_{suffix}"
        asyncio.run(recreate_database(url, name))

        def drop() -> None:
            asyncio.run(recreate_database(url, name, create=False))

        return parsed.set(database=name).render_as_string(hide_password=False), drop
    if parsed.database in (None, "", ":memory:"):
        directory = tempfile.mkdtemp(prefix="demo-tests-")
        path = Path(directory) / f"{suffix}.db"

        def drop() -> None:
            shutil.rmtree(directory, ignore_errors=True)

    else:
        given = Path(parsed.database)
        path = given.with_name(f"{given.stem}_{suffix}{given.suffix}")

        def drop() -> None:
            for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
                path.with_name(name).unlink(missing_ok=True)

    drop()
    return parsed.set(database=str(path)).render_as_string(hide_password=False), drop


async def recreate_database(server_url: str, name: str, *, create: bool = True) -> None:
    """Drop the database `name` on the server of `server_url`, then (with `create`) make it
    anew."""
    engine = create_async_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    quoted = engine.dialect.identifier_preparer.quote(name)
    force = " WITH (FORCE)" if engine.dialect.name == "postgresql" else ""
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}{force}")
            if create:
                await connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    finally:
        await engine.dispose()


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
def alembic_engine(database_url: str) -> Iterator[AsyncEngine]:
    """pytest-alembic's engine, on a database of its own (`..._migrations`): the migration
    tests take every table down and up again."""
    url, drop = database_beside(database_url, "migrations")
    yield create_async_engine(url, poolclass=NullPool)
    drop()


@pytest.fixture
def alembic_config() -> Config:
    from demo.migrations import alembic_config

    return alembic_config()


@pytest.fixture(scope="session")
async def app(engine: AsyncEngine) -> AsyncIterator[ASGIApp]:
    from demo.main import app

    # The lifespan creates the tables, once for the session.
    async with LifespanManager(app) as manager:
        yield manager.app


@asynccontextmanager
async def one_transaction(engine: AsyncEngine) -> AsyncGenerator[AsyncConnection, None]:
    """A connection in one transaction, which the app's requests and `async_session` use
    while it lasts, their commits releasing savepoints in it; rolled back at the end
    unless the caller commits it."""
    from demo import main
    from demo.database import async_session
    from demo.database import get_connection
    from demo.database import get_read_connection
    from demo.database import get_session

    async def session_in_the_transaction() -> AsyncIterator[AsyncSession]:
        async with async_session() as session:
            yield session

    async with engine.connect() as connection:
        transaction = await connection.begin()
        if connection.dialect.name == "sqlite":
            # SQLite's driver would begin the transaction only at the first write, and
            # let the first savepoint's release commit: begin it now.
            await connection.exec_driver_sql("BEGIN")
        async_session.configure(bind=connection, join_transaction_mode="create_savepoint")
        main.app.dependency_overrides[get_connection] = lambda: connection
        main.app.dependency_overrides[get_read_connection] = lambda: connection
        main.app.dependency_overrides[get_session] = session_in_the_transaction
        try:
            yield connection
        finally:
            main.app.dependency_overrides.clear()
            async_session.configure(bind=engine, join_transaction_mode="conservative_savepoint")
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture(scope="session")
async def shared_rows(app: ASGIApp, engine: AsyncEngine) -> None:
    """The rows the test data refers to, made in one transaction and committed once for
    the run (see `tests.factories.SharedRows`)."""
    from tests.factories import SHARED

    async with (
        one_transaction(engine) as connection,
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client,
    ):
        await SHARED.seed(client)
        await connection.commit()


@pytest.fixture
async def connection(
    app: ASGIApp, engine: AsyncEngine, shared_rows: None
) -> AsyncIterator[AsyncConnection]:
    """The test's connection, in a transaction rolled back at the test's end."""
    async with one_transaction(engine) as connection:
        yield connection


@pytest.fixture
async def client(app: ASGIApp, connection: AsyncConnection) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        yield client
