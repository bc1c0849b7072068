"""The application: its lifespan opens the database, brings its schema up to date (see
`migrations`) and closes it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import TypedDict

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from demo import DESCRIPTION
from demo.database import connection_slots
from demo.database import make_engine
from demo.database import prepare_schema
from demo.errors import register_error_handlers
from demo.migrations import bring_up_to_date
from demo.models import Base
from demo.routers import health
from demo.routers import user
from demo.settings import Settings


class State(TypedDict):
    """What the lifespan shares with every request (`request.state`)."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    connection_slots: asyncio.Semaphore


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        engine = make_engine(
            settings.database_url,
            echo=settings.database_echo,
            pool_size=settings.database_pool_size,
        )
        try:
            await prepare_schema(
                engine,
                partial(
                    bring_up_to_date,
                    metadata=Base.metadata,  # every model is imported
                    upgrade=settings.database_migrate_on_startup,
                ),
            )
            yield {
                "engine": engine,
                "sessionmaker": async_sessionmaker(engine, expire_on_commit=False),
                "connection_slots": connection_slots(engine),
            }
        finally:
            await engine.dispose()

    app = FastAPI(title="demo", description=DESCRIPTION, lifespan=lifespan)
    register_error_handlers(app)
    app.include_router(health.router)
    app.include_router(user.router)
    # fastsqla: routers (`fastsqla add-model` includes new routers above this line)
    return app


app = create_app()
