"""The fastsqla benchmark (issue 5): how fast the CLI answers, and how fast the app it makes is.

    python bench/run.py                 # everything: part A (CLI) and part B (app, wrk)
    python bench/run.py --quick         # smoke mode: fewer, shorter runs
    python bench/run.py --only cli      # part A; --only app for part B; --only scale for C;
                                        # or single figures:
    python bench/run.py --only help,new,add-model,new-check,suite

Run it with the interpreter that has fastsqla installed (the `fastsqla` script next to it
is the one timed). Progress goes to stderr; the tables go to stdout. bench/README.md says
what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

BENCH = Path(__file__).resolve().parent
BASELINE = BENCH / "baseline"
LUA = BENCH / "lua"

CLI_ITEMS = ("help", "new", "add-model", "new-check", "suite")
APP_ITEMS = ("app",)
# Every app part B can serve: what it is (its kind) and the database it serves from.
APP_KINDS = {
    "generated": ("generated", "sqlite"),
    "generated-prod": ("generated-prod", "sqlite"),
    "baseline": ("tutorial", "sqlite"),
    "plain": ("plain", "sqlite"),
    "fastcrud": ("fastcrud", "sqlite"),
    "ceiling": ("ceiling", ""),
    "postgres": ("generated", "postgresql"),
    "baseline-pg": ("tutorial", "postgresql"),
    "plain-pg": ("plain", "postgresql"),
    "fastcrud-pg": ("fastcrud", "postgresql"),
    "mariadb": ("generated", "mariadb"),
    "baseline-mariadb": ("tutorial", "mariadb"),
    "plain-mariadb": ("plain", "mariadb"),
    "fastcrud-mariadb": ("fastcrud", "mariadb"),
    # The generated app on PostgreSQL through PgBouncer in transaction mode
    # (DATABASE_POOLER=pgbouncer), in one process and in two (issue 25).
    "pgbouncer": ("generated-pgbouncer", "postgresql"),
    "pgbouncer-2": ("generated-pgbouncer", "postgresql"),
    # The same with DATABASE_READ_URL at a hot standby: GET reads from it (issue 25).
    "replica": ("generated-replica", "postgresql"),
    "replica-2": ("generated-replica", "postgresql"),
}
WORKERS = {"pgbouncer": 1, "pgbouncer-2": 2, "replica": 1, "replica-2": 2}
APPS = tuple(APP_KINDS)
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mariadb": "MariaDB"}
PROJECT_DB = {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}  # new --db
# Issue 10: the one-worker generated app on each database against the best of its peers
# there (the tutorial app, the plain best-practice app, FastCRUD).
PEER_KINDS = ("tutorial", "plain", "fastcrud")
GENERATED_ON = {db: key for key, (kind, db) in APP_KINDS.items() if kind == "generated"}
PEERS_ON = {
    db: tuple(key for key, (kind, on) in APP_KINDS.items() if kind in PEER_KINDS and on == db)
    for db in DATABASES
}
PEER_RPS = 1.0  # generated req/s / the best peer's, in every cell
PEER_P99 = 0.5  # generated p99 / the lowest peer p99, at PEER_P99_CONNECTIONS
PEER_P99_CONNECTIONS = 128
# The version fastcrud_app.py is written against (FastCRUD changes its API between 0.x
# releases); installed into the app's .venv beside the project's own versions.
FASTCRUD = "fastcrud>=0.23,<0.24"
LIST_LIMIT = 20  # the page size of the list pages the bench asks for (the generated default)

TARGETS = {"new": 0.8, "add-model": 0.4, "new-check": 5.0, "suite": 3.0}  # s, wall clock
# What each timed command cannot go below on this machine, measured in the same run.
FLOORS = {"new": "typer-command", "add-model": "typer-command", "new-check": "setup-floor"}
SUITE_MODELS = (  # added one by one for the suite-models row
    ("Post", "title:str:max=200", "body:text", "author:ref:User"),
    ("Comment", "body:text", "post:ref:Post", "author:ref:User"),
    ("Tag", "name:str:unique"),
)
APP_TARGETS = {"POST /users": 2.0, "GET /users/{id}": 1.5}  # generated/baseline req/s
# The "aim higher" for GET: 3x the baseline, within 4x of the no-database ceiling.
APP_STRETCH = {"GET /users/{id}": 3.0}
CEILING_GAP = 4.0
MEASURED = ("generated", "generated-prod", "postgres", "mariadb")  # held to the targets
PACKAGE = "demo"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- statistics


@dataclass
class Series:
    """Several measurements of one figure."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def fmt(self, digits: int = 2, scale: float = 1.0) -> str:
        if not self.values:
            return "-"
        m, lo, hi = (v * scale for v in (self.median, self.low, self.high))
        return f"{m:.{digits}f} [{lo:.{digits}f}-{hi:.{digits}f}]"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


# ----------------------------------------------------------------------------- machine


def machine_lines(fastsqla: str | None) -> list[str]:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ""
    with contextlib.suppress(OSError):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    version = "?"
    if fastsqla:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [fastsqla, "--version"], capture_output=True, text=True, timeout=60
            ).stdout
            version = out.strip().split()[-1] if out.strip() else "?"
    wrk = shutil.which("wrk")
    wrk_version = "missing"
    if wrk:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10)
            text = out.stdout + out.stderr
            found = re.search(r"wrk (\S+)", text)
            wrk_version = found.group(1) if found else "?"
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"date: {now}",
        f"machine: {platform.system()} {platform.machine()}, {cores} cores ({cpu}){memory}, "
        f"load average at start {load}",
        f"python: {platform.python_version()} ({sys.executable})",
        f"fastsqla: {version} ({fastsqla or 'not found'}); wrk: {wrk_version}",
    ]


# ----------------------------------------------------------------------------- processes


class BenchError(Exception):
    pass


def executed(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> tuple[float, float, str]:
    """Run ``command`` to the end; return its wall-clock seconds, its CPU seconds (user +
    system, with every process it waited for) and its standard output. Fail loudly on
    exit != 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{' '.join(command)} took more than {timeout} s") from error
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise BenchError(f"{' '.join(command)} exited {done.returncode} in {cwd}:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout


def timed(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> tuple[float, float]:
    """Run ``command`` to the end; return its wall-clock and CPU seconds (see `executed`)."""
    seconds, cpu, _ = executed(command, cwd, env, timeout)
    return seconds, cpu


def output(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command`` to the end; return its standard output (see `executed`)."""
    return executed(command, cwd, env)[2]


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> float:
    """Run ``command`` to the end; return its wall-clock seconds. Fail loudly on exit != 0."""
    return timed(command, cwd, env, timeout)[0]


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "COLUMNS": "100"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let imports use and write .pyc, as users do
    env.pop("VIRTUAL_ENV", None)
    return env


@contextlib.contextmanager
def temp_dir(prefix: str, keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"fastsqla-bench-{prefix}-"))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def find_fastsqla(given: str | None) -> str | None:
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    beside = Path(sys.executable).parent / "fastsqla"
    if beside.is_file():
        return str(beside)
    return shutil.which("fastsqla")


def find_uv() -> str | None:
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file():
        return str(beside)
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


# ----------------------------------------------------------------------------- part C: scale

SCALE_SIZES = (1, 25, 50, 100)  # models added to a new project (beside its starter User)
SCALE_ADDS = 3  # `add-model` of the last model, with its checks, timed this many times
# Issue 22's targets on a 2-core machine.
SCALE_TARGETS = {"add-model at the largest / at 1": 1.5, "suite": 60.0, "start-up": 2.0}
SCALE_STARTUP = """
import asyncio, sys, time
started = time.perf_counter()
from asgi_lifespan import LifespanManager
from {package}.main import app
async def main():
    async with LifespanManager(app):
        pass
asyncio.run(main())
print(f"startup {{time.perf_counter() - started:.3f}}")
"""


def scale_model(n: int) -> list[str]:
    """The n-th model of the scale part: a unique string, an int, a decimal, an optional
    text and a reference to the model before it, as a growing project has them."""
    fields = ["code:str:unique", "qty:int", "price:decimal", "note:text:optional"]
    if n > 1:
        fields.append(f"previous:ref:Part{n - 1:03d}")
    return [f"Part{n:03d}", *fields]


def pytest_seconds(output: str) -> float:
    """The duration pytest reports on its last line (`... passed in 1.23s`)."""
    found = re.findall(r" in ([0-9.]+)s", output)
    if not found:
        raise BenchError(f"no duration in pytest's output: {output.strip()[-200:]}")
    return float(found[-1])


def tests_seconds(junit_xml: Path) -> float:
    """What a module's tests cost, from pytest's JUnit report (each test's setup, call and
    teardown): their sum, with the first test's (which also starts the app, timed on its
    own) counted as the median test's."""
    times = [
        float(t) for t in re.findall(r'<testcase [^>]*time="([0-9.]+)"', junit_xml.read_text())
    ]
    if not times:
        raise BenchError(f"no test in {junit_xml}")
    return sum(times) - times[0] + statistics.median(times)


def bench_scale(args: argparse.Namespace, fastsqla: str) -> tuple[list[list[str]], dict[str, Any]]:
    """Grow one project model by model; at each size in `SCALE_SIZES`, time what a user
    runs. Each figure is one run (the curve, not a median): rerun to see the noise."""
    sizes = (1, 5) if args.quick else SCALE_SIZES
    env = cli_env()
    rows: list[list[str]] = []
    raw: dict[str, Any] = {}
    with temp_dir("scale", args.keep) as where:
        # With its checks, as a user makes it: the project's own `.venv` (its dev extra,
        # nothing else) runs everything below.
        run([fastsqla, "new", PACKAGE], where, env)
        project = where / PACKAGE
        python = str(project / ".venv" / "bin" / "python")
        pytest = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        added = 0
        for size in sizes:
            while added < size - 1:
                added += 1
                run([fastsqla, "add-model", *scale_model(added), "--no-check"], project, env)
            added += 1
            log(f"scale: model {added}, add-model with its checks, {SCALE_ADDS} times")
            adds = Series()
            for attempt in range(SCALE_ADDS):
                if attempt:  # take it out again (a revision that drops it) to add it anew
                    remove = [fastsqla, "remove-model", scale_model(added)[0], "--no-check"]
                    run(remove, project, env)
                adding = [fastsqla, "add-model", *scale_model(added), "--python", python]
                adds.values.append(run(adding, project, env))
            add = adds.median
            suite_output = output(pytest, project, env)
            suite = pytest_seconds(suite_output)
            summary = suite_output.strip().splitlines()[-1]  # "N passed, M subtests passed"
            tests = int(re.findall(r"(\d+) passed", summary)[0])
            junit = where / "part_001.xml"
            output([*pytest, f"--junit-xml={junit}", "tests/test_part_001.py"], project, env)
            same_model = tests_seconds(junit)
            check = run([fastsqla, "check", "--no-types", "--python", python], project, env)
            with tempfile.TemporaryDirectory() as data:
                db_env = env | {"DATABASE_URL": f"sqlite+aiosqlite:///{data}/app.db"}
                script = SCALE_STARTUP.format(package=PACKAGE)
                startup = float(output([python, "-c", script], project, db_env).split()[-1])
                db_env["DATABASE_URL"] = f"sqlite+aiosqlite:///{data}/alembic.db"
                upgrade = run([python, "-m", "alembic", "upgrade", "head"], project, db_env)
            with tempfile.TemporaryDirectory() as cache:
                mypy = run([python, "-m", "mypy", "--cache-dir", cache], project, env, 1200)
            figures = {
                "add-model": add,
                "suite": suite,
                "tests": tests,
                "same-model": same_model,
                "check": check,
                "start-up": startup,
                "upgrade": upgrade,
                "mypy": mypy,
            }
            raw[str(size)] = figures
            log(f"scale: {size} models: {figures}")
            rows.append(
                [
                    str(size),
                    adds.fmt(1),
                    f"{suite:.1f} ({tests})",
                    f"{same_model:.2f}",
                    f"{check:.1f}",
                    f"{startup:.2f}",
                    f"{upgrade:.1f}",
                    f"{mypy:.1f}",
                ]
            )
    return rows, raw


def scale_lines(rows: list[list[str]], raw: dict[str, Any]) -> list[str]:
    headers = [
        "models",
        "add-model, checked (s)",
        "suite (s, tests)",
        "one model's tests (s)",
        "check --no-types (s)",
        "start-up (s)",
        "alembic upgrade (s)",
        "mypy, cold (s)",
    ]
    out = [table(headers, rows)]
    first, last = raw[min(raw, key=int)], raw[max(raw, key=int)]
    ratio = last["add-model"] / first["add-model"]
    same = last["same-model"] / first["same-model"]
    goal = SCALE_TARGETS
    out.append(
        f"  add-model at {max(raw, key=int)} models / at {min(raw, key=int)}: {ratio:.2f}x "
        f"(target <= {goal['add-model at the largest / at 1']:g}x); the same model's tests: "
        f"{same:.2f}x; suite {last['suite']:.1f} s (target <= {goal['suite']:g} s); "
        f"start-up {last['start-up']:.2f} s (target <= {goal['start-up']:g} s)"
    )
    out.append(
        f"  add-model: median [min-max] of {SCALE_ADDS} (the model removed and added again); "
        "every other figure one run. suite: pytest's own duration; one model's tests: setup, "
        "call and teardown of each test of Part001 (JUnit times; the first, which starts the "
        "app, counted as the median); start-up: import the app and run its lifespan on an "
        "empty SQLite file (creates every table); mypy with an empty cache; the rest: wall "
        "clock of the command"
    )
    return out


# ----------------------------------------------------------------------------- part A: CLI


@dataclass
class CliRow:
    key: str
    label: str
    series: Series = field(default_factory=Series)  # wall clock
    cpu: Series = field(default_factory=Series)  # user + system, the command's processes
    note: str = ""
    error: str = ""

    def add(self, timing: tuple[float, float]) -> None:
        self.series.values.append(timing[0])
        self.cpu.values.append(timing[1])


def script_python(script: str) -> str:
    """The interpreter a console script runs with (its shebang), else this one."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        with open(script, "rb") as handle:
            first = handle.readline().decode().strip()
        if first.startswith("#!"):
            words = first[2:].split()
            if words and "python" in Path(words[0]).name and Path(words[0]).is_file():
                return words[0]
    return sys.executable


def bench_cli(args: argparse.Namespace, fastsqla: str, items: set[str]) -> list[CliRow]:
    env = cli_env()
    rows: list[CliRow] = []
    quick = args.quick

    def guarded(row: CliRow, measure: Callable[[CliRow], None]) -> None:
        """Measure one figure; a failing command marks its row FAILED, the others go on."""
        rows.append(row)
        try:
            measure(row)
        except BenchError as error:
            lines = str(error).strip().splitlines()
            row.error = lines[0][:90] + (
                f" ... {lines[-1].strip()[:110]}" if len(lines) > 1 else ""
            )
            log(str(error))

    def help_pair(ours: CliRow) -> None:
        runs = args.runs or (3 if quick else 10)
        python = script_python(fastsqla)
        minimal = [python, str(BASELINE / "minimal_typer.py"), "--help"]
        base = CliRow("help-baseline", "minimal typer app --help (bench/baseline)")
        base.note = f"same interpreter as fastsqla ({python})"
        log(f"A: --help, {runs} runs each, alternating")
        with temp_dir("help", args.keep) as where:
            # One untimed run of each: the first start reads files the next ones find cached.
            run([fastsqla, "--help"], where, env)
            run(minimal, where, env)
            for _ in range(runs):
                ours.add(timed([fastsqla, "--help"], where, env))
                base.add(timed(minimal, where, env))
        rows.append(base)

    def new(row: CliRow) -> None:
        runs = args.runs or (3 if quick else 5)
        log(f"A: new --no-check, {runs} runs after 1 warm-up run")
        row.note = "warm template cache (1 untimed run first)"
        with temp_dir("new", args.keep) as where:
            run([fastsqla, "new", "demo", "--no-check"], where, env)
        for _ in range(runs):
            with temp_dir("new", args.keep) as where:
                row.add(timed([fastsqla, "new", "demo", "--no-check"], where, env))

    def typer_command(row: CliRow) -> None:
        runs = args.runs or (3 if quick else 10)
        python = script_python(fastsqla)
        command = [python, str(BASELINE / "minimal_typer.py"), "--name", "x"]
        row.note = "typer builds a pydantic adapter per option: any typer command pays it"
        log(f"A: minimal typer app running its command, {runs} runs")
        with temp_dir("typer", args.keep) as where:
            run(command, where, env)
            for _ in range(runs):
                row.add(timed(command, where, env))

    def add_model(row: CliRow) -> None:
        runs = args.runs or (3 if quick else 5)
        log(f"A: add-model --no-check, {runs} runs, each in a fresh copy of a new project")
        row.note = "fresh project each run (a copy of one `new --no-check`)"
        with temp_dir("add-model", args.keep) as where:
            run([fastsqla, "new", "template", "--no-check"], where, env)
            for i in range(runs):
                project = where / f"demo{i}"
                shutil.copytree(where / "template", project)
                command = [fastsqla, "add-model", "Post", "title:str", "body:text", "--no-check"]
                row.add(timed(command, project, env))

    def new_check(row: CliRow) -> None:
        runs = args.runs_check or (1 if quick else 3)
        warm = not quick
        log(f"A: new with its checks, {runs} runs" + (" after 1 warm-up run" if warm else ""))
        row.note = "warm uv cache (1 untimed run first)" if warm else "no warm-up run"
        if warm:
            with temp_dir("new-check", args.keep) as where:
                run([fastsqla, "new", "demo"], where, env)
        for _ in range(runs):
            with temp_dir("new-check", args.keep) as where:
                row.add(timed([fastsqla, "new", "demo"], where, env))

    def setup_floor(row: CliRow) -> None:
        uv = find_uv()
        if uv is None:
            raise BenchError("uv is not installed: the set-up floor is measured with uv")
        runs = args.runs_check or (1 if quick else 3)
        python = script_python(fastsqla)
        row.note = "bench/baseline/setup_floor: same dependencies, one test; warm uv cache"
        log(f"A: set-up floor (uv venv + install + one test), {runs} runs after 1 warm-up run")
        for i in range(runs + 1):
            with temp_dir("setup-floor", args.keep) as where:
                shutil.copytree(BASELINE / "setup_floor", where / "floor")
                floor = where / "floor"
                venv_python = str(floor / ".venv" / "bin" / "python")
                install = [uv, "pip", "install", "--quiet", "--python", venv_python]
                install += ["-r", "pyproject.toml", "--extra", "dev"]
                steps = [
                    timed([uv, "venv", "--quiet", "--python", python, ".venv"], floor, env),
                    timed(install, floor, env),
                    timed([venv_python, "-m", "pytest", "-q", "-W", "error"], floor, env),
                ]
                if i:  # the first run warms uv's cache
                    row.add((sum(t[0] for t in steps), sum(t[1] for t in steps)))

    def suite(row: CliRow) -> None:
        runs = args.runs or (2 if quick else 3)
        row.note = "pytest in the project's .venv, .pyc written by one untimed run first"
        grown = CliRow("suite-models", f"... after adding {len(SUITE_MODELS)} models")
        log(f"A: the generated test suite, {runs} runs, then with {len(SUITE_MODELS)} models")
        with temp_dir("suite", args.keep) as where:
            run([fastsqla, "new", "demo"], where, env)  # makes .venv and runs the suite once
            project = where / "demo"
            pytest = [str(project / ".venv" / "bin" / "python"), "-m", "pytest", "-q"]
            for _ in range(runs):
                row.add(timed(pytest, project, env))
            for model in SUITE_MODELS:
                run([fastsqla, "add-model", *model, "--no-check"], project, env)
            run(pytest, project, env)
            for _ in range(runs):
                grown.add(timed(pytest, project, env))
        rows.append(grown)
        added = (grown.series.median - row.series.median) / len(SUITE_MODELS)
        grown.note = f"{added:+.2f} s per added model (target: well under 1 s)"

    if "help" in items:
        guarded(CliRow("help", "fastsqla --help"), help_pair)
    if "new" in items:
        guarded(CliRow("new", "fastsqla new X --no-check"), new)
    if "add-model" in items:
        label = "fastsqla add-model Post title:str body:text --no-check"
        guarded(CliRow("add-model", label), add_model)
    if "new" in items or "add-model" in items:
        label = "minimal typer app running its command (--name x)"
        guarded(CliRow("typer-command", label), typer_command)
    if "new-check" in items:
        guarded(CliRow("new-check", "fastsqla new X (venv + install + tests)"), new_check)
        label = "set-up floor: uv venv + install + one-test suite"
        guarded(CliRow("setup-floor", label), setup_floor)
    if "suite" in items:
        guarded(CliRow("suite", "the generated project's tests (starter project)"), suite)
    return rows


def cli_table(rows: list[CliRow]) -> str:
    by_key = {row.key: row for row in rows}
    lines = []
    for row in rows:
        target = TARGETS.get(row.key)
        if row.error or not row.series.values:
            lines.append([row.label, "0", "FAILED", "-", "-", "-", row.error or "no figure"])
            continue
        ratio = verdict = "-"
        if target is not None:
            value = row.series.median / target
            ratio = f"{value:.2f}x target {target:g} s"
            verdict = "ok" if value <= 1.0 else "OVER"
            floor = by_key.get(FLOORS.get(row.key, ""))
            if floor and floor.series.values and not floor.error:
                ratio += f", {row.series.median / floor.series.median:.2f}x floor"
        elif row.key == "help" and "help-baseline" in by_key:
            base = by_key["help-baseline"].series.median
            ratio = f"{row.series.median / base:.2f}x minimal typer"
        runs, wall, cpu = str(len(row.series.values)), row.series.fmt(3), row.cpu.fmt(3)
        lines.append([row.label, runs, wall, cpu, ratio, verdict, row.note])
    headers = ["command", "runs", "median s [min-max]", "CPU s", "ratio", "verdict", "note"]
    return table(headers, lines)


# ----------------------------------------------------------------------------- part B: app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 10
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, data.decode(errors="replace")
    finally:
        connection.close()


@dataclass
class App:
    key: str
    label: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    first_id: int = 1
    last_id: int = 1
    check: str = ""
    pages: Path | None = None  # the paths of a list's pages, one a line (`list_pages`)


def start(app: App, where: Path) -> None:
    app.port = free_port()
    app.log_path = where / f"{app.key}.log"
    command = [*app.command, "--host", "127.0.0.1", "--port", str(app.port)]
    with app.log_path.open("wb") as out:
        app.process = subprocess.Popen(
            command,
            cwd=app.cwd,
            env=app.env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: workers die with it
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise BenchError(f"{app.label} exited {app.process.returncode}:\n{tail(app)}")
        try:
            call(app.port, "GET", "/users/0", timeout=2)
            return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{app.label} did not answer within 60 s:\n{tail(app)}")


def tail(app: App, lines: int = 15) -> str:
    if app.log_path is None or not app.log_path.exists():
        return ""
    return "\n".join(app.log_path.read_text(errors="replace").splitlines()[-lines:])


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by ``pid`` and its descendants; Linux only.

    Unlike req/s, CPU per request barely moves when other work shares the machine.
    """
    try:
        tick = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                # Fields after the command name, which may hold spaces: see proc(5).
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    except (OSError, ValueError, AttributeError):
        return None
    if pid not in times:
        return None
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        family.update(children)
        frontier.extend(children)
    return sum(times.get(member, 0.0) for member in family)


def stop(app: App) -> None:
    process = app.process
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def seed(app: App, count: int, where: Path) -> None:
    """POST ``count`` users, check GET, the list, the duplicate-email 409 and the missing-id
    404, note the ids made."""
    ids = []
    tag = uuid.uuid4().hex[:8]
    for i in range(count):
        status, data = call(
            app.port, "POST", "/users", {"name": f"seed {i}", "email": f"s{i}-{tag}@seed.example"}
        )
        if status != 201:
            raise BenchError(f"{app.label}: seeding POST /users answered {status}: {data}")
        ids.append(int(data["id"]))
    app.first_id, app.last_id = min(ids), max(ids)
    if app.last_id - app.first_id + 1 != count:
        raise BenchError(f"{app.label}: seeded ids are not contiguous ({ids[:5]}...)")
    problems = []
    status, data = call(app.port, "GET", f"/users/{app.first_id}")
    if status != 200 or not isinstance(data, dict) or data.get("email") != f"s0-{tag}@seed.example":
        problems.append(f"GET answered {status}")
    status, _ = call(app.port, "POST", "/users", {"name": "dup", "email": f"s0-{tag}@seed.example"})
    if status != 409:
        problems.append(f"duplicate email answered {status}, not 409")
    status, _ = call(app.port, "GET", "/users/987654321")
    if status != 404:
        problems.append(f"missing id answered {status}, not 404")
    # The list's pages are the seeded users in id order: each app's database starts empty.
    try:
        rows = list_pages(app, "/users", where)
    except BenchError as error:
        problems.append(str(error))
    else:
        if [row.get("id") for row in rows] != list(range(app.first_id, app.last_id + 1)):
            problems.append("GET /users did not give the seeded ids in order")
    app.check = "; ".join(problems) or "ok"


def list_pages(app: App, path: str, where: Path) -> list[dict[str, Any]]:
    """Walk the list at ``path`` page by page as its clients do, write the path of each page
    to a file for `list_pages.lua` (`app.pages`) and return the rows. The generated list
    answers `{"items": [...], "next_cursor": ...}` and is walked by its cursors; the peers
    answer a JSON array and take `offset`."""
    rows: list[dict[str, Any]] = []
    pages: list[str] = []
    page: str | None = f"{path}?limit={LIST_LIMIT}"
    while page is not None:
        status, data = call(app.port, "GET", page)
        items = data.get("items") if isinstance(data, dict) else data
        if status != 200 or not isinstance(items, list):
            raise BenchError(f"GET {page} answered {status}, not a list: {str(data)[:200]}")
        if items:
            pages.append(page)
        rows += items
        if isinstance(data, dict):
            cursor = data.get("next_cursor")
            page = None if cursor is None else f"{path}?limit={LIST_LIMIT}&cursor={cursor}"
        else:
            more = len(items) == LIST_LIMIT
            page = f"{path}?offset={len(rows)}&limit={LIST_LIMIT}" if more else None
    app.pages = where / f"{app.key}-{path.strip('/')}-pages.txt"
    app.pages.write_text("".join(f"{page}\n" for page in pages))
    return rows


@dataclass
class Endpoint:
    name: str
    script: str
    arguments: list[str] | None = None  # the script's arguments, when not derived below

    def script_args(self, app: App) -> list[str]:
        if self.arguments is not None:
            return self.arguments
        if self.script == "get_user.lua":
            return [str(app.first_id), str(app.last_id)]
        if self.script == "list_pages.lua":
            assert app.pages is not None, "seeded without its pages"
            return [str(app.pages)]
        return [uuid.uuid4().hex[:12]]


# Reads first, on the seeded users only, then the writes.
ENDPOINTS = (
    Endpoint("GET /users/{id}", "get_user.lua"),
    Endpoint("GET /users (list)", "list_pages.lua"),
    Endpoint("POST /users", "post_user.lua"),
)


def wrk(
    wrk_bin: str, app: App, endpoint: Endpoint, connections: int, seconds: int, threads: int
) -> dict[str, Any]:
    command = [
        wrk_bin,
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "2s",
        "-s",
        str(LUA / endpoint.script),
        f"http://127.0.0.1:{app.port}",
        "--",
        *endpoint.script_args(app),
    ]
    pid = app.process.pid if app.process is not None else 0
    cpu_before = cpu_seconds(pid)
    done = subprocess.run(
        command, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=seconds + 60
    )
    cpu_after = cpu_seconds(pid)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            result: dict[str, Any] = json.loads(line[len("BENCH ") :])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["socket"] = result["connect"] + result["read"] + result["write"]
            result["cpu_ms_per_request"] = None
            if cpu_before is not None and cpu_after is not None and result["requests"]:
                cpu = cpu_after - cpu_before
                result["cpu_ms_per_request"] = 1000 * cpu / result["requests"]
            return result
    raise BenchError(f"wrk gave no summary (exit {done.returncode}):\n{done.stdout}{done.stderr}")


@dataclass
class Cell:
    rps: Series = field(default_factory=Series)
    p50: Series = field(default_factory=Series)
    p99: Series = field(default_factory=Series)
    cpu: Series = field(default_factory=Series)
    non2xx: int = 0
    timeouts: int = 0
    socket: int = 0

    def add(self, result: dict[str, Any]) -> None:
        """One wrk run's figures (see `wrk`)."""
        self.rps.values.append(result["rps"])
        self.p50.values.append(result["p50_us"] / 1000)
        self.p99.values.append(result["p99_us"] / 1000)
        if result["cpu_ms_per_request"] is not None:
            self.cpu.values.append(result["cpu_ms_per_request"])
        self.non2xx += result["non2xx"]
        self.timeouts += result["timeout"]
        self.socket += result["socket"]


def make_project(
    fastsqla: str, uv: str | None, python: str | None, where: Path, database: str
) -> tuple[Path, str]:
    """Generate a project with `fastsqla new --no-check` and give it an interpreter."""
    env = cli_env()
    name = PACKAGE if database == "sqlite" else f"{PACKAGE}_{database}"
    run([fastsqla, "new", name, "--no-check", "--db", database], where, env)
    project = where / name
    if python:
        return project, python
    if uv is None:
        raise BenchError("uv not found: pass --app-python PYTHON (one with the app's dependencies)")
    run([uv, "venv", "--quiet", "--python", sys.executable, ".venv"], project, env)
    venv_python = str(project / ".venv" / "bin" / "python")
    run([uv, "pip", "install", "--quiet", "--python", venv_python, "-e", "."], project, env)
    return project, venv_python


PG_ADMIN = """
import asyncio, sys
import asyncpg
async def main(dsn, action, name):
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        if action == "create":
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
asyncio.run(main(*sys.argv[1:]))
"""

# aiomysql, which the MariaDB project installs, brings PyMySQL; the password comes through
# the environment, not the command line.
MARIADB_ADMIN = """
import os, sys
import pymysql
host, port, user, action, name = sys.argv[1:]
password = os.environ.get("BENCH_MARIADB_PASSWORD", "")
connection = pymysql.connect(
    host=host, port=int(port), user=user, password=password, connect_timeout=5
)
try:
    with connection.cursor() as cursor:
        if action == "create":
            cursor.execute(f"CREATE DATABASE `{name}`")
        else:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
finally:
    connection.close()
"""


def pg_admin(python: str, server: str, action: str, name: str, cwd: Path) -> None:
    parts = urlsplit(server)
    dsn = f"postgresql://{parts.netloc}/postgres"
    run([python, "-c", PG_ADMIN, dsn, action, name], cwd, timeout=60)


def mariadb_admin(python: str, server: str, action: str, name: str, cwd: Path) -> None:
    parts = urlsplit(server)
    env = dict(os.environ, BENCH_MARIADB_PASSWORD=unquote(parts.password or ""))
    host, port, user = parts.hostname or "127.0.0.1", str(parts.port or 3306), parts.username
    command = [python, "-c", MARIADB_ADMIN, host, port, unquote(user or "root"), action, name]
    run(command, cwd, env, timeout=60)


def server_env(url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    for name in (
        *("DATABASE_URL", "DATABASE_READ_URL", "DATABASE_POOLER"),
        *("DATABASE_ECHO", "DATABASE_POOL_SIZE"),
    ):  # only what the bench sets reaches the apps
        env.pop(name, None)
    if url:
        env["DATABASE_URL"] = url
    return env


class Servers:
    """What the apps serve from, made on first use: one generated project (and its
    interpreter) per database, a fresh database on the server for each PostgreSQL or MariaDB
    app, FastCRUD in the interpreters that serve it. ``drop`` removes the databases."""

    def __init__(
        self, args: argparse.Namespace, fastsqla: str, uv: str | None, where: Path
    ) -> None:
        self.args, self.fastsqla, self.uv, self.where = args, fastsqla, uv, where
        self.projects: dict[str, tuple[Path, str]] = {}
        self.failed: dict[str, str] = {}  # database or interpreter: why it cannot serve
        self.made: list[tuple[str, str, str]] = []  # (database, name, python) to drop
        self.fastcrud: dict[str, str] = {}  # interpreter: the version installed
        self.notes: list[str] = []

    def project(self, database: str) -> tuple[Path, str]:
        if database in self.failed:
            raise BenchError(self.failed[database])
        if database not in self.projects:
            log(f"B: generating the {DATABASES[database]} project and its .venv")
            try:
                self.projects[database] = make_project(
                    self.fastsqla, self.uv, self.args.app_python, self.where, PROJECT_DB[database]
                )
            except BenchError as error:
                self.failed[database] = str(error)
                raise
        return self.projects[database]

    def server(self, database: str) -> str:
        return str(self.args.pg_url if database == "postgresql" else self.args.mariadb_url)

    def fresh_url(self, database: str, python: str) -> str:
        """A new, empty database on the server, for one app."""
        if database in self.failed:
            raise BenchError(self.failed[database])
        name = f"fastsqla_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = pg_admin if database == "postgresql" else mariadb_admin
        try:
            admin(python, self.server(database), "create", name, self.where)
        except BenchError as error:
            self.failed[database] = str(error)
            raise
        self.made.append((database, name, python))
        return f"{self.server(database).rstrip('/')}/{name}"

    def with_fastcrud(self, python: str) -> None:
        """Install FastCRUD beside the project's packages, changing none of their versions
        (they are given as constraints: uv fails rather than move one)."""
        if python in self.failed:
            raise BenchError(self.failed[python])
        if python in self.fastcrud:
            return
        version = "import importlib.metadata as m; print(m.version('fastcrud'))"
        try:
            if not self.args.app_python:
                if self.uv is None:
                    raise BenchError("uv not found: cannot install FastCRUD")
                env = cli_env()
                freeze = [self.uv, "pip", "freeze", "--python", python]
                pinned = subprocess.run(
                    freeze, capture_output=True, text=True, env=env, check=True
                ).stdout.splitlines()
                constraints = self.where / "fastcrud-constraints.txt"
                constraints.write_text(
                    "\n".join(line for line in pinned if "==" in line and " @ " not in line)
                )
                log(f"B: installing {FASTCRUD} into {python}")
                install = [self.uv, "pip", "install", "--quiet", "--python", python]
                run([*install, "--constraint", str(constraints), FASTCRUD], self.where, env)
            done = subprocess.run(
                [python, "-c", version], capture_output=True, text=True, env=cli_env()
            )
            if done.returncode != 0:
                raise BenchError(f"fastcrud is not importable with {python}")
        except (BenchError, subprocess.CalledProcessError) as error:
            self.failed[python] = f"FastCRUD: {error}"
            raise BenchError(self.failed[python]) from error
        self.fastcrud[python] = done.stdout.strip()
        self.notes.append(
            f"fastcrud {self.fastcrud[python]} beside the project's own versions ({python})"
        )

    def drop(self) -> None:
        for database, name, python in self.made:
            admin = pg_admin if database == "postgresql" else mariadb_admin
            try:
                admin(python, self.server(database), "drop", name, self.where)
            except BenchError as error:
                self.notes.append(f"could not drop {name}: {error}")
        if self.made:
            names = ", ".join(name for _, name, _ in self.made)
            self.notes.append(f"fresh databases, dropped after: {names}")


def package_of(database: str) -> str:
    """The import package of the generated project of ``database`` (see `make_project`)."""
    return PACKAGE if database == "sqlite" else f"{PACKAGE}_{PROJECT_DB[database]}"


def make_app(key: str, servers: Servers, where: Path, prod_args: list[str]) -> App:
    """The App to serve under ``key`` (one of APPS), with its interpreter, directory and
    database ready."""
    kind, database = APP_KINDS[key]
    on = DATABASES.get(database, "no database")
    project, python = servers.project(database or "sqlite")
    uvicorn = [python, "-m", "uvicorn"]
    if kind.startswith("generated"):
        command, cwd = [*uvicorn, f"{package_of(database)}.main:app"], project
        label = f"generated, {on}, 1 worker, uvicorn defaults"
        if kind == "generated-prod":
            command += prod_args
            label = f"generated, {on}, {' '.join(prod_args)}"
        if kind in ("generated-pgbouncer", "generated-replica"):
            workers = WORKERS[key]
            command += ["--workers", str(workers)]
            how = "through PgBouncer (transaction mode)"
            if kind == "generated-replica":
                how = "reads from a hot standby (DATABASE_READ_URL)"
            label = f"generated, {on} {how}, {workers} worker(s)"
    else:
        cwd = where / key
        cwd.mkdir()
        module = "tutorial_app" if kind == "tutorial" else f"{kind}_app"
        command = [*uvicorn, f"{module}:app", "--app-dir", str(BASELINE)]
        label = {
            "tutorial": f"tutorial app, {on}, 1 worker, --loop asyncio --http h11",
            "plain": f"plain SQLAlchemy 2.0 + FastAPI app, {on}, 1 worker, uvicorn defaults",
            "fastcrud": f"FastCRUD app, {on}, 1 worker, uvicorn defaults",
            "ceiling": "no database (users in a dict), 1 worker, uvicorn defaults",
        }[kind]
        if kind == "tutorial":
            command += ["--loop", "asyncio", "--http", "h11"]
        if kind == "fastcrud":
            servers.with_fastcrud(python)
    if database == "sqlite":
        url: str | None = f"sqlite+aiosqlite:///{where / 'data' / f'{key}.db'}"
        if key == "baseline":
            url = None  # its own default, as before: ./tutorial.db in its cwd
    elif database:
        url = servers.fresh_url(database, python)
    else:
        url = None
    env = server_env(url)
    if kind == "generated-pgbouncer" and url:
        env["DATABASE_URL"] = same_database_at(url, servers.args.pgbouncer_url)
        env["DATABASE_POOLER"] = "pgbouncer"
    if kind == "generated-replica" and url:
        env["DATABASE_READ_URL"] = same_database_at(url, servers.args.standby_url)
    return App(key, label, command, cwd, env)


def same_database_at(url: str, server: str) -> str:
    """``url``'s database, reached at ``server``'s host and port (PgBouncer, a standby)."""
    return url.replace(urlsplit(url).netloc, urlsplit(server).netloc, 1)


def bench_app(
    args: argparse.Namespace, fastsqla: str, raw: dict[str, Any]
) -> tuple[list[str], str]:
    """Part B; returns the lines of notes and the tables, and puts the figures in ``raw``."""
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        message = (
            "SKIPPED: wrk is missing. Install it (Debian/Ubuntu: "
            "`sudo apt-get install -y wrk`; macOS: `brew install wrk`) and run again."
        )
        return [message], ""
    quick = args.quick
    seconds = args.duration or (2 if quick else 5)
    runs = args.runs or (1 if quick else 3)
    connections = [int(c) for c in args.connections.split(",")]
    wanted = [a for a in args.apps.split(",") if a]
    unknown = set(wanted) - set(APPS)
    if unknown:
        raise BenchError(f"unknown --apps {sorted(unknown)}; choose from {', '.join(APPS)}")
    notes: list[str] = []
    apps: list[App] = []
    cells: dict[tuple[str, str, int], Cell] = {}
    with temp_dir("app", args.keep) as where:
        servers = Servers(args, fastsqla, find_uv(), where)
        try:
            servers.project("sqlite")  # every app not on another database runs with its .venv
            (where / "data").mkdir()
            for key in APPS:  # in this order, whatever the order of --apps
                if key not in wanted:
                    continue
                try:
                    apps.append(make_app(key, servers, where, args.prod_args.split()))
                except BenchError as error:
                    notes.append(f"{key} SKIPPED: {str(error).strip().splitlines()[-1][:200]}")
                    log(str(error))
            for app in list(apps):
                log(f"B: starting {app.label}")
                try:
                    start(app, where)
                    seed(app, args.seed, where)
                except BenchError as error:
                    stop(app)
                    if APP_KINDS[app.key][0].startswith("generated"):
                        raise
                    apps.remove(app)
                    notes.append(f"{app.key} SKIPPED: {str(error).strip().splitlines()[0]}")
                    log(str(error))
                    continue
                log(
                    f"B: {app.label} on port {app.port}, "
                    f"seeded ids {app.first_id}-{app.last_id}, check {app.check}"
                )
            log(f"B: warming up ({len(apps)} apps)")
            for app in apps:
                for endpoint in ENDPOINTS:
                    wrk(wrk_bin, app, endpoint, connections[0], 1, args.threads)
            for endpoint in ENDPOINTS:
                for conns in connections:
                    for i in range(runs):
                        for app in apps:  # side by side: the apps take turns, run by run
                            log(f"B: {endpoint.name} c={conns} run {i + 1}/{runs} {app.key}")
                            result = wrk(wrk_bin, app, endpoint, conns, seconds, args.threads)
                            cells.setdefault((app.key, endpoint.name, conns), Cell()).add(result)
            for app in apps:
                if app.process is not None and app.process.poll() is not None:
                    notes.append(f"{app.label} DIED during the run:\n{tail(app)}")
        finally:
            for app in apps:
                stop(app)
            servers.drop()
    notes.insert(
        0,
        f"wrk: {runs} run(s) of {seconds} s per cell, {args.threads} threads, --timeout 2s, "
        f"127.0.0.1; apps take turns run by run; {args.seed} users seeded per app "
        f"(GET picks one at random, the list a page of {LIST_LIMIT} among them); POST sends "
        "a unique email per request",
    )
    notes[1:1] = servers.notes
    for app in apps:
        notes.append(f"{app.key}: {app.label}; sanity check {app.check}")
    raw["app"] = [
        {
            "app": key,
            "database": APP_KINDS[key][1],
            "endpoint": endpoint,
            "connections": conns,
            "rps": cell.rps.values,
            "p50_ms": cell.p50.values,
            "p99_ms": cell.p99.values,
            "server_cpu_ms_per_request": cell.cpu.values,
            "non2xx": cell.non2xx,
            "timeouts": cell.timeouts,
            "socket_errors": cell.socket,
        }
        for (key, endpoint, conns), cell in cells.items()
    ]
    peers, raw["app_vs_peers"] = peer_table(cells, connections)
    text = app_table(apps, cells, connections)
    if peers:
        text += (
            "\n\nB2. The generated app (1 worker) vs the best peer on the same database "
            "(tutorial, plain, FastCRUD)\n" + peers
        )
    return notes, text


def app_table(
    apps: list[App], cells: dict[tuple[str, str, int], Cell], connections: list[int]
) -> str:
    rows = []
    for endpoint in ENDPOINTS:
        for conns in connections:
            base = cells.get(("baseline", endpoint.name, conns))
            ceiling = cells.get(("ceiling", endpoint.name, conns))
            for app in apps:
                cell = cells.get((app.key, endpoint.name, conns))
                if cell is None:
                    continue
                ratio = p99_ratio = below_ceiling = "-"
                if base is not None and app.key != "baseline":
                    value = cell.rps.median / base.rps.median
                    ratio = f"{value:.2f}x"
                    if app.key in MEASURED and endpoint.name in APP_TARGETS:
                        ratio += f" ({target_verdict(value, endpoint.name)})"
                    p99_ratio = f"{cell.p99.median / base.p99.median:.2f}x"
                if ceiling is not None and app.key in MEASURED:
                    gap = ceiling.rps.median / cell.rps.median
                    below_ceiling = f"{gap:.2f}x"
                    if endpoint.name in APP_STRETCH:
                        verdict = "ok" if gap <= CEILING_GAP else "no"
                        below_ceiling += f" (within {CEILING_GAP:g}x: {verdict})"
                errors = f"{cell.non2xx}/{cell.timeouts}/{cell.socket}"
                rows.append(
                    [
                        endpoint.name,
                        str(conns),
                        app.key,
                        cell.rps.fmt(0),
                        cell.p50.fmt(1),
                        cell.p99.fmt(1),
                        cell.cpu.fmt(2),
                        errors,
                        ratio,
                        p99_ratio,
                        below_ceiling,
                    ]
                )
    return table(
        [
            "endpoint",
            "conns",
            "app",
            "req/s median [min-max]",
            "p50 ms",
            "p99 ms",
            "server CPU ms/req",
            "non2xx/timeouts/socket errs",
            "req/s vs baseline",
            "p99 vs baseline",
            "ceiling / req/s",
        ],
        rows,
    )


def peer_table(
    cells: dict[tuple[str, str, int], Cell], connections: list[int]
) -> tuple[str, list[dict[str, Any]]]:
    """Issue 10's comparison: on each database, endpoint and connection count, the generated
    app's median req/s over the best peer's, its median p99 over the lowest peer p99, and
    whether it meets the targets. A peer cell with non-2xx answers is left out (a wrong
    answer is no rival). Returns the table ("" without a pair) and its figures."""
    rows, figures, left_out = [], [], []
    for database, generated in GENERATED_ON.items():
        for endpoint in ENDPOINTS:
            for conns in connections:
                ours = cells.get((generated, endpoint.name, conns))
                peers = {
                    key: cells[(key, endpoint.name, conns)]
                    for key in PEERS_ON[database]
                    if (key, endpoint.name, conns) in cells
                }
                for key, cell in list(peers.items()):
                    if cell.non2xx:
                        left_out.append(f"{key} {endpoint.name} c={conns} ({cell.non2xx} non-2xx)")
                        del peers[key]
                if ours is None or not peers:
                    continue
                best = max(peers, key=lambda key: peers[key].rps.median)
                quickest = min(peers, key=lambda key: peers[key].p99.median)
                ratio = ours.rps.median / peers[best].rps.median
                p99_ratio = ours.p99.median / peers[quickest].p99.median
                judged = p99_ratio if conns == PEER_P99_CONNECTIONS else None
                errors = ours.non2xx + ours.timeouts + ours.socket
                verdict = peer_verdict(ratio, judged, errors)
                rows.append(
                    [
                        DATABASES[database],
                        endpoint.name,
                        str(conns),
                        generated,
                        f"{ours.rps.median:.0f}",
                        f"{peers[best].rps.median:.0f} ({best})",
                        f"{ratio:.2f}x",
                        f"{ours.p99.median:.1f}",
                        f"{peers[quickest].p99.median:.1f} ({quickest})",
                        f"{p99_ratio:.2f}x" + ("" if judged is not None else " (not judged)"),
                        f"{ours.non2xx}/{ours.timeouts}/{ours.socket}",
                        verdict,
                    ]
                )
                figures.append(
                    {
                        "database": database,
                        "endpoint": endpoint.name,
                        "connections": conns,
                        "app": generated,
                        "best_peer": best,
                        "rps_ratio": ratio,
                        "lowest_p99_peer": quickest,
                        "p99_ratio": p99_ratio,
                        "errors": errors,
                        "verdict": verdict,
                    }
                )
    if not rows:
        return "", figures
    headers = [
        "database",
        "endpoint",
        "conns",
        "app",
        "req/s",
        "best peer req/s",
        "req/s vs best peer",
        "p99 ms",
        "lowest peer p99 ms",
        "p99 vs it",
        "non2xx/timeouts/socket errs",
        "verdict",
    ]
    text = table(headers, rows)
    if left_out:
        text += "\n  left out of B2 for their non-2xx answers: " + "; ".join(left_out)
    return text, figures


def peer_verdict(ratio: float, p99_ratio: float | None, errors: int) -> str:
    """`ok`, or `BELOW` and what missed: req/s under PEER_RPS times the best peer's, p99
    over PEER_P99 times the lowest peer p99 (``None``: not judged here), any error."""
    missed = []
    if ratio < PEER_RPS:
        missed.append(f"req/s < {PEER_RPS:g}x")
    if p99_ratio is not None and p99_ratio > PEER_P99:
        missed.append(f"p99 > {PEER_P99:g}x")
    if errors:
        missed.append(f"{errors} error{'s' if errors > 1 else ''}")
    return f"BELOW: {', '.join(missed)}" if missed else "ok"


def target_verdict(ratio: float, endpoint: str) -> str:
    """`target 1.5x: ok`, with the stretch goal after it where the endpoint has one."""
    target = APP_TARGETS[endpoint]
    verdict = f"target {target:g}x: {'ok' if ratio >= target else 'BELOW'}"
    stretch = APP_STRETCH.get(endpoint)
    if stretch is not None:
        verdict += f"; {stretch:g}x: {'ok' if ratio >= stretch else 'no'}"
    return verdict


# ----------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke mode: fewer, shorter runs")
    parser.add_argument(
        "--only",
        default="cli,app",
        help="comma-separated parts or figures: cli, app, scale, links, lists, help, new,"
        " add-model, new-check",
    )
    parser.add_argument("--skip", default="", help="comma-separated figures to leave out")
    parser.add_argument("--runs", type=int, help="runs per figure (CLI) or per wrk cell (app)")
    parser.add_argument("--runs-check", type=int, help="runs of `fastsqla new X` with checks")
    parser.add_argument("--fastsqla", help="the fastsqla command (default: beside this Python)")
    parser.add_argument("--duration", type=int, help="seconds per wrk run (default 5, quick 2)")
    parser.add_argument("--connections", default="32,128", help="wrk connection counts")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seed", type=int, help="users created before GET runs (default 200)")
    parser.add_argument("--apps", default=",".join(APPS), help=f"apps to serve: {', '.join(APPS)}")
    parser.add_argument(
        "--prod-args",
        default=f"--workers {min(os.cpu_count() or 1, 4)} --no-access-log",
        help="uvicorn options of the generated-prod row",
    )
    parser.add_argument(
        "--app-python", help="serve the apps with this Python instead of a uv-made .venv"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (no database name); a fresh database per app, dropped after",
    )
    parser.add_argument(
        "--pgbouncer-url",
        default=os.environ.get(
            "BENCH_PGBOUNCER_URL", "postgresql+asyncpg://postgres@127.0.0.1:6432"
        ),
        help="PgBouncer in transaction mode in front of --pg-url (the pgbouncer apps)",
    )
    parser.add_argument(
        "--standby-url",
        default=os.environ.get("BENCH_STANDBY_URL", "postgresql+asyncpg://postgres@127.0.0.1:5433"),
        help="a hot standby streaming from --pg-url (the replica apps)",
    )
    parser.add_argument(
        "--mariadb-url",
        default=os.environ.get("BENCH_MARIADB_URL", "mysql+aiomysql://root@127.0.0.1:3306"),
        help="MariaDB/MySQL server (no database name); a fresh database per app, dropped after",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--keep", action="store_true", help="keep temporary directories")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = 50 if args.quick else 200
    return args


# Part D (issue 23): the list of a model with a many-to-many, against the plain app that
# loads the links with selectinload.
LINK_TAGS, LINK_POSTS, LINKS_PER_POST = 30, 200, 3
LINK_DATABASES = ("sqlite", "postgresql")


def seed_links(app: App, where: Path) -> None:
    """POST the tags, then the posts with three links each; check that the list gives every
    post of a page with its three tag ids, in id order."""
    tags = []
    for i in range(LINK_TAGS):
        status, data = call(app.port, "POST", "/tags", {"name": f"tag {i}"})
        if status != 201:
            raise BenchError(f"{app.label}: seeding POST /tags answered {status}: {data}")
        tags.append(int(data["id"]))
    for i in range(LINK_POSTS):
        links = sorted({tags[(i + k * 7) % LINK_TAGS] for k in range(LINKS_PER_POST)})
        body = {"title": f"post {i}", "tag_ids": links}
        status, data = call(app.port, "POST", "/posts", body)
        if status != 201 or data.get("tag_ids") != links:
            raise BenchError(f"{app.label}: seeding POST /posts answered {status}: {data}")
    try:
        rows = list_pages(app, "/posts", where)
    except BenchError as error:
        app.check = str(error)
        return
    ok = len(rows) == LINK_POSTS and all(len(row["tag_ids"]) == LINKS_PER_POST for row in rows)
    app.check = "ok" if ok else f"GET /posts gave {len(rows)} posts, not each with its tags"


def links_project(servers: Servers, database: str) -> tuple[Path, str]:
    """The generated project of ``database`` with `Tag` and `Post tags:many:Tag` added."""
    project, python = servers.project(database)
    if not (project / package_of(database) / "models" / "post.py").exists():
        for command in (["Tag", "name:str"], ["Post", "title:str", "tags:many:Tag"]):
            run([servers.fastsqla, "add-model", *command, "--no-check"], project, cli_env())
    return project, python


def bench_links(args: argparse.Namespace, fastsqla: str) -> tuple[list[str], dict[str, Any]]:
    """Part D: GET /posts (20 a page, 3 links each) on the generated app and the plain app,
    taking turns run by run, at each number of connections; returns lines and raw figures."""
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        return ["SKIPPED: wrk is missing (see part B)"], {}
    seconds = args.duration or (2 if args.quick else 4)
    runs = args.runs or (1 if args.quick else 5)
    connections = [int(c) for c in args.connections.split(",")]
    endpoint = Endpoint("GET /posts (list, 3 links each)", "list_pages.lua")
    cells: dict[tuple[str, str, int], Cell] = {}
    checks: list[str] = []
    with temp_dir("links", args.keep) as where:
        servers = Servers(args, fastsqla, find_uv(), where)
        (where / "data").mkdir()
        apps: list[tuple[str, App]] = []
        try:
            for database in LINK_DATABASES:
                project, python = links_project(servers, database)
                if database == "sqlite":
                    urls = [f"sqlite+aiosqlite:///{where / 'data' / f'{k}.db'}" for k in "gp"]
                else:
                    urls = [servers.fresh_url(database, python) for _ in range(2)]
                package, uvicorn = package_of(database), [python, "-m", "uvicorn"]
                label = f"{DATABASES[database]}, 1 worker, uvicorn defaults"
                apps += [
                    (
                        database,
                        App(
                            f"generated-{database}",
                            f"generated app, {label}",
                            [*uvicorn, f"{package}.main:app"],
                            project,
                            server_env(urls[0]),
                        ),
                    ),
                    (
                        database,
                        App(
                            f"plain-{database}",
                            f"plain app with selectinload, {label}",
                            [*uvicorn, "plain_links_app:app", "--app-dir", str(BASELINE)],
                            where,
                            server_env(urls[1]),
                        ),
                    ),
                ]
            for _, app in apps:
                log(f"D: starting {app.label}")
                start(app, where)
                seed_links(app, where)
                checks.append(f"{app.key}: {app.label}; sanity check {app.check}")
                if app.check != "ok":
                    raise BenchError(f"{app.label}: {app.check}")
            for _, app in apps:
                wrk(wrk_bin, app, endpoint, connections[0], 1, args.threads)  # warm-up
            for conns in connections:
                for i in range(runs):
                    for database, app in apps:  # side by side: they take turns, run by run
                        log(f"D: c={conns} run {i + 1}/{runs} {app.key}")
                        result = wrk(wrk_bin, app, endpoint, conns, seconds, args.threads)
                        key = (app.key.split("-")[0], database, conns)
                        cells.setdefault(key, Cell()).add(result)
        finally:
            for _, app in apps:
                stop(app)
            servers.drop()
    rows = []
    for database in LINK_DATABASES:
        for conns in connections:
            ours, plain = (
                cells.get(("generated", database, conns)),
                cells.get(("plain", database, conns)),
            )
            if ours is None or plain is None:
                continue
            errors = [c.non2xx + c.timeouts + c.socket for c in (ours, plain)]
            rows.append(
                [
                    DATABASES[database],
                    str(conns),
                    ours.rps.fmt(0),
                    plain.rps.fmt(0),
                    f"{ours.rps.median / plain.rps.median:.2f}x",
                    f"{ours.p99.median:.0f} / {plain.p99.median:.0f}",
                    f"{ours.cpu.median:.2f} / {plain.cpu.median:.2f}"
                    if ours.cpu.values and plain.cpu.values
                    else "-",
                    f"{errors[0]} / {errors[1]}",
                ]
            )
    headers = [
        "database",
        "conns",
        "generated req/s",
        "plain req/s",
        "ratio",
        "p99 ms (gen / plain)",
        "app CPU ms/req",
        "errors",
    ]
    lines = [
        f"wrk: {runs} run(s) of {seconds} s per cell, {args.threads} threads, --timeout 2s; the "
        f"apps take turns run by run; {LINK_TAGS} tags and {LINK_POSTS} posts of "
        f"{LINKS_PER_POST} links each, GET /posts at a random page of {LIST_LIMIT} (by cursor "
        "on the generated app, by offset on the plain one)",
        *servers.notes,
        *checks,
        table(headers, rows),
        "ratio: the generated app's median req/s over the plain app's (target >= 1.0x, no error)",
    ]
    raw = {
        f"{key} {database} c={conns}": {
            "rps": cell.rps.values,
            "p99_ms": cell.p99.values,
            "cpu_ms_per_request": cell.cpu.values,
            "errors": cell.non2xx + cell.timeouts + cell.socket,
        }
        for (key, database, conns), cell in cells.items()
    }
    return lines, raw


LIST_DATABASES = ("sqlite", "postgresql")
LIST_ROWS = 100_000
LIST_DEEP_PAGE = 1_000  # the page part E compares with the first
# A filter an index serves (20 emails, through the unique email's), then one that scans:
# the rows in email order are read until a page of names matches (1,111 of 100,000 do).
LIST_FILTER = {
    "email__in": [f"user{n}@bench.example" for n in range(50_000, 50_020)],
    "sort": "-email",
}
LIST_SCAN = {"name__startswith": "USER 12", "sort": "-email"}
# Inserts the rows in one statement: `user 1` ... on SQLite and PostgreSQL alike.
SEED_USERS = """
import asyncio, sys
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

async def main() -> None:
    engine = create_async_engine(sys.argv[1])
    async with engine.begin() as connection:
        await connection.execute(text(
            "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < "
            + sys.argv[2] + ") INSERT INTO users (name, email) "
            "SELECT 'user ' || n, 'user' || n || '@bench.example' FROM s"
        ))
        if connection.dialect.name == "postgresql":
            await connection.execute(text("ANALYZE users"))
    await engine.dispose()

asyncio.run(main())
"""


LIST_CELLS = ("first", "deep", "filtered", "scan")


def list_cells(app: App, where: Path) -> dict[str, list[str]]:
    """Part E's three requests for ``app`` (the first page, page `LIST_DEEP_PAGE`, a filtered
    and sorted page) and the ids each answers: the generated app walks to the deep page by
    cursor, the peers skip to it by offset."""
    deep: str
    if app.key.startswith("generated"):
        page = f"/users?limit={LIST_LIMIT}"
        for _ in range(LIST_DEEP_PAGE - 1):
            status, data = call(app.port, "GET", page)
            if status != 200 or not isinstance(data, dict) or not data.get("next_cursor"):
                raise BenchError(f"{app.label}: GET {page} answered {status}: {str(data)[:200]}")
            page = f"/users?limit={LIST_LIMIT}&cursor={data['next_cursor']}"
        deep = page
    else:
        deep = f"/users?offset={(LIST_DEEP_PAGE - 1) * LIST_LIMIT}&limit={LIST_LIMIT}"
    paths = {
        "first": f"/users?limit={LIST_LIMIT}",
        "deep": deep,
        "filtered": f"/users?{urlencode(LIST_FILTER, doseq=True)}",
        "scan": f"/users?{urlencode(LIST_SCAN)}",
    }
    found: dict[str, list[str]] = {}
    for cell, path in paths.items():
        status, data = call(app.port, "GET", path)
        rows = data.get("items") if isinstance(data, dict) else data
        if status != 200 or not isinstance(rows, list):
            raise BenchError(f"{app.label}: GET {path} answered {status}: {str(data)[:200]}")
        (where / f"{app.key}-{cell}.txt").write_text(path + "\n")
        found[cell] = [str(row.get("id")) for row in rows]
    return found


def bench_lists(args: argparse.Namespace, fastsqla: str) -> tuple[list[str], dict[str, Any]]:
    """Part E: on a table of `LIST_ROWS` users, the first page, page `LIST_DEEP_PAGE` and a
    filtered, sorted page of the generated app against the plain app and FastCRUD, taking
    turns run by run; returns lines and raw figures."""
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        return ["SKIPPED: wrk is missing (see part B)"], {}
    seconds = args.duration or (2 if args.quick else 4)
    runs = args.runs or (1 if args.quick else 3)
    connections = [int(c) for c in args.connections.split(",")]
    cells: dict[tuple[str, str, str, int], Cell] = {}
    checks: list[str] = []
    kinds = ("generated", "plain", "fastcrud")
    with temp_dir("lists", args.keep) as where:
        servers = Servers(args, fastsqla, find_uv(), where)
        (where / "data").mkdir()
        apps: list[tuple[str, App]] = []
        try:
            for database in LIST_DATABASES:
                project, python = servers.project(database)
                servers.with_fastcrud(python)
                for kind in kinds:
                    if database == "sqlite":
                        url = f"sqlite+aiosqlite:///{where / 'data' / f'{kind}.db'}"
                    else:
                        url = servers.fresh_url(database, python)
                    uvicorn = [python, "-m", "uvicorn"]
                    if kind == "generated":
                        command, cwd = [*uvicorn, f"{package_of(database)}.main:app"], project
                    else:
                        app_dir = ["--app-dir", str(BASELINE)]
                        command, cwd = [*uvicorn, f"{kind}_app:app", *app_dir], where
                    label = f"{kind}, {DATABASES[database]}, 1 worker, uvicorn defaults"
                    apps.append(
                        (database, App(f"{kind}-{database}", label, command, cwd, server_env(url)))
                    )
            for _, app in apps:
                log(f"E: starting {app.label}, seeding {LIST_ROWS} users")
                start(app, where)
                python = app.command[0]
                run([python, "-c", SEED_USERS, app.env["DATABASE_URL"], str(LIST_ROWS)], where)
                found = list_cells(app, where)
                first = found["deep"][:1]
                expected = [str((LIST_DEEP_PAGE - 1) * LIST_LIMIT + 1)]
                check = "ok" if first == expected else f"page {LIST_DEEP_PAGE} starts at {first}"
                checks.append(f"{app.key}: {app.label}; sanity check {check}")
                if check != "ok":
                    raise BenchError(f"{app.label}: {check}")
                app.check = ",".join(found["filtered"] + found["scan"])
            for database in LIST_DATABASES:
                answers = {app.check for db, app in apps if db == database}
                if len(answers) != 1:
                    raise BenchError(f"{database}: the apps answer the filtered page differently")
            for _, app in apps:  # warm-up
                endpoint = Endpoint(
                    "warm-up", "list_pages.lua", [str(where / f"{app.key}-first.txt")]
                )
                wrk(wrk_bin, app, endpoint, connections[0], 1, args.threads)
            for cell in LIST_CELLS:
                for conns in connections if cell != "scan" else connections[:1]:
                    for i in range(runs):
                        for database, app in apps:  # side by side: they take turns
                            log(f"E: {cell} c={conns} run {i + 1}/{runs} {app.key}")
                            pages = [str(where / f"{app.key}-{cell}.txt")]
                            endpoint = Endpoint(cell, "list_pages.lua", pages)
                            result = wrk(wrk_bin, app, endpoint, conns, seconds, args.threads)
                            key = (app.key.split("-")[0], database, cell, conns)
                            cells.setdefault(key, Cell()).add(result)
        finally:
            for _, app in apps:
                stop(app)
            servers.drop()
    names = {
        "first": "page 1",
        "deep": f"page {LIST_DEEP_PAGE}",
        "filtered": "filtered, sorted",
        "scan": "filter, no index",
    }
    rows = []
    for database in LIST_DATABASES:
        for cell in LIST_CELLS:
            for conns in connections:
                maybe = {kind: cells.get((kind, database, cell, conns)) for kind in kinds}
                found = {kind: c for kind, c in maybe.items() if c is not None}
                if len(found) != len(kinds):
                    continue
                ours = found["generated"]
                peers = [(k, c) for k, c in found.items() if k != "generated"]
                best_kind, best = max(peers, key=lambda peer: peer[1].rps.median)
                first = cells.get(("generated", database, "first", conns))
                deep_ratio = (
                    f"{first.rps.median / ours.rps.median:.2f}x"
                    if cell == "deep" and first is not None
                    else "-"
                )
                errors = "/".join(str(c.non2xx + c.timeouts + c.socket) for c in found.values())
                rows.append(
                    [
                        DATABASES[database],
                        names[cell],
                        str(conns),
                        *(found[kind].rps.fmt(0) for kind in kinds),
                        f"{ours.rps.median / best.rps.median:.2f}x ({best_kind})",
                        deep_ratio,
                        " / ".join(f"{found[kind].p99.median:.0f}" for kind in kinds),
                        errors,
                    ]
                )
    headers = [
        "database",
        "request",
        "conns",
        "generated req/s",
        "plain req/s",
        "fastcrud req/s",
        "vs best peer",
        "page 1 / this",
        "p99 ms (gen / plain / fastcrud)",
        "errors",
    ]
    lines = [
        f"wrk: {runs} run(s) of {seconds} s per cell, {args.threads} threads, --timeout 2s; the "
        f"apps take turns run by run; {LIST_ROWS} users seeded in one INSERT; page "
        f"{LIST_DEEP_PAGE} by cursor on the generated app, by offset on the peers; filtered: "
        "GET /users?email__in=<20 emails>&sort=-email; no index: GET /users?"
        f"{urlencode(LIST_SCAN)}"
        " (not judged: every app reads most of the table for it)",
        *servers.notes,
        *checks,
        table(headers, rows),
        "vs best peer: the generated app's median req/s over the best peer's (target >= 1.0x);"
        f" page 1 / this: the generated app's page 1 req/s over its page {LIST_DEEP_PAGE}'s"
        " (target <= 1.5x)",
    ]
    raw = {
        f"{kind} {database} {cell} c={conns}": {
            "rps": c.rps.values,
            "p99_ms": c.p99.values,
            "errors": c.non2xx + c.timeouts + c.socket,
        }
        for (kind, database, cell, conns), c in cells.items()
    }
    return lines, raw


def selected(args: argparse.Namespace) -> set[str]:
    items: set[str] = set()
    for word in filter(None, (w.strip() for w in args.only.split(","))):
        if word == "cli":
            items.update(CLI_ITEMS)
        elif word in CLI_ITEMS or word in APP_ITEMS or word in ("scale", "links", "lists"):
            items.add(word)
        else:
            raise SystemExit(
                f"--only: unknown {word!r}; choose from cli, app, scale, links, lists, "
                f"{', '.join(CLI_ITEMS)}"
            )
    return items - set(filter(None, (w.strip() for w in args.skip.split(","))))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    items = selected(args)
    fastsqla = find_fastsqla(args.fastsqla)
    if fastsqla is None:
        print("fastsqla not found: install it, or pass --fastsqla PATH", file=sys.stderr)
        return 2
    started = time.perf_counter()
    out: list[str] = [f"fastsqla bench ({'quick' if args.quick else 'full'} mode)"]
    out += machine_lines(fastsqla)
    raw: dict[str, Any] = {"machine": out[1:]}
    status = 0
    cli_items = items & set(CLI_ITEMS)
    if cli_items:
        rows = bench_cli(args, fastsqla, cli_items)
        out += ["", "A. CLI: wall clock of each command as a subprocess, fresh temp dir per run"]
        out.append(cli_table(rows))
        raw["cli"] = {
            row.key: {"values": row.series.values, "cpu": row.cpu.values, "error": row.error}
            for row in rows
        }
        if any(row.error for row in rows):
            status = 1
    if "scale" in items:
        try:
            scale_rows, raw["scale"] = bench_scale(args, fastsqla)
            out += ["", "C. Scale: a project grown model by model (issue 22)"]
            out += scale_lines(scale_rows, raw["scale"])
        except BenchError as error:
            out += ["", f"C. scale: FAILED: {error}"]
            status = 1
    if "links" in items:
        try:
            link_lines, raw["links"] = bench_links(args, fastsqla)
            out += ["", "D. A list with a many-to-many (issue 23): generated vs plain selectinload"]
            out += [f"  {part}" for line in link_lines for part in line.splitlines()]
        except BenchError as error:
            out += ["", f"D. links: FAILED: {error}"]
            status = 1
    if "lists" in items:
        try:
            list_lines, raw["lists"] = bench_lists(args, fastsqla)
            out += ["", "E. Lists on 100,000 rows (issue 24): pages, filters and sort vs peers"]
            out += [f"  {part}" for line in list_lines for part in line.splitlines()]
        except BenchError as error:
            out += ["", f"E. lists: FAILED: {error}"]
            status = 1
    if "app" in items:
        try:
            notes, app_text = bench_app(args, fastsqla, raw)
        except BenchError as error:
            notes, app_text = [f"B. app: FAILED: {error}"], ""
            status = 1
        out += ["", "B. App: wrk against 127.0.0.1 (the generated app, its baseline and its peers)"]
        out += [f"  {note}" for note in notes]
        if app_text:
            out.append(app_text)
            out.append(
                "  req/s vs baseline: median req/s of the row / median of the baseline at the "
                "same endpoint and connections; targets POST >= 2x, GET by id >= 1.5x, and, the "
                "issue's stretch goal, GET >= 3x"
            )
            out.append(
                "  ceiling / req/s: how many times faster the no-database ceiling served the "
                f"same requests (stretch goal: GET within {CEILING_GAP:g}x)"
            )
            if "\nB2. " in app_text:
                out.append(
                    "  B2: req/s vs the best peer (tutorial, plain or FastCRUD on the same "
                    f"database) >= {PEER_RPS:g}x in every cell, p99 <= {PEER_P99:g}x the lowest "
                    f"peer p99 at {PEER_P99_CONNECTIONS} connections, and no error or timeout "
                    "(issue 10)"
                )
    with contextlib.suppress(OSError):
        out.append(
            f"\nload average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"bench took {time.perf_counter() - started:.0f} s"
        )
    print("\n".join(out), flush=True)
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
