"""PgBouncer in transaction mode: what asyncpg needs to work through it.

PgBouncer hands each transaction to whichever server connection is free, while asyncpg
names its prepared statements `__asyncpg_stmt_1__`, `__asyncpg_stmt_2__`, ... per client
connection and keeps them for reuse: through PgBouncer, two clients' statements meet on one
server connection ("prepared statement already exists"), or a statement is looked for on
another ("does not exist"). With `DATABASE_POOLER=pgbouncer` the engine does what
SQLAlchemy's asyncpg documentation shows: statements named at random and kept by nobody,
so each is prepared and used inside its own transaction. The pool stays (its
connections go to PgBouncer, not to the server); PgBouncer's `server_reset_query = DISCARD
ALL` with `server_reset_query_always = 1` frees the statements each transaction leaves on
the server (the generated README shows the settings; fastsqla's `bench/README.md` has the
figures).

Without the setting, the app says so in one line, at start-up (`startup.py`) or in a
request's log, and the request answers 503.
"""

from logging import getLogger
from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.errors import DatabaseUnavailable

logger = getLogger(__name__)
# PostgreSQL's "prepared statement already exists" and "does not exist".
STATEMENT_MIXED_UP = {"42P05", "26000"}
ADVICE = (
    "DATABASE_URL points at a pooler in transaction mode, such as PgBouncer, where"
    " asyncpg's prepared statements get mixed up between clients: set"
    " DATABASE_POOLER=pgbouncer"
)


def connect_args() -> dict[str, Any]:
    """asyncpg's arguments for PgBouncer in transaction mode."""
    return {
        "statement_cache_size": 0,  # asyncpg's own cache
        "prepared_statement_cache_size": 0,  # SQLAlchemy's
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid4()}__",
    }


def explain_mixed_up_statements(engine: AsyncEngine) -> None:
    """Answer a statement PgBouncer mixed up with `DatabaseUnavailable`, and say in the log
    what to set."""

    def on_error(context: ExceptionContext) -> None:
        if getattr(context.original_exception, "sqlstate", None) in STATEMENT_MIXED_UP:
            logger.error(ADVICE)
            raise DatabaseUnavailable("The database is not configured for its pooler")

    event.listen(engine.sync_engine, "handle_error", on_error)
