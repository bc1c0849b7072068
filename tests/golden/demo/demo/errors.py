"""Every error the app raises on purpose, and the one shape every error answer has.

`AppError` is the root. Its subclasses are raised where the problem is found (a route, the
data layer, the connection queue) and answered here, by the handlers `create_app`
registers: the data layer never builds an HTTP answer. Every error body has the shape of
FastAPI's validation errors, `{"detail": [{"type", "loc", "msg", "input"}]}`.
"""

import json
import math
from typing import Any
from typing import ClassVar

from fastapi import FastAPI
from fastapi import Request
from fastapi import Response
from fastapi import status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from starlette.exceptions import HTTPException


class ErrorDetail(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: Any = None


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: list[ErrorDetail]


class AppError(Exception):
    """An error of the app; one that reaches a request is answered with `status_code`."""

    status_code: ClassVar[int] = status.HTTP_500_INTERNAL_SERVER_ERROR
    type: ClassVar[str] = "app_error"
    headers: dict[str, str] | None = None

    def __init__(self, msg: str, *, input: Any = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.input = input

    def loc(self, request: Request) -> list[str | int]:
        """Where in the request the error is: the row named in the path."""
        return ["path", *request.path_params]


class FieldError(AppError):
    """An error about the body, one field of it when `field` is known (one element of a
    list when `index` is)."""

    def __init__(
        self, msg: str, *, field: str | None = None, index: int | None = None, input: Any = None
    ) -> None:
        super().__init__(msg, input=input)
        self.field = field
        self.index = index

    def loc(self, request: Request) -> list[str | int]:
        if self.field is None:
            return ["body"]
        return ["body", self.field] if self.index is None else ["body", self.field, self.index]


class NotFound(AppError):
    status_code = status.HTTP_404_NOT_FOUND
    type = "not_found"


class StillReferenced(AppError):
    status_code = status.HTTP_409_CONFLICT
    type = "still_referenced"


class Duplicate(FieldError):
    status_code = status.HTTP_409_CONFLICT
    type = "duplicate"


class MissingReference(FieldError):
    """A reference to a row that does not exist: invalid input, like a validation error."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    type = "missing_reference"


class InvalidCursor(AppError):
    """A list's `cursor` that this list, with these filters and sort, did not make."""

    status_code = status.HTTP_422_UNPROCESSABLE_CONTENT
    type = "invalid_cursor"

    def loc(self, request: Request) -> list[str | int]:
        return ["query", "cursor"]


class DatabaseUnavailable(AppError):
    """The database cannot serve the request now; a retry after `Retry-After` may work."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    type = "database_unavailable"

    def __init__(self, msg: str, *, retry_after: float = 1) -> None:
        super().__init__(msg)
        self.headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}

    def loc(self, request: Request) -> list[str | int]:
        return []


class DatabaseBusy(DatabaseUnavailable):
    """No connection came free within `DATABASE_QUEUE_TIMEOUT` (see `connection_queue`)."""

    type = "database_busy"


class DatabaseTimeout(DatabaseUnavailable):
    """A statement ran longer than `DATABASE_STATEMENT_TIMEOUT`, or the database stopped
    answering (see `timeouts`)."""

    type = "database_timeout"


class StartupError(AppError):
    """The app cannot start; the message is the one line that says what to fix."""


class ErrorResponse(JSONResponse):
    """JSON in ASCII: an error may quote input that UTF-8 cannot encode (a lone surrogate,
    which JSON can spell as "\\ud800")."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode()


def error_body(type: str, loc: list[str | int], msg: str, input: Any = None) -> dict[str, Any]:
    detail = {"type": type, "loc": loc, "msg": msg, "input": to_jsonable_python(input)}
    return {"detail": [detail]}


async def app_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AppError)
    body = error_body(error.type, error.loc(request), error.msg, error.input)
    return ErrorResponse(body, status_code=error.status_code, headers=error.headers)


async def validation_error(request: Request, error: Exception) -> Response:
    """FastAPI's answer to invalid input, rendered in ASCII."""
    assert isinstance(error, RequestValidationError)
    body = {"detail": jsonable_encoder(error.errors())}
    return ErrorResponse(body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def http_error(request: Request, error: Exception) -> Response:
    """What the framework answers itself (an unreadable body, an unknown path, a method
    the path does not have), in the same shape."""
    assert isinstance(error, HTTPException)
    body = error_body("http_error", [], str(error.detail))
    return ErrorResponse(body, status_code=error.status_code, headers=error.headers)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)


# What every route may answer besides its own statuses: `create_app` gives it to the whole
# app (`FastAPI(responses=...)`), so routes added by hand get it too.
DATABASE_RESPONSES: dict[int | str, dict[str, Any]] = {
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "model": ErrorBody,
        "description": "No database connection came free within `DATABASE_QUEUE_TIMEOUT`"
        " seconds, the database could not be reached or closed the connection (a restart,"
        " a failover), or it did not answer within `DATABASE_STATEMENT_TIMEOUT` seconds:"
        " retry after `Retry-After` seconds",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying",
                "schema": {"type": "integer"},
            }
        },
    }
}
_DESCRIPTIONS = {
    status.HTTP_400_BAD_REQUEST: "The body is not JSON that can be read",
    status.HTTP_404_NOT_FOUND: "No row has this id",
    status.HTTP_409_CONFLICT: "The change conflicts with other rows",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that may answer these error statuses (FastAPI
    documents 422 itself)."""
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in statuses}
