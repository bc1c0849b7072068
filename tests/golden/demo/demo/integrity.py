"""Constraint violations, told apart by the driver's error code on every database, and
the HTTP errors they become: a duplicate or a row still referenced is 409 Conflict."""

from collections.abc import Sequence
from enum import Enum
from typing import Any

from fastapi import HTTPException
from fastapi import status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from demo.database import Base


class Violation(Enum):
    UNIQUE = "unique"
    FOREIGN_KEY = "foreign key"
    OTHER = "other"


# PostgreSQL SQLSTATE codes (asyncpg), MySQL/MariaDB error numbers, SQLite extended codes.
_SQLSTATE = {"23505": Violation.UNIQUE, "23503": Violation.FOREIGN_KEY}
_MYSQL_ERRNO = {
    1062: Violation.UNIQUE,  # ER_DUP_ENTRY
    1586: Violation.UNIQUE,  # ER_DUP_ENTRY_WITH_KEY_NAME
    1216: Violation.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW
    1217: Violation.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED
    1451: Violation.FOREIGN_KEY,  # ER_ROW_IS_REFERENCED_2
    1452: Violation.FOREIGN_KEY,  # ER_NO_REFERENCED_ROW_2
}
_SQLITE_ERRORNAME = {
    "SQLITE_CONSTRAINT_UNIQUE": Violation.UNIQUE,
    "SQLITE_CONSTRAINT_PRIMARYKEY": Violation.UNIQUE,
    "SQLITE_CONSTRAINT_FOREIGNKEY": Violation.FOREIGN_KEY,
}


def violation_of(error: IntegrityError) -> Violation:
    """Which constraint the database refused, from the driver's error code."""
    driver_error = error.orig
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate in _SQLSTATE:
        return _SQLSTATE[sqlstate]
    errorname = getattr(driver_error, "sqlite_errorname", None)
    if errorname in _SQLITE_ERRORNAME:
        return _SQLITE_ERRORNAME[errorname]
    args = getattr(driver_error, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_ERRNO:
        return _MYSQL_ERRNO[args[0]]
    return Violation.OTHER


async def save(session: AsyncSession, row: Base, unique: Sequence[str] = ()) -> None:
    """Commit a new or changed ``row``; a duplicate of a ``unique`` field is 409 Conflict."""
    values = {name: getattr(row, name) for name in unique}
    row_id = row.id
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        violation = violation_of(error)
        if violation is Violation.UNIQUE:
            detail = await _duplicate_detail(session, type(row), values, row_id)
            raise HTTPException(status.HTTP_409_CONFLICT, detail) from error
        if violation is Violation.FOREIGN_KEY:
            detail = f"{type(row).__name__} references a row that no longer exists"
            raise HTTPException(status.HTTP_409_CONFLICT, detail) from error
        raise


async def delete(session: AsyncSession, row: Base) -> None:
    """Delete ``row``; a row that others still reference is 409 Conflict."""
    name, row_id = type(row).__name__, row.id
    await session.delete(row)
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        if violation_of(error) is Violation.FOREIGN_KEY:
            detail = f"{name} {row_id} is still referenced by other rows: delete those first"
            raise HTTPException(status.HTTP_409_CONFLICT, detail) from error
        raise


async def _duplicate_detail(
    session: AsyncSession, model: type[Base], values: dict[str, Any], row_id: int | None
) -> str:
    # The error tells that a unique constraint failed; ask which field, portably.
    for name, value in values.items():
        query = select(model.id).where(getattr(model, name) == value)
        if row_id is not None:
            query = query.where(model.id != row_id)
        if await session.scalar(query.limit(1)) is not None:
            return f"a {model.__name__} with this {name} already exists"
    return f"this {model.__name__} conflicts with an existing row"
