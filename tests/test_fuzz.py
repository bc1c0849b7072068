"""End to end: schemathesis against a generated project, on SQLite, PostgreSQL and MariaDB.

The project has every field type, every modifier and references (to other models and to
itself); its own contract test (`tests/test_api_contract.py`, `pytest -m fuzz`) runs
every schemathesis check that tests the project rather than the framework, and must find
nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import fresh_database, server, unreachable_reason
from tests.test_e2e import BLOG, EVERYTHING, fastsqla

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    fastsqla("new", "shop", "--no-check", cwd=root)
    project = root / "shop"
    for command in [*BLOG, *EVERYTHING]:
        fastsqla(*command, "--no-check", cwd=project)
    return project


def run_contract_test(project: Path, database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-m", "fuzz", "-p", "no:cacheprovider", "-q"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_the_api_keeps_its_openapi_contract(project: Path, kind: str) -> None:
    if kind == "sqlite":
        done = run_contract_test(project, None)
    else:
        target = server(kind)
        reason = unreachable_reason(target)
        if reason and os.environ.get("FASTSQLA_REQUIRE_SERVERS") == "1":
            pytest.fail(f"{reason} (.ci/run starts the servers; FASTSQLA_REQUIRE_SERVERS=1)")
        if reason:
            pytest.skip(reason)
        with fresh_database(target) as url:
            done = run_contract_test(project, url)
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-5_000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_without_the_fuzz_extra_the_project_checks_clean(tmp_path: Path) -> None:
    """`new` installs the `dev` extra only, without schemathesis: the contract test is left
    out of the run and mypy --strict still passes on it."""
    out = fastsqla("new", "plain", "--types", cwd=tmp_path)
    assert "passed" in out and "Success: no issues" in out
    venv_python = tmp_path / "plain" / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(venv_python), "-c", "import schemathesis"], capture_output=True, text=True
    )
    assert "No module named 'schemathesis'" in done.stderr
