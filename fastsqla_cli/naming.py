"""Names: a project name becomes a distribution and a package; a model name becomes
a class, a module, a table and a route.

Everything here is pure and fast: it runs before anything is written.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastsqla_cli.errors import ModelNameError, ProjectNameError
from fastsqla_cli.inflection import pluralize, singularize

# The top-level modules of everything a generated project installs (every database, every
# extra, and what those depend on), computed from the installed closure and checked by
# tests/test_naming.py. A project package with one of these names would shadow the library.
DEPENDENCY_MODULES = Path(__file__).with_name("dependency_modules.txt")
# What installs and runs a project besides its dependencies: `new` runs uv, or pip where uv
# is missing, and the project's build backend is uv's; and fastsqla itself.
TOOL_NAMES = frozenset({"uv", "uv_build", "pip", "fastsqla_cli"})
# Names the generated project uses for itself at its top level.
PROJECT_OWN_NAMES = frozenset({"tests", "conftest", "main", "site"})

# `sys.stdlib_module_names` leaves out the `test` package, which CPython ships too.
STDLIB_NAMES = frozenset(sys.stdlib_module_names) | {"test"}


@cache
def dependency_modules() -> frozenset[str]:
    """The names in `DEPENDENCY_MODULES`: one per line, `#` starts a comment."""
    lines = DEPENDENCY_MODULES.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


_DISTRIBUTION = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


@dataclass(frozen=True)
class ProjectName:
    """The two spellings of a project's name."""

    distribution: str  # as the user typed it: `my-shop`
    package: str  # the import package: `my_shop`


def project_name(name: str) -> ProjectName:
    """Validate ``name`` and derive the import package from it.

    >>> project_name("my-shop")
    ProjectName(distribution='my-shop', package='my_shop')
    """
    if not name:
        raise ProjectNameError("the project name is empty: give a directory such as `my-shop`")
    if not _DISTRIBUTION.match(name):
        raise ProjectNameError(
            f"{name!r} is not a valid project name: use ASCII letters, digits, '-', '_' "
            "and '.', starting and ending with a letter or digit"
        )
    package = re.sub(r"[-_.]+", "_", name).lower()
    if not package.isidentifier() or package[0].isdigit():
        raise ProjectNameError(
            f"{name!r} gives the package name {package!r}, which is not a Python "
            "identifier: start the name with a letter"
        )
    if keyword.iskeyword(package):
        raise ProjectNameError(f"{name!r} is a Python keyword: choose another project name")
    if package in STDLIB_NAMES:
        raise ProjectNameError(
            f"{name!r} would shadow the standard-library module {package!r}: "
            "choose another project name"
        )
    if package in dependency_modules():
        raise ProjectNameError(
            f"{name!r} would shadow the {package!r} package the project depends on: "
            "choose another project name"
        )
    if package in TOOL_NAMES:
        raise ProjectNameError(
            f"{name!r} would shadow the {package!r} tool that installs or grows the project: "
            "choose another project name"
        )
    if package in PROJECT_OWN_NAMES:
        raise ProjectNameError(
            f"{name!r} clashes with the project's own {package!r} module: "
            "choose another project name"
        )
    return ProjectName(distribution=name, package=package)


# --- models ------------------------------------------------------------------


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_MODEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@cache
def taken_modules() -> frozenset[str]:
    """The model modules whose files the project template already has: a model `Health`
    would need `routers/health.py`, `Settings` `tests/test_settings.py`. A model's files
    are `models/`, `schemas/` and `routers/<module>.py`, `tests/factories/<module>.py`
    and `tests/test_<module>.py`."""
    from fastsqla_cli.templates import templates_dir

    root = templates_dir() / "project" / "template"
    folders = [root / "{{ package }}" / kind for kind in ("models", "schemas", "routers")]
    files = [
        path for folder in [*folders, root / "tests" / "factories"] for path in folder.iterdir()
    ]
    modules = {path.name.partition(".")[0] for path in files}
    modules |= {path.name.partition(".")[0][5:] for path in (root / "tests").glob("test_*")}
    return frozenset(module for module in modules if not module.startswith("_"))


# Paths the app serves itself: FastAPI's documentation and schema, and the health checks.
# A model's routes under one of them would shadow it (or be shadowed).
SERVED_PATHS = frozenset({"/docs", "/redoc", "/openapi.json", "/health", "/ready"})

# Words a database reserves that SQLAlchemy's dialect for it does not quote: a table or a
# column so named makes statements the database refuses. `tests/test_reserved_words.py`
# finds them on the three servers, through SQLAlchemy, and holds this to what it finds.
UNQUOTED_RESERVED_WORDS = {
    **dict.fromkeys(("collation", "concurrently", "lateral", "tablesample"), "PostgreSQL"),
    **dict.fromkeys(("nothing", "returning"), "SQLite"),
    **dict.fromkeys(
        ("delete_domain_id", "master_demote_to_replica", "master_demote_to_slave", "portion"),
        "MariaDB",
    ),
}


def unquoted_reserved(what: str, name: str) -> str:
    """Why ``name``, one of `UNQUOTED_RESERVED_WORDS`, is refused for ``what``."""
    return (
        f"{what} {name!r} is a word {UNQUOTED_RESERVED_WORDS[name]} reserves and SQLAlchemy "
        "does not quote (its statements would fail there): choose another name"
    )


# The longest identifier PostgreSQL keeps (63 bytes; MySQL/MariaDB allow 64): a longer
# table or column name would be cut on one database and refused on another.
MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class ModelName:
    """Every spelling of one model's name."""

    class_name: str  # BlogPost
    module: str  # blog_post
    table: str  # blog_posts
    route: str  # /blog-posts
    label: str  # blog post

    @property
    def tag(self) -> str:
        return self.route.lstrip("/")

    @property
    def plural_module(self) -> str:
        """The plural as a Python name: `blog_posts`."""
        return self.tag.replace("-", "_")


def link_table(table: str, field: str) -> str:
    """The association table of the many-to-many ``field`` of the model whose table is
    ``table``: `posts_tags`."""
    return f"{table}_{field}"


def model_name(name: str, table: str | None = None) -> ModelName:
    """Derive every spelling from ``name``: `Post`, `post`, `blog_post`, `BlogPost`, `posts`.

    >>> model_name("blog_post")
    ModelName(class_name='BlogPost', module='blog_post', table='blog_posts', route='/blog-posts', label='blog post')
    """  # noqa: E501
    if not _MODEL_NAME.match(name):
        raise ModelNameError(
            f"{name!r} is not a valid model name: use letters, digits and underscores, "
            "starting with a letter, such as `BlogPost` or `blog_post`"
        )
    words = [w.lower() for part in name.split("_") for w in _WORDS.findall(part)]
    words[-1] = singularize(words[-1])
    class_name = "".join(w.capitalize() for w in words)
    module = "_".join(words)
    if keyword.iskeyword(module):
        raise ModelNameError(f"{name!r} is a Python keyword: choose another model name")
    if keyword.iskeyword(class_name):  # `False`, `None`, `True`
        raise ModelNameError(
            f"{name!r} makes the class {class_name}, a Python keyword: choose another model name"
        )
    if class_name in ("I", "O") or module == "l":
        what = f"the module {module}" if module == "l" else f"the class {class_name}"
        raise ModelNameError(
            f"{name!r} makes {what}, which reads like a digit (ruff's E741 and E742 refuse "
            "it): choose another model name"
        )
    if module in taken_modules():
        raise ModelNameError(
            f"a model module named {module!r} would clash with a module of the project: "
            "choose another model name"
        )
    plural = [*words[:-1], pluralize(words[-1])]
    table_name = table if table is not None else "_".join(plural)
    if not re.match(r"^[a-z_][a-z0-9_]*$", table_name):
        raise ModelNameError(
            f"{table_name!r} is not a valid table name: use lower-case letters, digits "
            "and underscores"
        )
    if table_name in UNQUOTED_RESERVED_WORDS:
        raise ModelNameError(unquoted_reserved("the table name", table_name))
    if table_name.startswith("sqlite_"):
        raise ModelNameError(
            f"the table name {table_name!r} begins with sqlite_, which SQLite keeps for its "
            "own tables: choose another name or pass --table"
        )
    if len(table_name) > MAX_IDENTIFIER:
        raise ModelNameError(
            f"the table name {table_name!r} has {len(table_name)} characters, more than the "
            f"{MAX_IDENTIFIER} PostgreSQL keeps: choose a shorter name or pass --table"
        )
    route = "/" + "-".join(plural)
    if route in SERVED_PATHS:
        raise ModelNameError(
            f"a model named {class_name!r} would be served at {route}, which the app already "
            "serves: choose another model name"
        )
    return ModelName(
        class_name=class_name,
        module=module,
        table=table_name,
        route=route,
        label=" ".join(words),
    )
