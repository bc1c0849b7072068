"""``fastsqla update``: bring a project from the template it was made with to the installed
fastsqla's template, keeping the user's changes, through ``copier update``.

copier works on a scratch clone of the project's git repository, whose answers file points
at a scratch repository of fastsqla's templates (see :mod:`fastsqla_cli.releases`). What
copier changed there is then written into the project all or nothing, and the project's
checks run. Nothing in the project changes before that write; when the checks fail or are
interrupted, the write is undone. Where the template and the user changed the same lines,
the file keeps both, between conflict markers, and the command lists it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from fastsqla_cli import __version__, filetx
from fastsqla_cli.change import Options, Outcome, carry_out
from fastsqla_cli.deploys import DEPLOYS, validate_deploy
from fastsqla_cli.errors import FastsqlaError, ProjectFileError, ToolError, UsageError
from fastsqla_cli.project import ANSWERS_FILE, Project, read_answers
from fastsqla_cli.release_steps import STEPS
from fastsqla_cli.releases import git, released_versions, template_repository

if TYPE_CHECKING:
    from packaging.version import Version


CONFLICT_MARKER = "<<<<<<< before updating"
# Answers that the template takes but copier does not record (`when: false` questions),
# so that the answers file keeps them and the old template renders as it did.
KEPT_ANSWERS = ("uv_build_requirement",)


@dataclass(frozen=True)
class Update:
    """What ``fastsqla update`` does to a project: from which template version to which,
    the change to its files, and the files left with conflict markers."""

    project: Project
    old: str
    new: str
    change: filetx.Change
    conflicts: tuple[Path, ...] = ()
    answers: tuple[tuple[str, object], ...] = ()  # the answers it changes, as (name, new)

    @property
    def up_to_date(self) -> bool:
        return self.old == self.new and not self.answers

    def tests(self) -> None:
        """Every test: a template change may touch any of them."""
        return None

    def checkable(self) -> bool:
        """Not while a file holds conflict markers: the user resolves them first."""
        return not self.conflicts


def update_project(
    project_dir: Path | str = ".", deploy: str | None = None, **options: Unpack[Options]
) -> Outcome[Update]:
    """Update the project in ``project_dir`` (or a parent) to the installed template; with
    ``deploy``, change its deployment too (``new``'s ``--deploy``), at the same version or
    a new one.

    Refused (:class:`UsageError`) outside git, with uncommitted changes, or when the
    project is newer than fastsqla. With ``check``, the checks run after the update unless
    a file has conflicts; when they fail, the update is undone."""
    return carry_out(
        project_dir,
        partial(plan_update, deploy=deploy),
        undone="the update was undone; fix the project or update with --no-check",
        **(options | {"search_parents": True}),
    )


def plan_update(project: Project, deploy: str | None = None) -> Update:
    """Run copier on scratch copies; return what it would change in the project."""
    answers = read_answers(project.root / ANSWERS_FILE)
    changed: dict[str, object] = {}
    if deploy is not None:
        remedy = "this project's database is SQLite, which an update does not change"
        validate_deploy(deploy, project.database, remedy)
        if answers.get("deploy", DEPLOYS[0]) != deploy:  # 0.1.0 had no such question
            changed["deploy"] = deploy
    old, new = _recorded_version(project, answers), __version__
    old_version, new_version = _version(old), _version(new)
    if old_version == new_version and not changed:
        return Update(project, old, new, filetx.Change())
    if old_version > new_version:
        raise UsageError(
            f"{project.root} has the template of fastsqla {old}, newer than this fastsqla"
            f" ({new}): upgrade fastsqla (pip install -U fastsqla-cli)"
        )
    top = _work_tree_top(project.root)
    _refuse_uncommitted(project.root)
    if old != new and old not in released_versions():
        raise ProjectFileError(
            f"{project.root / ANSWERS_FILE} records _commit: {old}, which no fastsqla release"
            " has: restore the file from git"
        )
    with tempfile.TemporaryDirectory(prefix="fastsqla-update.") as name:
        scratch = Path(name)
        templates = template_repository(scratch / "templates")
        clone = scratch / "project"
        git("clone", "--quiet", "--no-hardlinks", str(top), str(clone), cwd=scratch)
        subproject = clone / project.root.resolve().relative_to(top.resolve())
        _point_answers_at(subproject / ANSWERS_FILE, templates)
        git("commit", "--quiet", "--all", "-m", "fastsqla update: template source", cwd=clone)
        _copier_update(subproject, new, answers, changed)
        for step in STEPS:
            if old_version < _version(step.version) <= new_version:
                step.run(subproject, project.package)
        return replace(_compare(project, old, new, subproject), answers=tuple(changed.items()))


def _work_tree_top(root: Path) -> Path:
    try:
        top = git("rev-parse", "--show-toplevel", cwd=root).strip()
        git("rev-parse", "--verify", "--quiet", "HEAD", cwd=root)
    except ToolError as error:
        if "git is not installed" in str(error):
            raise
        raise UsageError(
            f"{root} is not in a git repository with a commit: commit the project first"
            " (git init && git add -A && git commit -m 'My project'), so that the update"
            " shows as a diff you can review"
        ) from None
    return Path(top)


def _refuse_uncommitted(root: Path) -> None:
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".", cwd=root)
    if status.strip():
        count = len(status.splitlines())
        raise UsageError(
            f"{root} has uncommitted changes ({count} file{'s' * (count != 1)}): commit or"
            " stash them first, so that the update shows as a diff you can review"
        )


def _recorded_version(project: Project, answers: dict[str, object]) -> str:
    recorded = answers.get("_commit")
    if not isinstance(recorded, str) or not recorded:
        raise ProjectFileError(
            f"{project.root / ANSWERS_FILE} records no template version (_commit): the project"
            " was made by a fastsqla from before updates; make a new project and move your"
            " code over"
        )
    try:
        _version(recorded)
    except ValueError:
        raise ProjectFileError(
            f"{project.root / ANSWERS_FILE} records _commit: {recorded}, which is not a"
            " version: restore the file from git"
        ) from None
    return recorded


def _version(text: str) -> Version:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise ValueError(text) from None


def _point_answers_at(answers_path: Path, templates: Path) -> None:
    """Make the clone's answers file name the scratch template repository as its source."""
    lines = answers_path.read_text(encoding="utf-8").splitlines(keepends=True)
    source = [n for n, line in enumerate(lines) if line.startswith("_src_path:")]
    if len(source) != 1:
        raise ProjectFileError(
            f"{answers_path.name} has no `_src_path:` line: restore the file from git"
        )
    lines[source[0]] = f"_src_path: {templates}\n"
    answers_path.write_text("".join(lines), encoding="utf-8")


def _copier_update(
    subproject: Path, version: str, answers: dict[str, object], changed: dict[str, object]
) -> None:
    """``copier update`` to ``version``, with the ``changed`` answers (copier renders the
    project's version with its recorded answers, and ``version`` with the new ones)."""
    from copier import run_update
    from copier.errors import CopierError

    data: dict[str, object] = {"fastsqla_version": __version__}
    data.update({name: answers[name] for name in KEPT_ANSWERS if name in answers})
    data.update(changed)
    try:
        run_update(
            subproject,
            data=data,
            vcs_ref=version,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            quiet=True,
            unsafe=False,
            conflict="inline",
        )
    except CopierError as error:
        raise ToolError(f"copier update failed: {error}") from None


def _compare(project: Project, old: str, new: str, subproject: Path) -> Update:
    """The change that turns the project into the updated clone, and its conflicted files."""
    creates: dict[Path, str] = {}
    edits: dict[Path, tuple[str, str]] = {}
    deletes: dict[Path, str] = {}
    conflicts: list[Path] = []
    for relative in _changed(subproject):
        before, after = project.root / relative, subproject / relative
        old_bytes, new_bytes = _bytes(before), _bytes(after)
        if old_bytes == new_bytes:
            continue  # only its mode changed, which a change of text cannot carry
        old_text, new_text = _text(before, old_bytes), _text(after, new_bytes)
        if new_text is None:
            deletes[before] = old_text or ""
        elif old_text is None:
            creates[before] = new_text
        else:
            edits[before] = (old_text, new_text)
        if new_text is not None and CONFLICT_MARKER in new_text.splitlines():
            conflicts.append(before)
    change = filetx.Change(creates=creates, edits=edits, deletes=deletes)
    return Update(project, old, new, change, tuple(sorted(conflicts)))


def _changed(subproject: Path) -> list[Path]:
    """The files of the clone that differ from the project's last commit (which the
    project is, since it has no uncommitted changes), relative to ``subproject``."""
    git("add", "--all", "--", ".", cwd=subproject)  # also settles copier's conflict entries
    names = git(
        *("diff", "--cached", "--name-only", "--no-renames", "--relative", "-z"),
        *("HEAD~1", "--", "."),  # HEAD is the commit that pointed the answers at the clone
        cwd=subproject,
    )
    return sorted(Path(name) for name in names.split("\0") if name)


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise FastsqlaError(f"cannot read {path}: {error.strerror}") from None


def _text(path: Path, content: bytes | None) -> str | None:
    try:
        return None if content is None else content.decode("utf-8")
    except UnicodeDecodeError:
        raise FastsqlaError(
            f"the update changes {path}, which is not UTF-8 text and which fastsqla cannot"
            " write: nothing was changed; bring that change over by hand"
        ) from None


def describe(update: Update) -> list[str]:
    """One line per file the update creates, edits or deletes, relative to the project."""
    root = update.project.root
    labels = (
        ("created", update.change.creates),
        ("edited ", update.change.edits),
        ("deleted", update.change.deletes),
    )
    return [
        f"{label} {path.relative_to(root).as_posix()}"
        + ("  (conflict)" if path in update.conflicts else "")
        for label, paths in labels
        for path in sorted(paths)
    ]
