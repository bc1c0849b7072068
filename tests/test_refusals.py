"""Check first, then write: every bad input or precondition is refused in one line with its
exit code (2 for invalid input, 1 for a runtime failure), and the tree is left as it was.

Each row: what is there before, the command, the exit code, a part of the one-line message.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastsqla_cli.cli import app
from fastsqla_cli.new import create_project
from tests.conftest import tree_snapshot

runner = CliRunner()


def nothing(root: Path) -> None:
    pass


def a_project(root: Path) -> None:
    create_project(root / "shop")


def a_non_empty_directory(root: Path) -> None:
    (root / "demo").mkdir()
    (root / "demo" / "keep.txt").write_text("mine")


def a_file_named_demo(root: Path) -> None:
    (root / "demo").write_text("not a directory")


def answers_edited(old: str, new: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        a_project(root)
        answers = root / "shop" / ".copier-answers.yml"
        text = answers.read_text()
        assert old in text
        answers.write_text(text.replace(old, new))

    return setup


def answers_replaced(text: str) -> Callable[[Path], None]:
    def setup(root: Path) -> None:
        a_project(root)
        (root / "shop" / ".copier-answers.yml").write_text(text)

    return setup


def with_a_post(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    a_project(root)
    add_model(root / "shop", "Post", ["title:str", "author:ref:User"])


def with_a_comment(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    with_a_post(root)
    add_model(root / "shop", "Comment", ["body:text", "post:ref:Post"])


LONG_MODEL = "M" + "x" * 39


def with_a_long_model_name(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    a_project(root)
    add_model(root / "shop", LONG_MODEL, ["name:str"])


def with_a_status(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    a_project(root)
    add_model(root / "shop", "Post", ["title:str", "status:enum:draft,published"], check=False)


def with_a_table_named_posts_tags(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    with_a_post(root)
    add_model(root / "shop", "PostsTag", ["x:str"], table="posts_tags", check=False)


def with_links(root: Path) -> None:
    from fastsqla_cli.add_model import add_model

    a_project(root)
    add_model(root / "shop", "Post", ["title:str", "tags:many:User"], check=False)


def with_links_predating(root: Path) -> None:
    """A project made before many-to-many fields: its integrity.py lacks `linked`."""
    a_project(root)
    integrity = root / "shop" / "shop" / "integrity.py"
    text = integrity.read_text()
    integrity.write_text(text[: text.index("\n\nModelT = ")] + "\n")


def with_enums_predating(root: Path) -> None:
    """A project made before enum fields: its column_types.py lacks `enum_values`."""
    a_project(root)
    column_types = root / "shop" / "shop" / "column_types.py"
    text = column_types.read_text()
    column_types.write_text(text[: text.index("\n\ndef enum_values")] + "\n")


def with_another_apps_database(root: Path) -> None:
    a_project(root)
    with sqlite3.connect(root / "shop" / "other.db") as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    connection.close()


def with_a_post_edited(root: Path) -> None:
    with_a_post(root)
    router = root / "shop" / "shop" / "routers" / "post.py"
    router.write_text(router.read_text() + "\n# my own route goes here\n")


def with_a_post_conflicting(root: Path) -> None:
    with_a_post(root)
    schemas = root / "shop" / "shop" / "schemas" / "post.py"
    text = schemas.read_text()
    # The last field of PostCreate: the new field goes right after it.
    line = next(line for line in text.splitlines() if line.startswith("    author_id: "))
    schemas.write_text(text.replace(line, line + "  # mine", 1))


def with_a_post_unrecorded(root: Path) -> None:
    with_a_post(root)
    model = root / "shop" / "shop" / "models" / "post.py"
    model.write_text(model.read_text().replace("    add-model Post", "    see the docs"))


FALSE = "/bin/false"  # an executable that is not a Python interpreter

# fmt: off
CASES = [
    # new: arguments
    ("empty path", nothing, ["new", ""], 2, "the project path is empty"),
    ("no path", nothing, ["new"], 2, "Missing argument 'PATH'"),
    ("unknown option", nothing, ["new", "demo", "--bogus"], 2, "No such option: --bogus"),
    ("unknown database", nothing, ["new", "demo", "--db", "oracle"], 2, "'oracle' is not one of"),
    ("unknown deployment", nothing, ["new", "demo", "--deploy", "nomad"], 2, "unknown deployment"),
    (
        "kubernetes on sqlite",
        nothing,
        ["new", "demo", "--deploy", "kubernetes"],
        2,
        "cannot share one SQLite file: add --db postgresql or --db mysql",
    ),
    (
        "update: unknown deployment",
        a_project,
        ["update", "shop", "--deploy", "nomad"],
        2,
        "unknown deployment 'nomad': choose one of none, kubernetes",
    ),
    (
        "update: kubernetes on sqlite",
        a_project,
        ["update", "shop", "--deploy", "kubernetes"],
        2,
        "cannot share one SQLite file: this project's database is SQLite, which an update",
    ),
    ("keyword", nothing, ["new", "class"], 2, "is a Python keyword"),
    ("shadows a dependency", nothing, ["new", "fastapi"], 2, "would shadow the 'fastapi'"),
    ("two-line description", nothing, ["new", "demo", "--description", "one\ntwo"], 2, "the description must be one line"),
    ("control character", nothing, ["new", "demo", "--description", "a\x1bb"], 2, "control character"),
    ("no such interpreter", nothing, ["new", "demo", "--python", "/nonexistent"], 2, "--python /nonexistent: no such interpreter"),
    ("not a Python", nothing, ["new", "demo", "--python", FALSE], 2, "does not run as Python"),
    # new: the destination
    ("destination not empty", a_non_empty_directory, ["new", "demo"], 2, "exists and is not empty"),
    ("destination is a file", a_file_named_demo, ["new", "demo"], 2, "exists and is not a directory"),
    # add-model
    ("outside a project", nothing, ["add-model", "Post", "title:str"], 1, "has no .copier-answers.yml"),
    ("no fields", a_project, ["add-model", "Post", "--project", "shop"], 2, "give the model at least one field"),
    ("a model whose class reads like a digit", a_project, ["add-model", "Os", "x:str", "--project", "shop"], 2, "'Os' makes the class O, which reads like a digit"),
    ("a model whose module reads like a digit", a_project, ["add-model", "L", "x:str", "--project", "shop"], 2, "'L' makes the module l, which reads like a digit"),
    ("a field that reads like a digit", a_project, ["add-model", "Post", "l:str", "--project", "shop"], 2, "field name 'l' reads like the digit 1"),
    ("a field whose name holds an operator's separator", a_project, ["add-model", "Post", "price__gt:int", "--project", "shop"], 2, "`__` separates a field from its operator"),
    ("unknown type", a_project, ["add-model", "Post", "title:strr", "--project", "shop"], 2, "unknown type 'strr'"),
    ("model exists", a_project, ["add-model", "User", "x:int", "--project", "shop"], 2, "already has a model User"),
    ("no such interpreter, add-model", a_project, ["add-model", "Post", "title:str", "--project", "shop", "--python", "/nonexistent"], 2, "no such interpreter"),
    ("broken YAML", answers_edited("package: shop", "package: [shop"), ["add-model", "Post", "title:str", "--project", "shop"], 1, "is not valid YAML (line"),
    ("unknown database in the answers", answers_edited("database: sqlite", "database: oracle"), ["add-model", "Post", "title:str", "--project", "shop"], 1, "names the database 'oracle'"),
    ("answers half a list", answers_edited("package: shop", "- a list"), ["add-model", "Post", "title:str", "--project", "shop"], 1, "is not valid YAML"),
    ("answers that are a list", answers_replaced("- a\n- b\n"), ["add-model", "Post", "title:str", "--project", "shop"], 1, "does not hold question: answer pairs"),
    ("answers with no package", answers_edited("package: shop", "package: 3"), ["add-model", "Post", "title:str", "--project", "shop"], 1, "names no valid `package`"),
    # add-field
    ("add a field to an unknown model", a_project, ["add-field", "Post", "title:str", "--project", "shop"], 2, "the project has no model 'Post' (models: User)"),
    ("add a field that exists", a_project, ["add-field", "User", "email:str", "--project", "shop"], 2, "User already has a field 'email': choose another name"),
    ("add a required field without a default", a_project, ["add-field", "User", "age:int", "--project", "shop"], 2, "age is required: give the value the rows already there get with --default age=VALUE"),
    ("add a required unique field", a_project, ["add-field", "User", "code:str:unique", "--default", "code=x", "--project", "shop"], 2, "code is unique and required"),
    ("a default that is not of the type", a_project, ["add-field", "User", "age:int", "--default", "age=old", "--project", "shop"], 2, "--default age='old' is not a valid int"),
    ("a default for another field", a_project, ["add-field", "User", "age:int:optional", "--default", "size=1", "--project", "shop"], 2, "--default size=...: size is not one of the fields added"),
    ("a default without =", a_project, ["add-field", "User", "age:int", "--default", "age", "--project", "shop"], 2, "--default 'age': write FIELD=VALUE"),
    ("add no field", a_project, ["add-field", "User", "--project", "shop"], 2, "give at least one field to add to User"),
    ("a required reference that closes a cycle", with_a_post, ["add-field", "User", "favourite:ref:Post", "--project", "shop"], 2, "favourite:ref:Post closes a cycle of references (User -> Post -> User), which the test data cannot fill if it is required: add it as favourite:ref:Post:optional"),
    ("a longer cycle", with_a_comment, ["add-field", "User", "pinned:ref:Comment", "--default", "pinned=1", "--project", "shop"], 2, "(User -> Comment -> Post -> User)"),
    # The enum's class, named for model and field, is one name longer than a line.
    ("a field name too long beside its model's", with_a_long_model_name, ["add-field", LONG_MODEL, "g" * 58 + ":enum:a,b:optional", "--project", "shop"], 2, "these names are too long for the project's line length (100)"),
    ("a field edit that collides", with_a_post_conflicting, ["add-field", "Post", "subtitle:str:optional", "--project", "shop"], 1, "cannot place the change in shop/schemas/post.py with certainty"),
    ("an enum default that is not one of its values", a_project, ["add-field", "User", "role:enum:a,b", "--default", "role=c", "--project", "shop"], 2, "--default role='c' is not a valid enum: choose one of a, b"),
    ("an enum value listed twice", a_project, ["add-model", "Post", "status:enum:a,b,a", "--project", "shop"], 2, "the value 'a' is listed twice"),
    ("an enum in a project made before enums", with_enums_predating, ["add-model", "Post", "status:enum:a,b", "--project", "shop"], 1, "shop/column_types.py has no enum_values, which enum fields use: run `fastsqla update`"),
    ("links to an unknown model", a_project, ["add-model", "Post", "tags:many:Tag", "--project", "shop"], 2, "tags:many:Tag refers to a model the project does not have (models: User): add Tag first"),
    ("links whose table is taken", with_a_table_named_posts_tags, ["add-field", "Post", "tags:many:User", "--project", "shop"], 2, "tags:many:User needs the table 'posts_tags', which PostsTag already has: choose another field name"),
    ("a model on a link table", with_links, ["add-model", "PostsTag", "x:str", "--table", "posts_tags", "--project", "shop"], 2, "the table 'posts_tags' links the rows of Post"),
    ("links whose table name is too long", a_project, ["add-model", "Post", "t" * 58 + ":many:User", "--project", "shop"], 2, "longer than the 63 characters PostgreSQL keeps"),
    ("a default for a many-to-many", a_project, ["add-field", "User", "friends:many:User", "--default", "friends=1", "--project", "shop"], 2, "the rows there start with no link"),
    ("links in a project made before them", with_links_predating, ["add-model", "Post", "tags:many:User", "--project", "shop"], 1, "shop/integrity.py has no linked, which many fields use: run `fastsqla update`"),
    # add-value
    ("add a value to a field that is not an enum", with_a_status, ["add-value", "Post", "title", "x", "--project", "shop"], 2, "Post has no enum field 'title' (its enum fields: status)"),
    ("add a value to an unknown model", a_project, ["add-value", "Post", "status", "x", "--project", "shop"], 2, "the project has no model 'Post'"),
    ("add a value it has", with_a_status, ["add-value", "Post", "status", "archived", "draft", "--project", "shop"], 2, "Post.status already has the value 'draft' (its values: draft, published)"),
    ("add no value", with_a_status, ["add-value", "Post", "status", "--project", "shop"], 2, "give at least one value to add to Post.status"),
    ("add a value with a colon", with_a_status, ["add-value", "Post", "status", "a:b", "--project", "shop"], 2, "holds one of , :"),
    ("add a value twice", with_a_status, ["add-value", "Post", "status", "x", "x", "--project", "shop"], 2, "the value 'x' is listed twice"),
    # remove-model
    ("remove an unknown model", a_project, ["remove-model", "Post", "--project", "shop"], 2, "the project has no model 'Post' (models: User)"),
    ("remove a referenced model", with_a_post, ["remove-model", "User", "--project", "shop"], 2, "Post refers to User: remove it (or the reference) first"),
    ("remove an edited model", with_a_post_edited, ["remove-model", "Post", "--project", "shop"], 1, "these files of Post differ from what fastsqla wrote: shop/routers/post.py; keep what you need"),
    ("remove a model without its record", with_a_post_unrecorded, ["remove-model", "Post", "--project", "shop"], 1, "no longer has the commands that made Post"),
    # check
    ("check outside a project", nothing, ["check", "."], 1, "has no .copier-answers.yml"),
    ("garbage URL", a_project, ["check", "shop", "--database-url", "garbage"], 2, "is not a database URL"),
    ("sync driver", a_project, ["check", "shop", "--database-url", "sqlite:///x.db"], 2, "needs the app's async driver"),
    ("unknown database URL", a_project, ["check", "shop", "--database-url", "oracle://x"], 2, "unknown database 'oracle'"),
    ("JUnit folder missing", a_project, ["check", "shop", "--junit-xml", "no/such/r.xml"], 2, "does not exist"),
    ("JUnit path is a folder", a_project, ["check", "shop", "--junit-xml", "shop"], 2, "is a directory"),
    ("no such interpreter, check", a_project, ["check", "shop", "--python", "/nonexistent"], 2, "no such interpreter"),
    ("a database of another app", with_another_apps_database, ["check", "shop", "--python", sys.executable, "--database-url", "sqlite+aiosqlite:///other.db"], 2, "it holds 1 table (orders) and no Alembic revision, so it is not this project's"),
    ("a database that cannot be opened", a_project, ["check", "shop", "--python", sys.executable, "--database-url", "sqlite+aiosqlite:////no/such/folder/t.db"], 2, "--database-url: the tests cannot use this database: unable to open database file"),
]
# fmt: on


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_refused_in_one_line_and_nothing_changes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[Path], None],
    args: list[str],
    code: int,
    message: str,
) -> None:
    setup(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = tree_snapshot(tmp_path)
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (code, result.stderr)
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert tree_snapshot(tmp_path) == before


def denying_writes_in(*folders: Path) -> Callable[[str | os.PathLike[str], int], bool]:
    """``os.access`` as it answers for a user who cannot write in ``folders`` (the suite may
    run as root, whom permissions do not stop)."""
    real_access = os.access
    denied = {folder.resolve() for folder in folders}

    def access(path: str | os.PathLike[str], mode: int) -> bool:
        if mode & os.W_OK and Path(path).resolve() in denied:
            return False
        return real_access(path, mode)

    return access


def test_a_read_only_parent_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", denying_writes_in(tmp_path))
    result = runner.invoke(app, ["new", str(tmp_path / "demo"), "--no-check"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: cannot write in {tmp_path}: permission denied (nothing was written)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_models_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_project(tmp_path)
    before = tree_snapshot(tmp_path)
    models = tmp_path / "shop" / "shop" / "models"
    monkeypatch.setattr(os, "access", denying_writes_in(models))
    result = runner.invoke(
        app, ["add-model", "Post", "title:str", "--project", str(tmp_path / "shop"), "--no-check"]
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: cannot write in {models}: permission denied (nothing was written)\n"
    )
    assert tree_snapshot(tmp_path) == before


def test_a_write_that_fails_anyway_is_one_line_and_taken_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import break_install

    a_project(tmp_path)
    before = tree_snapshot(tmp_path)
    error = PermissionError(13, "Permission denied", str(tmp_path / "shop" / "shop" / "main.py"))
    break_install(monkeypatch, on_call=4, error=error)
    result = runner.invoke(
        app, ["add-model", "Post", "title:str", "--project", str(tmp_path / "shop"), "--no-check"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: cannot write {tmp_path / 'shop' / 'shop' / 'main.py'}: permission denied: "
        "nothing was written\n"
    )
    assert tree_snapshot(tmp_path) == before


@pytest.mark.skipif(sys.platform != "linux", reason="/proc is Linux's")
@pytest.mark.parametrize("report", ["/proc/fastsqla-report.xml", "/proc/version"])
def test_an_unwritable_junit_report_is_refused_before_the_checks(
    tmp_path: Path, report: str
) -> None:
    """Whoever runs it, root included: the file system refuses what no permission would."""
    a_project(tmp_path)
    arguments = ["check", str(tmp_path / "shop"), "--junit-xml", report, "--python", sys.executable]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --junit-xml: cannot write {report}: ")
    assert len(result.stderr.splitlines()) == 1
    assert "tests" not in result.stdout  # refused before any step ran
