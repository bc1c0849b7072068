"""Start-up diagnosis: a database the app cannot use stops it with the one line that says
what to fix, instead of a driver's traceback.

What it buys: uvicorn reports a failed start-up with the whole traceback, dozens of lines
ending in the driver's own words (fastsqla's `bench/README.md` counts them). Without it: drop
`check_database` from the lifespan and `OneLineStartupErrors` from `create_app`; bringing
the schema up to date then meets the problem, and uvicorn prints that traceback.
"""

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from demo.errors import StartupError
from demo.pgbouncer import ADVICE
from demo.pgbouncer import STATEMENT_MIXED_UP


async def check_database(
    engine: AsyncEngine, seconds: float, variable: str = "DATABASE_URL"
) -> None:
    """Connect once and run a query within `seconds`, or raise `StartupError` about the
    setting `variable`, whose URL `engine` has."""
    url = engine.url
    where = f"{url.host or 'localhost'}:{url.port}" if url.port else url.host or "localhost"
    try:
        async with asyncio.timeout(seconds), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except TimeoutError:
        raise StartupError(
            f"{variable}: {where} did not answer within {seconds:g} s: check the host and"
            f" port in {variable} and that the server accepts connections"
            " (DATABASE_CONNECT_TIMEOUT sets the bound)"
        ) from None
    except (OSError, DBAPIError) as error:
        raise StartupError(_explain(url, where, error, variable)) from None


def _explain(url: URL, where: str, error: OSError | DBAPIError, variable: str) -> str:
    """One line: what went wrong on the first connection, and what to change."""
    original: BaseException = error
    if isinstance(error, DBAPIError) and error.orig is not None:
        original = error.orig
    found = (getattr(original, "sqlstate", None), *original.args[:1])  # the driver's codes
    codes = {code for code in found if isinstance(code, int | str)}
    reason = (str(original) or type(original).__name__).splitlines()[0]
    if url.get_backend_name() == "sqlite":
        return (
            f"{variable}: cannot open the SQLite file {url.database} ({reason}):"
            f" point {variable} at a file in a directory that exists and is writable"
        )
    if isinstance(original, OSError) or codes & {2003, 2005}:  # MySQL: cannot connect
        return (
            f"{variable}: cannot reach the database server at {where} ({reason}):"
            f" start it, or correct the host and port in {variable}"
        )
    if codes & STATEMENT_MIXED_UP:
        return ADVICE
    if codes & {"3D000", 1049}:  # PostgreSQL's and MySQL's "unknown database"
        return (
            f"{variable}: the database {url.database} does not exist on {where}: create"
            f" it (CREATE DATABASE {url.database}) or point {variable} at one that exists"
        )
    return (
        f"{variable}: {where} refused the connection ({reason}): check the user,"
        f" password and database name in {variable}"
    )


class OneLineStartupErrors:
    """The server logs the message of a failed start-up: for a `StartupError`, its one
    line rather than the traceback Starlette puts there."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        failed: list[Message] = []

        async def hold_failure(message: Message) -> None:
            if message["type"] == "lifespan.startup.failed":
                failed.append(message)  # sent below, once the error is known
            else:
                await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except StartupError as error:
            failed = [{"type": "lifespan.startup.failed", "message": str(error)}]
            raise
        finally:
            for message in failed:
                await send(message)
