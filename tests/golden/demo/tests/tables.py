"""Dropping and emptying the tables of a test database: the suite drops them when it
starts and ends; only the contract fuzz, whose sequences of calls each start from empty
tables, empties them."""

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.models import Base


def drop_tables(connection: Connection) -> None:
    """Drop every table of the models, and Alembic's record of the revision."""
    Base.metadata.drop_all(connection)
    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


async def empty_tables(engine: AsyncEngine) -> None:
    """Delete every row of every table."""
    async with engine.begin() as connection:
        # MySQL checks foreign keys row by row: without this, a table whose rows refer to
        # each other could not be emptied in one statement.
        mysql = connection.dialect.name == "mysql"
        if mysql:
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
        if mysql:
            await connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
