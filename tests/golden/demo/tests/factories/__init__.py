"""Test data: one module per model, each able to create the rows its model references."""

from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any

# `create_<model>(client, **overrides)`: creates a row through the API and returns it.
Factory = Callable[..., Awaitable[dict[str, Any]]]

# Times in the test data carry a zone other than UTC, to prove they are converted.
EPOCH = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
