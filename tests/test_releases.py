"""The template of every release ships with the package (templates/releases.bundle), and
the template this fastsqla installs is the one released under its version, if released."""

from __future__ import annotations

import filecmp
import subprocess
from pathlib import Path

import pytest

from fastsqla_cli import __version__
from fastsqla_cli.releases import released_versions, template_repository
from fastsqla_cli.templates import templates_dir

INSTALLED = templates_dir() / "project"


def files(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
    }


def test_a_released_version_installs_the_template_it_released(tmp_path: Path) -> None:
    """Once a version is in the bundle, its template is frozen: a template change is a new
    version (bump __version__; `python -m fastsqla_cli.releases` freezes it on release)."""
    if __version__ not in released_versions():
        pytest.skip(f"{__version__} is not released yet: its template may still change")
    released = template_repository(tmp_path / "templates", with_installed=False)
    subprocess.run(["git", "checkout", "--quiet", __version__], cwd=released, check=True)
    assert files(released) == files(INSTALLED)
    different = [
        name
        for name in sorted(files(INSTALLED))
        if not filecmp.cmp(released / name, INSTALLED / name, shallow=False)
    ]
    assert different == [], f"changed since {__version__} was released: bump the version"


def test_the_template_repository_tags_every_release_and_the_installed_version(
    tmp_path: Path,
) -> None:
    repository = template_repository(tmp_path / "templates")
    tags = subprocess.run(
        ["git", "tag", "--list"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(tags) == {*released_versions(), __version__}
    assert (repository / "copier.yml").is_file()
    assert files(repository) == files(INSTALLED)  # checked out at the installed version
