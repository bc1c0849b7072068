"""Settings that change how the app is built: CORS and the log level."""

import logging

import pytest
from httpx import ASGITransport
from httpx import AsyncClient

from demo.main import create_app
from demo.settings import Settings

pytestmark = pytest.mark.anyio

PREFLIGHT = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}


@pytest.mark.parametrize(
    ("origins", "allowed"), [([], None), (["https://app.example"], "https://app.example")]
)
async def test_cors_origins(origins: list[str], allowed: str | None) -> None:
    app = create_app(Settings(cors_origins=origins))
    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        response = await client.options("/health", headers=PREFLIGHT)
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_the_log_level_applies_to_the_app_loggers() -> None:
    create_app(Settings(log_level="debug"))
    assert logging.getLogger("demo").level == logging.DEBUG
    create_app(Settings())
    assert logging.getLogger("demo").level == logging.INFO
