"""Emptying the database between tests."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.models import Base


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
