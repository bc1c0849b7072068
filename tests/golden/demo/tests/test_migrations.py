"""The migrations build exactly the schema the models describe, and take it down again,
on a database of their own (`alembic_engine`).

pytest-alembic's four built-in tests run here: one head, an upgrade through every
revision, a schema that matches the models (with the command that fixes it when it does
not), and every revision undone and redone."""

import pytest
from alembic import command
from pytest_alembic import tests as built_in
from pytest_alembic.plugin.error import AlembicTestFailure
from pytest_alembic.runner import MigrationContext as AlembicRunner
from pytest_alembic.tests import test_single_head_revision
from pytest_alembic.tests import test_up_down_consistency
from pytest_alembic.tests import test_upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.migrations import alembic_config
from demo.models import Base

from tests.tables import drop_tables

__all__ = [
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


def upgrade(connection: Connection, target: str = "heads") -> None:
    command.upgrade(alembic_config(connection), target)


def downgrade(connection: Connection, target: str = "base") -> None:
    command.downgrade(alembic_config(connection), target)


def tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_the_models_match_the_migrations(alembic_runner: AlembicRunner) -> None:
    """pytest-alembic's `test_model_definitions_match_ddl`, saying how to fix a failure.

    The schema is brought to the last revision in one `alembic upgrade` first: the test
    would apply the revisions one at a time, as `test_upgrade` already does."""
    alembic_runner.raw_command("upgrade", "heads")
    try:
        built_in.test_model_definitions_match_ddl(alembic_runner)
    except AlembicTestFailure as failure:
        pytest.fail(
            "the models differ from the migrations: write the revision with "
            f"`alembic revision --autogenerate -m '...'`\n{failure}"
        )


@pytest.mark.anyio
async def test_the_migrations_come_down_to_no_table_and_back(alembic_engine: AsyncEngine) -> None:
    async with alembic_engine.begin() as connection:
        await connection.run_sync(drop_tables)
        await connection.run_sync(upgrade)
        assert await connection.run_sync(tables) == set(Base.metadata.tables)
        await connection.run_sync(downgrade)
        assert await connection.run_sync(tables) == set()
        await connection.run_sync(upgrade)
        assert await connection.run_sync(tables) == set(Base.metadata.tables)


@pytest.mark.anyio
async def test_the_last_revision_comes_down_and_back(alembic_engine: AsyncEngine) -> None:
    """What `add-model`, `add-field` and `remove-model` check of the revision they write."""
    async with alembic_engine.begin() as connection:
        await connection.run_sync(drop_tables)
        await connection.run_sync(upgrade)
        await connection.run_sync(downgrade, "-1")
        await connection.run_sync(upgrade)
        assert await connection.run_sync(tables) == set(Base.metadata.tables)
