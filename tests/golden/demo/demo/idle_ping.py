"""Idle ping: a pooled connection is tested before use only when it sat idle in the pool.

What it buys: an idle connection may have died in the pool (the server restarted, a proxy
dropped it). `pool_pre_ping=True` tests every connection the pool hands out, one more round
trip per request (three on asyncpg); this tests only one that waited `IDLE_BEFORE_PING`
seconds, so a busy app tests none (fastsqla's `bench/README.md` has the figures). A dead
one makes the pool reconnect, as `pool_pre_ping` does. Without it: pass
`pool_pre_ping=True` to `create_async_engine` instead of calling `ping_when_idle`.
"""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry

IDLE_BEFORE_PING = 1.0


def ping_when_idle(engine: AsyncEngine) -> None:
    dialect = engine.dialect

    def returned(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info["returned_at"] = time.monotonic()

    def taken(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        returned_at = entry.info.pop("returned_at", None)
        if returned_at is None or time.monotonic() - returned_at < IDLE_BEFORE_PING:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool then tries a new connection
            raise InvalidatePoolError(str(error)) from error
        if not alive:  # a dialect may answer False instead of raising
            raise InvalidatePoolError("the connection did not answer a ping")

    event.listen(engine.sync_engine, "checkin", returned)
    event.listen(engine.sync_engine, "checkout", taken)
