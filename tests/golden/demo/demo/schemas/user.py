"""Request and response bodies for User."""

from typing import Annotated

from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic.json_schema import SkipJsonSchema

from demo.field_types import RequestBody
from demo.field_types import Text
from demo.listing import Filter
from demo.listing import ListQuery
from demo.listing import OneOf
from demo.listing import Page
from demo.listing import sort_by


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


class UserQuery(ListQuery):
    """The query of `GET /users`: `sort`, `cursor`, `limit`, `count` and these
    filters (see `listing`)."""

    sort: Annotated[str, sort_by("name", "email")] = "id"
    name: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("name")
    ] = None
    name__in: Annotated[
        OneOf[Annotated[Text, Field(max_length=255)]] | SkipJsonSchema[None], Filter("name", "in")
    ] = None
    name__contains: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("name", "contains")
    ] = None
    name__startswith: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("name", "startswith")
    ] = None
    email: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("email")
    ] = None
    email__in: Annotated[
        OneOf[Annotated[Text, Field(max_length=255)]] | SkipJsonSchema[None], Filter("email", "in")
    ] = None
    email__contains: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("email", "contains")
    ] = None
    email__startswith: Annotated[
        Annotated[Text, Field(max_length=255)] | SkipJsonSchema[None], Filter("email", "startswith")
    ] = None


class UserPage(Page[UserRead]):
    """A page of User rows: at most `limit` of them, and the cursor of the
    next."""
