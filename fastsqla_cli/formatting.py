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


LINE_LENGTH = 100  # the generated project's ruff line length


def format_python(root: Path, files: Mapping[PurePosixPath, str]) -> dict[PurePosixPath, str]:
    """``files`` (paths relative to ``root``) after `ruff format`, as if they were in place.

    A file whose lines all fit is already formatted by its template and is left alone,
    which spares a ruff process per file on the common path.
    """
    formatted = dict(files)
    long = [
        path
        for path, text in files.items()
        if path.suffix == ".py" and any(len(line) > LINE_LENGTH for line in text.splitlines())
    ]
    ruff = find_ruff() if long else None
    if ruff is None:
        return formatted
    for path in long:
        text = files[path]
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
