import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.anyio


async def test_health_reports_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
