"""`GET /health`: whether the application and its database answer."""

import asyncio

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response
from fastapi import status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

router = APIRouter(tags=["health"])

# Below the Dockerfile's healthcheck timeout (4 s), so the check always gets an answer.
PING_TIMEOUT = 2.0


async def ping(engine: AsyncEngine, seconds: float) -> bool:
    """Whether the database answers a query within `seconds`, on a connection of its own
    outside the pool: it never waits behind requests that hold every pooled connection."""
    side = create_async_engine(engine.url, poolclass=NullPool)
    try:
        async with asyncio.timeout(seconds), side.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (TimeoutError, OSError, SQLAlchemyError):
        return False
    finally:
        await side.dispose()
    return True


@router.get(
    "/health",
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": dict[str, str],
            "description": "The database did not answer",
        }
    },
)
async def health(request: Request, response: Response) -> dict[str, str]:
    """200 when the database answers a query within `PING_TIMEOUT` seconds, 503 when it
    does not, on a connection outside the pool and its queue: as prompt under load as idle."""
    if not await ping(request.state.engine, PING_TIMEOUT):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}
