"""`GET /health`, whether the process answers (liveness), and `GET /ready`, whether it can
serve: its database (and read replica) answers and its schema is at the code's last
revision (readiness).

An orchestrator restarts a process that fails the first and sends no traffic to one that
fails the second; a database that goes away makes every process unready, not dead.
"""

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response
from fastapi import status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from demo.migrations import code_heads

router = APIRouter(tags=["health"])

# Below the Dockerfile's healthcheck timeout (4 s), so the check always gets an answer.
PING_TIMEOUT = 2.0
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    status.HTTP_503_SERVICE_UNAVAILABLE: {
        "model": dict[str, str],
        "description": "The database did not answer, or its schema is not the code's",
    }
}


async def schema_of(engine: AsyncEngine, seconds: float) -> frozenset[str] | None:
    """The revisions the database is at, asked within `seconds` on a connection of its own
    outside the pool (it never waits behind requests that hold every pooled connection);
    `None` when the database does not answer."""
    side = create_async_engine(engine.url, poolclass=NullPool)
    try:
        async with asyncio.timeout(seconds), side.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(rows.scalars())
    except (TimeoutError, OSError, SQLAlchemyError):
        return None
    finally:
        await side.dispose()


async def ping(engine: AsyncEngine, seconds: float) -> bool:
    """Whether the database answers within `seconds`, with a schema Alembic keeps."""
    return await schema_of(engine, seconds) is not None


@router.get("/health")
async def health() -> dict[str, str]:
    """200 while the process answers; it asks nothing of the database."""
    return {"status": "ok"}


@router.get("/ready", responses=UNAVAILABLE)
async def ready(request: Request, response: Response) -> dict[str, str]:
    """200 when the database and the read replica, if any, answer within `PING_TIMEOUT`
    seconds with their schema at the code's last revision, 503 otherwise: as prompt under
    load as idle."""
    engines = {"database": request.state.engine, "replica": request.state.read_engine}
    if engines["replica"] is engines["database"]:  # no read replica
        del engines["replica"]
    found = await asyncio.gather(*(schema_of(engine, PING_TIMEOUT) for engine in engines.values()))
    answer = {name: _readiness(revisions) for name, revisions in zip(engines, found, strict=True)}
    ok = all(value == "ok" for value in answer.values())
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": "ok" if ok else "unavailable"} | answer


def _readiness(revisions: frozenset[str] | None) -> str:
    if revisions is None:
        return "unreachable"
    return "ok" if revisions == code_heads() else "schema not at head"
