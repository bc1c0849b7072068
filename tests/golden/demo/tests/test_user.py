"""`/users`: every route and every error path."""

from typing import Any

import pytest
from httpx import AsyncClient

from demo.schemas.user import UserCreate

from tests.factories.user import create_user
from tests.factories.user import user_payload

pytestmark = pytest.mark.anyio

MISSING_ID = 2_000_000_000
REQUIRED = [
    "name",
    "email",
]
UNIQUE = [
    "email",
]
LENGTHS = [
    ("name", 255),
    ("email", 255),
]


def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two bodies hold the same values (`...Z` and `...+00:00` are one time)."""
    return UserCreate.model_validate(a) == UserCreate.model_validate(b)


async def test_create_returns_201_and_the_row(client: AsyncClient) -> None:
    payload = await user_payload(client)
    response = await client.post("/users", json=payload)
    assert response.status_code == 201, response.text
    created = response.json()
    assert isinstance(created["id"], int)
    assert same(created, payload)


@pytest.mark.parametrize("field", REQUIRED)
async def test_create_without_a_required_field_is_422(client: AsyncClient, field: str) -> None:
    payload = await user_payload(client)
    del payload[field]
    response = await client.post("/users", json=payload)
    assert response.status_code == 422


@pytest.mark.parametrize(("field", "length"), LENGTHS)
async def test_text_longer_than_its_column_is_422(
    client: AsyncClient,
    field: str,
    length: int,
) -> None:
    payload = await user_payload(client, **{field: "x" * length})
    assert (await client.post("/users", json=payload)).status_code == 201
    payload = await user_payload(client, **{field: "y" * (length + 1)})
    assert (await client.post("/users", json=payload)).status_code == 422


async def test_read_returns_the_row(client: AsyncClient) -> None:
    created = await create_user(client)
    response = await client.get(f"/users/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


async def test_read_a_missing_row_is_404(client: AsyncClient) -> None:
    response = await client.get(f"/users/{MISSING_ID}")
    assert response.status_code == 404
    [error] = response.json()["detail"]
    assert error["type"] == "not_found"
    assert (error["loc"], error["input"]) == (["path", "user_id"], MISSING_ID)


@pytest.mark.parametrize("row_id", ["0", "-1", "2147483648", "99999999999999999999", "x"])
async def test_an_id_out_of_range_is_422(client: AsyncClient, row_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"/users/{row_id}", json={})
        assert response.status_code == 422, (method, response.text)


async def test_list_pages_in_id_order(client: AsyncClient) -> None:
    rows = [await create_user(client) for _ in range(3)]
    everything = await client.get("/users", params={"limit": 100})
    assert everything.status_code == 200
    ids = [row["id"] for row in everything.json()]  # the shared rows first, if any
    assert ids == sorted(ids) and everything.json()[-3:] == rows
    page = await client.get("/users", params={"offset": len(ids) - 2, "limit": 1})
    assert page.json() == [rows[1]]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 2**31}]
)
async def test_list_rejects_paging_out_of_range(
    client: AsyncClient,
    params: dict[str, int],
) -> None:
    response = await client.get("/users", params=params)
    assert response.status_code == 422


async def test_update_changes_only_the_given_fields(client: AsyncClient) -> None:
    created = await create_user(client)
    fresh = await user_payload(client)
    change = {"name": fresh["name"]}
    url = f"/users/{created['id']}"
    response = await client.patch(url, json=change)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == created["id"]
    assert same(response.json(), created | change)
    assert (await client.get(url)).json() == response.json()


async def test_update_a_missing_row_is_404(client: AsyncClient) -> None:
    response = await client.patch(f"/users/{MISSING_ID}", json={})
    assert response.status_code == 404


@pytest.mark.parametrize("field", REQUIRED)
async def test_update_cannot_null_a_required_field(client: AsyncClient, field: str) -> None:
    created = await create_user(client)
    url = f"/users/{created['id']}"
    assert (await client.patch(url, json={field: None})).status_code == 422


async def test_delete_returns_204_then_the_row_is_gone(client: AsyncClient) -> None:
    created = await create_user(client)
    url = f"/users/{created['id']}"
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404


async def test_delete_a_missing_row_is_404(client: AsyncClient) -> None:
    response = await client.delete(f"/users/{MISSING_ID}")
    assert response.status_code == 404


@pytest.mark.parametrize("field", UNIQUE)
async def test_create_with_a_duplicate_is_409(client: AsyncClient, field: str) -> None:
    first = await create_user(client)
    payload = await user_payload(client, **{field: first[field]})
    response = await client.post("/users", json=payload)
    assert response.status_code == 409
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("duplicate", ["body", field])


@pytest.mark.parametrize("field", UNIQUE)
async def test_update_to_a_duplicate_is_409(client: AsyncClient, field: str) -> None:
    first = await create_user(client)
    second = await create_user(client)
    url = f"/users/{second['id']}"
    response = await client.patch(url, json={field: first[field]})
    assert response.status_code == 409
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("duplicate", ["body", field])
