"""What the command line shows: progress lines, failures, and the closing summary."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape as escape
from rich.panel import Panel

if TYPE_CHECKING:
    from rich.status import Status

    from fastsqla_cli.steps import StepResult

console = Console(highlight=False, emoji=False)  # `x:date:optional` stays as written
errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

LABELS = {
    "render": "Render the project",
    "virtualenv": "Create .venv",
    "install": "Install the project and its dev dependencies",
    "tests": "Run the tests",
    "fuzz": "API contract (schemathesis)",
    "ruff": "Lint and format check (ruff)",
    "mypy": "Type check (mypy --strict)",
    "pyright": "Type check (pyright, strict)",
}


def error(message: str) -> None:
    """One red line on stderr."""
    errors.print(f"[bold red]error:[/] {escape(message)}")


class Progress:
    """Reports steps as they start and end; a spinner only on a terminal."""

    def __init__(self) -> None:
        self._status: Status | None = None
        self._running: list[str] = []

    def __call__(self, name: str, result: StepResult | None) -> None:
        if result is None:
            self._running.append(name)
        else:
            if name in self._running:
                self._running.remove(name)
            self.done(name, result)
        self._refresh()

    def _refresh(self) -> None:
        if self._status is not None:
            text = ", ".join(LABELS.get(n, n).lower() for n in self._running) or "finishing"
            self._status.update(f"{text[:1].upper()}{text[1:]}…")

    def done(self, name: str, result: StepResult) -> None:
        label = LABELS.get(name, name)
        if result.skipped:
            console.print(
                f"  [dim]-[/] {label} [dim]skipped: {escape(result.skipped)}[/]", soft_wrap=True
            )
        elif result.ok:
            detail = f" [dim]{escape(result.summary)}[/]" if result.summary else ""
            console.print(
                f"  [green]✓[/] {label} [dim]({result.seconds:.1f} s)[/]{detail}", soft_wrap=True
            )
        else:
            console.print(f"  [red]✗[/] {label} [dim]({result.seconds:.1f} s)[/]")

    @contextmanager
    def running(self) -> Iterator[None]:
        if console.is_terminal and not os.environ.get("CI"):
            with console.status("Working…") as status:
                self._status = status
                try:
                    yield
                finally:
                    self._status = None
        else:
            yield


def show_failures(steps: tuple[StepResult, ...] | list[StepResult]) -> None:
    for step in steps:
        if not step.ok:
            errors.rule(f"{LABELS.get(step.name, step.name)}: output")
            errors.print(escape(step.output.rstrip()), soft_wrap=True)
    if any(not step.ok for step in steps):
        errors.rule()


def summary(
    title: str, lines: list[str], next_commands: list[str], files: list[str] | None = None
) -> None:
    """A panel of ``lines``, then ``files`` and ``next_commands`` one per line, never wrapped
    (so that each can be copied whole, however long)."""
    body = "\n".join(lines)
    console.print(Panel(body, title=title, title_align="left", border_style="green", expand=False))
    for line in files or []:
        console.print(f"  {line}", soft_wrap=True)
    if next_commands:
        # Outside the panel and never wrapped by rich: each command stays one line to copy.
        console.print("[bold]Next:[/]")
        for command in next_commands:
            console.print(f"  [cyan]{escape(command)}[/]", soft_wrap=True)
