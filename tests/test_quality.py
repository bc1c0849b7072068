"""Our own code meets the bar we set for the code we generate."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent
SOURCES = [name for name in ("fastsqla_cli", "tests", "bench") if (REPO / name).is_dir()]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *SOURCES], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
