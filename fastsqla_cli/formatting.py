"""Lay out generated Python the way the project's own ruff configuration wants it.

The templates already render formatted code for ordinary names; this settles the rest
(a very long model name, say). It reads the project's configuration, so the user's line
length wins. Without a working ruff the text is returned unchanged: the check reports it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def find_ruff() -> str | None:
    """The ruff binary installed beside fastsqla (a dependency), else one on PATH."""
    import shutil
    import sys
    import sysconfig

    name = "ruff.exe" if sys.platform == "win32" else "ruff"
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.is_file() else shutil.which("ruff")


def format_python(root: Path, files: Mapping[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """``files`` (paths relative to ``root``) after `ruff format`, as if they were in place."""
    ruff = find_ruff()
    formatted = dict(files)
    if ruff is None:
        return formatted
    for path, text in files.items():
        if path.suffix != ".py":
            continue
        try:
            result = subprocess.run(
                [ruff, "format", "--quiet", "--no-cache", "--stdin-filename", str(path), "-"],
                input=text,
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError:
            return dict(files)
        if result.returncode == 0:
            formatted[path] = result.stdout
    return formatted
