"""Request and response bodies, one module per model, and the field types they share."""

from datetime import UTC
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator
from pydantic import AwareDatetime
from pydantic import Field


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _to_cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# Any time zone in, UTC out: the form the database gives back, so responses never differ.
UTCDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]

# 12 digits, 2 of them after the point, always written with both: "1.50".
Decimal12_2 = Annotated[Decimal, Field(max_digits=12, decimal_places=2), AfterValidator(_to_cents)]
