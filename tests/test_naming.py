"""Project names become a distribution and a package; model names every other spelling."""

import ast
import importlib.metadata
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from fastsqla_cli.databases import DATABASES
from fastsqla_cli.errors import ModelNameError, ProjectNameError
from fastsqla_cli.field_types import TYPES
from fastsqla_cli.field_view import GENERATED_NAMES, ROUTER_NAMES
from fastsqla_cli.fields import parse_fields
from fastsqla_cli.inflection import pluralize, singularize
from fastsqla_cli.model_files import render_model
from fastsqla_cli.naming import DEPENDENCY_MODULES, dependency_modules, model_name, project_name
from fastsqla_cli.new import create_project
from tests.conftest import UPDATE_GOLDEN


@pytest.mark.parametrize(
    ("name", "distribution", "package"),
    [
        ("shop", "shop", "shop"),
        ("my-shop", "my-shop", "my_shop"),
        ("My.Shop", "My.Shop", "my_shop"),
        ("my__shop--api", "my__shop--api", "my_shop_api"),
        ("shop2", "shop2", "shop2"),
        ("a", "a", "a"),
        # Soft keywords are keywords only where a statement begins with them.
        ("match", "match", "match"),
        ("case", "case", "case"),
    ],
)
def test_valid_project_names(name: str, distribution: str, package: str) -> None:
    parsed = project_name(name)
    assert (parsed.distribution, parsed.package) == (distribution, package)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("2shop", "not a Python identifier"),
        ("café", "not a valid project name"),
        ("my shop", "not a valid project name"),
        ("-shop", "not a valid project name"),
        ("shop-", "not a valid project name"),
        ("class", "Python keyword"),
        ("test", "standard-library module 'test'"),
        ("json", "standard-library module 'json'"),
        ("asyncio", "standard-library"),
        ("fastapi", "the 'fastapi' package"),
        ("sqlalchemy", "the 'sqlalchemy' package"),
        ("pydantic-settings", "the 'pydantic_settings' package"),
        ("Starlette", "the 'starlette' package"),
        ("pytest", "the 'pytest' package"),
        ("httpx", "the 'httpx' package"),
        ("alembic", "the 'alembic' package"),
        ("uvicorn", "the 'uvicorn' package"),
        ("tests", "the project's own 'tests' module"),
        # Below the project's direct dependencies: Alembic's templates, the fuzz extra's.
        ("mako", "the 'mako' package"),
        ("hypothesis", "the 'hypothesis' package"),
        ("requests", "the 'requests' package"),
        ("pip", "the 'pip' tool"),
    ],
)
def test_invalid_project_names(name: str, message: str) -> None:
    with pytest.raises(ProjectNameError, match=message) as raised:
        project_name(name)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("user", "users"),
        ("post", "posts"),
        ("category", "categories"),
        ("person", "people"),
        ("status", "statuses"),
        ("address", "addresses"),
        ("box", "boxes"),
        ("match", "matches"),
        ("day", "days"),
        ("child", "children"),
        ("equipment", "equipment"),
        ("analysis", "analyses"),
        ("leaf", "leaves"),
    ],
)
def test_pluralize(singular: str, plural: str) -> None:
    assert pluralize(singular) == plural
    assert pluralize(plural) == plural  # never `userss`
    assert singularize(plural) == singular or singular in ("analysis",)


@pytest.mark.parametrize(
    ("name", "class_name", "module", "table", "route"),
    [
        ("Post", "Post", "post", "posts", "/posts"),
        ("post", "Post", "post", "posts", "/posts"),
        ("posts", "Post", "post", "posts", "/posts"),
        ("blog_post", "BlogPost", "blog_post", "blog_posts", "/blog-posts"),
        ("BlogPost", "BlogPost", "blog_post", "blog_posts", "/blog-posts"),
        ("BlogPosts", "BlogPost", "blog_post", "blog_posts", "/blog-posts"),
        ("User", "User", "user", "users", "/users"),
        ("users", "User", "user", "users", "/users"),
        ("Category", "Category", "category", "categories", "/categories"),
        ("Person", "Person", "person", "people", "/people"),
        ("Status", "Status", "status", "statuses", "/statuses"),
        ("HTTPLog", "HttpLog", "http_log", "http_logs", "/http-logs"),
        ("OrderItem", "OrderItem", "order_item", "order_items", "/order-items"),
        ("Order", "Order", "order", "orders", "/orders"),
        ("Profile", "Profile", "profile", "profiles", "/profiles"),  # a stdlib name is fine
    ],
)
def test_model_names(name: str, class_name: str, module: str, table: str, route: str) -> None:
    parsed = model_name(name)
    assert (parsed.class_name, parsed.module, parsed.table, parsed.route) == (
        class_name,
        module,
        table,
        route,
    )


def test_table_override_keeps_the_other_names() -> None:
    parsed = model_name("Person", table="persons")
    assert (parsed.class_name, parsed.table, parsed.route) == ("Person", "persons", "/people")


@pytest.mark.parametrize(
    ("name", "table", "message"),
    [
        ("1Post", None, "not a valid model name"),
        ("blog-post", None, "not a valid model name"),
        ("", None, "not a valid model name"),
        # Their files are the project's: tests/test_database.py, routers/health.py, ...
        ("Database", None, "clash with a module"),
        ("Health", None, "clash with a module"),
        ("Settings", None, "clash with a module"),
        ("ApiContract", None, "clash with a module"),
        ("Class", None, "keyword"),
        ("Post", "Posts", "not a valid table name"),
        ("Post", "blog-posts", "not a valid table name"),
        ("Doc", None, "would be served at /docs, which the app already serves"),
        ("Docs", None, "would be served at /docs"),
        ("Post", "p" * 64, "has 64 characters, more than the 63 PostgreSQL keeps"),
        ("A" + "b" * 62, None, "has 64 characters"),
        # Found by the name corpus: `sqlite3` (a standard-library module) as a model.
        ("sqlite3", None, "begins with sqlite_, which SQLite keeps for its own tables"),
        ("Log", "sqlite_logs", "begins with sqlite_"),
        ("false", None, "makes the class False, a Python keyword"),
        ("None", None, "makes the class None, a Python keyword"),
    ],
)
def test_invalid_model_names(name: str, table: str | None, message: str) -> None:
    with pytest.raises(ModelNameError, match=message):
        model_name(name, table=table)


@pytest.mark.parametrize("name", ["Base", "Decimal", "Date", "Mapped", "NotFound", "Any"])
def test_names_the_generated_code_imports_are_accepted(name: str) -> None:
    """The generated modules reach a clashing import through its module (test_add_model)."""
    assert model_name(name).class_name == name


def test_names_at_the_identifier_limit_are_accepted() -> None:
    assert len(model_name("Post", table="p" * 63).table) == 63
    assert model_name("Redoc").route == "/redocs"  # only the exact paths are served


def _closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install, theirs included, as installed here (this
    suite's environment holds everything a generated project installs, every extra)."""
    found: dict[str, set[str]] = {}
    pending = [Requirement(text) for text in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in found and requirement.extras <= found[name]:
            continue
        found[name] = found.get(name, set()) | requirement.extras
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{name} is not installed: add it to the `test` extra")
        for text in distribution.requires or []:
            needed = Requirement(text)
            extras = found[name] or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in extras):
                pending.append(needed)
    return set(found)


def test_the_names_a_project_may_not_take_cover_what_it_installs(tmp_path: Path) -> None:
    """Every top-level module of a generated project's dependencies, on every database and
    with every extra, is refused as a project name. Regenerate the list with
    FASTSQLA_UPDATE_GOLDEN=1 when the template's dependencies change."""
    requirements: list[str] = []
    for database in DATABASES:
        root = create_project(tmp_path / database, database=database).root
        project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
        requirements += project["dependencies"]
        requirements += [r for extra in project["optional-dependencies"].values() for r in extra]
    distributions = _closure(requirements)
    modules = {
        module
        for module, owners in importlib.metadata.packages_distributions().items()
        if module.isidentifier() and not module.startswith("_")
        if distributions & {canonicalize_name(owner) for owner in owners}
    }
    if UPDATE_GOLDEN:
        header = DEPENDENCY_MODULES.read_text().partition("\n\n")[0]
        DEPENDENCY_MODULES.write_text(header + "\n\n" + "".join(f"{m}\n" for m in sorted(modules)))
        dependency_modules.cache_clear()
    assert {"sqlalchemy", "asyncpg", "aiomysql", "mako", "schemathesis"} <= modules
    missing = sorted(modules - dependency_modules())
    assert not missing, f"{DEPENDENCY_MODULES.name} lacks {missing}: regenerate it"


def _names(source: str) -> set[str]:
    """Every name ``source`` binds, imports or reads."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).partition(".")[0])
    return names


def test_router_names_are_the_names_a_router_uses() -> None:
    """`ROUTER_NAMES`, which a model's router variable and dependency never take, is what
    routers use besides their model's own names, read from two rendered: one with every
    kind of field, one plain. Locals, and what they import in lower case, with their
    dependencies (the names in CamelCase they import are reached through their modules
    when a model takes them)."""
    probe = model_name("Probe")
    targets = {"tags": probe, "parent": probe}
    used: set[str] = set()
    for specs in (["title:str"], ["self:str", "tags:many:Probe", "parent:ref:Probe:optional"]):
        files = render_model("shop", probe, parse_fields(specs), targets, [["add-model"]]).files
        used |= {
            name
            for name in _names(files[PurePosixPath("shop/routers/probe.py")])
            if "probe" not in name.lower() and (name.islower() or name.endswith("Dep"))
        }
    assert used == ROUTER_NAMES


def test_enum_classes_never_take_a_name_the_model_or_its_schemas_use() -> None:
    """An enum's class (`PostStatus`) is named apart from `GENERATED_NAMES`: that holds
    every class-like name the model and schemas modules of a model with every kind of
    field import, define or read (a model `Int32` with `param:enum` beside an int made
    `Int32Param`, the int filter's type; `Value` with `error:enum`, the `ValueError` the
    schemas raise)."""
    probe = model_name("Probe")
    extra = {"ref": ":Probe:optional", "many": ":Probe", "enum": ":a,b"}
    specs = [f"f_{kind}:{kind}{extra.get(kind, '')}" for kind in TYPES]
    targets = {"f_ref": probe, "f_many": probe}
    files = render_model("shop", probe, parse_fields(specs), targets, [["add-model"]]).files
    used: set[str] = set()
    for module in ("models", "schemas"):
        tree = ast.parse(files[PurePosixPath(f"shop/{module}/probe.py")])
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.add(node.id)
            elif isinstance(node, ast.alias):
                used.add((node.asname or node.name).partition(".")[0])
            elif isinstance(node, ast.ClassDef):
                used.add(node.name)
    class_like = {name for name in used if name[0].isupper() and "Probe" not in name}
    assert class_like <= GENERATED_NAMES
