"""`GET /health`: whether the application and its database answer."""

from fastapi import APIRouter
from fastapi import Response
from fastapi import status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from demo.database import SessionDep

router = APIRouter(tags=["health"])

UNAVAILABLE = {"model": dict[str, str], "description": "The database does not answer"}


@router.get("/health", responses={status.HTTP_503_SERVICE_UNAVAILABLE: UNAVAILABLE})
async def health(session: SessionDep, response: Response) -> dict[str, str]:
    """200 when the database answers a query, 503 when it does not."""
    try:
        await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}
