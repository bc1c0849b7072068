"""`add_value` on a rendered project: the values reach the enum class, the test data and the
record (quoted where a value holds a space), the user's edits stay, and the commands after
it read the record back."""

from pathlib import Path

import pytest

from fastsqla_cli.add_field import add_field
from fastsqla_cli.add_model import add_model
from fastsqla_cli.add_value import add_value
from fastsqla_cli.errors import ChangedFilesError
from fastsqla_cli.field_view import member_names
from fastsqla_cli.new import create_project
from fastsqla_cli.record import read_record, recorded_specs
from fastsqla_cli.remove_model import remove_model
from tests.conftest import tree_snapshot


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = create_project(tmp_path / "shop").root
    add_model(root, "Post", ["title:str", "status:enum:draft,in review:default=draft"])
    return root


def test_the_values_reach_the_class_the_test_data_and_the_record(project: Path) -> None:
    added = add_value(project, "Post", "status", ["published for good", "it's"])
    assert added.written
    edited = {p.relative_to(project).as_posix() for p in added.plan.edited()}
    assert edited == {"shop/models/post.py", "tests/factories/post.py", "tests/test_post.py"}
    model = (project / "shop" / "models" / "post.py").read_text()
    assert '    PUBLISHED_FOR_GOOD = "published for good"\n    IT_S = "it\'s"\n' in model
    record = read_record(model)
    assert record == [
        ["add-model", "Post", "title:str", "status:enum:draft,in review:default=draft"],
        ["add-value", "Post", "status", "published for good", "it's"],
    ]
    assert recorded_specs(record) == [
        "title:str",
        "status:enum:draft,in review,published for good,it's:default=draft",
    ]
    factory = (project / "tests" / "factories" / "post.py").read_text()
    assert '"published for good", "it\'s"][n % 4]' in factory
    (revision,) = added.plan.created()
    assert revision.name.endswith("_add_values_to_posts_status.py")
    text = revision.read_text()
    assert "type_=sa.String(18)" in text and "existing_type=sa.String(9)" in text


def test_your_own_edits_stay_and_later_commands_read_the_record(project: Path) -> None:
    router = project / "shop" / "routers" / "post.py"
    tests = project / "tests" / "test_post.py"
    tests.write_text("# my notes on these tests\n" + tests.read_text())
    add_value(project, "Post", "status", ["archived"])
    assert tests.read_text().startswith("# my notes on these tests\n")
    add_field(project, "Post", ["rating:int:optional"])
    schemas = (project / "shop" / "schemas" / "post.py").read_text()
    assert "rating: Int32 | None = None" in schemas
    model = (project / "shop" / "models" / "post.py").read_text()
    assert '    ARCHIVED = "archived"' in model
    # Rendered again from the record, every file but the one edited by hand is the same.
    with pytest.raises(ChangedFilesError, match=r"wrote: tests/test_post\.py; keep"):
        remove_model(project, "Post")
    remove_model(project, "Post", force=True)
    assert not router.exists()


def test_dry_run_writes_nothing(project: Path) -> None:
    before = tree_snapshot(project)
    added = add_value(project, "Post", "status", ["archived"], dry_run=True)
    assert not added.written
    assert tree_snapshot(project) == before


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (["draft", "in review"], ["DRAFT", "IN_REVIEW"]),
        (["None", "class", "True"], ["NONE", "CLASS", "TRUE"]),
        (["1st", "-", "_x_"], ["V_1ST", "V", "X"]),
        (["café", "草稿", "ß"], ["CAFÉ", "草稿", "SS"]),
        (["a b", "a-b", "A B", "ss", "ß"], ["A_B", "A_B_2", "A_B_3", "SS", "SS_2"]),
        (["ﬁ", "fi"], ["FI", "FI_2"]),  # "ﬁ".upper() is "FI"
    ],
)
def test_member_names_are_distinct_python_names(values: list[str], names: list[str]) -> None:
    assert member_names(values) == names
    assert all(name.isidentifier() for name in names)


def test_an_enum_class_never_takes_a_name_its_modules_use(tmp_path: Path) -> None:
    root = create_project(tmp_path / "shop").root
    add_model(root, "Request", ["body:enum:a,b", "create:enum:c"])
    model = (root / "shop" / "models" / "request.py").read_text()
    # `RequestBody` is the schemas' base class, `RequestCreate` the create schema.
    assert "class RequestBodyValue(StrEnum):" in model
    assert "class RequestCreateValue(StrEnum):" in model
