"""Ctrl-C, however late it is seen.

Python raises `KeyboardInterrupt` wherever the signal finds the program. Where that is a
function that C code called back (a pydantic validator being built while copier imports,
say), Python prints "Exception ignored" and the command carries on as if no key had been
pressed. The console script's handler therefore also remembers the interrupt, and
`checkpoint()` raises it again: before the first write, and once the checks have run.
"""

import signal
from types import FrameType

_requested = False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


def install() -> None:
    """Remember every Ctrl-C from now on (the console script calls it first thing)."""
    global _requested
    _requested = False
    signal.signal(signal.SIGINT, _interrupt)


def checkpoint() -> None:
    """Raise `KeyboardInterrupt` if Ctrl-C was pressed, even if it was swallowed."""
    if _requested:
        raise KeyboardInterrupt
