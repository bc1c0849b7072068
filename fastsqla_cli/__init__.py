"""fastsqla: generate and grow FastAPI + async SQLAlchemy services that test themselves.

The public API is small; the command line is a thin layer over it::

    from fastsqla_cli import add_model, check_project, create_project, remove_model
"""

# As `typing.TYPE_CHECKING`, without importing `typing` before `__main__` handles Ctrl-C.
TYPE_CHECKING = False

__version__ = "0.2.0"

__all__ = ["__version__", "add_model", "check_project", "create_project", "remove_model"]

if TYPE_CHECKING:
    from typing import Any

    from fastsqla_cli.add_model import add_model
    from fastsqla_cli.check import check_project
    from fastsqla_cli.new import create_project
    from fastsqla_cli.remove_model import remove_model

_LAZY = {
    "add_model": "fastsqla_cli.add_model",
    "check_project": "fastsqla_cli.check",
    "create_project": "fastsqla_cli.new",
    "remove_model": "fastsqla_cli.remove_model",
}


def __getattr__(name: str) -> "Any":
    # Imported on first use, so that `fastsqla --help` stays fast.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
