"""The connection queue under load: a request waits for a connection at most
`DATABASE_QUEUE_TIMEOUT`, however large the pool and its overflow, `/ready` answers beside
it, and a request holds one connection however many of the database dependencies it takes.
And the session maker outside a request, as the README shows it."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport
from httpx import AsyncClient
from httpx import Response

from demo.database import ConnectionDep
from demo.database import SessionDep
from demo.main import create_app
from demo.models import Base
from demo.routers.health import PING_TIMEOUT
from demo.settings import Settings

pytestmark = pytest.mark.anyio

QUEUE_TIMEOUT = 0.2
PROJECT = Path(__file__).parent.parent


@dataclass
class Busy:
    """An app with a route that holds its connection until `release` is set."""

    client: AsyncClient
    release: asyncio.Event = field(default_factory=asyncio.Event)
    inside: list[bool] = field(default_factory=list[bool])  # per request holding: one connection?
    size: int = 2  # connections the pool may open: its size and its overflow
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
async def busy(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Busy]:
    """The app with a pool of 2 and, when the test asks (`indirect`), that overflow."""
    overflow: int = getattr(request, "param", 0)
    settings = Settings(
        database_url=database_url,
        database_pool_size=2,
        database_max_overflow=overflow,
        database_queue_timeout=QUEUE_TIMEOUT,
    )
    app = create_app(settings)
    state = Busy(AsyncClient(base_url="http://test"), size=2 + overflow)

    @app.get("/hold")  # a route added by hand, with both documented dependencies
    async def hold(session: SessionDep, connection: ConnectionDep) -> None:
        own = await session.connection()
        state.inside.append(own.sync_connection is connection.sync_connection)
        state.changed.set()
        await state.release.wait()

    async with LifespanManager(app) as manager:
        state.client = AsyncClient(transport=ASGITransport(manager.app), base_url="http://test")
        async with state.client:
            yield state
            state.release.set()


@pytest.mark.parametrize("busy", [0, 1], ids=["no overflow", "overflow 1"], indirect=True)
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


async def test_ready_answers_promptly_while_every_connection_is_taken(busy: Busy) -> None:
    requests = busy.hold(busy.size)  # every connection the pool may open, held
    await busy.settled(requests)
    assert len(busy.inside) == busy.size
    started = time.perf_counter()
    response = await busy.client.get("/ready")
    # Through the queue, it would have waited QUEUE_TIMEOUT and answered 503; the bound on
    # the time leaves room for a busy machine (`pytest -n 2` on two cores).
    assert response.status_code == 200
    assert time.perf_counter() - started < PING_TIMEOUT
    busy.release.set()
    await asyncio.gather(*requests)


async def test_a_route_with_a_session_and_a_connection_holds_one_connection(busy: Busy) -> None:
    requests = busy.hold(busy.size)
    await busy.settled(requests)
    assert busy.inside == [True] * busy.size  # every request got in: none took two
    busy.release.set()
    assert [(await r).status_code for r in requests] == [200] * busy.size


async def test_the_503_is_in_the_openapi_document(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "503" in operation["responses"], f"{method.upper()} {path}"


async def test_the_readme_example_uses_the_session_maker_outside_a_request(
    client: AsyncClient,  # the app has brought the schema up to date
    capsys: pytest.CaptureFixture[str],
) -> None:
    users = Base.metadata.tables.get("users")
    required = set[str]()
    if users is not None:
        required = {
            column.name
            for column in users.columns
            if not (column.nullable or column.primary_key)
            and column.default is None
            and column.server_default is None
        }
    if required != {"name", "email"}:
        pytest.skip("the README's example makes a User of the starter model, which has changed")
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the database outside a request", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example is not None, "the README has no example in that section"
    # Run as a script would, but on this test's event loop: `asyncio.run` would start another.
    script, last_line = example.group(1).rstrip().rsplit("\n", 1)
    assert last_line == "asyncio.run(main())"
    namespace: dict[str, Any] = {}
    exec(script, namespace)
    await namespace["main"]()
    assert capsys.readouterr().out.endswith("'Ada']\n")  # after the shared user, if any
