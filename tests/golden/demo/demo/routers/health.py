"""`GET /health`: whether the application and its database answer."""

from fastapi import APIRouter
from fastapi import Request
from fastapi import Response
from fastapi import status

from demo.database import ping

router = APIRouter(tags=["health"])

# Below the Dockerfile's healthcheck timeout (4 s), so the check always gets an answer.
PING_TIMEOUT = 2.0


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
    does not. The query runs on a connection of its own, outside the pool and its queue, so
    the answer comes as promptly under load as when idle."""
    if not await ping(request.state.engine, PING_TIMEOUT):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}
