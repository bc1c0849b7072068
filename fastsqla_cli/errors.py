"""The exceptions fastsqla raises: each message tells the user what to do next.

Everything derives from :class:`FastsqlaError`. The command line prints the message
as one line on stderr and exits with :attr:`FastsqlaError.exit_code`.
"""

from __future__ import annotations


class FastsqlaError(Exception):
    """Root of every error fastsqla reports to the user."""

    exit_code = 1


class UsageError(FastsqlaError, ValueError):
    """The command line was given something invalid; nothing was written."""

    exit_code = 2


class ProjectNameError(UsageError):
    """The project name cannot become a Python package."""


class ModelNameError(UsageError):
    """The model name is invalid or clashes with something that exists."""


class FieldSpecError(UsageError):
    """A ``name:type[:modifier...]`` field spec could not be parsed."""


class DestinationError(UsageError):
    """The destination of a new project is not usable (exists and is not empty)."""


class NotAProjectError(FastsqlaError):
    """The directory is not a project made by ``fastsqla new``."""


class ProjectFileError(NotAProjectError):
    """A file fastsqla reads to know the project (its answers file) is broken."""


class BusyError(FastsqlaError):
    """Another fastsqla command kept the project busy for longer than we wait."""


class WriteError(FastsqlaError, OSError):
    """A file or directory could not be written; nothing fastsqla wrote is left."""

    @classmethod
    def from_os_error(cls, error: OSError, fix: str = "") -> WriteError:
        where = error.filename if error.filename is not None else "a file"
        reason = (error.strerror or type(error).__name__).lower()
        return cls(f"cannot write {where}: {reason}" + (f": {fix}" if fix else ""))


class ChangedFilesError(FastsqlaError):
    """Files fastsqla would delete differ from what it wrote; ``--force`` deletes them."""


class RegistrationError(FastsqlaError):
    """A file of a model that a command edits is missing, or cannot take the edit with
    certainty; nothing was changed."""


class CheckFailed(FastsqlaError):
    """A generated project's checks (tests, ruff, mypy) failed; ``report`` has their output."""

    def __init__(self, message: str, report: object = None) -> None:
        super().__init__(message)
        self.report = report


class ToolError(FastsqlaError):
    """A tool fastsqla runs (uv, pip, venv) failed before the checks could start."""
