"""Request and response bodies for User."""

from typing import Annotated

from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic.json_schema import SkipJsonSchema

from demo.field_types import RequestBody
from demo.field_types import Text


class UserCreate(RequestBody):
    """The body of `POST /users`."""

    name: Annotated[Text, Field(max_length=255)]
    email: Annotated[Text, Field(max_length=255)]


class UserUpdate(RequestBody):
    """The body of `PATCH /users/{id}`.

    Fields left out keep their value.
    """

    name: Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None] = None
    email: Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None] = None

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
