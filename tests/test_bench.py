"""The benchmark (bench/run.py) runs, in its quick CLI mode, and prints its table."""

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def test_quick_cli_bench_prints_its_table(tmp_path: Path) -> None:
    # `new-check` and `suite` (venv + install + tests) are left out: they depend on uv's
    # cache and take several seconds; every other CLI figure runs for real, as subprocesses.
    raw = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--only",
            "cli",
            "--skip",
            "new-check,suite",
            "--runs",
            "2",
            "--json",
            str(raw),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=50,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "fastsqla bench (quick mode)" in out
    assert "cores" in out and "python: 3." in out and "date: " in out
    assert "A. CLI" in out
    assert "| command" in out and "median s [min-max]" in out
    for label in (
        "| fastsqla --help ",
        "| minimal typer app --help",
        "| fastsqla new X --no-check ",
        "| fastsqla add-model Post title:str body:text --no-check ",
        "| minimal typer app running its command (--name x) ",
    ):
        assert label in out, f"missing row {label!r} in:\n{out}"
    assert "x target 0.5 s, " in out and "x target 0.4 s, " in out
    assert out.count("x floor") == 2  # new and add-model, against the typer command floor
    assert "B. App" not in out  # --only cli
    figures = json.loads(raw.read_text())["cli"]
    assert set(figures) == {"help", "help-baseline", "new", "add-model", "typer-command"}
    for key, figure in figures.items():
        assert figure["error"] == "", key
        assert len(figure["values"]) == 2 and all(v > 0 for v in figure["values"]), key
