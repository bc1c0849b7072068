"""What `add-model`, `add-field` and `remove-model` check: the tests their change can break
(the changed model's, those of the models that refer to it, the migrations' and the app's
start-up), while `fastsqla check` runs them all; a change of the project's dependencies
reaches its `.venv` before its checks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastsqla_cli import check, environment
from fastsqla_cli.add_model import add_model
from fastsqla_cli.cli import app
from fastsqla_cli.filetx import Change
from fastsqla_cli.models import PROJECT_TESTS, affected_tests, existing_models
from fastsqla_cli.new import create_project
from fastsqla_cli.project import find_project

runner = CliRunner()


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    """User (the starter model), Post and Comment that refer to it, Tag on its own."""
    root = create_project(tmp_path / "blog").root
    add_model(root, "Post", ["title:str", "author:ref:User"])
    add_model(root, "Comment", ["body:text", "post:ref:Post", "author:ref:User"])
    add_model(root, "Tag", ["name:str:unique"])
    return root


@pytest.mark.parametrize(
    ("model", "own_tests"),
    [
        ("User", ["user", "comment", "post"]),
        ("Post", ["post", "comment"]),
        ("Comment", ["comment"]),
        ("Tag", ["tag"]),
    ],
)
def test_a_change_of_a_model_runs_its_tests_and_those_of_the_models_referring_to_it(
    blog: Path, model: str, own_tests: list[str]
) -> None:
    project = find_project(blog)
    expected = [f"tests/test_{name}.py" for name in own_tests] + list(PROJECT_TESTS)
    assert affected_tests(project, existing_models(project)[model]) == expected


def test_tests_that_are_gone_are_left_out(blog: Path) -> None:
    (blog / "tests" / "test_post.py").unlink()
    (blog / "tests" / "test_health.py").unlink()
    project = find_project(blog)
    migrations = blog / "tests" / "test_migrations.py"  # a test the user took out
    text = migrations.read_text()
    migrations.write_text(text.replace("def test_the_last_revision_", "def test_the_revision_"))
    assert affected_tests(project, existing_models(project)["User"]) == [
        "tests/test_user.py",
        "tests/test_comment.py",
        "tests/test_migrations.py::test_single_head_revision",
        "tests/test_migrations.py::test_the_models_match_the_migrations",
    ]


def fastsqla(project: Path, *args: str) -> tuple[int, str]:
    previous = Path.cwd()
    os.chdir(project)
    try:
        result = runner.invoke(app, [*args, "--python", sys.executable])
    finally:
        os.chdir(previous)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.e2e
def test_a_change_that_breaks_a_referring_models_tests_is_caught(tmp_path: Path) -> None:
    root = create_project(tmp_path / "blog").root
    add_model(root, "Post", ["title:str", "author:ref:User"])
    # A test of Post that holds only while User keeps the fields it has now ...
    post_tests = root / "tests" / "test_post.py"
    post_tests.write_text(
        post_tests.read_text()
        + "\n\nasync def test_an_author_has_a_name_and_an_email(client: AsyncClient) -> None:\n"
        + '    assert set(await create_user(client)) == {"id", "name", "email"}\n'
    )
    # ... and a failing test that no model's change can reach.
    (root / "tests" / "test_mine.py").write_text(
        'def test_mine() -> None:\n    raise AssertionError("mine")\n'
    )
    user = root / "blog" / "models" / "user.py"
    before = user.read_text()

    code, out = fastsqla(root, "add-field", "User", "nickname:str:optional")
    assert code == 1, out
    assert "tests failed" in out and "test_an_author_has_a_name_and_an_email" in out
    assert user.read_text() == before  # undone

    code, out = fastsqla(root, "add-model", "Tag", "name:str")
    assert code == 0, out
    assert (
        "tests/test_tag.py, tests/test_migrations.py (3 of its tests), tests/test_health.py" in out
    )
    assert "test_mine" not in out

    code, out = fastsqla(root, "check", "--no-types")
    assert code == 1 and "test_mine" in out and "AssertionError: mine" in out


@pytest.mark.parametrize(
    ("edited", "installs"), [("pyproject.toml", True), ("blog/models/user.py", False)]
)
def test_a_change_of_the_dependencies_installs_the_project_again_before_its_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: str, installs: bool
) -> None:
    python = environment.venv_python(tmp_path)
    python.parent.mkdir(parents=True)
    python.touch()  # a .venv that has pytest (the probe below says so)
    ran: list[str] = []

    def run(name: str, command: list[str], cwd: Path, *args: object) -> check.StepResult:
        ran.append(name)
        return check.StepResult(name, True, 0.0, "probe pytest")

    for module in (check, environment):
        monkeypatch.setattr(module, "run_step", run)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # no compiling beside the checks
    change = Change(edits={tmp_path / edited: ("before", "after")})
    check.check_change(tmp_path, change, None, False, None, "undone")
    assert ("install" in ran) is installs
    assert "virtualenv" not in ran and "tests" in ran


@pytest.mark.parametrize(
    ("modules", "database_url", "installed", "options"),
    [
        (check.PARALLEL_FROM, None, {"pytest", "xdist"}, ["-n", "auto"]),
        (check.PARALLEL_FROM - 1, None, {"pytest", "xdist"}, []),
        (check.PARALLEL_FROM, "postgresql+asyncpg://postgres@localhost/t", {"xdist"}, []),
        (check.PARALLEL_FROM, None, {"pytest"}, []),
    ],
    ids=["large suite", "small suite", "on a server", "without pytest-xdist"],
)
def test_a_large_suite_runs_on_every_core(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    modules: int,
    database_url: str | None,
    installed: set[str],
    options: list[str],
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    (tmp_path / "tests").mkdir()
    for number in range(modules):
        (tmp_path / "tests" / f"test_{number}.py").touch()
    assert check._workers(tmp_path, installed, database_url) == options
