"""The project template is a copier template: `fastsqla new` renders it with copier, and
`copier copy` alone (no fastsqla) renders it too, computing what fastsqla passes."""

import stat
from pathlib import Path

import pytest
import yaml

from fastsqla_cli import __version__
from fastsqla_cli.new import python_literal, uv_build_requirement
from fastsqla_cli.rendering import templates_dir


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
    the new version without them): the same files as with what `fastsqla new` passes."""
    answers = {"project_name": "My-Shop", "package": "my_shop", "description": description}
    with_copier(tmp_path / "alone", answers)
    passed = {
        "description_literal": python_literal(description),
        "fastsqla_version": "unreleased",  # no version to read: the template is not in git
        "uv_build_requirement": uv_build_requirement(None),
    }
    with_copier(tmp_path / "fastsqla", {**answers, **passed})
    assert snapshot(tmp_path / "alone") == snapshot(tmp_path / "fastsqla")


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
        "description": 'A "shop"',
        "description_literal": "'A \"shop\"'",
        "fastsqla_version": __version__,
        "package": "shop",
        "project_name": "shop",
        "uv_build_requirement": answers["uv_build_requirement"],
    }
    assert answers["uv_build_requirement"].startswith("uv_build>=")
