"""SQLite set-up: what a web app needs from SQLite that its defaults do not give.

Every connection enforces foreign keys (off by default), waits for a lock instead of
failing at once, and uses the WAL journal, so readers work while one writer writes. Two
connections per process serve the most: with aiosqlite each query runs on a thread of
its own, and more only add threads competing for the GIL (fastsqla's `bench/README.md`).
Without it: `create_async_engine(url)` and the `connect` event of SQLAlchemy's SQLite
documentation for the foreign keys; the WAL race below would then fail workers that
open a new file together.
"""

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import StaticPool

from demo.settings import Settings

POOL_SIZE = 2


def create_engine(url: URL, settings: Settings) -> AsyncEngine:
    """The engine of a SQLite database: the settings' pool, at most `POOL_SIZE` kept."""
    if url.database in (None, "", ":memory:") or url.query.get("mode") == "memory":
        # The database lives inside its one connection: every request shares that one.
        engine = create_async_engine(url, echo=settings.database_echo, poolclass=StaticPool)
    else:
        engine = create_async_engine(
            url,
            echo=settings.database_echo,
            pool_size=min(settings.database_pool_size, POOL_SIZE),
            max_overflow=settings.database_max_overflow,
            pool_timeout=settings.database_queue_timeout,
        )
    event.listen(engine.sync_engine, "connect", set_pragmas)
    return engine


def set_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in ("busy_timeout = 5000", "foreign_keys = ON", "synchronous = NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    try:
        cursor.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as error:
        # The file keeps the setting, so only the first connection to a new file switches
        # it. When several try at the same moment, SQLite refuses all but one at once
        # instead of making them wait: wait for the write lock, then find it done.
        if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        cursor.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout
        cursor.execute("ROLLBACK")
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()
