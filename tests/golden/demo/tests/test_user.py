"""`/users`: every route and every error path."""

from collections.abc import Callable
from operator import eq
from operator import ge
from operator import gt
from operator import le
from operator import lt
from typing import Any

import pytest
from httpx import AsyncClient

from demo.schemas.user import UserCreate

from tests.factories.user import create_user
from tests.factories.user import user_payload
from tests.pages import every_row

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
SORTS = ["name", "email"]
TEXTS: list[str] = ["name", "email"]
FILTERS = [
    ("name", "name", "eq"),
    ("name__in", "name", "in"),
    ("name__contains", "name", "contains"),
    ("name__startswith", "name", "startswith"),
    ("email", "email", "eq"),
    ("email__in", "email", "in"),
    ("email__contains", "email", "contains"),
    ("email__startswith", "email", "startswith"),
]
# How a field's JSON values compare, where the JSON value alone would not (`"10.5"`).
AS_VALUE: dict[str, Callable[[Any], Any]] = {}
COMPARE = {"eq": eq, "gt": gt, "gte": ge, "lt": lt, "lte": le}


def value_of(field: str, value: Any) -> Any:
    return value if value is None or field not in AS_VALUE else AS_VALUE[field](value)


def sort_key(field: str, row: dict[str, Any]) -> tuple[Any, ...]:
    """Where ``row`` goes in a list sorted by ``field``: empty last going up."""
    return (1,) if row[field] is None else (0, value_of(field, row[field]))


def matches(field: str, operator: str, value: Any, found: Any) -> bool:
    """Whether a row whose ``field`` holds ``found`` passes the filter."""
    if operator == "isnull":
        return (found is None) is value
    if found is None:
        return False
    if operator == "in":
        return found in value
    if operator == "contains":
        return str(value).lower() in found.lower()
    if operator == "startswith":
        return bool(found.lower().startswith(str(value).lower()))
    return bool(COMPARE[operator](value_of(field, found), value_of(field, value)))


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


async def test_the_list_pages_in_id_order(client: AsyncClient) -> None:
    rows = [await create_user(client) for _ in range(3)]
    everything = await every_row(client, "/users", limit=2)
    ids = [row["id"] for row in everything]  # the shared rows first, if any
    assert ids == sorted(ids) and everything[-3:] == rows
    first = (await client.get("/users", params={"limit": len(ids) - 1})).json()
    assert first["items"] == everything[:-1] and first["total"] is None
    last = await client.get("/users", params={"cursor": first["next_cursor"]})
    assert last.json() == {"items": everything[-1:], "next_cursor": None, "total": None}


async def test_a_walk_through_the_pages_sees_each_row_once_while_rows_are_added(
    client: AsyncClient,
) -> None:
    for _ in range(5):
        await create_user(client)
    there = {row["id"] for row in await every_row(client, "/users")}
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get("/users", params=params)).json()
        seen += [row["id"] for row in page["items"]]
        await create_user(client)  # between two pages
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) and there <= set(seen)


async def test_count_gives_the_number_of_rows_the_filters_select(client: AsyncClient) -> None:
    for _ in range(3):
        await create_user(client)
    everything = await every_row(client, "/users")
    response = await client.get("/users", params={"count": True, "limit": 1})
    assert response.json()["total"] == len(everything)


async def test_the_list_sorts_by_each_field(client: AsyncClient, subtests: pytest.Subtests) -> None:
    for _ in range(3):
        await create_user(client)
    for field, descending in [(field, down) for field in SORTS for down in (False, True)]:
        sort = f"-{field}" if descending else field
        with subtests.test(sort=sort):
            walked = await every_row(client, "/users", sort=sort, limit=2)
            params: dict[str, Any] = {"sort": sort, "limit": 100}
            one_page = (await client.get("/users", params=params)).json()
            assert walked == one_page["items"] and one_page["next_cursor"] is None
            empty = [row["id"] for row in walked if row[field] is None]
            ids = [row["id"] for row in walked]
            at_end = ids[: len(empty)] if descending else ids[len(ids) - len(empty) :]
            assert at_end == empty
            if field not in TEXTS:  # text sorts by the database's collation, not code point
                by_id = sorted(walked, key=lambda row: row["id"])  # ties: in id order
                in_order = sorted(by_id, key=lambda row: sort_key(field, row), reverse=descending)
                assert walked == in_order


async def test_the_list_filters_with_each_operator(
    client: AsyncClient, subtests: pytest.Subtests
) -> None:
    rows = [await create_user(client)]
    rows.append(await create_user(client))
    rows.append(await create_user(client))
    for parameter, field, operator in FILTERS:
        with subtests.test(parameter):
            pivot = rows[1][field]
            value: Any = pivot
            if operator == "in":
                value = [found for found in (rows[0][field], pivot) if found is not None]
            elif operator == "contains":
                value = pivot[len(pivot) // 2 :].upper()  # case-insensitive
            elif operator == "startswith":
                value = pivot.upper()
            elif operator == "isnull":
                value = True
            found = await every_row(client, "/users", **{parameter: value})
            assert all(matches(field, operator, value, row[field]) for row in found), found
            wanted = {row["id"] for row in rows if matches(field, operator, value, row[field])}
            assert {row["id"] for row in found} & {row["id"] for row in rows} == wanted


async def test_the_list_refuses_a_parameter_it_does_not_have(
    client: AsyncClient, subtests: pytest.Subtests
) -> None:
    refused: list[dict[str, Any]] = [
        {"limit": 0},
        {"limit": 101},
        {"sort": "-"},
        {"sort": "no_such_field"},
        {"cursor": "not a cursor"},
        {"no_such_field": "1"},
        {"name__no_such_operator": "1"},
        {"limit": [1, 2]},
    ]
    for params in refused:
        with subtests.test(params=params):
            response = await client.get("/users", params=params)
            assert response.status_code == 422
            [error] = response.json()["detail"]
            assert error["loc"] == ["query", *params]


async def test_a_cursor_serves_only_the_list_that_made_it(client: AsyncClient) -> None:
    for _ in range(3):
        await create_user(client)
    cursor = (await client.get("/users", params={"limit": 1})).json()["next_cursor"]
    follows = await client.get("/users", params={"limit": 1, "cursor": cursor})
    assert follows.status_code == 200
    edited = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BA")
    for params in ({"cursor": edited}, {"cursor": cursor, "sort": "-id"}):
        response = await client.get("/users", params=params)
        assert response.status_code == 422, params
        [error] = response.json()["detail"]
        assert (error["type"], error["loc"]) == ("invalid_cursor", ["query", "cursor"])


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
