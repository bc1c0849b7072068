"""The database layer: the declarative base, the engine, the per-request session and
connection."""

import asyncio
import math
import sqlite3
import time
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from logging import getLogger
from typing import Annotated
from typing import Any

from fastapi import Depends
from fastapi import HTTPException
from fastapi import Request
from fastapi import status
from sqlalchemy import MetaData
from sqlalchemy import event
from sqlalchemy import make_url
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.pool import NullPool
from sqlalchemy.pool import QueuePool
from sqlalchemy.pool import StaticPool

from demo.errors import ErrorBody

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
    async with engine.connect() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(7266432001)"))
        elif dialect in ("mysql", "mariadb"):
            await connection.execute(text("SELECT GET_LOCK('prepare_schema', 60)"))
        elif dialect == "sqlite":
            # SQLite changes a table by copying it, then dropping the old one: with foreign
            # keys on, that drop would delete the rows other tables refer to. They are off
            # for this transaction only (SQLite reads the setting outside transactions).
            await connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            await connection.run_sync(prepare)
            await connection.commit()
        finally:
            if dialect in ("mysql", "mariadb"):
                await connection.execute(text("SELECT RELEASE_LOCK('prepare_schema')"))
            elif dialect == "sqlite":
                await connection.rollback()  # nothing is left to roll back once committed
                await connection.exec_driver_sql("PRAGMA foreign_keys = ON")


# The async drivers the generated code is written for (integrity.py reads their errors).
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg", "mysql+aiomysql", "mariadb+aiomysql")
USE_A_DRIVER = "begin it with sqlite+aiosqlite, postgresql+asyncpg or mysql+aiomysql"


class DatabaseURLError(Exception):
    """`DATABASE_URL` does not lead to a usable database; the message says what to change."""


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> AsyncEngine:
    """The application's engine; on SQLite, every connection gets the pragmas a web app needs.

    Raises `DatabaseURLError` when the URL names none of `DRIVERS` or its driver is not
    installed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseURLError(f"DATABASE_URL is not a database URL: {USE_A_DRIVER}") from None
    if parsed.drivername not in DRIVERS:
        raise DatabaseURLError(
            f"DATABASE_URL begins with {parsed.drivername}, not with an async driver this app"
            f" is written for: {USE_A_DRIVER}"
        )
    try:
        return _create_engine(parsed, echo=echo, pool_size=pool_size)
    except ImportError:
        driver = parsed.get_driver_name()
        message = f"DATABASE_URL needs the {driver} driver, which is not installed"
        raise DatabaseURLError(f"{message}: pip install {driver}") from None


def _create_engine(url: URL, *, echo: bool, pool_size: int) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        if _in_memory(url):
            # The database lives inside its one connection: every request shares that one.
            engine = create_async_engine(url, echo=echo, poolclass=StaticPool)
        else:
            # Two connections per process. An aiosqlite connection runs each query on a
            # thread of its own and hands the result back to the event loop; with two, one
            # can run a query while the other's result is on its way. More only add threads
            # competing for the GIL. Writers take turns: SQLite lets one in at a time, the
            # other waits.
            engine = create_async_engine(url, echo=echo, pool_size=2, max_overflow=0)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A fixed pool, no overflow: each process holds at most `pool_size` connections, so
    # processes x pool_size is the most the server ever sees, and a burst waits for a free
    # connection instead of opening and closing extra ones. One Python process cannot keep
    # many more queries busy; extra connections only add server processes competing for
    # the CPU.
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=0)
    _ping_when_idle(engine)
    return engine


# A connection that waited this many seconds in the pool is tested before a request uses it.
IDLE_BEFORE_PING = 1.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Test a connection that sat idle in the pool before a request gets it.

    An idle connection may have died in the pool: the server restarted, or a proxy or
    firewall dropped it. SQLAlchemy's `pool_pre_ping` tests every connection it hands out,
    one more round trip for every request; this tests only one that waited
    `IDLE_BEFORE_PING` seconds, so a busy app tests none. A dead one makes the pool
    reconnect, as `pool_pre_ping` does: the request gets a new connection, and so do the
    requests after it in place of the others the pool held.
    """
    dialect = engine.dialect

    def returned(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info["returned_at"] = time.monotonic()

    def taken(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        returned_at = entry.info.pop("returned_at", None)
        if returned_at is None or time.monotonic() - returned_at < IDLE_BEFORE_PING:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise InvalidatePoolError(str(error)) from error
            raise
        if not alive:  # a dialect may answer False instead of raising
            raise InvalidatePoolError("the connection did not answer a ping")

    event.listen(engine.sync_engine, "checkin", returned)
    event.listen(engine.sync_engine, "checkout", taken)


async def check_database(engine: AsyncEngine, seconds: float = 10.0) -> None:
    """Connect once and run a query within `seconds`, or raise `DatabaseURLError` saying
    what to fix."""
    url = engine.url
    where = f"{url.host or 'localhost'}:{url.port}" if url.port else url.host or "localhost"
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        raise DatabaseURLError(
            f"DATABASE_URL: {where} did not answer within {seconds:g} s: check the host and"
            " port in DATABASE_URL and that the server accepts connections"
        ) from None
    except (OSError, DBAPIError) as error:
        raise DatabaseURLError(_explain(url, where, error)) from None


async def ping(engine: AsyncEngine, seconds: float) -> bool:
    """Whether the database answers a query within `seconds`, on a connection of its own
    outside the pool: it never waits behind requests that hold every pooled connection."""
    side = create_async_engine(engine.url, poolclass=NullPool)
    try:
        async with asyncio.timeout(seconds), side.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (TimeoutError, OSError, SQLAlchemyError):
        return False
    finally:
        await side.dispose()
    return True


def _explain(url: URL, where: str, error: OSError | DBAPIError) -> str:
    """One line: what went wrong on the first connection, and what to change."""
    original: BaseException = error
    if isinstance(error, DBAPIError) and error.orig is not None:
        original = error.orig
    found = (getattr(original, "sqlstate", None), *original.args[:1])  # the driver's codes
    codes = {code for code in found if isinstance(code, int | str)}
    reason = (str(original) or type(original).__name__).splitlines()[0]
    if url.get_backend_name() == "sqlite":
        return (
            f"DATABASE_URL: cannot open the SQLite file {url.database} ({reason}):"
            " point DATABASE_URL at a file in a directory that exists and is writable"
        )
    if isinstance(original, OSError) or codes & {2003, 2005}:  # MySQL: cannot connect
        return (
            f"DATABASE_URL: cannot reach the database server at {where} ({reason}):"
            " start it, or correct the host and port in DATABASE_URL"
        )
    if codes & {"3D000", 1049}:  # PostgreSQL's and MySQL's "unknown database"
        return (
            f"DATABASE_URL: the database {url.database} does not exist on {where}: create"
            f" it (CREATE DATABASE {url.database}) or point DATABASE_URL at one that exists"
        )
    return (
        f"DATABASE_URL: {where} refused the connection ({reason}): check the user,"
        " password and database name in DATABASE_URL"
    )


def _in_memory(url: URL) -> bool:
    """No file behind the URL: no database name, `:memory:`, or a `mode=memory` URI."""
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    # Wait for a lock instead of failing at once, enforce foreign keys, and fsync less
    # often (safe with WAL).
    cursor = dbapi_connection.cursor()
    for pragma in ("busy_timeout = 5000", "foreign_keys = ON", "synchronous = NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    _use_wal(cursor)
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Let readers work while one writer writes: the WAL journal.

    The database file keeps the setting, so only the first connection to a new file
    switches it. When several do so at the same moment (workers starting together), SQLite
    refuses all but one at once instead of making them wait: each of the others waits for
    the write lock, which comes free once the switch is done, and then finds it done.
    """
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        cursor.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout
        cursor.execute("ROLLBACK")
        cursor.execute("PRAGMA journal_mode = WAL")


class DatabaseBusy(Exception):
    """No connection came free within the queue's timeout."""


class DatabaseUnreachable(Exception):
    """The pool had to open a connection and the database did not accept it."""


class ConnectionQueue:
    """Requests wait here for one of the pool's connections, in the order they ask, for at
    most `timeout` seconds.

    SQLAlchemy's pool lets a request that asks just as a connection comes back take it
    ahead of those already waiting (sqlalchemy#7679), so under load a few requests would
    wait for seconds. Queueing here first, one slot per pooled connection, each request
    then finds a connection free; one that cannot get a slot in time raises `DatabaseBusy`
    instead of waiting without bound."""

    def __init__(self, engine: AsyncEngine, timeout: float) -> None:
        pool = engine.sync_engine.pool
        self.engine = engine
        self.timeout = timeout
        self.size = pool.size() if isinstance(pool, QueuePool) else 1
        self._slots = asyncio.Semaphore(self.size)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        """A connection of the pool, once a slot is free; `DatabaseBusy` after `timeout`,
        `DatabaseUnreachable` when the pool cannot open one (the database is down)."""
        # A timer only when every slot is taken: a free slot is acquired without waiting.
        try:
            async with asyncio.timeout(self.timeout if self._slots.locked() else None):
                await self._slots.acquire()
        except TimeoutError:
            raise DatabaseBusy from None
        connected = False
        try:
            async with self.engine.connect() as connection:
                connected = True
                yield connection
        except (OSError, DBAPIError) as error:
            if connected:  # the request's own error: the caller's to handle
                raise
            reason = error.orig if isinstance(error, DBAPIError) else error
            raise DatabaseUnreachable(reason) from error
        finally:
            self._slots.release()


# What every route that uses the database may answer besides its own statuses; `create_app`
# gives it to the whole app (`FastAPI(responses=...)`), so routes added by hand get it too.
DATABASE_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "model": ErrorBody,
        "description": "Every database connection stayed busy for `DATABASE_QUEUE_TIMEOUT`"
        " seconds, or the database could not be reached or closed the request's connection"
        " (a restart, a failover): retry after `Retry-After` seconds",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying",
                "schema": {"type": "integer"},
            }
        },
    }
}


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """The request's one connection, from the queue: 503 Service Unavailable, with
    `Retry-After`, when none comes free in time, when the database cannot be reached, or
    when it closes the connection while the request uses it (the pool then lets go of it,
    so a retry gets a new one). FastAPI runs this once per request, so a route that takes
    `ConnectionDep` and `SessionDep` (which is bound to this connection) holds one
    connection. What the request began and did not commit is rolled back when the
    connection goes back to the pool."""
    queue: ConnectionQueue = request.state.connection_queue
    try:
        async with queue.connect() as connection:
            yield connection
    except DatabaseBusy:
        detail = "The database is busy: no connection came free in time"
        raise _unavailable(detail, retry_after=queue.timeout) from None
    except DatabaseUnreachable as error:
        getLogger(__name__).warning("The database cannot be reached: %s", error)
        raise _unavailable("The database cannot be reached: retry") from None
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        getLogger(__name__).warning("The database closed a connection in use: %s", error.orig)
        raise _unavailable("The database closed the connection: retry") from None


def _unavailable(detail: str, retry_after: float = 1) -> HTTPException:
    """503 Service Unavailable, with the whole seconds to wait in `Retry-After`."""
    seconds = max(1, math.ceil(retry_after))
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, detail, headers={"Retry-After": str(seconds)}
    )


ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]
"""A connection for reads through Core: no session, no ORM object to build and track."""


async def get_session(connection: ConnectionDep) -> AsyncIterator[AsyncSession]:
    """One session per request, on the request's connection: rolled back if the request
    fails, always closed. Its commit and rollback also cover what the route did on
    `ConnectionDep` (`control_fully`): the two are one unit of work."""
    async with AsyncSession(
        bind=connection, expire_on_commit=False, join_transaction_mode="control_fully"
    ) as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]
