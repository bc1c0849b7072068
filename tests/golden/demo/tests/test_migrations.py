"""The migrations build exactly the schema the models describe, and take it down again."""

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.migrations import alembic_config
from demo.migrations import bring_up_to_date
from demo.models import Base

from tests.tables import drop_tables

pytestmark = pytest.mark.anyio


def upgrade(connection: Connection, target: str = "heads") -> None:
    command.upgrade(alembic_config(connection), target)


def downgrade(connection: Connection, target: str = "base") -> None:
    command.downgrade(alembic_config(connection), target)


def differences(connection: Connection) -> list[Any]:
    """What the database lacks or has more than the models (`alembic check` sees the same)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_the_migrations_reach_the_models_and_come_back(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(drop_tables)
        await connection.run_sync(upgrade)
        drift = await connection.run_sync(differences)
        if drift:
            # Only this test fails: the others get the models' schema, as startup gives
            # an empty database.
            await connection.run_sync(downgrade)
            await connection.run_sync(bring_up_to_date, Base.metadata, upgrade=True)
    assert drift == [], (
        "the models differ from the migrations: write the revision with "
        f"`alembic revision --autogenerate -m '...'`: {drift}"
    )
    async with engine.begin() as connection:
        await connection.run_sync(downgrade)
        assert await connection.run_sync(tables) == set()
        await connection.run_sync(upgrade)
        assert await connection.run_sync(tables) == set(Base.metadata.tables)
