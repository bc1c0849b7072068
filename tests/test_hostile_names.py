"""Any name the CLI accepts makes a project whose checks pass: one project holds a model for
each hostile name below, and its tests, ruff, mypy --strict and pyright's strict mode pass
on SQLite, PostgreSQL and MariaDB. (Names that cannot work are refused: see test_naming and test_refusals.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.servers import required_database
from tests.test_e2e import fastsqla

pytestmark = pytest.mark.e2e
PYTHON = sys.executable
LONGEST = 63  # PostgreSQL's identifier limit, which fastsqla holds every database to

# (add-model arguments, what makes the name hostile)
HOSTILE = [
    (["Session", "title:str"], "the router's database session, and SessionDep"),
    (["Connection", "row:int"], "the router's connection, ConnectionDep, and its local `row`"),
    (["ReadConnection", "connection:str"], "ReadConnectionDep, which the read routes take"),
    (["Row", "value:str"], "locals of the router: `row`, and `value` in its update loop"),
    (["Router", "router:str"], "the name every router module defines"),
    (["PrefixedRouter", "prefix:str"], "the class every model's router is made with"),
    (["Setattr", "value:str"], "a builtin the update route calls"),
    (["List", "type:str", "self:str"], "builtins shadowed by a submodule; `self` as a column"),
    (["Dict", "str:str"], "a builtin the shared field types use, as model and column"),
    (["Unused", "float:int", "property:str"], "builtins the model's module does not use"),
    # Found by the name corpus (tests/name_corpus.py).
    (["Listed", "client:str", "path:int"], "the list test helper's own parameters as filters"),
    (["Type", "name:str"], "a builtin, as a module of models/, schemas/ and routers/"),
    (
        ["TestReadReturnsTheRow", "bool:str", "object:int"],
        "pytest takes what a test module imports for tests when named so, here as one of"
        " the module's tests; builtins the schemas use only for other fields",
    ),
    (["Testing", "note:str:optional"], "a class and functions whose names pytest collects"),
    (["Selectinload", "readers:many:User"], "the loader a router with links imports"),
    (["Match", "case:str", "match:int:optional"], "soft keywords: a keyword only as a statement"),
    (["Int32", "param:enum:a,b", "n:int"], "an enum class Int32Param, the int filters' type"),
    (["Value", "error:enum:a,b"], "an enum class ValueError, which the schemas raise"),
    (["Main", "name:str"], "the app's own module main, as a model module"),
    (["Integrity", "name:str"], "the app's module integrity, which its router imports"),
    (["Conftest", "name:str"], "a model module conftest, in tests/factories"),
    (["Test", "name:str"], "a model module test; its schemas' names start with Test"),
    (["Discovery", "data:json", "date:date"], "the app's own module, and type names as fields"),
    (["Model", "model:str", "request:str", "response:str", "status:int"], "names in routers"),
    (["Order", "select:str", "key:str", "values:int", "--table", "order"], "SQL keywords"),
    (["Group", "name:str"], "`groups` is reserved in MySQL 8"),
    (["Date", "when:date", "at:datetime"], "SQLAlchemy's `Date`, which its own column needs"),
    (["Mapped", "orm:str", "when:date", "owner:ref:Date"], "`Mapped`; `orm` and `Date` taken"),
    (["Any", "data:json"], "`typing.Any`, in its column's annotation and in its router"),
    (["Base", "name:str"], "the declarative base it subclasses"),
    (
        ["Page", "sort:str", "cursor:int:optional", "limit:bool", "sort_by:str", "filter:str"],
        "the list's `Page` and `sort_by`; fields named as the list's own parameters",
    ),
    (["Listing", "params:str", "page:int"], "the router's `listing` module and its locals"),
    (
        [
            *("Shadow", "date:date", "when:date", "mapped_column:str", "int:int", "count:int"),
            *("relationship:str", "owner:ref:User", "str:str", "classmethod:str"),
            *("field_validator:str", "reject_null:str", "object:str"),
        ],
        "fields named after what the model's and the schemas' class bodies use after them",
    ),
    (["NotFound", "name:str"], "the error its router raises, from the project's own module"),
    (["Membership", "user:ref:User", "group:ref:Group"], "only references: no sample values"),
    (["Node", "name:str", "parent:ref:Node:optional"], "a reference to itself"),
    (["Pkgutil", "name:str", "node:ref:Node"], "a module the test data imports, as its module"),
    (["Request", "body:enum:a,b", "title:str"], "an enum class `RequestBody`: the schemas' base"),
    (["Query", "owner:ref:User:ondelete=cascade"], "FastAPI's `Query`, of the list's filters"),
    (["Tag", "tags:many:Tag", "name:str"], "links to itself, `tag_id` on both sides"),
    (
        ["A" + "b" * 44, "n" * 60 + ":str", "s:enum:a,b", "t:many:User", "u:ref:User:optional"],
        "a long model name in every docstring, message and link table",
    ),
    (
        [
            *("Every", "label:str:unique:index:max=40", "notes:text:optional"),
            *("count:int:unique:index:optional", "big:bigint:unique", "ratio:float:unique:index"),
            *("price:decimal:unique:optional", "active:bool:index", "day:date:unique"),
            *("at:datetime:unique:index:optional", "token:uuid:unique", "extra:json:optional"),
            *("status:enum:a,b:index:optional:default=a", "readers:many:User"),
            "owner:ref:User:optional:index:unique:ondelete=set-null",
        ],
        "every type and modifier at once; a unique reference needs a row of its own per row",
    ),
    (
        ["MappedThing", "column:many:Tag", "list:str", "--table", "mapped"],
        "a link table `mapped_column`, as SQLAlchemy's function; `list` shadowed",
    ),
    (["Changes", "result:many:Changes", "found:str"], "router locals as fields, a self link"),
    (
        ["Enum", "create:enum:x", "strenum:enum:y,z"],
        "SQLAlchemy's `Enum`; `EnumCreate` is a schema",
    ),
    (["Str", "enum:enum:None,class,1st,a b,café,草稿,it's,True"], "`StrEnum`; values not names"),
    (
        ["Item", f"{'n' * LONGEST}:str", "--table", "t" * LONGEST],
        "a table and a column at the identifier limit",
    ),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    fastsqla("new", "shop", "--no-check", cwd=root)
    for arguments, _ in HOSTILE:
        fastsqla("add-model", *arguments, "--no-check", cwd=root / "shop")
    return root / "shop"


def checks_pass_on(project: Path, kind: str) -> None:
    """``fastsqla check`` of ``project`` passes on the database ``kind``: on SQLite with the
    type checkers too (once is enough: they do not depend on the database)."""
    check = ["check", "--python", PYTHON]
    if kind == "sqlite":
        out = fastsqla(*check, cwd=project)
        assert "All checks passed (tests, ruff, mypy, pyright)" in out
    else:
        with required_database(kind) as url:
            out = fastsqla(*check, "--no-types", "--database-url", url, cwd=project)
        assert "All checks passed (tests, ruff)" in out


@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_every_hostile_name_makes_a_project_whose_checks_pass(project: Path, kind: str) -> None:
    checks_pass_on(project, kind)
