"""The API keeps its own OpenAPI contract.

Schemathesis sends every route what the OpenAPI document allows and what it forbids, then
plays sequences of calls (create, then read, update, delete what was created), and checks
each answer against the document: no server error, only documented statuses and bodies,
every schema-valid request accepted, every invalid one refused.

Deselected by default: install the `fuzz` extra and run `pytest -m fuzz`. The database is
`TEST_DATABASE_URL` (the run drops every table in it, then the app's startup creates
them), otherwise a temporary SQLite file.
"""

import asyncio
import os
import tempfile
from functools import partial
from typing import Any

import pytest
import schemathesis
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response
from schemathesis.specs.openapi import checks

from demo.database import make_engine
from demo.main import create_app
from demo.migrations import bring_up_to_date
from demo.migrations import prepare_schema
from demo.models import Base
from demo.settings import Settings

from tests.tables import drop_tables
from tests.tables import empty_tables

pytestmark = pytest.mark.fuzz

SQLITE_DIRECTORY = tempfile.TemporaryDirectory()  # removed when the run ends
DATABASE_URL = (
    os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{SQLITE_DIRECTORY.name}/fuzz.db"
)

CONFIG = SchemathesisConfig.from_dict(  # pyright: ignore[reportUnknownMemberType]
    {
        "seed": 20261125,  # the same cases on every run
        # Generating a large body can be slow on a busy machine; speed is not checked here.
        "suppress-health-check": ["too_slow"],
        "generation": {"max-examples": 20, "database": "none"},
        "checks": {
            # Starlette answers a method a path lacks with 405 and an `Allow` header that
            # names the methods of one route of that path, not of all of them: the
            # framework's behaviour, not this project's.
            "allow_header_conformance": {"enabled": False},
            # Replaced by `positive_data_accepted` below.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
SETTINGS = Settings(database_url=DATABASE_URL)
app = create_app(SETTINGS)
# The document comes from the app itself; the calls reach the app in process, its lifespan
# running, without a server.
schema = schemathesis.openapi.from_dict(app.openapi(), config=CONFIG)
schema.app = app


# What a schema-valid request may still be refused for: a reference to a row that does not
# exist, a JSON document the databases cannot store (its rules are in the schema's words
# only: as a schema they would be recursive, which client generators cannot read), and a
# list's cursor that the list did not make.
BEYOND_THE_SCHEMA = {"missing_reference", "json_unstorable", "invalid_cursor"}


def is_beyond_the_schema(response: Response) -> bool:
    """A 422 whose errors are of `BEYOND_THE_SCHEMA`, but for the `none_required` that an
    update's field reports beside it (the field may be left out, so null is tried too)."""
    if response.status_code != 422:
        return False
    body: dict[str, list[dict[str, Any]]] = response.json()
    types = {error.get("type") for error in body.get("detail", [])}
    return bool(types & BEYOND_THE_SCHEMA) and types <= BEYOND_THE_SCHEMA | {"none_required"}


@schemathesis.check
def positive_data_accepted(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    """Every schema-valid request is accepted, but for the refusals the schema cannot
    express (`BEYOND_THE_SCHEMA`), which only the operations that take a reference, a
    JSON document or a cursor answer."""
    if not is_beyond_the_schema(response):
        # raises when rejected; schemathesis types its `Case` loosely
        checks.positive_data_acceptance(ctx, response, case)  # pyright: ignore[reportUnknownMemberType]
    return None


async def reset_tables(*, drop: bool) -> None:
    """Tables at the last revision, and empty; with ``drop``, made anew."""
    engine = make_engine(SETTINGS)
    if drop:
        async with engine.begin() as connection:
            await connection.run_sync(drop_tables)
    await prepare_schema(engine, partial(bring_up_to_date, metadata=Base.metadata, upgrade=True))
    await empty_tables(engine)
    await engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def fresh_tables() -> None:
    asyncio.run(reset_tables(drop=True))


@schema.parametrize()  # pyright: ignore[reportUnknownMemberType, reportUntypedFunctionDecorator]
def test_each_route_keeps_the_contract(case: Case[Any]) -> None:
    case.call_and_validate()  # pyright: ignore[reportUnknownMemberType]


class Workflows(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls, each on empty tables, so that a sequence replays the same."""

    def setup(self) -> None:
        asyncio.run(reset_tables(drop=False))


TestWorkflowsKeepTheContract = Workflows.TestCase
