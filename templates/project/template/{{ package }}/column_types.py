"""Column types that behave the same on SQLite, PostgreSQL and MySQL/MariaDB."""

from datetime import UTC
from datetime import datetime
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


# A JSON document: JSONB on PostgreSQL, JSON elsewhere; None is stored as SQL NULL.
PortableJSON = JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)

# Long text: LONGTEXT on MySQL/MariaDB, whose TEXT stops at 64 KB; TEXT elsewhere.
LongText = Text().with_variant(mysql.LONGTEXT(), "mysql")
