"""Request and response bodies for User."""

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator


class UserCreate(BaseModel):
    """The body of `POST /users`."""

    name: str = Field(max_length=255)
    email: str = Field(max_length=255)


class UserUpdate(BaseModel):
    """The body of `PATCH /users/{id}`.

    Fields left out keep their value.
    """

    name: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)

    @field_validator("name", "email")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """A required field may be left out of an update, but not set to null."""
        if value is None:
            raise ValueError("may be left out but not set to null")
        return value


class UserRead(UserCreate):
    """A User as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
