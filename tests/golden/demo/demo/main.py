"""The application: its lifespan checks the database, brings its schema up to date (see
`migrations`), lines requests up for connections (see `connection_queue`) and closes it."""

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from functools import partial
from logging import basicConfig
from logging import getLogger
from typing import TypedDict

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.ext.asyncio import AsyncEngine

from demo import DESCRIPTION
from demo import database
from demo import routers
from demo.connection_queue import ConnectionQueue
from demo.discovery import routers_of
from demo.errors import DATABASE_RESPONSES
from demo.errors import register_error_handlers
from demo.migrations import bring_up_to_date
from demo.migrations import prepare_schema
from demo.models import Base
from demo.settings import Settings
from demo.startup import OneLineStartupErrors
from demo.startup import check_database


class State(TypedDict):
    """What the lifespan shares with every request (`request.state`)."""

    engine: AsyncEngine
    connection_queue: ConnectionQueue
    read_engine: AsyncEngine  # `engine` without a read replica
    read_queue: ConnectionQueue  # `connection_queue` without a read replica


def _log_queue(what: str, queue: ConnectionQueue) -> None:
    getLogger("demo").info(
        "%s %s: %d connections, a request waits up to %g s for one",
        what,
        queue.engine.url.render_as_string(hide_password=True),
        queue.size,
        queue.timeout,
    )


def create_app(settings: Settings = database.settings) -> FastAPI:
    """Build the application on `database.engine`; tests may pass settings of their own,
    which get an engine of their own."""
    # LOG_LEVEL is the level of the app's own loggers (`logging.getLogger(__name__)` in
    # its modules); libraries keep logging warnings only, uvicorn follows --log-level.
    basicConfig(format="%(levelname)s: %(name)s: %(message)s")
    getLogger("demo").setLevel(settings.log_level)
    if settings.database_echo:  # every SQL statement, through the same logging, once
        getLogger("sqlalchemy.engine").setLevel("INFO")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[State, None]:
        own = settings is not database.settings
        engine = database.make_engine(settings) if own else database.engine
        read_engine = database.make_read_engine(settings, engine) if own else database.read_engine
        try:
            await check_database(engine, settings.database_connect_timeout)
            upgrade = settings.database_migrate_on_startup
            # Every model is imported (`models`), so `Base.metadata` has every table.
            prepare = partial(bring_up_to_date, metadata=Base.metadata, upgrade=upgrade)
            await prepare_schema(engine, prepare)
            queue = read_queue = ConnectionQueue(engine, settings)
            _log_queue("Database", queue)
            if read_engine is not engine:
                seconds = settings.database_connect_timeout
                await check_database(read_engine, seconds, "DATABASE_READ_URL")
                read_queue = ConnectionQueue(read_engine, settings)
                _log_queue("Reads from", read_queue)
            yield {
                "engine": engine,
                "connection_queue": queue,
                "read_engine": read_engine,
                "read_queue": read_queue,
            }
        finally:
            await engine.dispose()
            if read_engine is not engine:
                await read_engine.dispose()

    app = FastAPI(
        title="demo",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=DATABASE_RESPONSES,
    )
    register_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(OneLineStartupErrors)
    for router in routers_of(routers):  # each module of `routers`: see `discovery`
        app.include_router(router)
    return app


app = create_app()
