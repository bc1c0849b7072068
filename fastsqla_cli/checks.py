"""Run a generated project's checks: its tests, ruff and mypy, side by side.

``fastsqla new``, ``add-model`` and ``check`` all come here (one code path). The project
gets its own ``.venv``, made with uv (shipped as a dependency) or, without it, with
``venv`` and pip; ``python=`` skips that and uses an interpreter that has the dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli.errors import CheckFailed, ToolError
from fastsqla_cli.projectinfo import find_project


@dataclass(frozen=True)
class StepResult:
    """One step: made the environment, ran the tests, ..."""

    name: str
    ok: bool
    seconds: float
    output: str = ""
    summary: str = ""  # one line: "123 passed"
    skipped: str = ""  # why the step did not run


@dataclass(frozen=True)
class CheckReport:
    root: Path
    python: str
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def failed(self) -> list[StepResult]:
        return [step for step in self.steps if not step.ok]


Reporter = Callable[[str, "StepResult | None"], None]  # (step name, result or None at start)


def _quiet(_name: str, _result: StepResult | None) -> None:
    pass


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


def _run(
    name: str, command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> StepResult:
    started = time.perf_counter()
    try:
        process = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error}") from None
    output = process.stdout + process.stderr
    return StepResult(name, process.returncode == 0, time.perf_counter() - started, output)


def _require(result: StepResult) -> StepResult:
    if not result.ok:
        tail = " | ".join(result.output.strip().splitlines()[-3:])
        raise ToolError(f"{result.name} failed: {tail}")
    return result


def prepare_environment(
    root: Path, *, python: str | None = None, report: Reporter = _quiet
) -> tuple[str, list[StepResult]]:
    """The interpreter to check with, and the steps it took to get it.

    ``python`` is used as it is. Otherwise the project's `.venv` is used when it exists;
    else it is made, with uv or else venv and pip, and the project installed into it with
    its dev extras.
    """
    if python is not None:
        resolved = shutil.which(python) or (python if Path(python).is_file() else None)
        if resolved is None:
            raise ToolError(f"no Python interpreter at {python!r}: give a path or a command name")
        return resolved, []
    target = venv_python(root)
    if target.exists():
        return str(target), []
    uv = find_uv()
    if uv:
        commands = {
            "virtualenv": [uv, "venv", "--quiet", "--python", sys.executable, ".venv"],
            "install": [uv, "pip", "install", "--quiet", "--python", str(target), "-e", ".[dev]"],
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
                ".[dev]",
            ],
        }
    steps: list[StepResult] = []
    for name, command in commands.items():
        report(name, None)
        steps.append(_require(_run(name, command, root)))
        report(name, steps[-1])
    return str(target), steps


_PROBE = (
    "import importlib.util as u; "
    "print(*(u.find_spec(m) is not None for m in ('pytest', 'ruff', 'mypy')))"
)


def _available(python: str, root: Path) -> tuple[bool, bool, bool]:
    result = _run("probe", [python, "-c", _PROBE], root)
    if not result.ok:
        raise ToolError(f"{python} does not run: {result.output.strip()[-200:]}")
    flags = result.output.split()
    return flags[0] == "True", flags[1] == "True", flags[2] == "True"


def _summary(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1].strip().strip("=").strip()
    return last[:100]


def run_checks(
    root: Path,
    python: str,
    *,
    database_url: str | None = None,
    junit_xml: Path | None = None,
    types: bool = True,
    report: Reporter = _quiet,
) -> list[StepResult]:
    """Run tests, ruff (lint and format) and mypy at the same time; return every result."""
    has_pytest, has_ruff, has_mypy = _available(python, root)
    if not has_pytest:
        raise ToolError(
            f"pytest is not installed for {python}: install the project with its dev "
            'dependencies (`pip install -e ".[dev]"`) or pass another --python'
        )
    env = dict(os.environ)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    test_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if junit_xml is not None:
        test_command.append(f"--junit-xml={junit_xml.absolute()}")
    commands: dict[str, list[list[str]]] = {"tests": [test_command]}
    skipped: list[StepResult] = []
    if has_ruff:
        commands["ruff"] = [
            [python, "-m", "ruff", "check", "--no-cache", "."],
            [python, "-m", "ruff", "format", "--no-cache", "--check", "."],
        ]
    else:
        skipped.append(StepResult("ruff", True, 0.0, skipped="ruff is not installed"))
    if not types:
        skipped.append(
            StepResult("mypy", True, 0.0, skipped="not asked for (fastsqla check runs it)")
        )
    elif has_mypy:
        commands["mypy"] = [[python, "-m", "mypy"]]
    else:
        skipped.append(StepResult("mypy", True, 0.0, skipped="mypy is not installed"))

    def run_group(name: str) -> StepResult:
        started = time.perf_counter()
        outputs, ok = [], True
        for command in commands[name]:
            result = _run(name, command, root, env)
            outputs.append(result.output)
            ok = ok and result.ok
        output = "\n".join(outputs)
        return StepResult(name, ok, time.perf_counter() - started, output, _summary(output))

    results: list[StepResult] = []
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = []
        for name in commands:
            report(name, None)
            futures.append(pool.submit(run_group, name))
        for future in as_completed(futures):
            result = future.result()
            report(result.name, result)
            results.append(result)
    for result in skipped:
        report(result.name, result)
    order = {"tests": 0, "ruff": 1, "mypy": 2}
    return sorted(results + skipped, key=lambda step: order.get(step.name, 9))


def check_project(
    project_dir: Path | str = ".",
    *,
    python: str | None = None,
    database_url: str | None = None,
    junit_xml: Path | None = None,
    types: bool = True,
    report: Reporter = _quiet,
) -> CheckReport:
    """Check the project in ``project_dir``; raise :class:`CheckFailed` when a check fails."""
    root = Path(project_dir).absolute()
    find_project(root)
    interpreter, steps = prepare_environment(root, python=python, report=report)
    steps += run_checks(
        root,
        interpreter,
        database_url=database_url,
        junit_xml=junit_xml,
        types=types,
        report=report,
    )
    result = CheckReport(root=root, python=interpreter, steps=tuple(steps))
    if not result.ok:
        names = ", ".join(step.name for step in result.failed())
        raise CheckFailed(f"{names} failed in {root}", report=result)
    return result
