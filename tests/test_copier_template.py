"""The project template is a copier template: `fastsqla new` renders it with copier, and
`copier copy` alone (no fastsqla) renders it too, computing what fastsqla passes."""

import ast
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fastsqla_cli import __version__
from fastsqla_cli.new import uv_build_requirement
from fastsqla_cli.templates import templates_dir


def with_copier(destination: Path, data: dict[str, object]) -> None:
    from copier import run_copy

    template = str(templates_dir() / "project")
    run_copy(template, destination, data=data, defaults=True, quiet=True, unsafe=False)


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        path.relative_to(root).as_posix(): (stat.S_IMODE(path.stat().st_mode), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    "description",
    ["", 'A "quoted" shop', "it's a\\back\tslashed 'shop'", "ünïcödé {{ x }} 🚀 " + "x" * 120],
)
def test_copier_alone_computes_the_answers_fastsqla_passes(
    tmp_path: Path, description: str
) -> None:
    """The `when: false` answers have defaults that copier computes (its own update renders
    the new version without them): the same files as with what `fastsqla new` passes. The
    version and the description's literal are derived, so the answers file does not keep
    them (`_commit` is the version)."""
    answers = {"project_name": "My-Shop", "package": "my_shop", "description": description}
    with_copier(tmp_path / "alone", answers)
    passed = {
        "fastsqla_version": "unreleased",  # no version to read: the template is not in git
        "uv_build_requirement": uv_build_requirement(None),
    }
    with_copier(tmp_path / "fastsqla", {**answers, **passed})
    assert snapshot(tmp_path / "alone") == snapshot(tmp_path / "fastsqla")
    # The template writes the description as a literal quoted the way ruff's formatter would.
    package = tmp_path / "alone" / "my_shop" / "__init__.py"
    module = ast.parse(package.read_text())
    assert ast.literal_eval(next(n.value for n in module.body if isinstance(n, ast.Assign))) == (
        description
    )
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--isolated", str(package)],
        capture_output=True,
        text=True,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_the_answers_file_records_everything_an_update_renders_the_template_with(
    tmp_path: Path,
) -> None:
    from fastsqla_cli.new import create_project

    project = create_project(tmp_path / "shop", description='A "shop"')
    answers = yaml.safe_load((project.root / ".copier-answers.yml").read_text())
    assert answers == {
        "_commit": __version__,
        "_src_path": "fastsqla-cli",
        "database": "sqlite",
        "deploy": "none",
        "description": 'A "shop"',
        "package": "shop",
        "project_name": "shop",
        "uv_build_requirement": answers["uv_build_requirement"],
    }
    assert answers["uv_build_requirement"].startswith("uv_build>=")
