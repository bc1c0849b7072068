"""`bytecode.py`: what it compiles beside a project's first checks (test_wheel runs it
from a wheel, in a new project's .venv)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fastsqla_cli import bytecode


def _names(root: str) -> list[str]:
    return [d.metadata["Name"].lower() for d in bytecode.runtime_distributions(root)]


def test_it_walks_what_a_distribution_needs_to_run_first_its_own() -> None:
    names = _names("fastsqla-cli")
    assert names[0] == "fastsqla-cli"
    assert {"copier", "typer", "jinja2", "markupsafe", "pydantic"} <= set(names)
    assert len(names) == len(set(names))
    # breadth first, so what the project names comes before what that needs
    assert names.index("jinja2") < names.index("markupsafe")
    assert names.index("copier") < names.index("pydantic")
    assert "pytest" not in names  # only in the `test` extra


def test_an_unknown_distribution_is_nothing_to_compile() -> None:
    assert _names("no-such-distribution-anywhere") == []


def _pyc_of(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    return Path(importlib.util.cache_from_source(spec.origin))


def test_it_writes_the_pyc_files_of_dependencies_but_not_of_extras(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fastsqla-cli"\n')
    started = time.time() - 1  # file systems keep whole seconds at worst
    script = Path(bytecode.__file__)
    subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=True, timeout=300)
    assert _pyc_of("typer.main").stat().st_mtime >= started
    assert _pyc_of("jinja2.compiler").stat().st_mtime >= started
    pytest_pyc = _pyc_of("_pytest.python")
    assert not pytest_pyc.exists() or pytest_pyc.stat().st_mtime < started


def test_requirements_whose_markers_do_not_hold_here_are_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "needs_some-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: needs-some\nVersion: 1.0\n"
        "Requires-Dist: jinja2>=3\n"
        "Requires-Dist: click; python_version < '3'\n"
        "Requires-Dist: typer; sys_platform == 'no-such-platform'\n"
        "Requires-Dist: rich; extra == 'pretty'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _names("needs-some") == ["needs-some", "jinja2", "markupsafe"]
