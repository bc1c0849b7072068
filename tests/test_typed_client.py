"""A typed client made by openapi-python-client from a generated app's OpenAPI document
creates, reads and updates a row of every field type, with no hand-work: the document
describes each type in a way the generator reads (no recursive schema for JSON, decimals
as strings of a stated format, times with their offset)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_e2e import fastsqla

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent

EVERY_TYPE = [
    *("label:str", "notes:text:optional", "count:int", "big:bigint", "ratio:float"),
    *("price:decimal", "active:bool", "day:date", "at:datetime", "token:uuid", "extra:json"),
    *("status:enum:draft,in review", "owner:ref:User:optional", "readers:many:User"),
]

# Run in the project, the generated client importable: every value at an edge of its type.
ROUND_TRIP = """
import asyncio, datetime, json, sys
from uuid import UUID

import httpx
from asgi_lifespan import LifespanManager

from shop.main import app
from shop_client import Client
from shop_client.api.things import create_thing_things_post as create
from shop_client.api.things import read_thing_things_thing_id_get as read
from shop_client.api.things import update_thing_things_thing_id_patch as update
from shop_client.api.users import create_user_users_post as create_user
from shop_client.models import ThingCreate, ThingCreateExtra, ThingStatus, ThingUpdate
from shop_client.models import ThingUpdateExtra, UserCreate

DOCUMENT = {"a": [1, 2.5, "é", None, True, {"b": {"c": []}}], "n": 2**53 - 1}
AT = datetime.datetime(2024, 2, 29, 23, 59, 59, 123456, datetime.timezone(datetime.timedelta(hours=2)))


def values(row):
    return {
        "label": row.label, "count": row.count, "big": row.big, "ratio": row.ratio,
        "price": row.price, "active": row.active, "day": row.day, "at": row.at,
        "token": row.token, "extra": row.extra.additional_properties, "status": row.status,
        "notes": row.notes, "owner_id": row.owner_id, "reader_ids": row.reader_ids,
    }


async def main():
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        client = Client(base_url="http://test").set_async_httpx_client(
            httpx.AsyncClient(transport=transport, base_url="http://test")
        )
        user = await create_user.asyncio(client=client, body=UserCreate(name="Ada", email="a@b.org"))
        given = {
            "label": "label", "count": -(2**31), "big": 2**53 - 1, "ratio": 0.1,
            "price": "-9999999999.99", "active": False, "day": datetime.date(1, 1, 1), "at": AT,
            "token": UUID(int=7), "extra": DOCUMENT, "status": ThingStatus.IN_REVIEW,
            "notes": "é" * 70_000, "owner_id": user.id, "reader_ids": [user.id, user.id],
        }
        body = ThingCreate(**{**given, "extra": ThingCreateExtra.from_dict(DOCUMENT)})
        created = await create.asyncio(client=client, body=body)
        fetched = await read.asyncio(thing_id=created.id, client=client)
        expected = {**given, "reader_ids": [user.id]}  # a repeated link counts once
        assert values(created) == values(fetched) == expected, values(fetched)

        change = {"price": "0.50", "status": ThingStatus.DRAFT, "notes": None, "reader_ids": []}
        extra = ThingUpdateExtra.from_dict({"k": "v"})
        await update.asyncio(thing_id=created.id, client=client, body=ThingUpdate(**change, extra=extra))
        again = await read.asyncio(thing_id=created.id, client=client)
        assert values(again) == {**expected, **change, "extra": {"k": "v"}}, values(again)

        naive = ThingCreate(**{**given, "at": AT.replace(tzinfo=None), "extra": ThingCreateExtra()})
        refused = await create.asyncio_detailed(client=client, body=naive)
        error = json.loads(refused.content)["detail"][0]
        assert (refused.status_code, error["loc"]) == (422, ["body", "at"]), refused.content
    print("round trip ok")


asyncio.run(main())
"""


def test_a_generated_client_round_trips_every_field_type(tmp_path: Path) -> None:
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    project = tmp_path / "shop"
    fastsqla("add-model", "Thing", *EVERY_TYPE, "--no-check", cwd=project)
    environment = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # its formatter, ruff
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
        "PYTHONPATH": os.pathsep.join([str(project), str(tmp_path / "client")]),
    }
    document = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from shop.main import app; print(json.dumps(app.openapi()))",
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (tmp_path / "openapi.json").write_text(document)
    generated = subprocess.run(
        [
            *(str(BIN / "openapi-python-client"), "generate", "--path", "openapi.json"),
            *("--output-path", "client/shop_client", "--meta", "none"),
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # every schema was read
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round trip ok" in result.stdout
    assert (
        json.loads(document)["components"]["schemas"]["ThingCreate"]["properties"]["extra"][
            "additionalProperties"
        ]
        is True
    )
