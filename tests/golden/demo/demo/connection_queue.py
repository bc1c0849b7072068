"""The connection queue: requests get the pool's connections in the order they ask, wait
at most `DATABASE_QUEUE_TIMEOUT` seconds, and hold one no longer than `timeouts` allows.

What it buys: SQLAlchemy's pool lets a request that asks just as a connection comes back
take it ahead of those already waiting (sqlalchemy#7679), so under load a few requests
wait for seconds. Here requests first wait for a slot, in order, one slot per connection
the pool may open (its size and its overflow); a request with a slot then finds a
connection free. fastsqla's `bench/README.md` has the figures.

Every request's connection comes through here (`database.get_connection`). Work outside a
request (`async_session()`, `engine.connect()`) takes the pool's connections directly, not
in line, but never waits longer than the engine's `pool_timeout`, the same
`DATABASE_QUEUE_TIMEOUT`. Without the queue: `get_connection` would use `engine.connect()`,
and `pool_timeout` alone would bound the wait.
"""

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from logging import getLogger

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from demo.errors import DatabaseBusy
from demo.errors import DatabaseTimeout
from demo.errors import DatabaseUnavailable
from demo.settings import Settings
from demo.timeouts import GRACE
from demo.timeouts import NO_ANSWER
from demo.timeouts import Watchdog

logger = getLogger(__name__)
BUSY = "The database is busy: no connection came free in time"


class ConnectionQueue:
    """The way requests get a connection of ``engine``'s pool, first come first served,
    with the bounds of ``settings``."""

    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        pool = engine.sync_engine.pool
        self.engine = engine
        self.timeout = settings.database_queue_timeout
        self.connect_timeout = settings.database_connect_timeout
        self.hold_timeout: float | None = settings.database_statement_timeout + GRACE
        if engine.dialect.name == "sqlite":  # a file does not stop answering
            self.hold_timeout = None
        overflow = settings.database_max_overflow
        self.size = pool.size() + overflow if isinstance(pool, QueuePool) else 1
        self._slots = asyncio.Semaphore(self.size)  # it wakes its waiters in order

    @asynccontextmanager
    async def connect(self) -> AsyncGenerator[AsyncConnection, None]:
        """A connection of the pool. Raises `DatabaseBusy` when none comes free within
        `timeout`; `DatabaseUnavailable` when the database cannot be reached within
        `connect_timeout` or closes the connection while the request uses it (the pool then
        replaces it); `DatabaseTimeout` when it stops answering (see `timeouts`)."""
        try:  # a timer only when every slot is taken: a free one is acquired at once
            async with asyncio.timeout(self.timeout if self._slots.locked() else None):
                await self._slots.acquire()
        except TimeoutError:
            raise DatabaseBusy(BUSY, retry_after=self.timeout) from None
        try:
            try:
                async with asyncio.timeout(self.connect_timeout):
                    connection = await self.engine.connect()
            except PoolTimeout:  # taken by work outside a request: see above
                raise DatabaseBusy(BUSY, retry_after=self.timeout) from None
            except (TimeoutError, OSError, DBAPIError) as error:
                reason = _reason(error) or f"no answer within {self.connect_timeout:g} s"
                logger.warning("The database cannot be reached: %s", reason)
                raise DatabaseUnavailable("The database cannot be reached: retry") from None
            raw = await connection.get_raw_connection()
            watchdog = Watchdog(self.hold_timeout, raw.dbapi_connection)
            try:
                yield connection
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                if watchdog.hung_up:
                    logger.warning("The database stopped answering: %s", _reason(error))
                    raise DatabaseTimeout(NO_ANSWER) from None
                logger.warning("The database closed a connection in use: %s", _reason(error))
                raise DatabaseUnavailable("The database closed the connection: retry") from None
            finally:
                watchdog.cancel()
                await asyncio.shield(connection.close())  # back to the pool, even if cancelled
        finally:
            self._slots.release()


def _reason(error: BaseException) -> str:
    return str(error.orig if isinstance(error, DBAPIError) and error.orig else error)
