"""`check --database-url`: a URL the generated app can use, refused in one line before any
test runs when it is not one or when the database cannot be used.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastsqla_cli.databases import ASYNC_DRIVERS
from fastsqla_cli.errors import ToolError, UsageError


def validate_database_url(url: str) -> str:
    """A URL the generated app can use (an async driver), or a one-line :class:`UsageError`."""
    import re

    match = re.match(r"^([a-z]+)(?:\+([a-z_]+))?://", url)
    examples = "sqlite+aiosqlite:///test.db, postgresql+asyncpg://user@host/db"
    if match is None:
        raise UsageError(f"--database-url {url!r} is not a database URL: write one like {examples}")
    backend, driver = match.groups()
    if backend not in ASYNC_DRIVERS:
        raise UsageError(
            f"--database-url: unknown database {backend!r}; use {', '.join(ASYNC_DRIVERS)}"
        )
    if driver not in ASYNC_DRIVERS[backend]:
        drivers = " or ".join(f"{backend}+{d}://" for d in ASYNC_DRIVERS[backend])
        raise UsageError(f"--database-url needs the app's async driver: start it with {drivers}")
    return url


# Run by the project's interpreter: connect to argv[1] and run one query within 10 s, and
# find no tables there but a project's (Alembic's among them); on failure, print the
# reason in one line and exit 1.
_DATABASE_PROBE = """
import asyncio, sys
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

async def main(url):
    engine = create_async_engine(url)
    try:
        async with asyncio.timeout(10), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    if tables and "alembic_version" not in tables:
        shown = ", ".join(sorted(tables)[:3]) + (", ..." if len(tables) > 3 else "")
        print(
            f"it holds {len(tables)} table{'s' * (len(tables) != 1)} ({shown}) and no Alembic"
            " revision, so it is not this project's: point --database-url at an empty database"
        )
        sys.exit(1)

try:
    asyncio.run(main(sys.argv[1]))
except ImportError as error:
    print(f"it needs {error.name}, which this interpreter lacks: pip install {error.name}")
    sys.exit(1)
except TimeoutError:
    print("the server did not answer within 10 s")
    sys.exit(1)
except Exception as error:
    reason = getattr(error, "orig", None) or error
    print((str(reason) or type(reason).__name__).strip().splitlines()[0])
    sys.exit(1)
"""


def probe_database(python: str, root: Path, url: str) -> None:
    """Refuse, in one line, a `--database-url` the tests could not use (a database that
    does not exist, a user the server refuses, a server that does not answer, a driver the
    interpreter lacks, a database holding tables of something else), before they run: each
    test would fail with it at length."""
    try:
        done = subprocess.run(
            [python, "-c", _DATABASE_PROBE, url],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ToolError(f"cannot try --database-url with {python}: {error}") from None
    if done.returncode != 0:
        lines = (done.stdout or done.stderr).strip().splitlines()
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise UsageError(f"--database-url: the tests cannot use this database: {reason}")
