"""Test data: one module per model, each able to create the rows its model references."""

from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any
from weakref import WeakKeyDictionary

from httpx import AsyncClient

# `create_<model>(client, **overrides)`: creates a row through the API and returns it.
Factory = Callable[..., Awaitable[dict[str, Any]]]

# Times in the test data carry a zone other than UTC, to prove they are converted.
EPOCH = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))


class SharedRows:
    """The rows that a test's rows refer to, one per model for the whole test (its
    `client`): each is created the first time a row needs it. Without them, every row of a
    model that refers to another would create that one, and it the next, a chain as long
    as the references go."""

    def __init__(self) -> None:
        self._rows = WeakKeyDictionary[AsyncClient, dict[Factory, dict[str, Any]]]()

    async def row(self, client: AsyncClient, create: Factory) -> dict[str, Any]:
        rows = self._rows.setdefault(client, {})
        if create not in rows:
            rows[create] = await create(client)
        return rows[create]


SHARED = SharedRows()
