"""Settings, read from the environment and from a `.env` file in the working directory."""

from typing import Annotated
from typing import Literal

from pydantic import Field
from pydantic import field_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class Settings(BaseSettings):
    """Each value can be set by an environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./demo.db"
    database_echo: bool = False
    database_pool_size: int = 5
    database_migrate_on_startup: bool = True
    # Seconds a request waits for a database connection before it answers 503.
    database_queue_timeout: Annotated[float, Field(gt=0)] = 5.0
    # Origins that browsers may call the API from (a JSON list); none: no CORS headers.
    cors_origins: list[str] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
