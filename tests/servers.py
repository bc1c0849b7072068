"""Real database servers for end-to-end tests: a fresh database per test, dropped after.

The servers are the local PostgreSQL and MariaDB/MySQL (`.ci/run` starts them); point
elsewhere with FASTSQLA_TEST_POSTGRES / FASTSQLA_TEST_MYSQL (user@host:port). PgBouncer in
front of that PostgreSQL (FASTSQLA_TEST_PGBOUNCER, host:port) and a hot standby streaming
from it (FASTSQLA_TEST_STANDBY, host:port) are reached as its user.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Server:
    kind: str  # postgresql | mysql
    user: str
    host: str
    port: int

    def url(self, database: str) -> str:
        driver = "postgresql+asyncpg" if self.kind == "postgresql" else "mysql+aiomysql"
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"


def server(kind: str) -> Server:
    default = "postgres@127.0.0.1:5432" if kind == "postgresql" else "root@127.0.0.1:3306"
    spec = os.environ.get(
        f"FASTSQLA_TEST_{'POSTGRES' if kind == 'postgresql' else 'MYSQL'}", default
    )
    user, _, address = spec.partition("@")
    host, _, port = address.partition(":")
    return Server(kind, user, host, int(port))


async def _execute(server: Server, statement: str, database: str = "postgres") -> None:
    if server.kind == "postgresql":
        import asyncpg

        connection = await asyncpg.connect(
            user=server.user, host=server.host, port=server.port, database=database, timeout=5
        )
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
    else:
        import aiomysql

        connection = await aiomysql.connect(
            user=server.user, host=server.host, port=server.port, connect_timeout=5
        )
        try:
            async with connection.cursor() as cursor:
                await cursor.execute(statement)
        finally:
            connection.close()


def unreachable_reason(server: Server, database: str = "postgres") -> str | None:
    """Why the server (on PostgreSQL, its ``database``) cannot be used, or None when it
    answers."""
    try:
        asyncio.run(_execute(server, "SELECT 1", database))
    except Exception as error:  # any failure to connect means: skip, and say why
        return f"{server.kind} at {server.host}:{server.port} is unreachable: {error!r}"
    return None


@contextmanager
def fresh_database(server: Server) -> Iterator[str]:
    """Create a database no other run uses; yield its URL; drop it."""
    name = f"fastsqla_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(server, f"CREATE DATABASE {name}"))
    try:
        yield server.url(name)
    finally:
        drop = f"DROP DATABASE IF EXISTS {name}"
        if server.kind == "postgresql":
            drop += " WITH (FORCE)"
        asyncio.run(_execute(server, drop))


def required_server(kind: str) -> Server:
    """The ``kind`` server; the test skips when it does not answer, or fails under
    FASTSQLA_REQUIRE_SERVERS=1 (as in CI)."""
    import pytest

    target = server(kind)
    reason = unreachable_reason(target)
    if reason and os.environ.get("FASTSQLA_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason} (.ci/run starts the servers; FASTSQLA_REQUIRE_SERVERS=1)")
    if reason:
        pytest.skip(reason)
    return target


@contextmanager
def required_database(kind: str) -> Iterator[str]:
    """A fresh database on the ``kind`` server (see `required_server`). Kind "pgbouncer":
    one on the PostgreSQL server, reached through PgBouncer in transaction mode
    (FASTSQLA_TEST_PGBOUNCER, default 127.0.0.1:6432, which `.ci/services` starts)."""
    if kind != "pgbouncer":
        with fresh_database(required_server(kind)) as url:
            yield url
        return
    postgresql = required_server("postgresql")
    bouncer = _in_front_of(postgresql, "PgBouncer", "FASTSQLA_TEST_PGBOUNCER", "127.0.0.1:6432")
    with fresh_database(postgresql) as url:
        yield url.replace(postgresql.url(""), bouncer.url(""))


@contextmanager
def replicated_database() -> Iterator[tuple[str, str]]:
    """A fresh database on the PostgreSQL server, once the hot standby streaming from it
    (FASTSQLA_TEST_STANDBY, default 127.0.0.1:5433, which `.ci/services` starts) has it:
    its URL on each."""
    postgresql = required_server("postgresql")
    standby = _in_front_of(postgresql, "the standby", "FASTSQLA_TEST_STANDBY", "127.0.0.1:5433")
    with fresh_database(postgresql) as url:
        name = url.rsplit("/", 1)[1]
        deadline = time.monotonic() + 30
        while unreachable_reason(standby, name):
            assert time.monotonic() < deadline, f"the standby did not get {name} within 30 s"
            time.sleep(0.1)
        yield url, standby.url(name)


def _in_front_of(postgresql: Server, what: str, variable: str, default: str) -> Server:
    """The server at ``variable``'s address that serves ``postgresql``'s databases; fail
    or skip as `required_server` does when it does not answer."""
    import pytest

    host, _, port = os.environ.get(variable, default).partition(":")
    other = Server("postgresql", postgresql.user, host, int(port))
    reason = unreachable_reason(other)
    if reason and os.environ.get("FASTSQLA_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{what}: {reason} (.ci/services starts it)")
    if reason:
        pytest.skip(f"{what}: {reason}")
    return other


@contextmanager
def database_url(kind: str, directory: Path) -> Iterator[str]:
    """A fresh database of ``kind``: a SQLite file in ``directory``, or a database on the
    server (see `required_database`)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / 'test.db'}"
        return
    with required_database(kind) as url:
        yield url
