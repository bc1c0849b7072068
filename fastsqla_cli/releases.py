"""The project template of every fastsqla release, shipped with the package.

``fastsqla update`` brings a project from the template it was made with to the installed
one, through ``copier update``, which re-renders both from a git repository of the
template at the two versions. The package ships that repository as a git bundle,
``templates/releases.bundle``: one commit per release, tagged with its version, holding
``templates/project`` as it was released. Nothing is fetched: an update works offline,
from whatever virtualenv fastsqla is installed in.

The installed template, ``templates/project``, is the template of ``__version__``. Once that
version is in the bundle, the two must stay the same (a test holds them to it): a template
change is a new version. To release, freeze the template as its version's commit::

    python -m fastsqla_cli.releases
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fastsqla_cli import __version__
from fastsqla_cli.errors import ToolError
from fastsqla_cli.templates import templates_dir

BUNDLE = "releases.bundle"
# Commits made the same way everywhere, whoever runs git and with whatever configuration.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "fastsqla",
    "GIT_AUTHOR_EMAIL": "fastsqla@localhost",
    "GIT_COMMITTER_NAME": "fastsqla",
    "GIT_COMMITTER_EMAIL": "fastsqla@localhost",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
# What an installed or checked-out template may hold that is not part of it.
_NOT_TEMPLATE = shutil.ignore_patterns("__pycache__", "*.py[co]")


def git(*args: str, cwd: Path) -> str:
    """Run git; :class:`ToolError` with git's own message when it fails."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **_GIT_ENV},
        )
    except FileNotFoundError:
        raise ToolError("git is not installed: fastsqla needs it to update a project") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise ToolError(f"git {args[0]} failed: {message[-1]}")
    return done.stdout


def bundle_path() -> Path:
    return templates_dir() / BUNDLE


def released_versions() -> list[str]:
    """The versions in the bundle, oldest first (by version)."""
    bundle = bundle_path()
    if not bundle.is_file():
        return []
    from packaging.version import Version

    heads = git("bundle", "list-heads", str(bundle), cwd=bundle.parent).split()
    tags = [ref.removeprefix("refs/tags/") for ref in heads if ref.startswith("refs/tags/")]
    return sorted(tags, key=Version)


def template_repository(destination: Path, *, with_installed: bool = True) -> Path:
    """A git repository at ``destination`` with every released template, each tagged with
    its version; with ``with_installed``, the installed template is tagged ``__version__``
    too (a new commit when that version is not released yet)."""
    bundle = bundle_path()
    if bundle.is_file():
        git("clone", "--quiet", str(bundle), str(destination), cwd=destination.parent)
    else:
        destination.mkdir()
        git("init", "--quiet", "--initial-branch=main", cwd=destination)
    if with_installed and __version__ not in git("tag", "--list", cwd=destination).split():
        _commit_template(destination, __version__)
    return destination


def _commit_template(repository: Path, version: str) -> None:
    for entry in repository.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(
        templates_dir() / "project", repository, ignore=_NOT_TEMPLATE, dirs_exist_ok=True
    )
    git("add", "--all", cwd=repository)
    git("commit", "--quiet", "--allow-empty", "-m", f"fastsqla {version}", cwd=repository)
    git("tag", version, cwd=repository)


def freeze() -> Path:
    """Add the installed template to the bundle as the commit of ``__version__``."""
    bundle = bundle_path()
    with tempfile.TemporaryDirectory(prefix="fastsqla-freeze.") as scratch:
        repository = template_repository(Path(scratch) / "template", with_installed=False)
        if __version__ in git("tag", "--list", cwd=repository).split():
            raise SystemExit(f"{__version__} is released already: bump __version__ first")
        _commit_template(repository, __version__)
        git("bundle", "create", "--quiet", str(bundle), "--all", cwd=repository)
    return bundle


if __name__ == "__main__":
    print(f"froze the template of {__version__} into {freeze()}", file=sys.stderr)
