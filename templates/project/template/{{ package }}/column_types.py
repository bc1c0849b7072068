"""Column types that behave the same on SQLite, PostgreSQL and MySQL/MariaDB.

Each is a class, so Alembic's autogenerate writes it as it is (see migrations/env.py)."""

from datetime import UTC
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import DateTime
from sqlalchemy import Text
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlalchemy.types import TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A time-zone-aware datetime, stored in UTC and always read back aware.

    PostgreSQL keeps the zone (TIMESTAMPTZ); SQLite and MySQL store naive UTC, with
    microseconds on MySQL (DATETIME(6)).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class PortableJSON(TypeDecorator[Any]):
    """A JSON document: JSONB on PostgreSQL, JSON elsewhere; None is stored as SQL NULL."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))


class LongText(TypeDecorator[str]):
    """Long text: LONGTEXT on MySQL/MariaDB, whose TEXT stops at 64 KB; TEXT elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(Text())


def enum_values(members: type[StrEnum]) -> list[str]:
    """What an enum column stores (`Enum(..., values_callable=enum_values)`): each member's
    value, where SQLAlchemy would store its name. Why a string and a CHECK constraint rather
    than a native ENUM type: the README's "Change the schema"."""
    return [member.value for member in members]
