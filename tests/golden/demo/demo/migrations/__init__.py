"""The schema's history, kept by Alembic in `versions/`, and what the app does with it when
it starts: create the schema of an empty database, apply the revisions a database lacks,
refuse a database it does not recognise.

`alembic upgrade head`, `alembic revision --autogenerate -m "..."` and the other Alembic
commands work in the project's directory (their configuration is in `pyproject.toml`).
"""

from collections.abc import Callable
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import MetaData
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.errors import DatabaseTimeout
from demo.errors import StartupError

MIGRATIONS = Path(__file__).parent


class SchemaError(StartupError):
    """The database's schema is not one the app can bring up to date; says what to do."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, with ``connection`` for `env.py` to migrate on."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def code_heads() -> frozenset[str]:
    """The last revisions of the code: those the database's schema must be at."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def bring_up_to_date(connection: Connection, metadata: MetaData, *, upgrade: bool) -> None:
    """Give the database on ``connection`` the schema of ``metadata``, the last revision's.

    An empty database gets the tables and is recorded at the last revision. A database at
    an earlier revision gets the revisions it lacks, unless ``upgrade`` is false. Anything
    else raises :class:`SchemaError`. The caller holds a lock, so workers take turns.
    """
    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    context = MigrationContext.configure(connection)
    current = set(context.get_current_heads())
    if current == heads:
        return
    if not current:
        tables = sorted(set(inspect(connection).get_table_names()) - {"alembic_version"})
        if tables:
            raise SchemaError(
                f"the database has tables ({', '.join(tables)}) but no Alembic revision: "
                "point DATABASE_URL at an empty database, or record its revision with "
                "`alembic stamp <revision>`"
            )
        metadata.create_all(connection)
        context.stamp(script, "heads")
        return
    for revision in sorted(current):
        try:
            script.get_revision(revision)
        except CommandError:
            raise SchemaError(
                f"the database is at revision {revision}, which this code does not have: "
                "run the code that wrote it, or downgrade the database with that code"
            ) from None
    if not upgrade:
        raise SchemaError(
            f"the database is at revision {', '.join(sorted(current))}, behind this code: "
            "run `alembic upgrade head` (DATABASE_MIGRATE_ON_STARTUP is off)"
        )
    try:
        command.upgrade(alembic_config(connection), "heads")
    except Exception as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise SchemaError(
            f"upgrading the database from revision {', '.join(sorted(current))} to "
            f"{', '.join(sorted(heads))} failed: {reason}; on MySQL/MariaDB, which cannot roll "
            "back a table change, a revision may be half applied: check the tables it "
            "touches, then run `alembic upgrade head`"
        ) from error


async def prepare_schema(engine: AsyncEngine, prepare: Callable[[Connection], None]) -> None:
    """Run ``prepare`` (such as `bring_up_to_date`) in one transaction, under a lock.

    Several workers may start at once: each takes the lock first, so one brings the schema
    up to date and the others then find it so.
    """
    try:
        async with engine.connect() as connection:
            dialect = connection.dialect.name
            if dialect == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(7266432001)"))
            elif dialect in ("mysql", "mariadb"):
                await connection.execute(text("SELECT GET_LOCK('prepare_schema', 60)"))
            elif dialect == "sqlite":
                # SQLite changes a table by copying it, then dropping the old one: with
                # foreign keys on, that drop would delete the rows other tables refer to.
                # They are off for this transaction only (SQLite reads the setting outside
                # transactions).
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
    except DatabaseTimeout:  # waiting for the lock counts too
        raise SchemaError(
            "bringing the schema up to date took longer than DATABASE_STATEMENT_TIMEOUT:"
            " run `alembic upgrade head` as a step of its own, which has no such bound, or"
            " raise the setting"
        ) from None
