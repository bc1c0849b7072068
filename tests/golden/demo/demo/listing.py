"""Lists: the filters, sort and pages that every model's `GET` list shares.

A list answers one page, `{"items": [...], "next_cursor": "...", "total": null}`. The next
page is asked with `?cursor=<next_cursor>` and the same filters and sort; `next_cursor` is
null on the last page. The cursor holds the sort values of the page's last row and the
next page starts after them (keyset pagination): a deep page costs what the first one
costs, and rows inserted or deleted meanwhile never make a page skip or repeat a row.
A cursor is opaque, not secret: one edited by hand, or given with other filters or
another sort than the list that made it, is refused (422, `invalid_cursor`).

Each model's query parameters are a class of its `schemas` module (`...Query`): a field
marked `Filter(column, operator)` is a filter, `sort_by(...)` names the sortable fields.
"""

import base64
import hashlib
import json
import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated
from typing import Any
from typing import Generic
from typing import TypeVar

from fastapi import Depends
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import TypeAdapter
from pydantic import ValidationError
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import to_jsonable_python
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator
from sqlalchemy.types import TypeEngine

from demo.errors import InvalidCursor

MAX_LIMIT = 100
MAX_VALUES = 100  # in one `__in` filter

T = TypeVar("T")
OneOf = Annotated[list[T], Field(max_length=MAX_VALUES)]

Operator = Callable[[ColumnElement[Any], Any], ColumnElement[bool]]
OPERATORS: dict[str, Operator] = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "in": lambda column, values: column.in_(values),
    "isnull": lambda column, null: column.is_(None) if null else column.is_not(None),
    # Case-insensitive, `%` and `_` in the text standing for themselves (`autoescape`).
    "contains": lambda column, text: column.icontains(text, autoescape=True),
    "startswith": lambda column, text: column.istartswith(text, autoescape=True),
}


@dataclass(frozen=True)
class Filter:
    """Marks a query parameter as the filter `column <operator> value`."""

    column: str
    operator: str = "eq"


def sort_by(*names: str) -> Any:
    """The `sort` parameter of a list whose rows sort by ``names`` or `id` (a `Field`)."""
    choice = "|".join(("id", *names))
    return Field(
        pattern=rf"^-?({choice})(,-?({choice}))*$",
        description="Fields to sort by, comma-separated, each descending after a `-`"
        f" (`-{names[0] if names else 'id'},id`); ties are sorted by `id`. Without a value"
        " a field sorts last going up, first going down",
    )


class ListQuery(BaseModel):
    """The query parameters of a list; each model's class adds its filters. A field named
    like one of these four is filtered by equality as `<name>__eq`."""

    model_config = ConfigDict(extra="forbid")  # a parameter misspelt is a 422, not ignored

    sort: str = "id"
    cursor: str | SkipJsonSchema[None] = Field(
        default=None, description="The `next_cursor` of the page before, for the next one"
    )
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT, description="Rows per page")
    count: bool = Field(
        default=False,
        description="Count the rows the filters select (`total`): a scan of them, costly"
        " on a large table",
    )


def conditions(params: ListQuery, query: Select[Any]) -> list[ColumnElement[bool]]:
    """The filters ``params`` give, as conditions on the columns ``query`` selects."""
    found: list[ColumnElement[bool]] = []
    for name, field in type(params).model_fields.items():
        value = getattr(params, name)
        for mark in field.metadata:
            if isinstance(mark, Filter) and value is not None:
                column = query.selected_columns[mark.column]
                found.append(OPERATORS[mark.operator](column, value))
    return found


def once_each(query: type[ListQuery]) -> Any:
    """A dependency of the list of ``query``: a parameter given twice where it takes one
    value is a 422, where FastAPI would take the last value and ignore the others."""
    lists = {
        name
        for name, field in query.model_fields.items()
        if any(isinstance(mark, Filter) and mark.operator == "in" for mark in field.metadata)
    }

    async def check(request: Request) -> None:  # async: no thread for it
        given = Counter(name for name, _ in request.query_params.multi_items())
        for name, times in given.items():
            if times > 1 and name not in lists:
                error = {"type": "repeated", "loc": ("query", name), "msg": "give it once"}
                raise RequestValidationError([error | {"input": request.query_params[name]}])

    return Depends(check)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Gives the next page; null on the last one")
    total: int | None = Field(description="How many rows the filters select, with `count`")


@dataclass(frozen=True)
class _Key:
    """One column of the order: `id` comes last, so no two rows tie."""

    name: str
    column: ColumnElement[Any]
    descending: bool
    nullable: bool


def _keys(query: Select[Any], sort: str) -> list[_Key]:
    keys: list[_Key] = []
    for part in sort.split(","):
        name = part.removeprefix("-")
        if name not in {key.name for key in keys}:
            column = query.selected_columns[name]
            nullable = bool(getattr(column, "nullable", False))
            keys.append(_Key(name, column, part.startswith("-"), nullable))
    if "id" in {key.name for key in keys}:
        return keys[: [key.name for key in keys].index("id") + 1]
    return [*keys, _Key("id", query.selected_columns["id"], False, False)]


def _null_last(column: ColumnElement[Any]) -> ColumnElement[int]:
    # NULL sorts first on SQLite and MySQL, last on PostgreSQL: this orders it on all three.
    return case((column.is_(None), 1), else_=0)


def _order(keys: list[_Key]) -> list[ColumnElement[Any]]:
    columns = [
        part
        for key in keys
        for part in ([_null_last(key.column), key.column] if key.nullable else [key.column])
    ]
    descending = [key.descending for key in keys for _ in range(2 if key.nullable else 1)]
    return [c.desc() if down else c.asc() for c, down in zip(columns, descending, strict=True)]


def _after(keys: list[_Key], values: list[Any]) -> ColumnElement[bool]:
    """The rows that come after a row with these sort ``values``, in the keys' order."""
    terms: list[tuple[ColumnElement[Any], bool, Any]] = []
    for key, value in zip(keys, values, strict=True):
        if key.nullable:
            terms.append((_null_last(key.column), key.descending, int(value is None)))
        if value is not None:  # a bound value: `column > True` is refused as a literal
            terms.append((key.column, key.descending, literal(value, key.column.type)))
    alternatives = [
        and_(
            *(column == value for column, _, value in terms[:index]),
            column < value if descending else column > value,
        )
        for index, (column, descending, value) in enumerate(terms)
    ]
    if len(alternatives) == 1:  # one key: `id > :last`
        return alternatives[0]
    # The first key's bound on its own lets the database start from its index.
    first, descending, value = terms[0]
    return and_(first <= value if descending else first >= value, or_(*alternatives))


@cache
def _adapter(column_type: TypeEngine[Any]) -> TypeAdapter[Any]:
    """Reads a sort value of a column of ``column_type`` back from its JSON."""
    if isinstance(column_type, TypeDecorator):  # the project's own (`column_types`)
        column_type = column_type.impl_instance
    return TypeAdapter(column_type.python_type)


def _signature(query: ListQuery, values: list[Any]) -> str:
    """Ties a cursor to the filters and sort it was made with, and to its values."""
    made_with = query.model_dump(mode="json", exclude={"cursor", "limit", "count"})
    text = json.dumps([made_with, values], sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _cursor(query: ListQuery, values: list[Any]) -> str:
    jsonable = to_jsonable_python(values)
    text = json.dumps([jsonable, _signature(query, jsonable)], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read_cursor(query: ListQuery, keys: list[_Key]) -> list[Any]:
    """The sort values a cursor holds; `InvalidCursor` unless this query made it."""
    cursor = query.cursor or ""
    try:
        values, signature = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if signature != _signature(query, values) or len(values) != len(keys):
            raise ValueError
        return [
            None
            if value is None and key.nullable
            else _adapter(key.column.type).validate_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (ValueError, TypeError, ValidationError):
        raise InvalidCursor(
            "this cursor was not made by this list with these filters and this sort:"
            " ask the first page again",
            input=cursor,
        ) from None


async def page(
    connection: AsyncConnection, query: Select[Any], params: ListQuery
) -> dict[str, Any]:
    """The page of ``query``'s rows that ``params`` ask for, as `Page` has it."""
    keys = _keys(query, params.sort)
    query = query.where(*conditions(params, query))
    total = None
    if params.count:
        total = await connection.scalar(select(func.count()).select_from(query.subquery()))
    if params.cursor is not None:
        query = query.where(_after(keys, _read_cursor(params, keys)))
    result = await connection.execute(query.order_by(*_order(keys)).limit(params.limit + 1))
    rows = [dict(row) for row in result.mappings()]
    next_cursor = None
    if len(rows) > params.limit:
        del rows[params.limit :]
        next_cursor = _cursor(params, [rows[-1][key.name] for key in keys])
    return {"items": rows, "next_cursor": next_cursor, "total": total}
