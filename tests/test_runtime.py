"""The generated app at run time: a wrong DATABASE_URL stops it with one line, and a route
that takes both database dependencies works on one connection, one unit of work."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastsqla_cli.new import create_project
from tests.servers import database_url as database_url_of
from tests.servers import replicated_database, required_database, server, unreachable_reason

pytestmark = pytest.mark.e2e
PYTHON = sys.executable
# uvicorn's own command line, with one driver made impossible to import.
UVICORN = (
    "import sys, uvicorn\n"
    "if sys.argv[1]: sys.modules[sys.argv[1]] = None\n"
    "sys.argv[:2] = ['uvicorn']\n"
    "uvicorn.main()\n"
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_project(tmp_path_factory.mktemp("runtime") / "shop").root


def needs(kind: str) -> None:
    reason = unreachable_reason(server(kind))
    if reason and os.environ.get("FASTSQLA_REQUIRE_SERVERS") == "1":
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


def serve(shop: Path, blocked: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """`uvicorn shop.main:app` with ``env`` set and the module ``blocked`` impossible to
    import, run to its end: each case here stops it at startup."""
    return subprocess.run(
        [PYTHON, "-c", UVICORN, blocked, "shop.main:app", "--port", "0"],
        cwd=shop,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_script(shop: Path, script: str, *args: str, timeout: float = 60) -> str:
    """Run ``script`` with the project's package importable, warnings as errors; its
    output, once it exits 0."""
    done = subprocess.run(
        [PYTHON, "-W", "error", "-c", script, *args],
        cwd=shop,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("url", "blocked", "server_kind", "expected"),
    [
        pytest.param(
            "postgresql+asyncpg://postgres@127.0.0.1:1/shop",
            "",
            None,
            "DATABASE_URL: cannot reach the database server at 127.0.0.1:1 ([Errno 111]"
            " Connection refused): start it, or correct the host and port in DATABASE_URL",
            id="host unreachable",
        ),
        pytest.param(
            "mysql+aiomysql://root@127.0.0.1:1/shop",
            "",
            None,
            "DATABASE_URL: cannot reach the database server at 127.0.0.1:1",
            id="host unreachable (MySQL)",
        ),
        pytest.param(
            "postgresql+asyncpg://postgres@127.0.0.1:5432/fastsqla_no_such_database",
            "",
            "postgresql",
            "DATABASE_URL: the database fastsqla_no_such_database does not exist on"
            " 127.0.0.1:5432: create it (CREATE DATABASE fastsqla_no_such_database) or point"
            " DATABASE_URL at one that exists",
            id="database missing (PostgreSQL)",
        ),
        pytest.param(
            "mysql+aiomysql://root@127.0.0.1:3306/fastsqla_no_such_database",
            "",
            "mysql",
            "DATABASE_URL: the database fastsqla_no_such_database does not exist on"
            " 127.0.0.1:3306: create it",
            id="database missing (MariaDB)",
        ),
        pytest.param(
            "sqlite+aiosqlite:///no/such/directory/shop.db",
            "",
            None,
            "DATABASE_URL: cannot open the SQLite file no/such/directory/shop.db (unable to open"
            " database file): point DATABASE_URL at a file in a directory that exists and is"
            " writable",
            id="SQLite directory missing",
        ),
    ],
)
def test_a_database_the_app_cannot_use_stops_it_at_startup_with_one_line(
    shop: Path, url: str, blocked: str, server_kind: str | None, expected: str
) -> None:
    if server_kind:
        needs(server_kind)
    done = serve(shop, blocked=blocked, DATABASE_URL=url)
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR:")]
    assert errors[-1] == "ERROR:    Application startup failed. Exiting.", done.stderr
    assert len(errors) == 2 and errors[0].startswith(f"ERROR:    {expected}"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("url", "blocked", "expected"),
    [
        pytest.param(
            "sqlite:///shop.db",
            "",
            "DATABASE_URL: begins with sqlite, not with an async driver of this app: begin it"
            " with sqlite+aiosqlite, postgresql+asyncpg or mysql+aiomysql",
            id="sync driver",
        ),
        pytest.param(
            "not a url",
            "",
            "DATABASE_URL: not a database URL: begin it with sqlite+aiosqlite,"
            " postgresql+asyncpg or mysql+aiomysql",
            id="not a URL",
        ),
        pytest.param(
            "postgresql+asyncpg://postgres@127.0.0.1:5432/shop",
            "asyncpg",
            "DATABASE_URL: needs the asyncpg driver, which is not installed: pip install asyncpg",
            id="driver not installed",
        ),
    ],
)
def test_a_database_url_the_app_cannot_use_stops_it_with_one_line(
    shop: Path, url: str, blocked: str, expected: str
) -> None:
    """Checked with the other settings, before the app is built: no engine, no traceback."""
    done = serve(shop, blocked=blocked, DATABASE_URL=url)
    assert done.returncode == 1
    assert done.stderr == f"error: invalid settings: {expected}\n"


def test_a_setting_the_app_cannot_use_stops_uvicorn_with_one_line(shop: Path) -> None:
    done = serve(shop, LOG_LEVEL="LOUD", DATABASE_QUEUE_TIMEOUT="-1")
    assert done.returncode == 1
    assert done.stderr == (
        "error: invalid settings: DATABASE_QUEUE_TIMEOUT: Input should be greater than 0;"
        " LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'\n"
    )


def test_a_database_the_app_does_not_recognise_stops_it_with_one_line(
    shop: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "theirs.db") as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    done = serve(shop, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'theirs.db'}")
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR:")]
    assert errors == [
        "ERROR:    the database has tables (things) but no Alembic revision: point DATABASE_URL"
        " at an empty database, or record its revision with `alembic stamp <revision>`",
        "ERROR:    Application startup failed. Exiting.",
    ], done.stderr
    assert "Traceback" not in done.stderr


ONE_UNIT_OF_WORK = """\
import asyncio, sys
import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from shop.database import ConnectionDep, SessionDep
from shop.main import create_app
from shop.models.user import User
from shop.settings import Settings

app = create_app(Settings(database_url=sys.argv[1], database_pool_size=1))


@app.post("/both/{fail}")
async def both(fail: bool, connection: ConnectionDep, session: SessionDep) -> int:
    before = (await connection.execute(select(func.count()).select_from(User))).scalar_one()
    session.add(User(name="n", email=f"{before}@example.com"))
    await session.flush()
    if fail:
        raise RuntimeError("after the write")
    await session.commit()
    own = await session.connection()
    assert own.sync_connection is connection.sync_connection
    return int(before)


async def main() -> None:
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = [await client.post(f"/both/{fail}") for fail in (0, 0, 1, 0)]
    print(" ".join(f"{a.status_code}:{a.text if a.status_code == 200 else '-'}" for a in answers))

asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url_of(request.param, tmp_path) as url:
        yield url


def test_a_route_with_both_dependencies_is_one_unit_of_work(shop: Path, database_url: str) -> None:
    """A route reads on `ConnectionDep`, then writes through `SessionDep` on a pool of one:
    it does not wait for a second connection, its commit keeps the write, and its failure
    takes the write back (the third request; the fourth sees two rows, not three)."""
    answers = run_script(shop, ONE_UNIT_OF_WORK, database_url)
    assert answers.split() == ["200:0", "200:1", "500:-", "200:2"]


SAME_MOMENT = """\
import sqlite3, sys, threading
from pathlib import Path
from shop.sqlite import set_pragmas

def open_together(path: Path, count: int) -> list[str]:
    start = threading.Barrier(count)
    outcomes: list[str] = []

    def connect() -> None:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        start.wait()
        try:
            set_pragmas(connection, None)
            outcomes.append(connection.execute("PRAGMA journal_mode").fetchone()[0])
        except sqlite3.Error as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=connect) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes

outcomes = [o for n in range(60) for o in open_together(Path(sys.argv[1]) / f"{n}.db", 8)]
print(sorted(set(outcomes)))
"""


def test_connections_opening_a_new_sqlite_file_together_all_get_wal(
    shop: Path, tmp_path: Path
) -> None:
    """Eight connections open each of 60 new files at the same moment (as workers starting
    together do): SQLite lets one switch the file to WAL and refuses the others at once,
    without waiting; each must still get its connection, in WAL mode."""
    assert run_script(shop, SAME_MOMENT, str(tmp_path), timeout=120).strip() == "['wal']"


SILENT_SERVER = """\
import asyncio, socket, sys
from sqlalchemy.ext.asyncio import create_async_engine
from shop.errors import StartupError
from shop.startup import check_database

async def main() -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    port = listener.getsockname()[1]
    engine = create_async_engine(f"{sys.argv[1]}@127.0.0.1:{port}/shop")
    try:
        await check_database(engine, seconds=0.5)
    except StartupError as error:
        print(error)
    finally:
        await engine.dispose()
        listener.close()

asyncio.run(main())
"""


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg://postgres", "mysql+aiomysql://root"])
def test_a_server_that_never_answers_is_reported_within_the_bound(shop: Path, scheme: str) -> None:
    line = run_script(shop, SILENT_SERVER, scheme, timeout=30)
    assert line.startswith("DATABASE_URL: 127.0.0.1:"), line
    assert line.rstrip().endswith(
        "did not answer within 0.5 s: check the host and port in DATABASE_URL and that the"
        " server accepts connections (DATABASE_CONNECT_TIMEOUT sets the bound)"
    )


# Put before each of the scripts below: the app under test with a client, and a way to close
# its connections from the server's side, as a restart or a proxy dropping idle ones would.
SERVER_SIDE = """\
import asyncio, logging, sys
from contextlib import asynccontextmanager
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from shop import database, idle_ping
from shop.main import create_app
from shop.settings import Settings

URL = sys.argv[1]
USER = {"name": "Ada", "email": "ada@example.com"}

@asynccontextmanager
async def client_of(url: str, route=None, **settings):
    \"\"\"A client of the app on `url`, which has a pool of one connection and logs to stdout;
    with `route` at `/route` when given.\"\"\"
    logging.basicConfig(stream=sys.stdout, format="log: %(message)s", force=True)
    app = create_app(Settings(database_url=url, database_pool_size=1, **settings))
    if route is not None:
        app.get("/route")(route)
    async with LifespanManager(app) as manager:
        transport = ASGITransport(app=manager.app)
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            yield client

def report(answers) -> None:
    for answer in answers:
        print(answer.status_code, answer.headers.get("retry-after", "-"))

ON_POSTGRESQL = URL.startswith("postgresql")
WHO = "SELECT pg_backend_pid()" if ON_POSTGRESQL else "SELECT CONNECTION_ID()"
OTHERS = (
    "SELECT pid FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    if ON_POSTGRESQL
    else "SELECT id FROM information_schema.processlist"
    " WHERE db = DATABASE() AND id <> CONNECTION_ID()"
)
DROP = "SELECT pg_terminate_backend({})" if ON_POSTGRESQL else "KILL {}"

async def drop_connections() -> None:
    other = create_async_engine(URL, isolation_level="AUTOCOMMIT")
    async with other.connect() as connection:
        for (pid,) in (await connection.execute(text(OTHERS))).all():
            await connection.execute(text(DROP.format(pid)))
    await other.dispose()

SERVER = make_url(URL)

class Gateway:
    \"\"\"The database server behind a port of its own, which can be shut and opened again,
    or fall silent: take every byte and pass none on, as a hung server or a network that
    drops every packet does.\"\"\"

    def __init__(self) -> None:
        self.port = 0
        self.silent = False
        self.streams: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self.listener = await asyncio.start_server(self.relay, "127.0.0.1", self.port)
        self.port = self.listener.sockets[0].getsockname()[1]

    async def relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(SERVER.host, SERVER.port)
        self.streams |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    if not self.silent:
                        sink.write(data)
                        await sink.drain()
            except OSError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def shut(self) -> None:
        self.listener.close()
        for stream in self.streams:
            stream.transport.abort()
        self.streams.clear()
        await asyncio.sleep(0.1)
"""

IDLE_CONNECTIONS = """\
async def main() -> None:
    engine = database.make_engine(Settings(database_url=URL, database_pool_size=1))
    pings = []
    answers = []  # what the next pings answer instead of asking the server
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: (
        pings.append(1) or (answers.pop() if answers else ping(connection))
    )

    async def backend() -> int:
        async with engine.connect() as connection:
            return (await connection.execute(text(WHO))).scalar_one()

    first = await backend()
    again = await backend()  # back in use at once: not tested
    print(again == first, len(pings))
    await drop_connections()
    await asyncio.sleep(idle_ping.IDLE_BEFORE_PING + 0.1)
    third = await backend()  # the server dropped it while it sat idle
    print(third != first, len(pings))
    answers.append(False)  # a dialect may report a dead connection so, without raising
    await asyncio.sleep(idle_ping.IDLE_BEFORE_PING + 0.1)
    fourth = await backend()
    print(fourth != third, len(pings))
    await engine.dispose()

asyncio.run(main())
"""


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(
    shop: Path, kind: str
) -> None:
    """A pooled connection is tested only after it sat idle in the pool: none is tested
    while the app is busy (one round trip less per request than `pool_pre_ping`), and one
    that the server closed meanwhile is replaced instead of failing the request, as is one
    whose ping answers False."""
    with required_database(kind) as url:
        lines = run_script(shop, SERVER_SIDE + IDLE_CONNECTIONS, url).splitlines()
    assert lines == ["True 0", "True 1", "True 2"]


LOST_CONNECTION = """\
idle_ping.IDLE_BEFORE_PING = 3600  # the connection is not tested: the request finds it dead

async def main() -> None:
    async with client_of(URL) as client:
        answers = [await client.get("/users/1")]
        await drop_connections()
        answers += [await client.get("/users/1"), await client.get("/users/1")]
        await drop_connections()
        answers += [await client.post("/users", json=USER), await client.post("/users", json=USER)]
    report(answers)

asyncio.run(main())
"""


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_connection_the_server_closes_under_a_request_answers_503(shop: Path, kind: str) -> None:
    """The database closes the connection a request is using (a restart, a failover): the
    request answers the documented 503 with `Retry-After`, not a 500, and says so in the
    log; the next request gets a new connection."""
    with required_database(kind) as url:
        lines = run_script(shop, SERVER_SIDE + LOST_CONNECTION, url).splitlines()
    closed = [line for line in lines if line.startswith("log: The database closed a conn")]
    assert [line for line in lines if not line.startswith("log: ")] == [
        "404 -",
        "503 1",
        "404 -",
        "503 1",
        "201 -",
    ]
    assert len(closed) == 2, lines


UNREACHABLE = """\
async def main() -> None:
    gateway = Gateway()
    await gateway.open()
    url = SERVER.set(host="127.0.0.1", port=gateway.port).render_as_string(hide_password=False)
    async with client_of(url) as client:
        answers = [await client.get("/users/1")]
        await gateway.shut()  # the server goes away with the connection the pool holds
        answers += [await client.get("/health"), await client.get("/ready")]
        answers += [await client.get("/users/1") for _ in range(3)]
        answers += [await client.post("/users", json=USER)]
        await gateway.open()  # and comes back on the same port
        answers += [await client.get("/users/1"), await client.post("/users", json=USER)]
    await gateway.shut()
    report(answers)

asyncio.run(main())
"""


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_database_that_cannot_be_reached_answers_503_until_it_is_back(
    shop: Path, kind: str
) -> None:
    """The database server goes away: requests that need a connection answer the documented
    503 with `Retry-After` while it cannot be reached, not a 500, each with one warning in
    the log, and the app is alive but not ready; once the server is back, the next request
    gets a connection without a restart."""
    with required_database(kind) as url:
        lines = run_script(shop, SERVER_SIDE + UNREACHABLE, url).splitlines()
    answers = [line for line in lines if not line.startswith("log: ")]
    # Alive but not ready meanwhile: /health answers 200, /ready 503.
    assert answers == [
        *("404 -", "200 -", "503 -"),
        *("503 1", "503 1", "503 1", "503 1", "404 -", "201 -"),
    ], lines
    unreachable = [line for line in lines if line.startswith("log: The database cannot be re")]
    assert len(unreachable) >= 3, lines


NO_ANSWER = """\
import time
from shop.database import SessionDep

SLEEP = "SELECT pg_sleep(5)" if ON_POSTGRESQL else "SELECT SLEEP(5)"
RUNNING = (
    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = :sql"
    if ON_POSTGRESQL
    else "SELECT count(*) FROM information_schema.processlist WHERE info = :sql"
)
BOUNDS = {"database_connect_timeout": 0.5, "database_statement_timeout": 0.5}

async def slow(session: SessionDep) -> None:
    await session.execute(text(SLEEP))

async def running() -> int:
    \"\"\"How many of the slow statements the server still runs.\"\"\"
    other = create_async_engine(URL)
    async with other.connect() as connection:
        count = (await connection.execute(text(RUNNING), {"sql": SLEEP})).scalar_one()
    await other.dispose()
    return count

async def main() -> None:
    gateway = Gateway()
    await gateway.open()
    url = SERVER.set(host="127.0.0.1", port=gateway.port).render_as_string(hide_password=False)

    async def ask(client, path: str, note: str = "") -> None:
        started = time.perf_counter()
        answer = await client.get(path)
        took = time.perf_counter() - started
        kind = answer.json()["detail"][0]["type"]
        print(note or path, answer.status_code, answer.headers.get("retry-after", "-"), kind,
              "within 2 s" if took < 2 else f"after {took:.1f} s")

    async with client_of(url, route=slow, **BOUNDS) as client:
        await ask(client, "/users/1")
        await ask(client, "/route", "slow statement")
        await asyncio.sleep(0.5)
        print("still running", await running())
        await ask(client, "/users/1")
        gateway.silent = True  # mid-query: the request is on its pooled connection
        await ask(client, "/users/1", "silent")
        gateway.silent = False
        await ask(client, "/users/1")
        gateway.silent = True  # and the connection the pool holds is cut: it needs a new one
        for stream in gateway.streams:
            stream.transport.abort()
        await ask(client, "/users/1", "silent, cut")
        await ask(client, "/users/1", "silent, connecting")
        gateway.silent = False
        await ask(client, "/users/1")
    await gateway.shut()

asyncio.run(main())
"""


@pytest.mark.parametrize("kind", ["postgresql", "mysql", "pgbouncer"])
def test_every_wait_on_the_database_is_bounded(
    shop: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement that runs longer than `DATABASE_STATEMENT_TIMEOUT` is stopped by the
    database; a database that falls silent mid-query, and one that accepts a connection and
    never answers, are given up on: each request answers the documented 503 within the
    bound, and the connection's slot comes back (the pool has one). Through PgBouncer too:
    asyncpg's cancel request passes through it."""
    with required_database(kind) as url:
        if kind == "pgbouncer":  # as a deployment sets them, for `database.settings` too
            monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
            monkeypatch.setenv("DATABASE_URL", url)
        lines = run_script(shop, SERVER_SIDE + NO_ANSWER, url).splitlines()
    answers = [line for line in lines if not line.startswith("log: ")]
    assert answers == [
        "/users/1 404 - not_found within 2 s",
        "slow statement 503 1 database_timeout within 2 s",
        "still running 0",
        "/users/1 404 - not_found within 2 s",
        "silent 503 1 database_timeout within 2 s",
        "/users/1 404 - not_found within 2 s",
        "silent, cut 503 1 database_unavailable within 2 s",
        "silent, connecting 503 1 database_unavailable within 2 s",
        "/users/1 404 - not_found within 2 s",
    ], lines


MIXED_UP = """\
async def main() -> None:
    async with client_of(URL) as client:
        report([await client.get("/users/1") for _ in range(3)])

asyncio.run(main())
"""


def test_pointed_at_pgbouncer_without_the_setting_the_app_says_so(shop: Path) -> None:
    """Through PgBouncer in transaction mode (which discards each transaction's prepared
    statements), asyncpg's cached statements are gone by the next request: without
    `DATABASE_POOLER=pgbouncer` that request answers 503 and the log says in one line what
    to set, instead of a 500 and a traceback."""
    with required_database("pgbouncer") as url:
        lines = run_script(shop, SERVER_SIDE + MIXED_UP, url).splitlines()
    answers = [line for line in lines if not line.startswith("log: ")]
    advice = [line for line in lines if "set DATABASE_POOLER=pgbouncer" in line]
    assert answers == ["404 -", "503 1", "503 1"], lines
    line = (
        "log: DATABASE_URL points at a pooler in transaction mode, such as PgBouncer, where"
        " asyncpg's prepared statements get mixed up between clients: set"
        " DATABASE_POOLER=pgbouncer"
    )
    assert advice == [line, line], lines


REPLICA = """\
STANDBY = sys.argv[2]

async def replay(what: str) -> None:  # pause or resume applying the primary's writes
    standby = create_async_engine(STANDBY, isolation_level="AUTOCOMMIT")
    async with standby.connect() as connection:
        await connection.execute(text(f"SELECT pg_wal_replay_{what}()"))
    await standby.dispose()

async def main() -> None:
    async with client_of(URL, database_read_url=STANDBY) as client:
        for _ in range(100):  # the schema the app just made reaches the standby
            ready = await client.get("/ready")
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.1)
        print("ready", ready.status_code, sorted(ready.json().items()))
        await replay("pause")
        try:
            created = await client.post("/users", json=USER)
            user = f"/users/{created.json()['id']}"
            print("create", created.status_code)
            print("get", (await client.get(user)).status_code)
            print("list", len((await client.get("/users")).json()["items"]))
            print("update", (await client.patch(user, json={"name": "Grace"})).status_code)
        finally:
            await replay("resume")
        for _ in range(100):
            read = await client.get(user)
            if read.status_code == 200:
                break
            await asyncio.sleep(0.1)
        print("caught up", read.status_code, read.json()["name"])
    try:
        async with client_of(URL, database_read_url="postgresql+asyncpg://postgres@127.0.0.1:1/shop"):
            pass
    except Exception as error:
        print(type(error).__name__, error)

asyncio.run(main())
"""


def test_read_routes_read_from_the_replica_and_writes_go_to_the_primary(shop: Path) -> None:
    """With `DATABASE_READ_URL` at a hot standby of the database: while the standby stops
    applying the primary's writes, a user just created is not found by the get and list
    routes, which read from the standby, and is found by the update, which works on the
    primary; once the standby applies them, the get route finds the user as updated. A
    replica that cannot be reached stops the app at startup with one line naming it."""
    with replicated_database() as (url, standby):
        lines = run_script(shop, SERVER_SIDE + REPLICA, url, standby).splitlines()
    answers = [line for line in lines if not line.startswith("log: ")]
    assert answers == [
        "ready 200 [('database', 'ok'), ('replica', 'ok'), ('status', 'ok')]",
        "create 201",
        "get 404",
        "list 0",
        "update 200",
        "caught up 200 Grace",
        "StartupError DATABASE_READ_URL: cannot reach the database server at 127.0.0.1:1"
        " ([Errno 111] Connect call failed ('127.0.0.1', 1)): start it, or correct the host"
        " and port in DATABASE_READ_URL",
    ], lines
    assert any(line.startswith("log: Reads from postgresql+asyncpg://") for line in lines), lines


# The app, with a route that holds its connection for half a second: a request in flight.
DRAIN_APP = """\
import asyncio
from sqlalchemy import text
from shop.database import SessionDep
from shop.main import app

@app.get("/slow")
async def slow(session: SessionDep) -> int:
    await asyncio.sleep(0.5)
    return (await session.execute(text("SELECT 1"))).scalar_one()
"""


def test_sigterm_lets_the_requests_in_flight_finish(shop: Path, tmp_path: Path) -> None:
    """SIGTERM, as an orchestrator sends it to a process it stops: uvicorn takes no new
    connection, every request in flight gets its answer, then the lifespan closes the engine
    and the process exits. No request that reached the app fails."""
    import asyncio
    import signal
    import socket
    import time

    import httpx

    (tmp_path / "drain_app.py").write_text(DRAIN_APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # SQLite serves two at a time: the twenty take five seconds, all queued in time.
    database = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    env = {**os.environ, "DATABASE_URL": database, "DATABASE_QUEUE_TIMEOUT": "30"}
    command = [PYTHON, "-m", "uvicorn", "drain_app:app", "--app-dir", str(tmp_path)]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--workers", "1"],
        cwd=shop,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    async def load() -> list[int]:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for _ in range(100):  # until it serves
                try:
                    if (await client.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the server did not start")
            in_flight = [asyncio.create_task(client.get("/slow")) for _ in range(20)]
            await asyncio.sleep(0.3)
            server.send_signal(signal.SIGTERM)
            return [response.status_code for response in await asyncio.gather(*in_flight)]

    try:
        answers = asyncio.run(load())
        started = time.perf_counter()
        output, _ = server.communicate(timeout=30)
    finally:
        server.kill()
    assert answers == [200] * 20, output
    # uvicorn re-raises the signal once it has shut down, so the exit reports it.
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output, output
    assert "Waiting for connections to close" in output or "Finished server process" in output
    assert time.perf_counter() - started < 15, output


# Two model routers and a plain one; the app as the project's `main` builds it from them.
PREFIXED = """
import asyncio
import sys
from collections import Counter
from fastapi import APIRouter, FastAPI
from httpx import ASGITransport, AsyncClient
from shop.routers import PrefixedRouter

asked = Counter()
plain_matches = APIRouter.matches

def counting(self, scope):
    asked[self.prefix] += 1
    return plain_matches(self, scope)

APIRouter.matches = counting  # what PrefixedRouter defers to inside its prefix

def model(prefix):
    router = PrefixedRouter(prefix=prefix)
    router.get("")(lambda: f"list {prefix}")
    router.get("/{id}")(lambda id: f"one {prefix} {id}")
    return router

plain = APIRouter()
plain.get("/health")(lambda: "health")
app = FastAPI()
for router in (model("/users"), model("/user-groups"), plain):
    app.include_router(router)

async def main():
    transport = ASGITransport(app=app, root_path=sys.argv[1])
    async with AsyncClient(transport=transport, base_url="http://test" + sys.argv[1]) as client:
        for method, path in [line.split() for line in sys.argv[2:]]:
            asked.clear()
            response = await client.request(method, path.lstrip("/"))
            print(method, path, response.status_code, response.json(), dict(asked))

asyncio.run(main())
"""


@pytest.mark.parametrize("root_path", ["", "/api"])
def test_a_model_router_turns_away_a_request_outside_its_prefix(shop: Path, root_path: str) -> None:
    """A request is matched against the routes of the router whose prefix it is under, and
    of routers without a prefix, only: the cost of routing does not grow with the models
    (bench part C). Routing answers as FastAPI's plain routers do."""
    requests = ["GET /users/7", "GET /user-groups", "GET /health", "GET /usersx", "PUT /users"]
    lines = run_script(shop, PREFIXED, root_path, *requests).splitlines()
    assert lines == [
        "GET /users/7 200 one /users 7 {'/users': 1}",
        "GET /user-groups 200 list /user-groups {'/user-groups': 1}",
        "GET /health 200 health {'': 1}",
        # Under the prefix's text but no route of it: the routers' answers as ever.
        "GET /usersx 404 {'detail': 'Not Found'} {'/users': 2, '': 2}",  # and with a slash
        "PUT /users 405 {'detail': 'Method Not Allowed'} {'/users': 1, '': 1}",
    ]
