"""End to end: generate projects, grow them, and run their own tests, ruff and mypy --strict.

`--python` points the checks at this interpreter, which has every dependency a generated
project needs, so no virtualenv is built per test (one test builds one for real).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastsqla_cli.cli import app
from tests.servers import required_database

pytestmark = pytest.mark.e2e
runner = CliRunner()
PYTHON = sys.executable

BLOG = [
    ["add-model", "Post", "title:str:max=200", "body:text", "author:ref:User"],
    ["add-model", "Comment", "body:text", "post:ref:Post", "author:ref:User"],
]
EVERYTHING = [
    ["add-model", "Category", "name:str:unique:index", "parent:ref:Category:optional"],
    [
        "add-model",
        "Thing",
        "label:str:max=40:unique",
        "notes:text:optional",
        "count:int:index",
        "big:bigint:optional",
        "ratio:float",
        "price:decimal:unique",
        "active:bool",
        "day:date:optional",
        "at:datetime:unique",
        "token:uuid:unique",
        "extra:json:optional",
        "order:int",
        "group:str:optional:max=20",
        "owner:ref:User:optional",
        "category:ref:Category",
        "status:enum:draft,in review,published:index:default=draft",
        # Values that are keywords, start with a digit, or are not ASCII.
        "kind:enum:None,class,1st,café,草稿,it's:optional",
    ],
    [
        "add-model",
        "Review",
        "reviewer:ref:User",
        "editor:ref:User:optional:ondelete=set-null",
        "thing:ref:Thing:ondelete=cascade",
        "score:int",
    ],
    # SQL reserved words as a table and as columns: quoted on every database.
    [
        "add-model",
        "Order",
        "select:str:unique",
        "where:int:optional",
        "buyer:ref:User",
        "--table",
        "order",
    ],
    ["add-field", "Category", "visibility:enum:public,hidden:default=public"],
    ["add-field", "Review", "category:ref:Category:optional:ondelete=set-null"],
    # Many-to-many: to another model, to itself, and added to a model with rows.
    ["add-field", "Thing", "categories:many:Category", "related:many:Thing"],
    ["add-field", "Category", "reviews:many:Review"],
    ["add-value", "Thing", "status", "archived for good"],
    # A cycle of references (User -> Thing -> User): the users' test data leaves it empty.
    ["add-field", "User", "favourite:ref:Thing:optional:ondelete=set-null"],
]


def fastsqla(*args: str, cwd: Path) -> str:
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args))
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_a_blog_in_four_commands(tmp_path: Path) -> None:
    out = fastsqla("new", "blog", "--python", PYTHON, cwd=tmp_path)
    assert "Run the tests" in out and "passed" in out
    project = tmp_path / "blog"
    for command in BLOG:
        out = fastsqla(*command, "--python", PYTHON, cwd=project)
        assert "passed" in out
    out = fastsqla("check", ".", "--python", PYTHON, "--junit-xml", "report.xml", cwd=project)
    assert "Type check (mypy --strict)" in out and "Success: no issues" in out
    assert "Type check (pyright, strict)" in out and "0 errors, 0 warnings" in out
    assert "All checks passed" in out
    assert 'tests="' in (project / "report.xml").read_text()


def test_every_type_modifier_and_reference(tmp_path: Path) -> None:
    fastsqla("new", "inventory", "--no-check", cwd=tmp_path)
    project = tmp_path / "inventory"
    for command in EVERYTHING:
        fastsqla(*command, "--no-check", cwd=project)
    out = fastsqla("check", "--python", PYTHON, cwd=project)
    assert "All checks passed" in out


def test_a_long_model_name_still_lints_and_formats(tmp_path: Path) -> None:
    fastsqla("new", "my-shop", "--no-check", cwd=tmp_path)
    project = tmp_path / "my-shop"
    fastsqla(
        "add-model",
        "InternationalShippingDestination",
        "destination_country_name:str:max=120:unique",
        "another_long_reference:ref:User:optional",
        "--python",
        PYTHON,
        cwd=project,
    )


@pytest.fixture(params=["postgresql", "mysql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    with required_database(request.param) as url:
        yield request.param, url


SHARING = """\
\"\"\"Written by hand: the rows a test makes share the rows they refer to, and every test
starts from those shared rows only.\"\"\"

import pytest
from httpx import AsyncClient

from tests.factories.comment import create_comment

pytestmark = pytest.mark.anyio


async def test_three_comments_share_one_post_and_one_author(client: AsyncClient) -> None:
    comments = [await create_comment(client) for _ in range(3)]
    assert len({comment["post_id"] for comment in comments}) == 1
    assert len((await client.get("/posts")).json()["items"]) == 1
    assert len((await client.get("/users")).json()["items"]) == 1


@pytest.mark.parametrize(("route", "rows"), [("/users", 1), ("/posts", 1), ("/comments", 0)])
async def test_each_test_starts_from_the_shared_rows(
    client: AsyncClient, route: str, rows: int
) -> None:
    assert len((await client.get(route)).json()["items"]) == rows
    await create_comment(client)  # rolled back at the end of the test
"""


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def any_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    if request.param == "sqlite":
        yield "sqlite", None
    else:
        with required_database(request.param) as url:
            yield request.param, url


def test_the_suite_passes_on_two_workers_and_in_any_order(
    tmp_path: Path, any_database: tuple[str, str | None]
) -> None:
    kind, url = any_database
    fastsqla("new", "shop", "--db", kind, "--no-check", cwd=tmp_path)
    project = tmp_path / "shop"
    for command in BLOG:
        fastsqla(*command, "--no-check", cwd=project)
    (project / "tests" / "test_sharing.py").write_text(SHARING)
    env = {**os.environ, **({"TEST_DATABASE_URL": url} if url else {})}
    # Each worker runs its share in an order of its own: two workers, two shuffles each.
    for seed in (1, 2):
        options = ["-n", "2", "-p", "randomly", f"--randomly-seed={seed}"]
        done = subprocess.run(
            [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (options, done.stdout[-3000:])
        assert " passed" in done.stdout.strip().splitlines()[-1]


CONNECTIONS_NOW = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()",
    "mysql": "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()",
}
SLEEP = {"postgresql": "SELECT pg_sleep(0.05)", "mysql": "SELECT SLEEP(0.05)"}


def test_a_burst_never_opens_more_connections_than_the_pool_size(
    tmp_path: Path, database_url: tuple[str, str]
) -> None:
    """30 requests' worth of queries at once on a pool of 3: the server sees 3 connections,
    not 3 + overflow, so processes x DATABASE_POOL_SIZE bounds what a deployment opens."""
    import subprocess

    kind, url = database_url
    fastsqla("new", "shop", "--db", kind, "--no-check", cwd=tmp_path)
    script = (
        "import asyncio, sys\n"
        "from sqlalchemy import text\n"
        "from shop.database import make_engine\n"
        "from shop.settings import Settings\n"
        "async def query(engine) -> int:\n"
        "    async with engine.connect() as connection:\n"
        "        seen = (await connection.execute(text(sys.argv[2]))).scalar_one()\n"
        "        await connection.execute(text(sys.argv[3]))\n"
        "        return int(seen)\n"
        "async def main() -> None:\n"
        "    engine = make_engine(Settings(database_url=sys.argv[1], database_pool_size=3))\n"
        "    seen = await asyncio.gather(*(query(engine) for _ in range(30)))\n"
        "    await engine.dispose()\n"
        "    print(max(seen))\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", script, url, CONNECTIONS_NOW[kind], SLEEP[kind]],
        cwd=tmp_path / "shop",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == 3


FAIRNESS = """\
import asyncio, itertools, sys, time
from types import SimpleNamespace
from sqlalchemy import text
from shop.connection_queue import ConnectionQueue
from shop.database import get_connection, get_session, make_engine
from shop.settings import Settings

async def main() -> None:
    settings = Settings(database_url=sys.argv[1], database_pool_size=5, database_queue_timeout=60)
    engine = make_engine(settings)
    state = SimpleNamespace(connection_queue=ConnectionQueue(engine, settings))
    tickets = itertools.count()  # the order requests ask in
    served: list[int] = []  # their tickets, in the order they get a connection
    stop = time.perf_counter() + 2

    async def client() -> None:  # one request after another, as a wrk connection sends them
        while time.perf_counter() < stop:
            ticket = next(tickets)
            request = SimpleNamespace(state=state)
            async for connection in get_connection(request):  # as FastAPI resolves SessionDep
                served.append(ticket)
                async for session in get_session(connection):
                    await session.execute(text("SELECT 1"))
                    await session.execute(text("SELECT 2"))

    await asyncio.gather(*(client() for _ in range(100)))
    await engine.dispose()
    overtaken = sum(ticket < highest for ticket, highest in zip(served, itertools.accumulate(served, max)))
    print(overtaken / len(served))

asyncio.run(main())
"""


def test_requests_get_connections_in_the_order_they_ask(
    tmp_path: Path, database_url: tuple[str, str]
) -> None:
    """100 clients share 5 connections through the session dependency. SQLAlchemy's pool
    alone lets late askers jump the queue: on PostgreSQL 62-81% of requests got their
    connection after one that asked later, and their p99 was 3.2-4.9x the median. Through
    the dependencies' connection queue, first come first served, 0-6% (a new connection
    or a ping can finish out of order). The order, unlike the latency, does not depend on
    what else the machine runs."""
    import subprocess

    kind, url = database_url
    fastsqla("new", "shop", "--db", kind, "--no-check", cwd=tmp_path)
    done = subprocess.run(
        [PYTHON, "-c", FAIRNESS, url], cwd=tmp_path / "shop", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 0.2


SQLITE_WRITERS = """\
import asyncio, sys
import httpx
from asgi_lifespan import LifespanManager
from shop.main import create_app
from shop.settings import Settings

async def main() -> None:
    app = create_app(Settings(database_url=sys.argv[1]))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def create(i: int) -> int:
                body = {"name": f"n{i}", "email": f"u{i}@example.com"}
                return (await client.post("/users", json=body)).status_code

            async def read(i: int) -> int:
                return (await client.get(f"/users/{1 + i % 50}")).status_code

            statuses = await asyncio.gather(*(create(i) for i in range(50)))
            statuses += await asyncio.gather(
                *(create(i) for i in range(50, 150)), *(read(i) for i in range(100))
            )
    print(" ".join(sorted({str(status) for status in statuses})))

asyncio.run(main())
"""


@pytest.mark.parametrize("where", ["file", "memory", ":memory:"])
def test_sqlite_writers_take_turns(tmp_path: Path, where: str) -> None:
    """A SQLite process keeps two connections to a file, so two writers can meet at its
    lock: the second must wait for it (busy timeout), not fail with "database is locked".
    An in-memory database lives in one connection, which every request then shares."""
    import subprocess

    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    url = {
        "file": f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}",
        "memory": "sqlite+aiosqlite://",
        ":memory:": "sqlite+aiosqlite:///:memory:",
    }[where]
    done = subprocess.run(
        [PYTHON, "-W", "error", "-c", SQLITE_WRITERS, url],
        cwd=tmp_path / "shop",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "201"]


def test_without_uv_new_falls_back_to_venv_and_pip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastsqla_cli import environment

    monkeypatch.setattr(environment, "find_uv", lambda: None)
    out = fastsqla("new", "plain", "--no-types", cwd=tmp_path)
    assert "Install the project" in out and "passed" in out
    assert (tmp_path / "plain" / ".venv" / "bin" / "pip").exists()  # made by venv, not uv
