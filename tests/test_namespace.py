"""How a generated module names what it imports beside the user's names, and the one search
for a free name that every generated name goes through."""

from __future__ import annotations

import pytest

from fastsqla_cli.field_types import Import
from fastsqla_cli.namespace import free_name, import_lines, namespace


@pytest.mark.parametrize(
    ("imports", "users", "avoid", "lines", "spelled"),
    [
        # Nothing of the user's is called so: the names are imported as they are.
        ([("sqlalchemy", "Date")], ["Post"], [], ["from sqlalchemy import Date"], {"Date": "Date"}),
        # A model `Date`: SQLAlchemy's is reached through its module.
        (
            [("sqlalchemy", "Date")],
            ["Date"],
            [],
            ["import sqlalchemy"],
            {"Date": "sqlalchemy.Date"},
        ),
        (
            [("sqlalchemy.orm", "Mapped")],
            ["Mapped"],
            [],
            ["from sqlalchemy import orm"],
            {"Mapped": "orm.Mapped"},
        ),
        # Two names of one module: one import of it.
        (
            [("fastapi", "Depends"), ("fastapi", "Query")],
            ["Depends", "Query"],
            [],
            ["import fastapi"],
            {"Depends": "fastapi.Depends", "Query": "fastapi.Query"},
        ),
        # Two modules of one name (a model `TestRun`'s test data and schemas): two names.
        (
            [("tests.factories.test_run", "test_run_payload"), ("shop.schemas.test_run", "T")],
            ["test_run_payload", "T"],
            [],
            [
                "from shop.schemas import test_run as _test_run",
                "from tests.factories import test_run",
            ],
            {"test_run_payload": "test_run.test_run_payload", "T": "_test_run.T"},
        ),
        # The module's name is one the module binds itself.
        (
            [("sqlalchemy.orm", "Mapped")],
            ["Mapped"],
            ["orm"],
            ["from sqlalchemy import orm as _orm"],
            {"Mapped": "_orm.Mapped"},
        ),
        # A builtin: nothing to import, unless a user's name shadows it.
        ([("builtins", "str")], ["title"], [], [], {"str": "str"}),
        ([("builtins", "str")], ["str"], [], ["import builtins"], {"str": "builtins.str"}),
    ],
)
def test_a_name_the_user_binds_is_imported_through_its_module(
    imports: list[Import],
    users: list[str],
    avoid: list[str],
    lines: list[str],
    spelled: dict[str, str],
) -> None:
    names = namespace(imports, users, avoid)
    assert import_lines(names.imports).splitlines() == lines
    assert {name: names[name] for name in spelled} == spelled


@pytest.mark.parametrize(
    ("wanted", "taken", "affixes", "found"),
    [
        ("reject_null", set(), {"suffix": "_"}, "reject_null"),
        ("reject_null", {"reject_null"}, {"suffix": "_"}, "reject_null_"),
        ("reject_null", {"reject_null", "reject_null_"}, {"suffix": "_"}, "reject_null__"),
        ("orm", {"orm", "_orm"}, {"prefix": "_"}, "__orm"),
        ("PostStatus", {"PostStatus"}, {"suffix": "Value"}, "PostStatusValue"),
    ],
)
def test_free_name_adds_its_affixes_until_the_name_is_free(
    wanted: str, taken: set[str], affixes: dict[str, str], found: str
) -> None:
    assert free_name(wanted, taken, **affixes) == found


def test_free_name_without_an_affix_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="prefix or a suffix"):
        free_name("row", {"row"})
