"""The templates ship inside the wheel: a fresh virtualenv with only the built wheel
installed (no checkout on the path) runs `fastsqla new`."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fastsqla_cli import __version__
from fastsqla_cli.environment import find_uv

pytestmark = pytest.mark.e2e
REPO = Path(__file__).parent.parent


def install_wheel(source: Path, work: Path) -> Path:
    """Build the wheel of the checkout at ``source`` and install it, with its dependencies,
    in a fresh virtualenv under ``work``; return that virtualenv."""
    uv = find_uv()
    assert uv, "uv is a dependency of fastsqla-cli"
    dist = work / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(dist.glob("fastsqla_cli-*.whl"))
    venv = work / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    # --compile-bytecode, as pip does: it compiles the template's .py files in site-packages.
    install = [uv, "pip", "install", "--quiet", "--compile-bytecode"]
    subprocess.run(
        [*install, "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return venv


def test_a_wheel_installed_in_a_fresh_virtualenv_runs_new(tmp_path: Path) -> None:
    venv = install_wheel(REPO, tmp_path)
    python = venv / "bin" / "python"
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["COLUMNS"] = "60"  # narrower than the hint below, which must still be one line

    def fastsqla(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(venv / "bin" / "fastsqla"), *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    result = fastsqla("new", "demo", "--no-check")
    # The venv is not on PATH: the hint names the script that ran, as typed from demo/.
    hint = "../../venv/bin/fastsqla add-model Post title:str body:text author:ref:User"
    assert hint in [line.strip() for line in result.stdout.splitlines()], result.stdout
    where = subprocess.run(
        [
            str(python),
            "-c",
            "from fastsqla_cli.templates import templates_dir; print(templates_dir())",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(venv)) and "site-packages" in where
    answers_text = (work / "demo" / ".copier-answers.yml").read_text()
    assert "site-packages" not in answers_text and str(tmp_path) not in answers_text
    assert yaml.safe_load(answers_text)["_commit"] == __version__
    assert (work / "demo" / "demo" / "models" / "user.py").is_file()
    compiled = [
        p for p in (work / "demo").rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"
    ]
    assert compiled == []  # the installer's bytecode stays in site-packages

    # Checking it makes its .venv; a process of the wheel's own (bytecode.py) compiles
    # the project's dependencies meanwhile, even modules the tests never import.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    fastsqla("check", "demo", "--no-types")
    site = next((work / "demo" / ".venv" / "lib").glob("python3.*/site-packages"))
    unused = site / "sqlalchemy" / "dialects" / "mssql" / "base.py"
    assert Path(importlib.util.cache_from_source(str(unused))).is_file()
