"""`remove_model` on a rendered project: what it deletes, edits and writes, and that adding
then removing a model gives the project back as it was, but for the two revisions."""

from pathlib import Path

import pytest

from fastsqla_cli.add_model import add_model
from fastsqla_cli.new import create_project
from fastsqla_cli.remove_model import remove_model
from tests.conftest import tree_snapshot

VERSIONS = "shop/migrations/versions/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return create_project(tmp_path / "shop").root


@pytest.mark.parametrize(
    "specs",
    [
        ["title:str"],
        ["title:str:max=200:unique:index", "body:text:optional", "author:ref:User"],
        ["name:str", "parent:ref:Post:optional", "extra:json:optional", "at:datetime"],
    ],
)
def test_add_then_remove_gives_the_project_back_but_for_two_revisions(
    project: Path, specs: list[str]
) -> None:
    before = tree_snapshot(project)
    add_model(project, "Post", specs)
    removed = remove_model(project, "Post")
    assert removed.written and removed.plan.changed == ()
    after = tree_snapshot(project)
    added = sorted(set(after) - set(before))
    assert sorted(path.rsplit("_", 2)[-2] for path in added) == ["create", "drop"]
    assert all(path.startswith(VERSIONS) for path in added)
    assert {path: after[path] for path in before} == before


def test_the_revision_drops_the_table_and_its_downgrade_creates_it(project: Path) -> None:
    add_model(project, "Post", ["title:str:unique", "author:ref:User"])
    created = next(project.glob(VERSIONS + "*_create_posts.py")).read_text()
    plan = remove_model(project, "post").plan  # found by any spelling of its name
    (revision,) = plan.created()
    text = revision.read_text()
    upgrade, _, downgrade = text.partition("def downgrade() -> None:")
    assert 'op.drop_table("posts")' in upgrade
    head = created.split("revision: str = ")[1].split('"')[1]
    assert f'down_revision: str | Sequence[str] | None = "{head}"' in text
    create_body = created.split("def upgrade() -> None:")[1].split("def downgrade")[0].strip()
    assert create_body in downgrade  # the same table, constraints and indexes come back


def test_dry_run_writes_nothing_and_names_the_files(project: Path) -> None:
    add_model(project, "Post", ["title:str"])
    before = tree_snapshot(project)
    removed = remove_model(project, "Post", dry_run=True)
    assert not removed.written
    assert tree_snapshot(project) == before
    deleted = sorted(p.relative_to(project).as_posix() for p in removed.plan.change.deletes)
    assert deleted == [
        "shop/models/post.py",
        "shop/routers/post.py",
        "shop/schemas/post.py",
        "tests/factories/post.py",
        "tests/test_post.py",
    ]


def test_force_deletes_changed_files_and_says_which(project: Path) -> None:
    add_model(project, "Post", ["title:str"])
    tests = project / "tests" / "test_post.py"
    tests.write_text(tests.read_text() + "\n\ndef test_mine() -> None:\n    pass\n")
    removed = remove_model(project, "Post", force=True)
    assert removed.plan.changed == (tests,)
    assert not tests.exists()


def test_a_crash_while_removing_puts_everything_back(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from fastsqla_cli import filetx

    add_model(project, "Post", ["title:str"])
    before = tree_snapshot(project)
    real_replace, calls = os.replace, []

    def flaky_replace(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == 3:  # the revision is in place, one file is set aside
            raise KeyboardInterrupt
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(filetx.os, "replace", flaky_replace)
    with pytest.raises(KeyboardInterrupt):
        remove_model(project, "Post")
    assert tree_snapshot(project) == before
