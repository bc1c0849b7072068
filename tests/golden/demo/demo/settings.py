"""Settings, read from the environment and from a `.env` file in the working directory."""

from importlib import import_module
from typing import Annotated
from typing import Literal
from typing import Self

from pydantic import AfterValidator
from pydantic import Field
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from pydantic_settings import SettingsError
from sqlalchemy import URL
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

# The async drivers the generated code is written for (integrity.py reads their errors).
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg", "mysql+aiomysql", "mariadb+aiomysql")


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("database_url", "{message}", {"message": message})


def _usable_url(url: str) -> str:
    """A URL of one of `DRIVERS`, whose driver is installed."""
    use = "begin it with sqlite+aiosqlite, postgresql+asyncpg or mysql+aiomysql"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _invalid(f"not a database URL: {use}") from None
    if parsed.drivername not in DRIVERS:
        message = f"begins with {parsed.drivername}, not with an async driver of this app: {use}"
        raise _invalid(message)
    driver = parsed.get_driver_name()
    try:
        import_module(driver)
    except ImportError:
        message = f"needs the {driver} driver, which is not installed: pip install {driver}"
        raise _invalid(message) from None
    return url


DatabaseURL = Annotated[str, AfterValidator(_usable_url)]


def _kind(url: URL) -> str:
    """The database a URL names: MariaDB is MySQL here."""
    return url.get_backend_name().replace("mariadb", "mysql")


class Settings(BaseSettings):
    """Each value can be set by an environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: DatabaseURL = "sqlite+aiosqlite:///./demo.db"
    # A read replica of DATABASE_URL: the read routes (list, get) use it; unset, they use
    # DATABASE_URL. It may lag behind: see the README's "Read replicas".
    database_read_url: DatabaseURL | None = None
    database_echo: bool = False
    # Connections each process keeps (SQLite: at most 2), and how many more it may open
    # at a busy moment; every request waits for one in the connection queue.
    database_pool_size: Annotated[int, Field(ge=1)] = 5
    database_max_overflow: Annotated[int, Field(ge=0)] = 0
    # Seconds a request waits for a database connection before it answers 503.
    database_queue_timeout: Annotated[float, Field(gt=0)] = 5.0
    # Seconds to open a connection, the handshake included, and for one statement; past
    # either the request answers 503 (see `timeouts`).
    database_connect_timeout: Annotated[float, Field(gt=0)] = 5.0
    database_statement_timeout: Annotated[float, Field(gt=0)] = 30.0
    database_migrate_on_startup: bool = True
    # "pgbouncer": DATABASE_URL is PgBouncer in transaction mode (see `pgbouncer`).
    database_pooler: Literal["none", "pgbouncer"] = "none"
    # Origins that browsers may call the API from (a JSON list); none: no CORS headers.
    cors_origins: list[str] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("database_pooler")
    @classmethod
    def _pooler_of_postgresql(cls, value: str, info: ValidationInfo) -> str:
        url = info.data.get("database_url", "")  # absent when it was invalid
        if value == "pgbouncer" and url and not url.startswith("postgresql"):
            raise _invalid("pgbouncer needs a postgresql+asyncpg DATABASE_URL")
        return value

    @field_validator("database_read_url", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_read_url")
    @classmethod
    def _replica_of_the_same_kind(cls, value: str | None, info: ValidationInfo) -> str | None:
        url = info.data.get("database_url", "")  # absent when it was invalid
        if value is None or not url:
            return value
        kind, primary_kind = (_kind(make_url(text)) for text in (value, url))
        if "sqlite" in (kind, primary_kind):
            raise _invalid("SQLite has no read replicas: leave DATABASE_READ_URL unset")
        if kind != primary_kind:
            raise _invalid(f"a replica of a {primary_kind} DATABASE_URL is {primary_kind} too")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def from_environment(cls) -> Self:
        """The settings; a value the app cannot use stops it with one line naming each such
        variable (`SystemExit`), not a traceback."""
        try:
            return cls()
        except ValidationError as error:
            problems = [
                f"{'.'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
                for problem in error.errors()
            ]
        except SettingsError as error:  # a value that is not the JSON the setting needs
            problems = [str(error)]
        raise SystemExit(f"error: invalid settings: {'; '.join(problems)}")
