"""Timeouts: no wait on the database is without a bound.

- Opening a connection, the handshake included, takes at most `DATABASE_CONNECT_TIMEOUT`
  seconds: asyncpg's `timeout`. aiomysql's `connect_timeout` covers the TCP connection
  only, so the connection queue bounds the whole of a request's connect.
- A statement runs at most `DATABASE_STATEMENT_TIMEOUT` seconds, then the database stops it
  and the request answers 503 (`DatabaseTimeout`). On PostgreSQL asyncpg cancels it (its
  `command_timeout`: a cancel request, which PgBouncer passes on, where it refuses a
  `statement_timeout` startup parameter); on MariaDB `max_statement_time` stops it, on
  MySQL `max_execution_time` (SELECTs only).
- A database that stops answering (a hung server, a network that drops every packet) sends
  no error at all: a `Watchdog` closes a request's connection once the request has held
  it a second longer than the statement timeout, and the request answers 503. A route whose
  statements together take longer than that needs a larger `DATABASE_STATEMENT_TIMEOUT`.
- SQLite is a file: its waits for a lock are bounded by `busy_timeout` (`sqlite.py`).

Schema changes at start-up have the same bounds: a revision that takes longer (an index on
a large table) runs as its own step, `alembic upgrade head`, which has none.

Without it: `create_async_engine(url)`, where asyncpg waits 60 s for a connection, aiomysql
waits without end for a server that accepted the connection and never answers, and
neither bounds a statement.
"""

import asyncio
from logging import getLogger
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.errors import DatabaseTimeout

logger = getLogger(__name__)
# The database stopped a statement: MariaDB's max_statement_time, MySQL's max_execution_time.
STOPPED = (1969, 3024)
# How much longer than the statement timeout a request may hold its connection, so that the
# database's own answer to a statement it stopped comes first.
GRACE = 1.0
NO_ANSWER = "The database did not answer in time"


def connect_args(url: URL, connect: float, statement: float) -> dict[str, Any]:
    """The driver's arguments that bound opening a connection and, on PostgreSQL, a
    statement."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        return {"timeout": connect, "command_timeout": statement}
    if backend in ("mysql", "mariadb"):
        return {"connect_timeout": connect}
    return {}


def bound_statements(engine: AsyncEngine, seconds: float) -> None:
    """Make the database stop a statement of ``engine`` that runs longer than ``seconds``
    (MariaDB, MySQL: a session variable set on each new connection), and answer one it
    stopped, or asyncpg cancelled, with `DatabaseTimeout`."""
    dialect = engine.dialect
    mysql = dialect.name in ("mysql", "mariadb")

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if not mysql:
            return
        cursor = dbapi_connection.cursor()
        if getattr(dialect, "is_mariadb", False):  # known once the first connection is open
            cursor.execute(f"SET SESSION max_statement_time = {seconds:f}")
        else:
            cursor.execute(f"SET SESSION max_execution_time = {round(seconds * 1000)}")
        cursor.close()

    def on_error(context: ExceptionContext) -> None:
        if context.connection is None:  # while connecting: not a statement
            return
        error = context.original_exception
        code = error.args[0] if error.args else None
        stopped = mysql and code in STOPPED
        if not (stopped or isinstance(error, TimeoutError)):
            return
        if isinstance(error, TimeoutError):  # asyncpg's: the connection is in doubt
            context.is_disconnect = True  # so the pool replaces it
        statement = " ".join((context.statement or "").split())[:200]
        logger.warning("No answer within %g s to: %s", seconds, statement)
        raise DatabaseTimeout(NO_ANSWER) from error

    event.listen(engine.sync_engine, "connect", on_connect)
    event.listen(engine.sync_engine, "handle_error", on_error)


class Watchdog:
    """Closes ``dbapi_connection`` after ``seconds`` (`None`: never), unless cancelled
    first. What waits on the connection then fails at once as a lost connection, which the
    pool replaces."""

    def __init__(self, seconds: float | None, dbapi_connection: Any) -> None:
        self.hung_up = False
        self._timer: asyncio.TimerHandle | None = None
        if seconds is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(seconds, self._hang_up, dbapi_connection)

    def _hang_up(self, dbapi_connection: Any) -> None:
        self.hung_up = True
        dbapi_connection.terminate()  # closes the socket; it does not wait for the server

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
