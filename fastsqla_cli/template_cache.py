"""Compiled templates kept between runs, so a template is compiled once, not every run.

Compiling the model templates (which `add-model`, and `new` for its starter model, render)
costs more than rendering them. Jinja stores each compiled template with a checksum of its
source, its own bytecode format version and the Python version, and compiles again when one
of them differs, so an edited template or a new fastsqla never runs stale code. The cache is
an optimisation only: when its directory cannot be read or written, templates are compiled
as if it did not exist.

Where: ``$FASTSQLA_CACHE_DIR``, else ``$XDG_CACHE_HOME/fastsqla``, else
``~/.cache/fastsqla``; ``FASTSQLA_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

OFF = "off"


def cache_dir() -> Path | None:
    chosen = os.environ.get("FASTSQLA_CACHE_DIR")
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen) / "jinja"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "fastsqla" / "jinja"


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, except that a file it cannot read or write is a cache miss."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()  # unreadable or damaged: compile from source

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # read-only home, full disk: compile next time
            super().dump_bytecode(bucket)


def bytecode_cache(directory: Path | None) -> jinja2.BytecodeCache | None:
    """A cache in ``directory`` (made if missing); None when it is off or cannot be made."""
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietBytecodeCache(str(directory), pattern="%s.jinja-cache")
