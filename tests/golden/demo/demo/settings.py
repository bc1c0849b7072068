"""Settings, read from the environment and from a `.env` file in the working directory."""

from typing import Annotated
from typing import Literal
from typing import Self

from pydantic import Field
from pydantic import ValidationError
from pydantic import field_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from pydantic_settings import SettingsError


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
