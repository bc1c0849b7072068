"""The field types the request and response bodies of every model share (`schemas`).

A request field takes JSON's own type for its value (no "1" for 1, no 1 for true) and only
values that SQLite, PostgreSQL and MySQL/MariaDB all store; its JSON schema says so, so a
client generated from the OpenAPI document never sends what the server refuses.
"""

import json
import math
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from typing import Any
from typing import cast

from pydantic import AfterValidator
from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import Field
from pydantic import Strict
from pydantic import WithJsonSchema
from pydantic import model_validator
from pydantic_core import PydanticCustomError

# PostgreSQL refuses the NUL character in text and in JSON.
NO_NUL = r"^[^\x00]*$"
# Long text: MySQL/MariaDB take at most 16 MiB in one statement (`max_allowed_packet`).
LONG_TEXT_MAX_LENGTH = 1_000_000


def _not_a_number(value: object) -> object:
    # Lax parsing would read a number as a date, a time or an amount: ask for the text.
    if isinstance(value, int | float):
        raise ValueError("write it as a string")
    return value


def _not_a_timestamp(value: object) -> object:
    # Lax parsing would also read text that spells a number ("0") as seconds since 1970.
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?[0-9.]+\s*", value):
        raise ValueError("write it in ISO 8601 (2024-01-31, 2024-01-31T12:00:00Z)")
    return _not_a_number(value)


def _integer(value: object) -> object:
    # JSON's integers: 3 and 3.0 (one number to JSON), not "3" nor true.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected an integer")
    return value


Text = Annotated[str, Strict(), Field(pattern=NO_NUL)]
LongStr = Annotated[str, Strict(), Field(pattern=NO_NUL, max_length=LONG_TEXT_MAX_LENGTH)]
# Each number type twice: as a query parameter spells it (`?price__gt=3`, text read as a
# number: `...Param`), and as JSON must give it (a number of the right kind).
Int32Param = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int32 = Annotated[Int32Param, BeforeValidator(_integer)]
# A BIGINT column holds 64 bits, but JSON parsers that read numbers as doubles (JavaScript,
# most validators) read integers exactly up to 2**53 only: the API takes those.
Int64Param = Annotated[int, Field(ge=-(2**53 - 1), le=2**53 - 1)]
Int64 = Annotated[Int64Param, BeforeValidator(_integer)]
Float64Param = Annotated[float, Field(allow_inf_nan=False)]
Float64 = Annotated[Float64Param, Strict()]
Bool = Annotated[bool, Strict()]
# The id of a row of another table (ids are positive 32-bit integers).
ReferenceParam = Annotated[int, Field(ge=1, le=2**31 - 1)]
Reference = Annotated[ReferenceParam, BeforeValidator(_integer)]
# The ids of the rows a many-to-many field links to (a repeated one counts once).
MAX_LINKS = 1000
Links = Annotated[list[Reference], Field(max_length=MAX_LINKS)]
Day = Annotated[date, BeforeValidator(_not_a_timestamp)]

# On 0001-01-01 a zone ahead of UTC, on 9999-12-31 one behind it: in UTC, such a time
# leaves the years 1-9999 that Python and the databases share.
OUT_OF_RANGE_TIME = r"(0001-01-01[Tt ].*\+(?!00:00)|9999-12-31[Tt ].*-(?!00:00))"


def _time_in_range(value: object) -> object:
    if isinstance(value, str) and re.match(OUT_OF_RANGE_TIME, value):
        raise ValueError("in UTC, this time is before year 1 or after year 9999")
    return _not_a_timestamp(value)


def _as_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("in UTC, this time is before year 1 or after year 9999") from None


# Any time zone in, UTC out: the form the database gives back, so responses never differ.
UTCDatetime = Annotated[
    AwareDatetime,
    BeforeValidator(_time_in_range),
    AfterValidator(_as_utc),
    Field(
        description="with its UTC offset (RFC 3339): a time without one is refused",
        json_schema_extra={"pattern": f"^(?!{OUT_OF_RANGE_TIME})"},
    ),
]

# Exact amounts travel as strings, the way responses write them: 12 digits, 2 of them
# after the point ("1.50"), the most a NUMERIC(12, 2) column holds.
DECIMAL_12_2 = r"^-?[0-9]{1,10}(\.[0-9]{1,2})?$"


def _decimal_text(value: object) -> object:
    if isinstance(value, str) and not re.match(DECIMAL_12_2, value):
        raise ValueError('write at most 10 digits before the point and 2 after it: "1.50"')
    return _not_a_number(value)


def _to_cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


Decimal12_2 = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    AfterValidator(_to_cents),
    WithJsonSchema({"type": "string", "format": "decimal", "pattern": DECIMAL_12_2}),
]

# A JSON object the databases can all store: keys and strings without NUL, finite numbers
# within the Int64 range, nested at most MAX_JSON_DEPTH deep (MariaDB refuses 32
# levels), at most LONG_TEXT_MAX_LENGTH characters once written. Its schema says "an
# object" and these rules in words: the rules as a schema would be recursive, which client
# generators cannot read (openapi-python-client drops such an object's content).
MAX_JSON_DEPTH = 16
JSON_RULES = (
    f"keys and strings without the NUL character, finite numbers within ±{2**53 - 1}, "
    f"nested at most {MAX_JSON_DEPTH} levels deep, at most {LONG_TEXT_MAX_LENGTH} "
    "characters once written"
)


def _unstorable(value: object, depth: int = 1) -> str | None:
    """What in a JSON value the databases cannot store, or None."""
    if isinstance(value, dict | list):
        if depth > MAX_JSON_DEPTH:
            return f"it is nested more than {MAX_JSON_DEPTH} levels deep"
        items: list[tuple[object, object]] = (
            [(None, item) for item in cast("list[object]", value)]
            if isinstance(value, list)
            else list(cast("dict[object, object]", value).items())
        )
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                return "a key holds the NUL character"
            if (reason := _unstorable(item, depth + 1)) is not None:
                return reason
        return None
    if isinstance(value, str):
        return "a string holds the NUL character" if "\x00" in value else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if abs(value) <= 2**53 - 1 else f"an integer is beyond ±{2**53 - 1}"
    if isinstance(value, float):  # PostgreSQL gives 1e20 back as 100000000000000000000
        if not math.isfinite(value):
            return "a number is not finite"
        return None if abs(value) <= 2**53 - 1 else f"a number is beyond ±{2**53 - 1}"
    return "it holds a value JSON does not have"


def _storable_json(value: dict[str, Any]) -> dict[str, Any]:
    reason = _unstorable(value)
    if reason is None and len(json.dumps(value)) > LONG_TEXT_MAX_LENGTH:
        reason = f"it is longer than {LONG_TEXT_MAX_LENGTH} characters once written"
    if reason is not None:
        message = "the databases cannot store this JSON: {reason}"
        raise PydanticCustomError("json_unstorable", message, {"reason": reason})
    return value


JSONObject = Annotated[
    dict[str, Any],
    Strict(),
    AfterValidator(_storable_json),
    WithJsonSchema({"type": "object", "additionalProperties": True, "description": JSON_RULES}),
]


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return not value.isascii() and re.search("[\ud800-\udfff]", value) is not None
    if isinstance(value, dict):
        pairs = cast("dict[object, object]", value).items()
        return any(_has_lone_surrogate(key) or _has_lone_surrogate(item) for key, item in pairs)
    return isinstance(value, list) and any(map(_has_lone_surrogate, cast("list[object]", value)))


class RequestBody(BaseModel):
    """Base of every request body."""

    @model_validator(mode="before")
    @classmethod
    def only_characters(cls, data: Any) -> Any:
        """JSON can spell half of a UTF-16 pair on its own ("\\ud800"); no database stores
        that, since it is not a character."""
        if _has_lone_surrogate(data):
            raise ValueError("a lone surrogate (\\ud800-\\udfff) is not a character")
        return data
