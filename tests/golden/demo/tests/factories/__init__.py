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
    """The rows that test data refers to when a test does not say which: one row of each
    model that another refers to, made through the API once per run (`seed`, before the
    first test) and committed, as Rails' fixtures are. Each test runs in a transaction on
    top of them; without them, every row of a model that refers to another would make that
    one, and it the next, a chain as long as the references go. A row not seeded (a factory
    module that `seed` did not find) is made once per test instead."""

    def __init__(self) -> None:
        self._seeded: dict[Factory, dict[str, Any]] = {}
        self._seeding = False
        self._per_test = WeakKeyDictionary[AsyncClient, dict[Factory, dict[str, Any]]]()

    async def row(self, client: AsyncClient, create: Factory) -> dict[str, Any]:
        if create in self._seeded:
            return self._seeded[create]
        rows = self._seeded if self._seeding else self._per_test.setdefault(client, {})
        if create not in rows:
            rows[create] = await create(client)
        return rows[create]

    async def seed(self, client: AsyncClient) -> None:
        """Make, through ``client``, whose requests commit, the rows that each factory's
        payload refers to."""
        # Imported here: a model's module of the same name would replace a global one.
        from importlib import import_module
        from pkgutil import iter_modules

        self._seeding = True
        try:
            for module in iter_modules(__path__):
                factory = import_module(f"{__name__}.{module.name}")
                payload = getattr(factory, f"{module.name}_payload", None)
                if payload is not None:
                    await payload(client)
        finally:
            self._seeding = False


SHARED = SharedRows()
