"""`add_model` on a real rendered project: what it writes, what it refuses, and safety."""

import re
from pathlib import Path

import pytest

from fastsqla_cli.errors import (
    FieldSpecError,
    ModelNameError,
    NotAProjectError,
    RegistrationError,
)
from fastsqla_cli.project import create_project
from fastsqla_cli.projectinfo import defines, existing_models, find_project
from fastsqla_cli.scaffold import add_model, plan_model
from tests.conftest import break_install, tree_snapshot


@pytest.fixture(scope="module")
def template_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return create_project(tmp_path_factory.mktemp("template") / "shop").root


@pytest.fixture
def project(template_project: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(template_project, tmp_path / "shop"))


def test_the_starter_model_is_registered(project: Path) -> None:
    models = existing_models(find_project(project))
    assert {name: (m.module, m.table, m.route) for name, m in models.items()} == {
        "User": ("user", "users", "/users")
    }


def test_add_model_creates_files_and_registers(project: Path) -> None:
    plan = add_model(project, "BlogPost", ["title:str:max=200", "author:ref:User"])
    created = {p.relative_to(project).as_posix() for p in plan.created()}
    assert created == {
        "shop/models/blog_post.py",
        "shop/schemas/blog_post.py",
        "shop/routers/blog_post.py",
        "tests/factories/blog_post.py",
        "tests/test_blog_post.py",
    }
    main = (project / "shop" / "main.py").read_text()
    assert "from shop.routers import blog_post\n" in main
    assert "    app.include_router(blog_post.router)\n    # fastsqla: routers" in main
    models = (project / "shop" / "models" / "__init__.py").read_text()
    assert "from shop.models.blog_post import BlogPost as BlogPost\n" in models
    model = (project / "shop" / "models" / "blog_post.py").read_text()
    assert '__tablename__ = "blog_posts"' in model
    assert 'author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)' in model
    assert 'author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="raise")' in model
    assert "BlogPost" in existing_models(find_project(project))


def without_connection_dependency(project: Path) -> None:
    """Make ``project`` look like one from before `ConnectionDep`: no such name anywhere.
    The dependency keeps working under a name of the same length, so the code still
    formats and type-checks as it did."""
    for path in project.rglob("*.py"):
        text = path.read_text()
        if "ConnectionDep" in text:
            path.write_text(text.replace("ConnectionDep", "OldConnection"))


@pytest.mark.parametrize(
    ("has_connection_dependency", "reader"),
    [(True, "connection: ConnectionDep"), (False, "session: SessionDep")],
)
def test_the_read_route_uses_the_dependency_the_project_has(
    project: Path, has_connection_dependency: bool, reader: str
) -> None:
    if not has_connection_dependency:
        without_connection_dependency(project)
    add_model(project, "Post", ["title:str"])
    router = (project / "shop" / "routers" / "post.py").read_text()
    read_route = router[router.index("async def read_post(") :].split("\n\n\n")[0]
    assert f"    post_id: RowId,\n    {reader},\n" in read_route
    assert ("from shop.database import ConnectionDep\n" in router) is has_connection_dependency
    compile(router, "post.py", "exec")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("ConnectionDep = Annotated[AsyncConnection, Depends(get_connection)]\n", True),
        ("ConnectionDep: TypeAlias = Annotated[int, 1]\n", True),
        ("a = ConnectionDep = 1\n", True),
        ("def ConnectionDep() -> None: ...\n", False),
        ("from elsewhere import ConnectionDep\n", False),
        ("if True:\n    ConnectionDep = 1\n", False),
        ("x = ConnectionDep\n", False),
        ("ConnectionDep = (\n", False),  # a syntax error
    ],
)
def test_defines_reads_top_level_assignments(tmp_path: Path, source: str, expected: bool) -> None:
    (tmp_path / "database.py").write_text(source)
    assert defines(tmp_path / "database.py", "ConnectionDep") is expected
    assert defines(tmp_path / "missing.py", "ConnectionDep") is False


def test_table_override(project: Path) -> None:
    add_model(project, "Person", ["name:str"], table="persons")
    model = (project / "shop" / "models" / "person.py").read_text()
    assert '__tablename__ = "persons"' in model
    assert 'prefix="/people"' in (project / "shop" / "routers" / "person.py").read_text()
    plan = plan_model(find_project(project), "Pet", ["owner:ref:Person"])
    assert 'ForeignKey("persons.id")' in plan.change.creates[project / "shop/models/pet.py"]


@pytest.mark.parametrize(
    ("name", "specs", "error", "message"),
    [
        ("User", ["nick:str"], ModelNameError, "already has a model User"),
        ("users", ["nick:str"], ModelNameError, "already has a model User"),
        ("Post", [], FieldSpecError, "at least one field"),
        (
            "Post",
            ["author:ref:Author"],
            FieldSpecError,
            "refers to a model the project does not have (models: User): add Author first",
        ),
        ("Post", ["title:strr"], FieldSpecError, "unknown type 'strr'"),
        ("Post", ["title:str", "title:str"], FieldSpecError, "duplicate field 'title'"),
        ("Category", ["parent:ref:Category"], FieldSpecError, "must be optional"),
        ("Member", ["x:str"], ModelNameError, "the table 'users' is already used by User"),
        ("Main", ["x:str"], ModelNameError, "clash with a module of the project"),
    ],
)
def test_refusals_write_nothing(
    project: Path, name: str, specs: list[str], error: type[Exception], message: str
) -> None:
    before = tree_snapshot(project)
    table = "users" if name == "Member" else None
    with pytest.raises(error) as raised:
        add_model(project, name, specs, table=table)
    assert message in str(raised.value)
    assert getattr(raised.value, "exit_code", None) in (1, 2)
    assert tree_snapshot(project) == before


def test_ref_by_lowercase_name_and_to_itself(project: Path) -> None:
    add_model(project, "Category", ["name:str", "parent:ref:Category:optional", "owner:ref:user"])
    model = (project / "shop" / "models" / "category.py").read_text()
    assert 'parent: Mapped["Category | None"] = relationship(' in model
    assert 'remote_side="Category.id"' in model
    assert 'ForeignKey("users.id")' in model


def test_a_second_add_of_the_same_model_changes_nothing(project: Path) -> None:
    add_model(project, "Post", ["title:str"])
    before = tree_snapshot(project)
    with pytest.raises(ModelNameError):
        add_model(project, "Post", ["title:str"])
    assert tree_snapshot(project) == before


def test_a_file_in_the_way_is_never_overwritten(project: Path) -> None:
    (project / "tests" / "test_post.py").write_text("# mine\n")
    before = tree_snapshot(project)
    with pytest.raises(ModelNameError, match=re.escape("tests/test_post.py already exists")):
        add_model(project, "Post", ["title:str"])
    assert tree_snapshot(project) == before


def test_a_missing_registration_marker_changes_nothing(project: Path) -> None:
    main = project / "shop" / "main.py"
    main.write_text(main.read_text().replace("# fastsqla: routers", "# my own comment"))
    before = tree_snapshot(project)
    with pytest.raises(RegistrationError) as raised:
        add_model(project, "Post", ["title:str"])
    assert "app.include_router(post.router)" in str(raised.value)
    assert "shop/main.py" in str(raised.value)
    assert tree_snapshot(project) == before


def test_a_crash_after_the_first_file_is_written_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_snapshot(project)
    calls = break_install(monkeypatch, 2, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        add_model(project, "Post", ["title:str"])
    assert len(calls) == 2
    assert tree_snapshot(project) == before


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "has no .copier-answers.yml"),
        (
            lambda p: (p / ".copier-answers.yml").write_text("package: nowhere\n"),
            "does not look like",
        ),
        (lambda p: (p / ".copier-answers.yml").write_text("{{{"), "cannot be read"),
    ],
)
def test_outside_a_project_it_stops(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    with pytest.raises(NotAProjectError, match=message):
        add_model(tmp_path, "Post", ["title:str"])


def test_dry_run_plan_has_a_diff(project: Path) -> None:
    plan = plan_model(find_project(project), "Post", ["title:str"])
    diff = plan.diff()
    assert "+++ b/shop/main.py" in diff and "+    app.include_router(post.router)" in diff
    assert "+from shop.models.post import Post as Post" in diff
