"""The flow every command that changes a project shares: plan the change (nothing is
written while any argument or precondition may still be refused), write it all or nothing
under the project's lock, check the project, and undo the change when the checks fail."""

from __future__ import annotations

import difflib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypedDict, TypeVar, Unpack

from fastsqla_cli import filetx
from fastsqla_cli.models import affected_tests
from fastsqla_cli.naming import ModelName
from fastsqla_cli.project import Project, find_project, locked
from fastsqla_cli.revisions import Revision

if TYPE_CHECKING:
    from fastsqla_cli.steps import CheckReport, Reporter


class Options(TypedDict, total=False):
    """How a command changes a project: every command takes these, by keyword."""

    dry_run: bool  # plan only, write nothing
    search_parents: bool  # the project may be a parent of the directory given
    check: bool  # run the project's checks after the change, and undo it if they fail
    python: str | None  # the interpreter of the checks, instead of the project's .venv
    types: bool  # the checks include mypy and pyright
    report: Reporter | None  # told of each step of the checks
    on_wait: Callable[[], None] | None  # told when another command holds the lock


class Plan(Protocol):
    """What a command will change in a project, and how to check it."""

    @property
    def change(self) -> filetx.Change: ...

    def tests(self) -> list[str] | None:
        """The tests the change can break (None: every test)."""
        ...

    def checkable(self) -> bool:
        """Whether the project can be checked once the change is written."""
        ...


PlanT = TypeVar("PlanT", bound=Plan)


@dataclass(frozen=True)
class ModelPlan:
    """What a command does to one model of a project: the files it creates, edits and
    deletes; ``changed`` lists files to delete that differ from what fastsqla wrote."""

    project: Project
    model: ModelName
    change: filetx.Change
    changed: tuple[Path, ...] = ()

    def tests(self) -> list[str]:
        """Its own tests, those of the models that refer to it, the project's schema tests."""
        return affected_tests(self.project, self.model)

    def checkable(self) -> bool:
        return True

    def created(self) -> list[Path]:
        return sorted(self.change.creates)

    def edited(self) -> list[Path]:
        return sorted(self.change.edits)

    def diff(self) -> str:
        """A unified diff of every edit to an existing file."""
        chunks: list[str] = []
        for path, (old, new) in sorted(self.change.edits.items()):
            relative = path.relative_to(self.project.root).as_posix()
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{relative}",
                    tofile=f"b/{relative}",
                )
            )
        return "".join(chunks)


@dataclass(frozen=True)
class Outcome(Generic[PlanT]):
    """What a command that changes a project did: its plan, whether the plan was written
    (not on a dry run, nor when there was nothing to change), and the checks' report (None
    when they did not run)."""

    plan: PlanT
    written: bool
    report: CheckReport | None = None


def carry_out(
    project_dir: Path | str,
    make_plan: Callable[[Project], PlanT],
    *,
    undone: str,
    **options: Unpack[Options],
) -> Outcome[PlanT]:
    """Plan a change of the project in ``project_dir`` and write it all or nothing, holding
    the project's lock (see `Options`).

    With ``dry_run``, only the plan is made. With ``check``, the project's checks run after,
    with the tests the change can break (`Plan.tests`); when they fail or are interrupted,
    the change is undone and ``undone`` (formatted with the ``plan``) follows the failure.
    """
    project = find_project(Path(project_dir), search_parents=options.get("search_parents", False))
    check, python = options.get("check", False), options.get("python")
    dry_run = options.get("dry_run", False)
    if check and python is not None and not dry_run:
        from fastsqla_cli.environment import resolve_python

        python = resolve_python(python)
    if dry_run:
        return Outcome(make_plan(project), written=False)
    with locked(project.root, on_wait=options.get("on_wait")):
        plan = make_plan(project)
        if not plan.change:
            return Outcome(plan, written=False)
        filetx.check_writable(plan.change)
        filetx.apply(plan.change)
        if not check or not plan.checkable():
            return Outcome(plan, written=True)
        from fastsqla_cli.check import check_change

        message = undone.format(plan=plan)
        types, report = options.get("types", False), options.get("report")
        result = check_change(
            project.root, plan.change, python, types, report, message, plan.tests() or ()
        )
        return Outcome(plan, written=True, report=result)


def new_revision(down_revision: str | None) -> Revision:
    """A revision after ``down_revision``, identified the way Alembic does (12 hex digits)."""
    return Revision(uuid.uuid4().hex[-12:], down_revision, datetime.now())
