"""Write a set of new files and edits all or nothing.

Every new content is first written to a temporary file beside its target; only then are
they renamed into place. Any failure, Ctrl-C included, puts back every file as it was and
removes what was created, so the tree is byte-for-byte unchanged.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fastsqla_cli import interrupts
from fastsqla_cli.errors import FastsqlaError, WriteError


@dataclass(frozen=True)
class Change:
    """Files to create (they must not exist), files to edit (from old to new text) and files
    to delete (with the text they must still have)."""

    creates: Mapping[Path, str] = field(default_factory=dict)
    edits: Mapping[Path, tuple[str, str]] = field(default_factory=dict)
    deletes: Mapping[Path, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Whether there is anything to write."""
        return bool(self.creates or self.edits or self.deletes)


def _write_temporary(target: Path, content: str) -> Path:
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".fastsqla-tmp", dir=target.parent
    )
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
    if target.exists():
        os.chmod(name, target.stat().st_mode & 0o7777)
    else:
        os.chmod(name, 0o644)
    return Path(name)


def _install(temporary: Path, target: Path) -> None:
    os.replace(temporary, target)


def check_writable(change: Change) -> None:
    """Refuse, before anything is written, a change whose files or folders are read-only."""
    for path in [*change.creates, *change.edits, *change.deletes]:
        folder = next(p for p in [path.parent, *path.parent.parents] if p.exists())
        if not os.access(folder, os.W_OK | os.X_OK):
            raise WriteError(f"cannot write in {folder}: permission denied (nothing was written)")
        if path in change.edits and not os.access(path, os.W_OK):
            raise WriteError(f"cannot write {path}: permission denied (nothing was written)")


def apply(change: Change) -> None:
    """Apply ``change`` atomically as a whole; raise and leave everything as it was.

    An :class:`OSError` (a read-only folder, a full disk) becomes a one-line
    :class:`WriteError` once everything is put back."""
    interrupts.checkpoint()
    for path in change.creates:
        if path.exists():
            raise FastsqlaError(f"{path} already exists: nothing was written")
    for path, old in [*((p, old) for p, (old, _) in change.edits.items()), *change.deletes.items()]:
        if not path.is_file() or path.read_text(encoding="utf-8") != old:
            raise FastsqlaError(f"{path} changed while fastsqla ran: nothing was written")

    created_dirs: list[Path] = []
    temporaries: dict[Path, Path] = {}
    installed: list[Path] = []
    set_aside: dict[Path, Path] = {}  # deleted file -> where it waits until the end
    try:
        for path in [*change.creates, *change.edits]:
            missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
            for directory in reversed(missing):
                directory.mkdir()
                created_dirs.append(directory)
        for path, content in change.creates.items():
            temporaries[path] = _write_temporary(path, content)
        for path, (_old, new) in change.edits.items():
            temporaries[path] = _write_temporary(path, new)
        for path, temporary in temporaries.items():
            _install(temporary, path)
            installed.append(path)
        for path in change.deletes:
            aside = path.with_name(f".{path.name}.fastsqla-deleted")
            os.replace(path, aside)
            set_aside[path] = aside
    except BaseException as error:
        for path, aside in set_aside.items():
            os.replace(aside, path)
        _roll_back(change, installed, temporaries, created_dirs)
        if isinstance(error, OSError) and not isinstance(error, FastsqlaError):
            raise WriteError.from_os_error(error, "nothing was written") from None
        raise
    for aside in set_aside.values():
        aside.unlink()
    _remove_emptied({path.parent for path in change.deletes})


def _remove_emptied(directories: set[Path]) -> None:
    """Remove each directory the deletes left empty, and each parent that leaves empty."""
    for directory in sorted(directories, key=lambda path: len(path.parts), reverse=True):
        while directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
            directory = directory.parent


def revert(change: Change) -> None:
    """Undo an applied ``change``: remove what it created and put back what it edited,
    except a file changed since, which is left as it is."""
    for path, content in change.creates.items():
        if _text(path) == content:
            path.unlink()
    for path, (old, new) in change.edits.items():
        if _text(path) == new:
            _install(_write_temporary(path, old), path)
    for path, old in change.deletes.items():
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _install(_write_temporary(path, old), path)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _roll_back(
    change: Change, installed: list[Path], temporaries: dict[Path, Path], created_dirs: list[Path]
) -> None:
    for path in installed:
        if path in change.edits:
            old = change.edits[path][0]
            _install(_write_temporary(path, old), path)
        else:
            path.unlink(missing_ok=True)
    for path, temporary in temporaries.items():
        if path not in installed:
            temporary.unlink(missing_ok=True)
    for directory in reversed(created_dirs):
        directory.rmdir()
