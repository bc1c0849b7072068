"""Compile a project's dependencies to bytecode, most needed first.

``fastsqla check`` runs this file, with the project's interpreter and in the project's
folder, beside the first test run in a new ``.venv``. Without it, that run compiles every
module it imports, one by one, on one core: in a new project that is more than half of its
time. This process compiles the same files on another core, in the order of the project's
requirements (its own, then theirs), and writes the ``.pyc`` files Python would write.

The interpreter that runs it has no fastsqla: it reads requirements with `packaging`,
which the project's test tools install, and compiles nothing where that is missing.
"""

from __future__ import annotations

import py_compile
import tomllib
from collections.abc import Iterator
from contextlib import suppress
from importlib import metadata
from pathlib import Path

TIMESTAMP = py_compile.PycInvalidationMode.TIMESTAMP  # what `import` writes


def runtime_distributions(name: str) -> Iterator[metadata.Distribution]:
    """``name`` and what it needs to run here (no extras; markers for this interpreter and
    platform), breadth first, each once."""
    try:
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
    except ImportError:  # a speed-up only: without it, Python compiles as it imports
        return
    seen: set[str] = set()
    queue = [name]
    while queue:
        wanted = queue.pop(0)
        if canonicalize_name(wanted) in seen:
            continue
        seen.add(canonicalize_name(wanted))
        try:
            distribution = metadata.distribution(wanted)
        except metadata.PackageNotFoundError:
            continue
        yield distribution
        for text in distribution.requires or ():
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or marker.evaluate({"extra": ""}):
                queue.append(requirement.name)


def main() -> None:
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    for distribution in runtime_distributions(project["project"]["name"]):
        for file in distribution.files or ():
            if file.suffix == ".py":
                with suppress(OSError):  # a file the package lists but does not ship
                    py_compile.compile(str(file.locate()), quiet=2, invalidation_mode=TIMESTAMP)


if __name__ == "__main__":
    main()
