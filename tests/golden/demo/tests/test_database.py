"""The connection queue under load: a request waits for a connection at most
`DATABASE_QUEUE_TIMEOUT`, `/health` answers beside it, and a request holds one connection
however many of the database dependencies it takes."""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field

import pytest
from asgi_lifespan import LifespanManager
from fastapi import Request
from httpx import ASGITransport
from httpx import AsyncClient
from httpx import Response

from demo.database import ConnectionDep
from demo.database import SessionDep
from demo.main import create_app
from demo.settings import Settings

pytestmark = pytest.mark.anyio

QUEUE_TIMEOUT = 0.2


@dataclass
class Busy:
    """An app with a route that holds its connection until `release` is set."""

    client: AsyncClient
    release: asyncio.Event = field(default_factory=asyncio.Event)
    inside: list[bool] = field(default_factory=list)  # per request holding: one connection?
    size: int = 0  # connections the queue hands out
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def hold(self, count: int) -> list[asyncio.Task[Response]]:
        requests = [asyncio.create_task(self.client.get("/hold")) for _ in range(count)]
        for request in requests:
            request.add_done_callback(lambda _: self.changed.set())
        return requests

    async def settled(self, requests: list[asyncio.Task[Response]]) -> None:
        """Wait until each request either holds a connection or has its answer."""
        async with asyncio.timeout(5):
            while sum(r.done() for r in requests) + len(self.inside) < len(requests):
                await self.changed.wait()
                self.changed.clear()


@pytest.fixture
async def busy(database_url: str) -> AsyncIterator[Busy]:
    app = create_app(
        Settings(
            database_url=database_url,
            database_pool_size=2,
            database_queue_timeout=QUEUE_TIMEOUT,
        )
    )
    state = Busy(AsyncClient(base_url="http://test"))

    @app.get("/hold")  # a route added by hand, with both documented dependencies
    async def hold(request: Request, session: SessionDep, connection: ConnectionDep) -> None:
        state.size = request.state.connection_queue.size
        own = await session.connection()
        state.inside.append(own.sync_connection is connection.sync_connection)
        state.changed.set()
        await state.release.wait()

    async with LifespanManager(app) as manager:
        state.client = AsyncClient(transport=ASGITransport(manager.app), base_url="http://test")
        async with state.client:
            yield state
            state.release.set()


async def test_a_request_waits_for_a_connection_at_most_the_queue_timeout(busy: Busy) -> None:
    started = time.perf_counter()
    requests = busy.hold(6)
    await busy.settled(requests)
    refused = [r.result() for r in requests if r.done()]
    holding = [r for r in requests if not r.done()]
    assert len(holding) == len(busy.inside) == busy.size and len(refused) == 6 - busy.size
    assert time.perf_counter() - started >= QUEUE_TIMEOUT
    for response in refused:
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert set(response.json()) == {"detail"}
    busy.release.set()
    assert [(await r).status_code for r in holding] == [200] * busy.size
    assert (await busy.client.get("/hold")).status_code == 200  # the queue is free again


async def test_health_answers_promptly_while_every_connection_is_taken(busy: Busy) -> None:
    requests = busy.hold(2)  # the pool's two connections, held
    await busy.settled(requests)
    assert len(busy.inside) == busy.size == 2
    started = time.perf_counter()
    response = await busy.client.get("/health")
    assert response.status_code == 200
    assert time.perf_counter() - started < QUEUE_TIMEOUT
    busy.release.set()
    await asyncio.gather(*requests)


async def test_a_route_with_a_session_and_a_connection_holds_one_connection(busy: Busy) -> None:
    requests = busy.hold(2)
    await busy.settled(requests)
    assert busy.inside == [True] * 2  # every request got in: none took two connections
    busy.release.set()
    assert [(await r).status_code for r in requests] == [200, 200]


async def test_the_503_is_in_the_openapi_document(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "503" in operation["responses"], f"{method.upper()} {path}"
