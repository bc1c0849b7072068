"""Rendered files are laid out by ruff with the project's own configuration."""

import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from fastsqla_cli.add_model import add_model
from fastsqla_cli.errors import ToolError
from fastsqla_cli.new import create_project
from fastsqla_cli.ruff import find_ruff, format_python

LONG_MODEL = "Shipment"
LONG_FIELDS = [
    "preferred_carrier_tracking_reference:str:max=200:unique",
    "estimated_customs_clearance_days:int:optional",
    "destination_warehouse:ref:User:optional",
]


def ruff(root: Path, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``ruff command`` with ``args``, on the whole project unless files are named."""
    paths = [a for a in args if not a.startswith("-")] or ["."]
    options = [a for a in args if a.startswith("-")]
    return subprocess.run(
        [sys.executable, "-m", "ruff", command, *options, "--no-cache", *paths],
        cwd=root,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("line_length", [88, 100, 120])
def test_added_files_follow_the_projects_line_length(tmp_path: Path, line_length: int) -> None:
    project = create_project(tmp_path / "shop")
    pyproject = project.root / "pyproject.toml"
    text = pyproject.read_text()
    assert "line-length = 100" in text
    pyproject.write_text(text.replace("line-length = 100", f"line-length = {line_length}"))
    ruff(project.root, "format", "-q")  # the user reformats after changing the setting

    plan = add_model(project.root, LONG_MODEL, LONG_FIELDS).plan
    written = [str(path) for path in [*plan.created(), *plan.edited()]]
    assert len(written) == 6  # model, schemas, router, factory, tests, revision
    assert ruff(project.root, "format", "--check").returncode == 0, ruff(
        project.root, "format", "--diff"
    ).stdout
    lint = ruff(project.root, "check", *written)
    assert lint.returncode == 0, lint.stdout
    assert max(len(line) for path in written for line in Path(path).read_text().splitlines()) <= (
        line_length
    )


def test_imports_are_sorted_by_the_projects_isort_settings(tmp_path: Path) -> None:
    project = create_project(tmp_path / "shop")
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("force-single-line = true", ""))
    add_model(project.root, "Post", ["title:str", "author:ref:User"])
    router = (project.root / "shop" / "routers" / "post.py").read_text()
    assert "from fastapi import Depends, Query, status" in router  # merged, as that config wants
    assert "from shop.schemas.post import PostCreate, PostPage, PostQuery, PostRead" in router


def test_a_file_ruff_cannot_parse_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        ToolError, match=r"ruff format refused the rendered code: Failed to parse broken\.py:1"
    ):
        format_python(tmp_path, {PurePosixPath("broken.py"): "def (:\n"})


def test_without_ruff_nothing_is_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastsqla_cli import ruff

    monkeypatch.setattr(ruff, "find_ruff", lambda: None)
    with pytest.raises(ToolError) as raised:
        create_project(tmp_path / "shop", check=True)
    assert str(raised.value) == "ruff is not installed beside fastsqla: reinstall fastsqla-cli"
    assert list(tmp_path.iterdir()) == []


def test_ruff_is_found_beside_fastsqla() -> None:
    found = find_ruff()
    assert found is not None and Path(found).is_file()
