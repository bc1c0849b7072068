"""The database: the models' base class, the engine, the session maker, and the
dependencies that give a request its connection and its session; with `DATABASE_READ_URL`,
the read replica's engine, from which the read routes take their connection.

Outside a request (a script, a background task, a test), open a session from the session
maker, as SQLAlchemy's documentation does::

    async with async_session() as session:
        session.add(User(name="Ada", email="ada@example.com"))
        await session.commit()
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from fastapi import Request
from sqlalchemy import MetaData
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from demo import pgbouncer
from demo import sqlite
from demo import timeouts
from demo.connection_queue import ConnectionQueue
from demo.idle_ping import ping_when_idle
from demo.settings import Settings

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


def make_engine(settings: Settings, url_text: str | None = None) -> AsyncEngine:
    """The engine of `DATABASE_URL` (or of `url_text`): a pool of `DATABASE_POOL_SIZE`
    connections, and `DATABASE_MAX_OVERFLOW` more at a busy moment, waited for at most
    `DATABASE_QUEUE_TIMEOUT` seconds; connecting and statements bounded (see `timeouts`)."""
    url = make_url(url_text or settings.database_url)
    if url.get_backend_name() == "sqlite":
        return sqlite.create_engine(url, settings)
    connect, statement = settings.database_connect_timeout, settings.database_statement_timeout
    connect_args = timeouts.connect_args(url, connect, statement)
    if settings.database_pooler == "pgbouncer":
        connect_args |= pgbouncer.connect_args()
    engine = create_async_engine(
        url,
        echo=settings.database_echo,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_queue_timeout,
        connect_args=connect_args,
    )
    timeouts.bound_statements(engine, statement)
    if url.get_backend_name() == "postgresql" and settings.database_pooler == "none":
        pgbouncer.explain_mixed_up_statements(engine)
    ping_when_idle(engine)
    return engine


def make_read_engine(settings: Settings, engine: AsyncEngine) -> AsyncEngine:
    """The engine of the read replica, `DATABASE_READ_URL`; without one, `engine`."""
    if settings.database_read_url is None:
        return engine
    return make_engine(settings, settings.database_read_url)


settings = Settings.from_environment()
engine = make_engine(settings)
read_engine = make_read_engine(settings, engine)
async_session = async_sessionmaker(engine, expire_on_commit=False)


async def get_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """The request's one connection, from the app's connection queue. FastAPI runs this
    once per request, so a route that takes `ConnectionDep` and `SessionDep` holds one
    connection. What the request began and did not commit is rolled back when the
    connection goes back to the pool."""
    queue: ConnectionQueue = request.state.connection_queue
    async with queue.connect() as connection:
        yield connection


ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]
"""A connection for reads through Core: no session, no ORM object to build and track."""


async def get_read_connection(request: Request) -> AsyncIterator[AsyncConnection]:
    """A connection of the read replica (`DATABASE_READ_URL`), from its own queue; without
    a replica, of `DATABASE_URL`. A route takes it instead of `ConnectionDep`, not with it:
    each holds a connection of its own."""
    queue: ConnectionQueue = request.state.read_queue
    async with queue.connect() as connection:
        yield connection


ReadConnectionDep = Annotated[AsyncConnection, Depends(get_read_connection)]
"""A connection for reads that may lag behind the last writes by the replication delay:
the generated list and get routes take it. A route that must see what was just written
takes `ConnectionDep`."""


async def get_session(connection: ConnectionDep) -> AsyncIterator[AsyncSession]:
    """The request's session, from the session maker, on the request's connection: rolled
    back if the request fails, always closed. Its commit and rollback also cover what the
    route did on `ConnectionDep` (`control_fully`): the two are one unit of work."""
    async with async_session(bind=connection, join_transaction_mode="control_fully") as session:
        try:
            yield session
        except Exception:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]
