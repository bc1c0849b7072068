"""One request through FastAPI and an async SQLAlchemy engine on SQLite."""

import asyncio

import alembic.command  # noqa: F401  (the generated app imports it at startup)
import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


def test_one_request() -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    app = FastAPI()

    @app.get("/")
    async def answer() -> int:
        async with engine.connect() as connection:
            return int((await connection.execute(text("SELECT 42"))).scalar_one())

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/")

    response = asyncio.run(call())
    asyncio.run(engine.dispose())
    assert response.json() == 42
