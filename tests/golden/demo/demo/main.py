"""The application: its lifespan checks the database, brings its schema up to date
(see `migrations`) and closes it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from logging import basicConfig
from logging import getLogger
from typing import TypedDict

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from demo import DESCRIPTION
from demo import routers
from demo.database import DATABASE_RESPONSES
from demo.database import ConnectionQueue
from demo.database import DatabaseURLError
from demo.database import check_database
from demo.database import make_engine
from demo.database import prepare_schema
from demo.discovery import routers_of
from demo.errors import register_error_handlers
from demo.migrations import SchemaError
from demo.migrations import bring_up_to_date
from demo.models import Base
from demo.settings import Settings


class State(TypedDict):
    """What the lifespan shares with every request (`request.state`)."""

    engine: AsyncEngine
    connection_queue: ConnectionQueue


class OneLineStartupErrors:
    """A wrong `DATABASE_URL` or a schema the app cannot bring up to date stops the
    server with the one line that says what to fix, instead of a traceback: the server
    logs the message of a failed startup."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        failed: list[Message] = []

        async def hold_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failed.append(message)  # sent below, once the error is known
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except (DatabaseURLError, SchemaError) as error:
            await send({"type": "lifespan.startup.failed", "message": str(error)})
            raise
        except BaseException:
            for message in failed:
                await send(message)
            raise


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; tests pass their own settings."""
    settings = settings or Settings.from_environment()
    # LOG_LEVEL is the level of the app's own loggers (`logging.getLogger(__name__)` in
    # its modules); libraries keep logging warnings only, uvicorn follows --log-level.
    basicConfig(format="%(levelname)s: %(name)s: %(message)s")
    getLogger("demo").setLevel(settings.log_level)
    if settings.database_echo:  # every SQL statement, through the same logging, once
        getLogger("sqlalchemy.engine").setLevel("INFO")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
        try:
            await check_database(engine)
            await prepare_schema(
                engine,
                partial(
                    bring_up_to_date,
                    metadata=Base.metadata,  # every model is imported
                    upgrade=settings.database_migrate_on_startup,
                ),
            )
            queue = ConnectionQueue(engine, settings.database_queue_timeout)
            getLogger("demo").info(
                "Database %s: pool size %d, a request waits up to %g s for a connection",
                engine.url.render_as_string(hide_password=True),
                queue.size,
                queue.timeout,
            )
            yield {"engine": engine, "connection_queue": queue}
        finally:
            await engine.dispose()

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
