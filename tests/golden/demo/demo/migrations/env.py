"""Alembic's environment: the app's settings name the database, its models the schema.

The URL is read from the settings (the environment or `.env`), never written into a
configuration file, so a `%` in a password stays a `%`. Autogenerate writes table
changes in batch mode, whatever the database: SQLite alters a table by copying it, the
others run the same ALTER statements as without it, so a revision written against one
database applies on the others (the tests run on SQLite by default). Column types are
compared.
"""

import asyncio
import logging
from typing import Any
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine

from demo import column_types
from demo.models import Base
from demo.settings import Settings


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write the project's own column types as they are, with their import."""
    if type_ == "type" and type(obj).__module__ == column_types.__name__:
        autogen_context.imports.add("from demo import column_types")
        return f"column_types.{type(obj).__name__}()"
    return False


def run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        # SQLite can roll back a table change when the driver leaves the transaction to us
        # (see `run_online`; the app's startup opens one itself).
        transactional_ddl=True if sqlite else None,
        compare_type=True,
        render_item=render_item,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online(engine: AsyncEngine | None = None) -> None:
    """Migrate on a connection of ``engine``, or of an engine of `DATABASE_URL`."""
    own = engine is None
    if engine is None:
        engine = create_async_engine(Settings.from_environment().database_url)
    if own and engine.dialect.name == "sqlite":
        # Let SQLite run each revision in a transaction of its own, DDL included: the
        # driver would otherwise commit every statement at once.
        @event.listens_for(engine.sync_engine, "connect")
        def no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
            await connection.commit()
    finally:
        if own:
            await engine.dispose()


given = context.config.attributes.get("connection")
if context.is_offline_mode():  # `alembic upgrade --sql`: write the SQL, run nothing
    context.configure(
        url=Settings.from_environment().database_url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
elif isinstance(given, Connection):
    run_migrations(given)  # the app's startup hands over its own connection
elif isinstance(given, AsyncEngine):
    asyncio.run(run_online(given))  # pytest-alembic's `alembic_engine`, as its docs show
else:
    if not logging.getLogger().handlers:  # the `alembic` command: say what it runs
        logging.basicConfig(format="%(levelname)-5.5s [%(name)s] %(message)s")
        logging.getLogger("alembic").setLevel(logging.INFO)
    asyncio.run(run_online())
