"""The interpreter a project's checks run with: the project's own `.venv`, made with uv
(shipped as a dependency) or, without it, with `venv` and pip; or an interpreter the user
names, which must have the project's tools.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from fastsqla_cli.errors import ToolError, UsageError
from fastsqla_cli.steps import Reporter, StepResult, quiet, require, run_step


def find_uv() -> str | None:
    """The uv binary: the one the `uv` package ships, else one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def venv_python(root: Path) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return root / ".venv" / scripts / ("python.exe" if sys.platform == "win32" else "python")


def prepare_environment(
    root: Path,
    *,
    python: str | None = None,
    fuzz: bool = False,
    reinstall: bool = False,
    report: Reporter = quiet,
) -> tuple[str, list[StepResult]]:
    """The interpreter to check with, and the steps it took to get it.

    ``python`` (resolved by :func:`resolve_python`) is used as it is. Otherwise the
    project's `.venv` is used when it has pytest (and schemathesis, with ``fuzz``), and
    ``reinstall`` (its dependencies changed) is false; else it is made (again), with uv or
    else venv and pip, and the project installed into it with its dev extras (and its fuzz
    extras).
    """
    if python is not None:
        return python, []
    target = venv_python(root)
    needed = {"pytest", "schemathesis"} if fuzz else {"pytest"}
    if target.exists() and not reinstall and needed <= available_tools(str(target), root):
        return str(target), []
    # No .venv, or one whose install did not finish (interrupted, offline): (re)make it.
    extras = ".[dev,fuzz]" if fuzz else ".[dev]"
    uv = find_uv()
    if uv:
        commands = {
            "virtualenv": [uv, "venv", "--quiet", "--python", sys.executable, ".venv"],
            "install": [uv, "pip", "install", "--quiet", "--python", str(target), "-e", extras],
        }
    else:
        commands = {
            "virtualenv": [sys.executable, "-m", "venv", ".venv"],
            "install": [
                str(target),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-e",
                extras,
            ],
        }
    if target.exists():
        del commands["virtualenv"]  # made, but its install did not finish
    elif (root / ".venv").exists():
        commands["virtualenv"].insert(-1, "--clear")  # a half-made one, without its python
    steps: list[StepResult] = []
    for name, command in commands.items():
        report(name, None)
        steps.append(require(run_step(name, command, root)))
        report(name, steps[-1])
    return str(target), steps


TOOLS = ("pytest", "ruff", "mypy", "pyright", "schemathesis", "xdist")


_PROBE = (
    "import importlib.util as u; "
    f"print('probe', *(m for m in {TOOLS!r} if u.find_spec(m) is not None))"
)


def available_tools(python: str, root: Path) -> set[str]:
    """Which of :data:`TOOLS` ``python`` can import."""
    result = run_step("probe", [python, "-c", _PROBE], root)
    words = result.output.split()
    if not result.ok or words[:1] != ["probe"]:
        last = (result.output.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"{python} does not run as Python: {last}")
    return set(words[1:])


def resolve_python(python: str) -> str:
    """The interpreter ``--python`` names, checked to run and to have pytest; else a
    :class:`UsageError` (nothing has been written yet when this is asked)."""
    resolved = shutil.which(python) or (python if Path(python).is_file() else None)
    if resolved is None or not os.access(resolved, os.X_OK):
        raise UsageError(f"--python {python}: no such interpreter; give a path or a command name")
    try:
        has_pytest = "pytest" in available_tools(resolved, Path.cwd())
    except ToolError as error:
        raise UsageError(f"--python {python}: {error}") from None
    if not has_pytest:
        raise UsageError(
            f"--python {python} has no pytest: give an interpreter that has the project's "
            "dev dependencies, or leave --python out to make a .venv"
        )
    return resolved
