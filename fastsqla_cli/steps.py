"""A check's steps: each command it runs, the result of each, and the report of them all."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fastsqla_cli.errors import ToolError


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
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def failed(self) -> list[StepResult]:
        return [step for step in self.steps if not step.ok]


Reporter = Callable[[str, "StepResult | None"], None]  # (step name, result or None at start)


def quiet(_name: str, _result: StepResult | None) -> None:
    pass


def run_step(
    name: str,
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> StepResult:
    started = time.perf_counter()
    try:
        process = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
        )
    except OSError as error:
        raise ToolError(f"cannot run {command[0]}: {error}") from None
    except subprocess.TimeoutExpired:
        return StepResult(
            name, False, time.perf_counter() - started, f"stopped after {timeout:g} s"
        )
    output = process.stdout + process.stderr
    return StepResult(name, process.returncode == 0, time.perf_counter() - started, output)


def require(result: StepResult) -> StepResult:
    if not result.ok:
        tail = " | ".join(result.output.strip().splitlines()[-3:])
        raise ToolError(f"{result.name} failed: {tail}")
    return result
