"""End to end: schemathesis against a generated project, on SQLite, PostgreSQL and MariaDB.

The project has every field type, every modifier and references (to other models and to
itself). On each database its own tests pass, and its contract test
(`tests/test_api_contract.py`, `pytest -m fuzz`), which runs every schemathesis check
that tests the project rather than the framework, finds nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import required_database
from tests.test_e2e import EVERYTHING, fastsqla

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    fastsqla("new", "shop", "--no-check", cwd=root)
    project = root / "shop"
    for command in EVERYTHING:  # the blog's models add no kind of field or reference
        fastsqla(*command, "--no-check", cwd=project)
    return project


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql", "pgbouncer"])
def test_the_api_keeps_its_openapi_contract(
    project: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fastsqla check --fuzz`: the project's tests, then its contract test, on the database;
    and on PostgreSQL through PgBouncer in transaction mode, with DATABASE_POOLER set."""
    check = ["check", "--fuzz", "--no-types", "--python", sys.executable]
    if kind == "pgbouncer":
        monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")
    if kind == "sqlite":
        out = fastsqla(*check, cwd=project)
    else:
        with required_database(kind) as url:
            out = fastsqla(*check, "--database-url", url, cwd=project)
    assert "API contract (schemathesis)" in out and "All checks passed (tests, fuzz, ruff)" in out


def test_without_the_fuzz_extra_the_project_checks_clean(tmp_path: Path) -> None:
    """`new` makes the project's own `.venv` and installs the `dev` extra only, without
    schemathesis: the contract test is left out of the run, and mypy --strict and
    pyright's strict mode still pass."""
    out = fastsqla("new", "plain", "--types", cwd=tmp_path)
    assert "Create .venv" in out and "Install the project" in out
    assert "passed" in out and "Success: no issues" in out
    assert "Type check (pyright, strict)" in out and "0 errors, 0 warnings" in out
    venv_python = tmp_path / "plain" / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(venv_python), "-c", "import schemathesis"], capture_output=True, text=True
    )
    assert "No module named 'schemathesis'" in done.stderr
    # `check --fuzz` installs the fuzz extra into that .venv, then runs the contract test.
    out = fastsqla("check", "plain", "--fuzz", "--no-types", cwd=tmp_path)
    assert "Install the project and its dev dependencies" in out
    assert "All checks passed (install, tests, fuzz, ruff)" in out
