"""Project names become a distribution and a package; model names every other spelling."""

import pytest

from fastsqla_cli.errors import ModelNameError, ProjectNameError
from fastsqla_cli.naming import model_name, pluralize, project_name, singularize


@pytest.mark.parametrize(
    ("name", "distribution", "package"),
    [
        ("shop", "shop", "shop"),
        ("my-shop", "my-shop", "my_shop"),
        ("My.Shop", "My.Shop", "my_shop"),
        ("my__shop--api", "my__shop--api", "my_shop_api"),
        ("shop2", "shop2", "shop2"),
        ("a", "a", "a"),
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
        ("match", "Python keyword"),
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
        ("Main", None, "clash with a module"),
        ("Database", None, "clash with a module"),
        ("Health", None, "clash with a module"),
        ("Integrity", None, "clash with a module"),
        ("Class", None, "keyword"),
        ("Post", "Posts", "not a valid table name"),
        ("Post", "blog-posts", "not a valid table name"),
        ("Doc", None, "would be served at /docs, which the app already serves"),
        ("Docs", None, "would be served at /docs"),
        ("Post", "p" * 64, "has 64 characters, more than the 63 PostgreSQL keeps"),
        ("A" + "b" * 62, None, "has 64 characters"),
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
