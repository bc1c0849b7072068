"""The database layer: the declarative base, the engine, the per-request session and
connection."""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Callable
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import Request
from sqlalchemy import MetaData
from sqlalchemy import event
from sqlalchemy import make_url
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.pool import QueuePool
from sqlalchemy.pool import StaticPool

# Stable constraint names, the same on every database and in every migration.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model: each table gets an integer primary key `id`."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    id: Mapped[int] = mapped_column(primary_key=True)


async def prepare_schema(engine: AsyncEngine, prepare: Callable[[Connection], None]) -> None:
    """Run ``prepare`` (see `migrations.bring_up_to_date`) in one transaction, under a lock.

    Several workers may start at once: each takes the lock first, so one brings the schema
    up to date and the others then find it so.
    """
    async with engine.begin() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(7266432001)"))
        elif dialect in ("mysql", "mariadb"):
            await connection.execute(text("SELECT GET_LOCK('prepare_schema', 60)"))
        elif dialect == "sqlite":
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            await connection.run_sync(prepare)
        finally:
            if dialect in ("mysql", "mariadb"):
                await connection.execute(text("SELECT RELEASE_LOCK('prepare_schema')"))


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> AsyncEngine:
    """The application's engine; on SQLite, every connection gets the pragmas a web app needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if _in_memory(parsed):
            # The database lives inside its one connection: every request shares that one.
            engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
        else:
            # Two connections per process. An aiosqlite connection runs each query on a
            # thread of its own and hands the result back to the event loop; with two, one
            # can run a query while the other's result is on its way. A third only adds a
            # thread competing for the GIL (GET by id: a quarter more requests per second
            # with two, none more with three). Writers take turns: SQLite lets one in at a
            # time, the other waits.
            engine = create_async_engine(url, echo=echo, pool_size=2, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A fixed pool, no overflow: each process holds at most `pool_size` connections, so
    # processes x pool_size is the most the server ever sees, and a burst waits for a free
    # connection instead of opening and closing extra ones. One Python process cannot keep
    # many more queries busy; extra connections only add server processes competing for
    # the CPU (on 2 cores, 5 served more requests per second than 10 + 10 overflow).
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=0, pool_pre_ping=True
    )


def _in_memory(url: URL) -> bool:
    """No file behind the URL: no database name, `:memory:`, or a `mode=memory` URI."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    # Enforce foreign keys, let readers work while one writer writes, wait for a lock
    # instead of failing at once, and fsync less often (safe with WAL).
    cursor = dbapi_connection.cursor()
    for pragma in (
        "foreign_keys = ON",
        "journal_mode = WAL",
        "synchronous = NORMAL",
        "busy_timeout = 5000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def connection_slots(engine: AsyncEngine) -> asyncio.Semaphore:
    """One slot per pooled connection, handed out in the order requests ask for them.

    SQLAlchemy's pool lets a request that asks just as a connection comes back take it
    ahead of those already waiting (sqlalchemy#7679), so under load a few requests wait for
    seconds. Queueing here first, in order, each then finds a connection free."""
    pool = engine.sync_engine.pool
    return asyncio.Semaphore(pool.size() if isinstance(pool, QueuePool) else 1)


async def connection_slot(request: Request) -> AsyncIterator[None]:
    """Wait for one of the connection slots. FastAPI runs this once per request however
    many dependencies ask for it, so a route with a session and a connection takes one."""
    slots: asyncio.Semaphore = request.state.connection_slots
    async with slots:
        yield


SlotDep = Annotated[None, Depends(connection_slot)]


async def get_session(request: Request, _slot: SlotDep) -> AsyncIterator[AsyncSession]:
    """One session per request: rolled back if the request fails, always closed."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_connection(request: Request, _slot: SlotDep) -> AsyncIterator[AsyncConnection]:
    """One connection per request, for reads through Core: no session, no ORM object to
    build and track. What it began is rolled back when it goes back to the pool. A route
    takes this or `SessionDep`, not both: it would hold two connections for one slot."""
    engine: AsyncEngine = request.state.engine
    async with engine.connect() as connection:
        yield connection


ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]
