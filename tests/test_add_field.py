"""`add_field` on a rendered project: the fields reach every file of the model, the user's
own edits stay, the docstring records the command, and remove-model still works after."""

import re
from pathlib import Path

import pytest

from fastsqla_cli.add_field import add_field
from fastsqla_cli.add_model import add_model
from fastsqla_cli.errors import FieldSpecError
from fastsqla_cli.new import create_project
from fastsqla_cli.record import read_record
from fastsqla_cli.remove_model import remove_model
from tests.conftest import tree_snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = create_project(tmp_path / "shop").root
    add_model(root, "Post", ["title:str", "author:ref:User"])
    return root


def test_the_fields_reach_every_file_and_the_record(project: Path) -> None:
    added = add_field(project, "Post", ["subtitle:str:optional:max=80", "editor:ref:User:optional"])
    assert added.written
    edited = {p.relative_to(project).as_posix() for p in added.plan.edited()}
    assert edited == {  # the list's query (in the schemas) gains the new fields' filters
        "shop/models/post.py",
        "shop/schemas/post.py",
        "tests/factories/post.py",
        "tests/test_post.py",
    }
    model = (project / "shop" / "models" / "post.py").read_text()
    assert "subtitle: Mapped[str | None] = mapped_column(String(80))" in model
    assert read_record(model) == [
        ["add-model", "Post", "title:str", "author:ref:User"],
        ["add-field", "Post", "subtitle:str:optional:max=80", "editor:ref:User:optional"],
    ]
    schemas = (project / "shop" / "schemas" / "post.py").read_text()
    assert "subtitle: Annotated[Text, Field(max_length=80)] | None = None" in schemas
    assert (
        'editor_id: Annotated[ReferenceParam | SkipJsonSchema[None], Filter("editor_id")] = None'
        in schemas
    )
    assert "subtitle__contains: Annotated[" in schemas
    (revision,) = added.plan.created()
    assert revision.name.endswith("_add_subtitle_editor_id_to_posts.py")


def test_your_own_edits_stay(project: Path) -> None:
    router = project / "shop" / "routers" / "post.py"
    mine = '\n\n@router.get("/count")\nasync def count_posts() -> int:\n    return 0\n'
    router.write_text(router.read_text() + mine)
    tests = project / "tests" / "test_post.py"
    tests.write_text("# my notes on these tests\n" + tests.read_text())
    add_field(project, "Post", ["rating:int:optional"])
    assert router.read_text().endswith(mine)
    assert tests.read_text().startswith("# my notes on these tests\n")
    assert "rating" in tests.read_text()


def test_dry_run_writes_nothing(project: Path) -> None:
    before = tree_snapshot(project)
    added = add_field(project, "Post", ["rating:int"], defaults={"rating": "0"}, dry_run=True)
    assert not added.written
    assert [p.name for p in added.plan.edited()] == [
        "post.py",
        "post.py",
        "post.py",
        "test_post.py",
    ]
    assert tree_snapshot(project) == before


@pytest.mark.parametrize(
    ("spec", "value", "literal"),
    [
        ("note:text", "it's", '"it\'s"'),
        ("score:float", "2.5", "2.5"),
        ("price:decimal", "3.1", 'Decimal("3.10")'),
        ("active:bool", "yes", "True"),
        ("born:date", "2000-02-29", "date(2000, 2, 29)"),
        (
            "seen:datetime",
            "2024-01-31T12:00:00+01:00",
            'datetime.fromisoformat("2024-01-31T12:00:00+01:00")',
        ),
        (
            "token:uuid",
            "12345678-1234-5678-1234-567812345678",
            'UUID("12345678-1234-5678-1234-567812345678")',
        ),
        ("extra:json", '{"a": [1, true]}', '{"a": [1, True]}'),
    ],
)
def test_a_default_is_written_as_a_python_value(
    project: Path, spec: str, value: str, literal: str
) -> None:
    name = spec.split(":")[0]
    added = add_field(project, "Post", [spec], defaults={name: value})
    (revision,) = added.plan.created()
    assert f"{name}={literal}" in revision.read_text()


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [  # at the edge of what the API takes, then just past it: the API's own messages
        ("count:int", str(-(2**31)), None),
        ("count:int", str(2**31), "less than or equal to 2147483647"),
        ("big:bigint", str(2**53 - 1), None),
        ("big:bigint", str(-(2**53)), "greater than or equal to -9007199254740991"),
        ("owner:ref:User", "0", "greater than or equal to 1"),
        ("price:decimal", "-9999999999.99", None),
        ("price:decimal", "12345678901", "at most 10 digits before the point and 2 after it"),
        ("price:decimal", "1.005", "at most 10 digits before the point and 2 after it"),
        ("code:str:max=3", "abcd", "at most 3 characters"),
        ("note:text", "a\x00b", "should match pattern"),
        ("at:datetime", "9999-12-31T23:00:00-01:00", "after year 9999"),
        ("at:datetime", "2024-01-31T12:00:00", "should have timezone info"),
        ("ratio:float", "inf", "should be a finite number"),
        ("extra:json", '{"n": 9007199254740992}', "an integer is beyond"),
        # PostgreSQL's JSONB would give it back as an integer beyond the API's range.
        ("extra:json", '{"n": -4.2e37}', "a number is beyond"),
        ("day:date", "0", "write it in ISO 8601"),
        ("extra:json", '{"a\\u0000": 1}', "a key holds the NUL character"),
        ("extra:json", "[" * 16 + "]" * 16, "should be a valid dictionary"),
        ("extra:json", '{"a":' * 17 + "1" + "}" * 17, "nested more than 16 levels deep"),
        ("day:date", "0000-01-01", "year 0 is out of range"),
        ("token:uuid", "nope", "should be a valid UUID"),
    ],
)
def test_a_default_is_checked_as_the_api_checks_the_value(
    project: Path, spec: str, value: str, message: str | None
) -> None:
    name = spec.split(":")[0]
    if message is None:
        assert add_field(
            project, "Post", [f"{spec}:optional"], defaults={name: value}, dry_run=True
        )
        return
    before = tree_snapshot(project)
    with pytest.raises(FieldSpecError, match=re.escape(message)):
        add_field(project, "Post", [spec], defaults={name: value})
    assert tree_snapshot(project) == before


def test_remove_model_after_add_field_gives_the_project_back(tmp_path: Path) -> None:
    root = create_project(tmp_path / "shop").root
    before = tree_snapshot(root)
    add_model(root, "Post", ["title:str"])
    add_field(root, "Post", ["rating:int"], defaults={"rating": "0"})
    assert remove_model(root, "Post").plan.changed == ()
    after = tree_snapshot(root)
    added = sorted(set(after) - set(before))
    assert len(added) == 3 and all("/migrations/versions/" in path for path in added)
    assert {path: after[path] for path in before} == before
