"""End to end: schemathesis against a generated project on MariaDB, and on PostgreSQL
through PgBouncer in transaction mode (`test_fuzz.py` has SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_fuzz import contract_holds, fuzzed_project

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fuzzed_project(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("kind", ["mysql", "pgbouncer"])
def test_the_api_keeps_its_openapi_contract(
    project: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    contract_holds(project, kind, monkeypatch)
