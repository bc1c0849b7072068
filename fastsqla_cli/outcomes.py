"""What each command did, shown to the user: the summary box, the files it wrote (or, on a
dry run, would write) and the commands to run next."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fastsqla_cli import ui

if TYPE_CHECKING:
    from fastsqla_cli.change import ModelPlan, Outcome
    from fastsqla_cli.new import NewProject
    from fastsqla_cli.steps import CheckReport
    from fastsqla_cli.update import Update


def show_new(project: NewProject, seconds: float, *, own_venv: bool) -> None:
    """A new project, and how to start it; ``own_venv``: its checks made its `.venv`."""
    lines = [
        f"Created [bold]{project.name.distribution}[/] at {ui.escape(str(project.root))}: "
        f"{len(project.files)} files, {project.database}, {seconds:.1f} s.",
        f"Package [bold]{project.name.package}[/]; model User at /users;"
        " health at /health and /ready.",
    ]
    if project.report is None:
        lines.append("Checks skipped (--no-check).")
    next_commands = [f"cd {shlex.quote(_display(project.root))}"]
    if project.report is None or not own_venv:
        next_commands.append('uv venv && uv pip install -e ".[dev]"')
    database = project.name.package
    if project.database == "postgresql":  # the server must hold the database first
        next_commands.append(
            f"createdb -h localhost -U postgres {database}  # or set DATABASE_URL in .env"
        )
    elif project.database == "mysql":
        next_commands.append(
            f"mysql -h 127.0.0.1 -u root -e 'CREATE DATABASE {database}'"
            "  # or set DATABASE_URL in .env"
        )
    next_commands.append(f".venv/bin/uvicorn {project.name.package}.main:app --reload")
    fastsqla = fastsqla_command(project.root)
    next_commands.append(f"{fastsqla} add-model Post title:str body:text author:ref:User")
    ui.summary("fastsqla new", lines, next_commands)


def show_model_change(command: str, outcome: Outcome[ModelPlan], headline: str) -> None:
    """What a command that changes a model did (or, on a dry run, would do): its files,
    one per line, and the diff of its edits on a dry run."""
    plan = outcome.plan
    root = plan.project.root
    changed = set(plan.changed)
    files = {
        "delete": sorted(plan.change.deletes),
        "create": plan.created(),
        "edit": plan.edited(),
    }
    if not outcome.written:
        model = f"{plan.model.class_name}, table {plan.model.table}"
        for action in ("delete", "create"):
            if action == "delete" and not files[action]:
                continue
            ui.console.print(f"[bold]Would {action}[/] ({model}):")
            for path in files[action]:
                mark = "  (differs from what fastsqla wrote)" if path in changed else ""
                ui.console.print(
                    f"  {ui.escape(path.relative_to(root).as_posix())}{mark}", soft_wrap=True
                )
        if plan.change.edits:
            ui.console.print("[bold]Would edit:[/]")
            ui.console.print(ui.escape(plan.diff()), soft_wrap=True, end="")
        ui.console.print("Nothing was written (--dry-run).")
        return
    lines = [headline]
    if outcome.report is None:
        lines.append("Checks skipped (--no-check).")
    labels = {"delete": "deleted", "create": "created", "edit": "edited "}
    listed = [
        f"{labels[action]} {ui.escape(path.relative_to(root).as_posix())}"
        for action, paths in files.items()
        for path in paths
    ]
    ui.summary(f"fastsqla {command} {plan.model.class_name}", lines, [], listed)


def show_check(report: CheckReport) -> None:
    ran = [step.name for step in report.steps if not step.skipped]
    where = ui.escape(str(report.root))
    ui.summary("fastsqla check", [f"All checks passed ({', '.join(ran)}) in {where}"], [])


def show_update(outcome: Outcome[Update]) -> int:
    """What an update did; the exit code: 1 when files were left with conflicts."""
    from fastsqla_cli.update import describe

    done = outcome.plan
    where = ui.escape(done.project.root.name)
    if done.up_to_date:
        ui.summary("fastsqla update", [f"{where} is up to date (fastsqla {done.new})."], [])
        return 0
    versions = f"from fastsqla {done.old}'s template to {done.new}'s"
    if done.old == done.new:
        versions = f"on fastsqla {done.new}'s template"
    versions += "".join(f", with --{name} {value}" for name, value in done.answers)
    files = [ui.escape(line) for line in describe(done)]
    if not outcome.written:
        ui.console.print(f"[bold]Would update[/] {where} {versions}:")
        for line in files:
            ui.console.print(f"  {line}", soft_wrap=True)
        ui.console.print("Nothing was written (--dry-run).")
        return 0
    lines = [f"Updated {where} {versions}: {len(files)} files changed."]
    if done.conflicts:
        ui.summary("fastsqla update", lines, [], files)
        count = len(done.conflicts)
        ui.error(
            f"{count} file{'s' * (count != 1)} with conflicts: keep what you want between the"
            " <<<<<<< and >>>>>>> lines, then run `fastsqla check` and commit"
        )
        return 1
    lines.append("Checks skipped (--no-check)." if outcome.report is None else "All checks passed.")
    commit = ["git add -A", "git diff --staged", "git commit -m 'fastsqla update'"]
    ui.summary("fastsqla update", lines, commit, files)
    return 0


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)


def fastsqla_command(cwd: Path) -> str:
    """How to run this fastsqla again from ``cwd``: `fastsqla` when that name on PATH is this
    very script, else the script's path (from a virtualenv that is not activated, say)."""
    script = Path(sys.argv[0])
    if script.name == "__main__.py":  # python -m fastsqla_cli
        return f"{_path_from(Path(sys.executable), cwd)} -m fastsqla_cli"
    on_path = shutil.which("fastsqla")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "fastsqla"
    return _path_from(script, cwd)


def _path_from(path: Path, cwd: Path) -> str:
    """``path`` as typed in a shell in ``cwd``: relative when that is shorter, else absolute."""
    absolute = str(path.absolute())
    relative = os.path.relpath(absolute, cwd)
    return shlex.quote(relative if len(relative) < len(absolute) else absolute)
