"""`add_model` on a real rendered project: what it writes, what it refuses, and safety."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fastsqla_cli.add_model import add_model, plan_model
from fastsqla_cli.errors import (
    FieldSpecError,
    ModelNameError,
    NotAProjectError,
    UsageError,
)
from fastsqla_cli.models import existing_models
from fastsqla_cli.naming import model_name
from fastsqla_cli.new import create_project
from fastsqla_cli.project import find_project
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


SERVED = """\
from shop.main import create_app
from shop.models import Base
print(*sorted(Base.metadata.tables))
print(*sorted(create_app().openapi()["paths"]))
"""


def test_add_model_creates_files_and_the_app_serves_them(project: Path) -> None:
    added = add_model(project, "BlogPost", ["title:str:max=200", "author:ref:User"])
    assert added.written and added.report is None
    plan = added.plan
    created = {p.relative_to(project).as_posix() for p in plan.created()}
    revisions = {p for p in created if p.startswith("shop/migrations/versions/")}
    assert [re.sub(r"\d{4}_\d\d_\d\d_\d{4}_[0-9a-f]{12}", "*", p) for p in revisions] == [
        "shop/migrations/versions/*_create_blog_posts.py"
    ]
    assert created - revisions == {
        "shop/models/blog_post.py",
        "shop/schemas/blog_post.py",
        "shop/routers/blog_post.py",
        "tests/factories/blog_post.py",
        "tests/test_blog_post.py",
    }
    assert plan.edited() == []  # the app finds the model's modules; nothing lists them
    served = subprocess.run(
        [sys.executable, "-c", SERVED],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.split() == [
        *("blog_posts", "users"),  # the tables Base.metadata knows
        *("/blog-posts", "/blog-posts/{blog_post_id}", "/health", "/ready"),
        *("/users", "/users/{user_id}"),
    ]
    model = (project / "shop" / "models" / "blog_post.py").read_text()
    assert '__tablename__ = "blog_posts"' in model
    assert 'author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)' in model
    assert 'author: Mapped["User"] = relationship(foreign_keys=[author_id], lazy="raise")' in model
    assert "if TYPE_CHECKING:\n    from shop.models.user import User\n" in model
    assert "BlogPost" in existing_models(find_project(project))


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
        ("Health", ["x:str"], ModelNameError, "clash with a module of the project"),
        (
            "_".join(["Abcdefghij"] * 5 + ["X"]),  # its router's docstring: 106 characters
            ["x:str"],
            UsageError,
            "these names are too long for the project's line length (100)",
        ),
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
            "has no nowhere/main.py",
        ),
        (lambda p: (p / ".copier-answers.yml").write_text("{{{"), "is not valid YAML"),
    ],
)
def test_outside_a_project_it_stops(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    with pytest.raises(NotAProjectError, match=message):
        add_model(tmp_path, "Post", ["title:str"])


def test_a_plan_creates_files_and_edits_none(project: Path) -> None:
    before = tree_snapshot(project)
    plan = plan_model(find_project(project), "Post", ["title:str"])
    assert len(plan.created()) == 6 and plan.edited() == [] and plan.diff() == ""
    assert tree_snapshot(project) == before


EVERY_TYPE = [
    *(f"{t}_field:{t}" for t in ("str", "text", "int", "bigint", "float", "decimal", "bool")),
    *(f"{t}_field:{t}" for t in ("date", "datetime", "uuid", "json")),
]


def _module_bindings(path: Path) -> list[str]:
    """Every name ``path`` binds at module level: imports, classes, functions, assignments."""
    import ast

    names: list[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names += [(a.asname or a.name).partition(".")[0] for a in node.names]
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def _imported_capitalised(project: Path) -> set[str]:
    """The capitalised names that model and router modules import from outside the models."""
    import ast

    names = set()
    for folder in ("models", "routers"):
        for path in (project / "shop" / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and ".models." not in f"{node.module}.":
                    names |= {a.asname or a.name for a in node.names if a.name[:1].isupper()}
    names -= {n for n in names if n.endswith(("Create", "Read", "Update"))}
    return {n for n in names if _accepted(n)}  # not `Match`: `match` is a soft keyword


def _accepted(name: str) -> bool:
    try:
        model_name(name)
    except ModelNameError:
        return False
    return True


def test_a_model_may_have_any_name_that_its_modules_import(project: Path) -> None:
    """A model named after a class its own modules import (SQLAlchemy's `Date`, FastAPI's
    `Depends`, the project's `Base`) is generated; each module binds every name once, the
    clashing import being reached through its module. A model that references it and has
    a field of the same type binds both too. (test_hostile_names runs such a project.)"""
    add_model(project, "Thing", [*EVERY_TYPE, "owner:ref:User", "parent:ref:Thing:optional"])
    # One name per module: `UUID` and `Uuid` would both be `models/uuid.py`.
    parsed = {model_name(n).module: model_name(n) for n in _imported_capitalised(project)}
    names = sorted(m.class_name for m in parsed.values())
    assert {"Base", "Date", "Mapped", "NotFound", "Annotated", "Any"} <= set(names)
    for name in names:
        add_model(project, name, [*EVERY_TYPE, f"itself:ref:{name}:optional"])
        add_model(project, f"{name}Holder", [*EVERY_TYPE, f"held:ref:{name}"])
    models = existing_models(find_project(project))
    for name in names:
        module, holder = models[name].module, models[f"{name}Holder"].module
        for path in (
            project / "shop" / "models" / f"{module}.py",
            project / "shop" / "routers" / f"{module}.py",
            project / "shop" / "models" / f"{holder}.py",
        ):
            bound = _module_bindings(path)
            assert len(bound) == len(set(bound)), (path.name, sorted(bound))
    result = subprocess.run(
        [sys.executable, "-c", "from shop.main import create_app; create_app()"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
