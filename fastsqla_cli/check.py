"""Run a generated project's checks: its tests, ruff, mypy and pyright, side by side.

``fastsqla new``, the commands that change a project and ``check`` all come here (one code
path), with the interpreter `environment` gives; each command it runs is a step (`steps`).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from pathlib import Path

from fastsqla_cli import interrupts
from fastsqla_cli.database_url import probe_database, validate_database_url
from fastsqla_cli.environment import available_tools, prepare_environment, resolve_python
from fastsqla_cli.errors import CheckFailed, ToolError, UsageError
from fastsqla_cli.filetx import Change, revert
from fastsqla_cli.project import find_project, locked
from fastsqla_cli.steps import CheckReport, Reporter, StepResult, quiet, run_step

FUZZ_TIMEOUT = 900.0  # seconds: a fixed number of examples per operation takes far less


def validate_junit_xml(path: Path) -> Path:
    """Where the JUnit report goes: a file in a folder that exists and can be written."""
    path = path.absolute()
    if path.is_dir():
        raise UsageError(f"--junit-xml {path} is a directory: give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"--junit-xml: the folder {path.parent} does not exist")
    # Tried, not inferred from permissions: root may write anywhere its permissions say,
    # except where the file system refuses (read-only, /proc).
    existed = path.exists()
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise UsageError(f"--junit-xml: cannot write {path}: {reason}") from None
    if not existed:
        path.unlink(missing_ok=True)
    return path


def _without_the_contract_test(root: Path) -> list[str]:
    """What pyright checks when the `fuzz` extra, which the contract test imports, is not
    installed: the project's packages and its tests, but that one."""
    packages = [p.name for p in sorted(root.iterdir()) if (p / "__init__.py").is_file()]
    tests = sorted((root / "tests").rglob("*.py")) if "tests" in packages else []
    kept = [p.relative_to(root).as_posix() for p in tests if p.name != "test_api_contract.py"]
    return [name for name in packages if name != "tests"] + kept


# From this many test modules on, the whole suite runs on every core (pytest-xdist) when it
# has a SQLite file per worker: below it, starting the workers costs more than they save
# (bench/README.md, part C). On a server, each worker would need a database of its own,
# which the test database's user may not be allowed to create.
PARALLEL_FROM = 20


def _workers(root: Path, installed: set[str], database_url: str | None) -> list[str]:
    """pytest's options that spread the whole suite over the machine's cores, if any."""
    modules = len(list((root / "tests").glob("test_*.py")))
    if database_url or "xdist" not in installed or (os.cpu_count() or 1) < 2:
        return []
    return ["-n", "auto"] if modules >= PARALLEL_FROM else []


def _files(tests: Sequence[str]) -> str:
    """``tests`` by file: `tests/a.py, tests/b.py (2 of its tests)`."""
    picked: dict[str, int] = {}
    for name in tests:
        path, _, test = name.partition("::")
        picked[path] = picked.get(path, 0) + (1 if test else 0)
    return ", ".join(f"{path} ({n} of its tests)" if n else path for path, n in picked.items())


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
    fuzz: bool = False,
    tests: Sequence[str] = (),
    report: Reporter = quiet,
) -> list[StepResult]:
    """Run tests, ruff (lint and format) and mypy at the same time, then, with ``fuzz``,
    the project's API contract test (schemathesis, `pytest -m fuzz`) on the same database;
    return every result. ``tests`` (files, relative to ``root``) runs those tests only."""
    installed = available_tools(python, root)
    if "pytest" not in installed:
        raise ToolError(
            f"pytest is not installed for {python}: install the project with its dev "
            'dependencies (`pip install -e ".[dev]"`) or pass another --python'
        )
    if fuzz and "schemathesis" not in installed:
        raise ToolError(
            f"schemathesis is not installed for {python}: install the project's fuzz "
            'extra (`pip install -e ".[dev,fuzz]"`) or pass another --python'
        )
    has_ruff = "ruff" in installed
    env = dict(os.environ)
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    test_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if junit_xml is not None:
        test_command.append(f"--junit-xml={junit_xml.absolute()}")
    test_command += tests or _workers(root, installed, database_url)
    commands: dict[str, list[list[str]]] = {"tests": [test_command]}
    skipped: list[StepResult] = []
    if has_ruff:
        commands["ruff"] = [
            [python, "-m", "ruff", "check", "--no-cache", "."],
            [python, "-m", "ruff", "format", "--no-cache", "--check", "."],
        ]
    else:
        skipped.append(StepResult("ruff", True, 0.0, skipped="ruff is not installed"))
    type_checkers = {
        "mypy": [python, "-m", "mypy"],
        # pyright reads the packages of the interpreter it is given, not the one it runs on.
        "pyright": [python, "-m", "pyright", "--pythonpath", python],
    }
    if "schemathesis" not in installed:  # mypy's configuration allows for that; pyright's
        type_checkers["pyright"] += _without_the_contract_test(root)
    for name, command in type_checkers.items():
        if not types:
            reason = "not asked for (fastsqla check runs it)"
            skipped.append(StepResult(name, True, 0.0, skipped=reason))
        elif name in installed:
            commands[name] = [command]
        else:
            skipped.append(StepResult(name, True, 0.0, skipped=f"{name} is not installed"))

    def run_group(name: str) -> StepResult:
        started = time.perf_counter()
        outputs, ok = [], True
        for command in commands[name]:
            result = run_step(name, command, root, env)
            outputs.append(result.output)
            ok = ok and result.ok
        output = "\n".join(outputs)
        summary = _summary(output)
        if name == "tests" and tests:
            summary += f": {_files(tests)} (fastsqla check runs every test)"
        return StepResult(name, ok, time.perf_counter() - started, output, summary)

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
    if fuzz:  # after the tests: both empty the database they run on
        report("fuzz", None)
        fuzz_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "fuzz"]
        fuzzed = run_step("fuzz", fuzz_command, root, env, timeout=FUZZ_TIMEOUT)
        result = StepResult(
            "fuzz", fuzzed.ok, fuzzed.seconds, fuzzed.output, _summary(fuzzed.output)
        )
        report("fuzz", result)
        results.append(result)
    for result in skipped:
        report(result.name, result)
    order = {"tests": 0, "fuzz": 1, "ruff": 2, "mypy": 3, "pyright": 4}
    return sorted(results + skipped, key=lambda step: order.get(step.name, 9))


def check_project(
    project_dir: Path | str = ".",
    *,
    python: str | None = None,
    database_url: str | None = None,
    junit_xml: Path | None = None,
    types: bool = True,
    fuzz: bool = False,
    report: Reporter | None = None,
    on_wait: Callable[[], None] | None = None,
) -> CheckReport:
    """Check the project in ``project_dir``; raise :class:`CheckFailed` when a check fails.
    With ``fuzz``, the API contract test (schemathesis) runs too, in bounded time.

    Every argument is validated first; another fastsqla command in the same project is
    waited for (``on_wait`` is told when that starts)."""
    root = find_project(Path(project_dir)).root
    if database_url is not None:
        validate_database_url(database_url)
    if junit_xml is not None:
        junit_xml = validate_junit_xml(junit_xml)
    if python is not None:
        python = resolve_python(python)
    with locked(root, on_wait=on_wait):
        return run_all(root, python, database_url, junit_xml, types, report, fuzz)


def run_all(
    root: Path,
    python: str | None,
    database_url: str | None,
    junit_xml: Path | None,
    types: bool,
    report: Reporter | None,
    fuzz: bool = False,
    tests: Sequence[str] = (),
    reinstall: bool = False,
) -> CheckReport:
    """Every step, on arguments already validated, by a caller that holds the lock;
    ``tests`` narrows the tests that run (all when empty), ``reinstall`` installs the
    project into its `.venv` again first."""
    report = report or quiet
    interpreter, steps = prepare_environment(
        root, python=python, fuzz=fuzz, reinstall=reinstall, report=report
    )
    if database_url is not None:
        probe_database(interpreter, root, database_url)
    with _compiling_dependencies(root, interpreter) if steps else nullcontext():
        steps += run_checks(
            root,
            interpreter,
            database_url=database_url,
            junit_xml=junit_xml,
            types=types,
            fuzz=fuzz,
            tests=tests,
            report=report,
        )
    result = CheckReport(root=root, steps=tuple(steps))
    if not result.ok:
        names = ", ".join(step.name for step in result.failed())
        raise CheckFailed(f"{names} failed in {root}", report=result)
    return result


@contextmanager
def _compiling_dependencies(root: Path, python: str) -> Iterator[None]:
    """Beside the first checks in a new `.venv`: compile the project's dependencies on
    another core (`bytecode.py`), waited for at the end so that no half-written file stays.
    Not with one core, nor when the user asked Python not to write bytecode."""
    if os.environ.get("PYTHONDONTWRITEBYTECODE") or (os.cpu_count() or 1) < 2:
        yield
        return
    script = Path(__file__).with_name("bytecode.py")
    process = subprocess.Popen(
        [python, str(script)],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    except BaseException:
        process.kill()
        raise
    finally:
        process.wait()


def check_change(
    root: Path,
    change: Change,
    python: str | None,
    types: bool,
    report: Reporter | None,
    undone: str,
    tests: Sequence[str] = (),
) -> CheckReport:
    """Run the checks after ``change`` was applied (``tests`` only, when given), by a
    caller that holds the lock; when the checks fail or are interrupted, revert
    ``change``, and say ``undone`` after the failure."""
    # A change of the project's dependencies (`fastsqla update`) reaches its `.venv` first.
    reinstall = root / "pyproject.toml" in change.edits
    try:
        result = run_all(root, python, None, None, types, report, tests=tests, reinstall=reinstall)
        interrupts.checkpoint()
        return result
    except BaseException as failure:
        revert(change)
        if isinstance(failure, CheckFailed):
            failure.args = (f"{failure}: {undone}",)
        raise
