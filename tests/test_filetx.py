"""All-or-nothing writes: a failure at any point leaves the tree byte-for-byte unchanged."""

from pathlib import Path

import pytest

from fastsqla_cli import filetx
from fastsqla_cli.errors import FastsqlaError
from tests.conftest import break_install, tree_snapshot

snapshot = tree_snapshot


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "main.py").write_text("old main\n")
    (tmp_path / "pkg" / "models.py").write_text("old models\n")
    return tmp_path


def change(tree: Path) -> filetx.Change:
    return filetx.Change(
        creates={
            tree / "pkg" / "a.py": "a\n",
            tree / "pkg" / "new" / "deep" / "b.py": "b\n",
            tree / "c.py": "c\n",
        },
        edits={
            tree / "pkg" / "main.py": ("old main\n", "new main\n"),
            tree / "pkg" / "models.py": ("old models\n", "new models\n"),
        },
    )


def test_apply_writes_everything(tree: Path) -> None:
    filetx.apply(change(tree))
    assert (tree / "pkg" / "new" / "deep" / "b.py").read_text() == "b\n"
    assert (tree / "pkg" / "main.py").read_text() == "new main\n"
    assert not list(tree.rglob("*.fastsqla-tmp"))


@pytest.mark.parametrize("failing_call", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_at_any_install_rolls_everything_back(
    tree: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int, error: BaseException
) -> None:
    before = snapshot(tree)
    break_install(monkeypatch, failing_call, error)
    with pytest.raises(type(error)):
        filetx.apply(change(tree))
    assert snapshot(tree) == before


def test_refuses_to_overwrite_an_existing_file(tree: Path) -> None:
    (tree / "c.py").write_text("mine\n")
    before = snapshot(tree)
    with pytest.raises(FastsqlaError, match="already exists"):
        filetx.apply(change(tree))
    assert snapshot(tree) == before


def test_refuses_an_edit_whose_file_changed_meanwhile(tree: Path) -> None:
    (tree / "pkg" / "main.py").write_text("edited by the user\n")
    before = snapshot(tree)
    with pytest.raises(FastsqlaError, match="changed while fastsqla ran"):
        filetx.apply(change(tree))
    assert snapshot(tree) == before


def test_edited_files_keep_their_permissions(tree: Path) -> None:
    (tree / "pkg" / "main.py").chmod(0o600)
    filetx.apply(change(tree))
    assert (tree / "pkg" / "main.py").stat().st_mode & 0o777 == 0o600
