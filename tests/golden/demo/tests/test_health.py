import pytest
from httpx import AsyncClient

from demo.database import make_engine
from demo.database import ping

pytestmark = pytest.mark.anyio


async def test_health_reports_the_database(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_the_ping_fails_when_the_database_does_not_answer() -> None:
    engine = make_engine("sqlite+aiosqlite:////no/such/directory/app.db")
    assert await ping(engine, 1.0) is False
    await engine.dispose()
