"""Saving and deleting rows: the constraint a database refuses, told apart by the driver's
error code on every database, becomes the domain error that says which field and why; and
the rows a many-to-many field links, checked on the way in, read in one query on the way
out."""

from enum import Enum
from typing import Any
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy import Table
from sqlalchemy import UniqueConstraint
from sqlalchemy import delete as delete_rows
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncSession

from demo.database import Base
from demo.errors import Duplicate
from demo.errors import MissingReference
from demo.errors import StillReferenced


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


async def save(session: AsyncSession, row: Base) -> None:
    """Commit a new or changed ``row``.

    Raises `Duplicate` when another row holds one of its unique values and
    `MissingReference` when it references a row that does not exist. The database checks
    both as it writes; only when it refuses are the constraints of the table asked which
    field is at fault, so a save that succeeds costs no extra query.
    """
    model = type(row)
    values = {column.key: getattr(row, column.key) for column in inspect(model).column_attrs}
    try:
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        violation = violation_of(error)
        if violation is Violation.UNIQUE:
            raise await _duplicate(session, model, values) from error
        if violation is Violation.FOREIGN_KEY:
            raise await _missing_reference(session, model, values) from error
        raise


async def delete(session: AsyncSession, row: Base) -> None:
    """Delete ``row``; raises `StillReferenced` when other rows reference it."""
    model, row_id = type(row), row.id
    # A DELETE statement rather than `session.delete`: the unit of work would first load
    # (and refuse to order) the rows of a relationship, such as a row that references itself.
    try:
        await session.execute(delete_rows(model).where(model.id == row_id))
        await session.commit()
    except IntegrityError as error:
        await session.rollback()
        if violation_of(error) is Violation.FOREIGN_KEY:
            message = f"{model.__name__} {row_id} is still referenced: change those rows first"
            raise StillReferenced(message, input=row_id) from error
        raise


async def _duplicate(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> Duplicate:
    """Which unique column, constraint or index of the table another row already fills."""
    table, row_id = _table(model), values["id"]
    unique = [[column] for column in table.columns if column.unique]
    unique += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    unique += [list(index.columns) for index in table.indexes if index.unique]
    for columns in unique:
        keys = [_attribute(model, column.key) for column in columns]
        query = select(model.id).where(*(getattr(model, key) == values[key] for key in keys))
        if row_id is not None:
            query = query.where(model.id != row_id)
        if await session.scalar(query.limit(1)) is not None:
            message = f"a {model.__name__} with this {', '.join(keys)} already exists"
            return Duplicate(message, field=keys[0], input=values[keys[0]])
    return Duplicate(f"this {model.__name__} conflicts with an existing row")


async def _missing_reference(
    session: AsyncSession, model: type[Base], values: dict[str, Any]
) -> MissingReference:
    """Which foreign key of the table names a row that does not exist."""
    for constraint in _table(model).foreign_key_constraints:
        keys = [_attribute(model, column.key) for column in constraint.columns]
        given = [values[key] for key in keys]
        if any(value is None for value in given):
            continue
        targets = [element.column for element in constraint.elements]
        query = select(*targets).where(*(t == v for t, v in zip(targets, given, strict=True)))
        if await session.scalar(query.limit(1)) is None:
            target = targets[0].table.name
            message = f"{', '.join(map(str, given))} is not the id of a row of {target}"
            return MissingReference(message, field=keys[0], input=given[0])
    return MissingReference(f"this {model.__name__} references a missing row")


def _table(model: type[Base]) -> Table[Any]:
    return Base.metadata.tables[model.__tablename__]


def _attribute(model: type[Base], column_key: str) -> str:
    """The model attribute that maps a column (usually of the same name)."""
    return inspect(model).get_property_by_column(_table(model).c[column_key]).key


ModelT = TypeVar("ModelT", bound=Base)


async def linked(
    session: AsyncSession, model: type[ModelT], ids: list[int], field: str
) -> list[ModelT]:
    """The rows of ``model`` whose ids are ``ids``, each once, for the many-to-many
    ``field``; `MissingReference` at the first id that is not one, by its place in the
    list (the database's foreign key stays the last word: see `save`)."""
    wanted = list(dict.fromkeys(ids))
    query = select(model).where(model.id.in_(wanted))
    found = {row.id: row for row in await session.scalars(query)} if wanted else {}
    for index, row_id in enumerate(ids):
        if row_id not in found:
            message = f"{row_id} is not the id of a row of {_table(model).name}"
            raise MissingReference(message, field=field, index=index, input=row_id)
    return [found[row_id] for row_id in wanted]


async def read_links(
    connection: AsyncConnection,
    rows: list[dict[str, Any]],
    owner: ColumnElement[int],
    target: ColumnElement[int],
    key: str,
) -> None:
    """Give each row read through Core (a dict with its `id`) the ids it links to, under
    ``key`` and in id order, from the association table's ``owner`` and ``target``
    columns: one query, whatever the number of rows."""
    links: dict[int, list[int]] = {row["id"]: [] for row in rows}
    if links:
        query = select(owner, target).where(owner.in_(links)).order_by(target)
        for owner_id, target_id in await connection.execute(query):
            links[owner_id].append(target_id)
    for row in rows:
        row[key] = links[row["id"]]
