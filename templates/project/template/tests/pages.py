"""Walking a list page by page, as a client does: `cursor` from `next_cursor`."""

from typing import Any

from httpx import AsyncClient


async def every_row(client: AsyncClient, path: str, /, **params: Any) -> list[dict[str, Any]]:
    """Every row of the list at ``path`` that ``params`` select, in its order (``client``
    and ``path`` are positional: a filter may have either name)."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_params = params if cursor is None else params | {"cursor": cursor}
        response = await client.get(path, params=page_params)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return rows
