"""Compile a project's dependencies to bytecode, most needed first.

``fastsqla check`` runs this file, with the project's interpreter and in the project's
folder, beside the first test run in a new ``.venv``. Without it, that run compiles every
module it imports, one by one, on one core: in a new project that is more than half of its
time. This process compiles the same files on another core, in the order of the project's
requirements (its own, then theirs), and writes the ``.pyc`` files Python would write.

It uses the standard library only: the interpreter that runs it has no fastsqla.
"""

from __future__ import annotations

import py_compile
import re
import tomllib
from collections.abc import Iterator
from contextlib import suppress
from importlib import metadata
from pathlib import Path

TIMESTAMP = py_compile.PycInvalidationMode.TIMESTAMP  # what `import` writes
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def runtime_distributions(name: str) -> Iterator[metadata.Distribution]:
    """``name`` and what it needs to run (no extras), breadth first, each once."""
    seen: set[str] = set()
    queue = [name]
    while queue:
        wanted = queue.pop(0)
        key = re.sub(r"[-_.]+", "-", wanted).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(wanted)
        except metadata.PackageNotFoundError:  # not for this platform or Python
            continue
        yield distribution
        for requirement in distribution.requires or ():
            spec, _, marker = requirement.partition(";")
            found = _NAME.match(spec)
            if found and "extra" not in marker:
                queue.append(found.group(1))


def main() -> None:
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    for distribution in runtime_distributions(project["project"]["name"]):
        for file in distribution.files or ():
            if file.suffix == ".py":
                with suppress(OSError):  # a file the package lists but does not ship
                    py_compile.compile(str(file.locate()), quiet=2, invalidation_mode=TIMESTAMP)


if __name__ == "__main__":
    main()
