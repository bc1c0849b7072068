"""Settings, read from the environment and from a `.env` file in the working directory."""

from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class Settings(BaseSettings):
    """Each value can be set by an environment variable of the same name in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./demo.db"
    database_echo: bool = False
    database_pool_size: int = 5
    database_migrate_on_startup: bool = True
