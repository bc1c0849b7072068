"""Shared fixtures of our own suite."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fastsqla_cli import filetx

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("FASTSQLA_UPDATE_GOLDEN") == "1"


def tree_snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` with its bytes (None for a directory), but Python's own
    `__pycache__`, which any run of the project's code writes (unless
    PYTHONDONTWRITEBYTECODE is set) and which is nobody's work."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes() if path.is_file() else None)
        for path in sorted(root.rglob("*"))
        if "__pycache__" not in path.relative_to(root).parts
    }


@pytest.fixture(autouse=True)
def _shared_mypy_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every project the suite type-checks is checked by the same interpreter: mypy reads
    # FastAPI, SQLAlchemy and Pydantic once per worker (its base directory is the worker's
    # own) instead of once per project, 9 s a check, and checks each project's own modules
    # anew, since their sources differ.
    cache = tmp_path_factory.getbasetemp() / "mypy-cache"
    monkeypatch.setenv("MYPY_CACHE_DIR", str(cache))


@pytest.fixture(autouse=True)
def _stable_console(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rich wraps and colours by terminal; pin both so assertions on text are stable.
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _own_template_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # The suite and the commands it runs compile templates into a cache of its own,
    # never into the user's ~/.cache.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FASTSQLA_CACHE_DIR", str(tmp_path_factory.mktemp("template-cache")))
        yield


def break_install(monkeypatch: pytest.MonkeyPatch, on_call: int, error: BaseException) -> list[int]:
    """Make the ``on_call``-th file install of `filetx` raise ``error``; count the calls."""
    real_install = filetx._install
    calls: list[int] = []

    def flaky_install(temporary: Path, target: Path) -> None:
        calls.append(1)
        if len(calls) == on_call:
            raise error
        real_install(temporary, target)

    monkeypatch.setattr(filetx, "_install", flaky_install)
    return calls


@pytest.fixture
def fixed_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    """Revisions written with one identifier and date, so that two renders compare equal."""
    from datetime import datetime

    from fastsqla_cli import add_model
    from fastsqla_cli.revisions import Revision

    monkeypatch.setattr(
        add_model,
        "new_revision",
        lambda down: Revision("0123456789ab", down, datetime(2026, 1, 2, 3, 4, 5)),
    )


# The modules that take longest, longest first: pytest-xdist hands the workers whole files
# in collection order, so the two finish together instead of one running these alone.
SLOWEST_FIRST = (
    "test_migrations.py",
    "test_fuzz.py",
    "test_e2e.py",
    "test_name_corpus.py",
    "test_hostile_names.py",
    "test_vocabulary.py",
    "test_update.py",
    "test_interrupts.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: a module's tests keep their order
