import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import create_async_engine

from demo.routers import health
from demo.routers.health import ping

pytestmark = pytest.mark.anyio


async def test_health_answers_while_the_process_does(client: AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_reports_the_database_and_its_schema(client: AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_not_ready_while_the_schema_is_not_the_codes(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "code_heads", lambda: frozenset({"a_later_revision"}))
    response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "schema not at head"}


# On the run's event loop, which the app's fixture keeps open: aiosqlite stops the thread
# of a connection that failed to open after the ping has returned, and that thread reports
# to the loop it was made on (a loop closed by then would be an error in another test).
@pytest.mark.usefixtures("app")
async def test_the_ping_fails_when_the_database_does_not_answer() -> None:
    engine = create_async_engine("sqlite+aiosqlite:////no/such/directory/app.db")
    assert await ping(engine, 1.0) is False
    await engine.dispose()
