"""The command line: exit codes, one-line errors, help for every command."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastsqla_cli import __version__
from fastsqla_cli.cli import app
from tests.conftest import tree_snapshot

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"fastsqla {__version__}\n")


@pytest.mark.parametrize("command", ["new", "add-model", "add-field", "remove-model", "check"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Example: fastsqla " + command in out


def test_top_level_help_lists_every_command() -> None:
    code, out, _ = run("-h")
    assert code == 0
    for command in ("new", "add-model", "add-field", "remove-model", "check"):
        assert command in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["new", "fastapi", "--no-check"], 2, "would shadow the 'fastapi' package"),
        (["new", "class", "--no-check"], 2, "is a Python keyword"),
        (["new", "2fast", "--no-check"], 2, "not a Python identifier"),
        (["new", "ok", "--no-check", "--description", "a\x1bb"], 2, "control character"),
        (["add-model", "Post", "title:strr"], 1, "has no .copier-answers.yml"),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    args: list[str], code: int, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exit_code, out, err = run(*args)
    assert exit_code == code
    assert message in err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_database_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("new", str(tmp_path / "shop"), "--db", "oracle")
    assert code == 2 and "oracle" in err


def test_new_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "keep.txt").write_text("mine")
    before = tree_snapshot(tmp_path)
    code, _, err = run("new", str(tmp_path / "shop"), "--no-check")
    assert code == 2 and "exists and is not empty" in err
    assert tree_snapshot(tmp_path) == before


def test_new_then_add_model_without_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("new", "shop", "--no-check")
    assert code == 0, err
    assert "Created shop" in out and "Checks skipped (--no-check)" in out
    assert " add-model Post title:str body:text author:ref:User" in out
    code, out, err = run("add-model", "Post", "title:str", "--project", "shop", "--no-check")
    assert code == 0, err
    assert "\n  created shop/models/post.py\n" in out
    assert "edited" not in out  # the app finds the model's modules; no file lists them
    code, _, err = run("add-model", "Post", "title:str", "--project", "shop", "--no-check")
    assert code == 2 and "already has a model Post" in err


def test_add_model_field_errors_exit_2_and_write_nothing(tmp_path: Path) -> None:
    assert run("new", str(tmp_path / "shop"), "--no-check")[0] == 0
    before = tree_snapshot(tmp_path)
    for field in ["title:", ":str", "title:str:uniq", "id:int"]:
        code, _, err = run("add-model", "Post", field, "--project", str(tmp_path / "shop"))
        assert code == 2, err
        assert err.count("\n") == 1
    assert tree_snapshot(tmp_path) == before


@pytest.mark.parametrize("field", ["when:date:default=2024-01-01", "say:smile:x", "at:clock1:y"])
def test_an_error_quotes_the_field_as_written(tmp_path: Path, field: str) -> None:
    """`:date:` is a rich emoji code; the message must not turn it into a picture."""
    assert run("new", str(tmp_path / "shop"), "--no-check")[0] == 0
    code, _, err = run("add-model", "Post", field, "--project", str(tmp_path / "shop"))
    assert code == 2 and f"'{field}'" in err, err


def test_dry_run_shows_files_and_writes_nothing(tmp_path: Path) -> None:
    assert run("new", str(tmp_path / "shop"), "--no-check")[0] == 0
    before = tree_snapshot(tmp_path)
    code, out, _ = run(
        "add-model",
        "Post",
        "title:str",
        "author:ref:User",
        "--project",
        str(tmp_path / "shop"),
        "--dry-run",
    )
    assert code == 0
    assert "shop/models/post.py" in out and "tests/test_post.py" in out
    assert "Would edit" not in out
    assert "Nothing was written" in out
    assert tree_snapshot(tmp_path) == before


def test_check_outside_a_project(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path))
    assert code == 1 and "has no .copier-answers.yml" in err


def test_help_does_not_import_heavy_modules() -> None:
    probe = (
        "import sys\n"
        "from fastsqla_cli.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('copier', 'jinja2', 'yaml', 'fastsqla_cli.new', 'uv') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_the_installed_entry_point_and_module_run() -> None:
    script = Path(sys.executable).parent / "fastsqla"
    for command in ([str(script)], [sys.executable, "-m", "fastsqla_cli"]):
        result = subprocess.run([*command, "--version"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"fastsqla {__version__}\n"


def test_failing_generated_tests_show_their_output_and_keep_the_project(tmp_path: Path) -> None:
    assert run("new", str(tmp_path / "shop"), "--no-check")[0] == 0
    (tmp_path / "shop" / "tests" / "test_broken.py").write_text(
        'def test_broken() -> None:\n    assert 1 + 1 == 3, "deliberately broken"\n'
    )
    code, _, err = run("check", str(tmp_path / "shop"), "--python", sys.executable, "--no-types")
    assert code == 1
    assert "deliberately broken" in err  # the tests' own output
    assert "error: tests failed in" in err
    assert (tmp_path / "shop" / "pyproject.toml").is_file()


def test_new_keeps_the_project_when_its_checks_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastsqla_cli import check as checks

    def failing_checks(root: Path, python: str, **_: object) -> list[checks.StepResult]:
        return [checks.StepResult("tests", False, 0.1, "1 failed: test_something")]

    monkeypatch.setattr(checks, "run_checks", failing_checks)
    code, _, err = run("new", str(tmp_path / "shop"), "--python", sys.executable)
    assert code == 1
    assert "1 failed: test_something" in err
    assert f"the project is kept at {tmp_path / 'shop'}" in err
    assert (tmp_path / "shop" / "shop" / "main.py").is_file()


def test_an_interpreter_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("new", str(tmp_path / "shop"), "--python", "/no/such/python")
    assert code == 2
    assert "--python /no/such/python: no such interpreter" in err
    assert list(tmp_path.iterdir()) == []


def test_add_model_finds_the_project_from_a_subdirectory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("new", str(tmp_path / "shop"), "--no-check")[0] == 0
    monkeypatch.chdir(tmp_path / "shop" / "shop" / "models")
    code, _, err = run("add-model", "Post", "title:str", "--no-check")
    assert code == 0, err
    assert (tmp_path / "shop" / "shop" / "models" / "post.py").is_file()


def test_paths_with_markup_characters_are_printed_as_they_are(tmp_path: Path) -> None:
    parent = tmp_path / "work[dev]"
    code, out, err = run("new", str(parent / "shop"), "--no-check")
    assert code == 0, err
    assert "work[dev]" in out  # rich would swallow `[dev]` as markup


@pytest.mark.parametrize(
    ("invoked_as", "on_path", "expected"),
    [
        ("venv/bin/fastsqla", True, "fastsqla"),  # an activated virtualenv, or pipx
        ("venv/bin/fastsqla", False, "../venv/bin/fastsqla"),  # `.venv/bin/fastsqla new demo`
        ("venv/lib/fastsqla_cli/__main__.py", False, "../venv/bin/python -m fastsqla_cli"),
        ("my venv/bin/fastsqla", False, "'../my venv/bin/fastsqla'"),  # as a shell takes it
    ],
)
def test_the_next_command_hint_runs_the_same_fastsqla(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    invoked_as: str,
    on_path: bool,
    expected: str,
) -> None:
    from fastsqla_cli.outcomes import fastsqla_command

    for name in ("venv/bin/fastsqla", "venv/bin/python", "venv/lib/fastsqla_cli/__main__.py"):
        script = tmp_path / name
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text("")
        script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(tmp_path / invoked_as), "new", "demo"])
    monkeypatch.setattr(sys, "executable", str(tmp_path / "venv" / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "venv" / "bin") if on_path else str(tmp_path))
    assert fastsqla_command(tmp_path / "demo") == expected


@pytest.mark.parametrize(
    "command", [[], ["new"], ["add-model"], ["add-field"], ["remove-model"], ["check"]]
)
def test_help_reads_well_at_80_columns(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastsqla_cli", *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for metavar in ("<bool>", "<str>", "<path>", "{path}", "{name}", "<list", "<sqlite"):
        assert metavar not in result.stdout
    for line in lines:
        assert not re.search(r"[A-Za-z]-$", line), line  # a word split at a hyphen
    words = {"sqlite", "postgresql", "mysql"} if command == ["new"] else set()
    for word in words:
        assert word in result.stdout


@pytest.mark.parametrize(
    ("database", "step"),
    [
        ("sqlite", None),
        ("postgresql", "createdb -h localhost -U postgres shop  # or set DATABASE_URL in .env"),
        ("mysql", "mysql -h 127.0.0.1 -u root -e 'CREATE DATABASE shop'  # or set DATABASE_URL"),
    ],
)
def test_the_next_steps_say_how_to_make_the_database(
    tmp_path: Path, database: str, step: str | None
) -> None:
    code, out, err = run("new", str(tmp_path / "shop"), "--db", database, "--no-check")
    assert code == 0, err
    lines = out.split("Next:\n", 1)[1].splitlines()
    commands = [line.strip() for line in lines]
    uvicorn = next(i for i, c in enumerate(commands) if c.startswith(".venv/bin/uvicorn"))
    if step is None:
        assert not any("DATABASE" in c for c in commands)
    else:
        assert commands[uvicorn - 1].startswith(step)  # before the app starts
