"""Generated files are laid out by ruff only when a line is too long for the template."""

import ast
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from fastsqla_cli.formatting import format_python

SHORT = "def f(a: int) -> int:\n    return a\n"
LONG = "x = call(" + ", ".join(f"argument_number_{i}" for i in range(8)) + ")\n"


def test_short_files_are_left_alone_without_running_ruff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_ruff(*args: object, **kwargs: object) -> None:
        raise AssertionError("ruff should not run")

    monkeypatch.setattr(subprocess, "run", no_ruff)
    files = {PurePosixPath("a.py"): SHORT, PurePosixPath("notes.md"): LONG}
    assert format_python(tmp_path, files) == files


def test_a_long_line_is_wrapped_the_way_ruff_does(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    formatted = format_python(tmp_path, {PurePosixPath("a.py"): LONG})[PurePosixPath("a.py")]
    assert formatted != LONG
    assert max(len(line) for line in formatted.splitlines()) <= 100
    assert ast.dump(ast.parse(formatted)) == ast.dump(ast.parse(LONG))  # same code
