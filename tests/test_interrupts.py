"""Interruptions, failed checks and commands run at the same time never leave a project
half-changed: real processes, real signals."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastsqla_cli.cli import app
from fastsqla_cli.new import create_project
from tests.conftest import tree_snapshot

runner = CliRunner()
FASTSQLA = [sys.executable, "-m", "fastsqla_cli"]


def test_add_model_takes_itself_back_out_when_its_checks_fail(tmp_path: Path) -> None:
    create_project(tmp_path / "shop")
    before = tree_snapshot(tmp_path)
    # A model whose generated tests cannot pass: the starter's factory is made to fail.
    factory = tmp_path / "shop" / "tests" / "factories" / "user.py"
    factory.write_text(factory.read_text().replace('f"name-{n}"', "None"))
    before = tree_snapshot(tmp_path)
    result = runner.invoke(
        app,
        [
            *("add-model", "Post", "title:str", "author:ref:User"),
            *("--project", str(tmp_path / "shop"), "--python", sys.executable, "--no-types"),
        ],
    )
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: tests failed in")
    assert "Post was not added, the project is as it was" in last
    assert tree_snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["new", "add-model"])
def test_ctrl_c_during_the_checks_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    from fastsqla_cli import check

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if command == "new":
        args = ["new", str(tmp_path / "parent" / "shop"), "--python", sys.executable]
    else:
        create_project(tmp_path / "shop")
        args = ["add-model", "Post", "title:str", "--project", str(tmp_path / "shop")]
        args += ["--python", sys.executable]
    before = tree_snapshot(tmp_path)
    monkeypatch.setattr(check, "run_checks", interrupted)
    result = runner.invoke(app, args)
    assert result.exit_code == 130
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: interrupted")
    assert tree_snapshot(tmp_path) == before  # for `new`: no project, no created parent


@pytest.mark.e2e
@pytest.mark.parametrize("after", [0.0, 0.3, 0.8, 1.5, 3.0])
def test_ctrl_c_at_any_moment_of_new_leaves_nothing(tmp_path: Path, after: float) -> None:
    """Ctrl-C as a terminal sends it (to the whole process group), while Python starts,
    imports, renders, makes the .venv or installs; then the same command runs at once."""
    process = subprocess.Popen(
        [*FASTSQLA, "new", "demo"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip(f"`new` finished within {after} s, before the signal")
    assert list(tmp_path.iterdir()) == []
    frames = [line for line in err.splitlines() if line.lstrip().startswith('File "')]
    if "Fatal Python error: init_import_site" in err or (
        frames and not any("/fastsqla_cli/" in line for line in frames)
    ):
        # The signal came while the interpreter started or the console script imported
        # the standard library (the first 25 ms or so), before any of fastsqla's code
        # ran: what is printed then is Python's own, as for any console script.
        return
    assert "Traceback" not in out + err
    assert process.returncode in (130, -signal.SIGINT), err
    assert len(err.strip().splitlines()) <= 1, err
    assert list(tmp_path.iterdir()) == []


def make_project(root: Path) -> Path:
    return create_project(root / "shop").root


@pytest.mark.e2e
def test_two_add_models_at_once_both_land_50_times(tmp_path: Path) -> None:
    """Two `add-model` in one project at the same moment: the second waits for the first,
    and both models are there, one revision after the other, and served, every time."""
    template = make_project(tmp_path / "template")
    for attempt in range(50):
        project = Path(shutil.copytree(template, tmp_path / f"run{attempt}" / "shop"))
        processes = [
            subprocess.Popen(
                [*FASTSQLA, "add-model", model, "title:str", "--no-check"],
                cwd=project,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for model in ("Post", "Tag")
        ]
        outputs = [p.communicate(timeout=60) for p in processes]
        results = [(p.returncode, err) for p, (_, err) in zip(processes, outputs, strict=True)]
        assert [code for code, _ in results] == [0, 0], (attempt, results)
        for module in ("post", "tag"):
            for folder in ("models", "schemas", "routers"):
                assert (project / "shop" / folder / f"{module}.py").is_file(), (attempt, module)
        # The second revision follows the first: one line of migrations, not two heads.
        versions = project / "shop" / "migrations" / "versions"
        downs = sorted(
            re.search(r"^down_revision[^=]*= (.+)$", path.read_text(), re.M).group(1)  # type: ignore[union-attr]
            for path in versions.glob("*.py")
        )
        assert len(downs) == len(set(downs)) == 3, (attempt, downs)  # users, then the two
        if attempt in (0, 49):
            served = subprocess.run(
                [sys.executable, "-c", "import shop.main as m; print(*m.app.openapi()['paths'])"],
                cwd=project,
                capture_output=True,
                text=True,
            )
            assert served.returncode == 0, served.stderr
            assert {"/posts", "/tags"} <= set(served.stdout.split())
        shutil.rmtree(project.parent)


def test_a_second_command_waits_for_the_first(tmp_path: Path) -> None:
    """While one process holds the project, another `add-model` says it waits, then lands."""
    project = make_project(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from fastsqla_cli.project import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(1.5)",
            str(project),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    started = time.monotonic()
    result = subprocess.run(
        [*FASTSQLA, "add-model", "Post", "title:str", "--no-check"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    waited = time.monotonic() - started
    holder.communicate(timeout=10)
    assert result.returncode == 0, result.stderr
    assert "Waiting for another fastsqla command in this project" in result.stdout
    assert waited >= 0.5
    assert (project / "shop" / "routers" / "post.py").is_file()


def test_the_wait_is_bounded(tmp_path: Path) -> None:
    from fastsqla_cli.errors import BusyError
    from fastsqla_cli.project import locked

    project = make_project(tmp_path)
    # The same process opens the directory again: a second lock, as another process takes.
    with locked(project), pytest.raises(BusyError, match=r"busy for 0\.2 s"):  # noqa: SIM117
        with locked(project, timeout=0.2):
            pass


@pytest.mark.e2e
def test_a_failed_install_keeps_the_project_and_check_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastsqla_cli import check, environment

    real_run = check.run_step

    def offline(name: str, command: list[str], cwd: Path, env: object = None) -> object:
        if name == "install":
            return check.StepResult(name, False, 0.1, "error: failed to fetch: network down")
        return real_run(name, command, cwd)

    with monkeypatch.context() as patch:
        for module in (check, environment):
            patch.setattr(module, "run_step", offline)
        result = runner.invoke(app, ["new", str(tmp_path / "shop")])
    assert result.exit_code == 1
    assert result.stderr == (
        "error: install failed: error: failed to fetch: network down; the project is kept at "
        f"{tmp_path / 'shop'}: `fastsqla check {tmp_path / 'shop'}` checks it again\n"
    )
    assert (tmp_path / "shop" / ".venv").is_dir()  # made, but nothing installed in it

    result = runner.invoke(app, ["check", str(tmp_path / "shop"), "--no-types"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Install the project and its dev dependencies" in result.stdout
    assert "All checks passed (install, tests, ruff)" in result.stdout


SWALLOWED_CTRL_C = """\
import os, signal, sys
from pathlib import Path
from fastsqla_cli import interrupts
from fastsqla_cli.filetx import Change, apply

class CalledBackFromC:  # Python ignores an exception raised in __del__, as in a C callback
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))  # the handler runs between two instructions, here

interrupts.install()
CalledBackFromC()
print("carried on", flush=True)
try:
    apply(Change(creates={Path(sys.argv[1]): "written"}))
except KeyboardInterrupt:
    print("interrupted before writing")
"""


def test_a_ctrl_c_that_python_swallowed_still_stops_the_command_before_it_writes(
    tmp_path: Path,
) -> None:
    """The handler `fastsqla` installs remembers Ctrl-C: pressed while Python ignores the
    exception it raises (there, "Exception ignored"), the next write is refused all the
    same, and nothing is written."""
    target = tmp_path / "file.txt"
    done = subprocess.run(
        [sys.executable, "-c", SWALLOWED_CTRL_C, str(target)], capture_output=True, text=True
    )
    assert "Exception ignored" in done.stderr and "KeyboardInterrupt" in done.stderr
    assert done.stdout.splitlines() == ["carried on", "interrupted before writing"]
    assert not target.exists()
