"""ruff has the last word on the layout of what fastsqla renders.

Templates write correct code without caring for line length or import order; the files
then go through ruff with the target project's own configuration, as if they were in place:
imports sorted (isort), then formatted. A project whose `line-length` is 88 gets 88.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from fastsqla_cli.errors import ToolError, UsageError


def find_ruff() -> str | None:
    """The ruff binary installed beside fastsqla (a dependency), else one on PATH."""
    import shutil
    import sys
    import sysconfig

    name = "ruff.exe" if sys.platform == "win32" else "ruff"
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.is_file() else shutil.which("ruff")


def format_python(
    root: Path,
    files: Mapping[PurePosixPath, str],
    first_party: Iterable[str] = (),
    *,
    refuse_long_lines: bool = False,
) -> dict[PurePosixPath, str]:
    """``files`` (paths relative to ``root``) with their imports sorted and their code
    formatted by ruff with the project's configuration (line length, isort settings), the
    one ruff would use for a file in ``root``. Nothing is written to the project.

    ``first_party`` names the project's own top-level modules: ruff recognises a module as
    first-party by finding its file, and the new files are not written yet.

    The files are laid out in a scratch directory, two ruff runs for all of them; a
    ruff configuration in a subdirectory of the project is not consulted.
    Raises :class:`ToolError` when ruff cannot run or refuses a file; with
    ``refuse_long_lines``, :class:`UsageError` when a line is still longer than the
    project's line length once formatted (names too long to wrap).
    """
    ruff = find_ruff()
    if ruff is None:
        raise ToolError("ruff is not installed beside fastsqla: reinstall fastsqla-cli")
    python = [path for path in files if path.suffix == ".py"]
    if not python:
        return dict(files)
    options = ["--no-cache"]
    config = ruff_config(root)
    if config is not None:
        options += ["--config", str(config)]
    first_party_option = f"lint.isort.known-first-party = {sorted(first_party)!r}"
    with tempfile.TemporaryDirectory(prefix="fastsqla-ruff-") as scratch:
        targets = [Path(scratch, path) for path in python]
        for target, path in zip(targets, python, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        sort = ["check", "--fix-only", "--select", "I", "--exit-zero"]
        for command in ([*sort, "--config", first_party_option], ["format"]):
            _ruff(ruff, [*command, *options, *map(str, targets)], root, scratch)
        if refuse_long_lines:
            # The project's own rules: a project that does not check E501 is not refused.
            report = ["check", "--output-format", "json", "--exit-zero"]
            found = json.loads(_ruff(ruff, [*report, *options, *map(str, targets)], root, scratch))
            too_long = next((d for d in found if d["code"] == "E501"), None)
            if too_long is not None:  # "Line too long (106 > 100)"
                width, limit = re.findall(r"\d+", too_long["message"])[-2:]
                raise UsageError(
                    f"these names are too long for the project's line length ({limit}): "
                    f"{Path(too_long['filename']).relative_to(scratch)} would have a line of "
                    f"{width} characters (line {too_long['location']['row']}): choose shorter names"
                )
        laid_out = {
            path: target.read_text(encoding="utf-8")
            for path, target in zip(python, targets, strict=True)
        }
    return {**files, **laid_out}


def ruff_config(root: Path) -> Path | None:
    """The configuration file ruff uses for the files in ``root``: the nearest
    ``.ruff.toml``, ``ruff.toml`` or ``pyproject.toml`` with a ``[tool.ruff]`` table."""
    for directory in [root, *root.parents]:
        for name in (".ruff.toml", "ruff.toml", "pyproject.toml"):
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or "[tool.ruff" in candidate.read_text(encoding="utf-8"):
                return candidate
    return None


def _ruff(ruff: str, arguments: list[str], root: Path, scratch: str) -> str:
    try:
        result = subprocess.run(
            [ruff, *arguments], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ToolError(f"cannot run {ruff}: {error.strerror}") from None
    if result.returncode != 0:
        detail = next(
            (line for line in result.stderr.splitlines() if line.startswith("error:")),
            f"exit code {result.returncode}",
        )
        detail = detail.removeprefix("error: ").replace(scratch + "/", "")
        raise ToolError(f"ruff {arguments[0]} refused the rendered code: {detail}")
    return result.stdout
