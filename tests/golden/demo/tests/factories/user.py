"""Test data for User: valid bodies with distinct values."""

from itertools import count
from typing import Any

from httpx import AsyncClient

_numbers = count(1)


async def user_payload(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """A valid body for `POST /users`; ``overrides`` replace values."""
    n = next(_numbers)
    payload: dict[str, Any] = {
        "name": f"name-{n}",
        "email": f"email-{n}",
    }
    return payload | overrides


async def create_user(client: AsyncClient, /, **overrides: Any) -> dict[str, Any]:
    """Create a User through the API and return it as the API does."""
    payload = await user_payload(client, **overrides)
    response = await client.post("/users", json=payload)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created
