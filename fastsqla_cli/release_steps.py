"""The steps of each release: changes to a project's own code (its models, schemas, routers
and tests) that the new template needs and copier cannot make, such as an import of a
module the template renamed. `fastsqla update` runs those of the versions after the
project's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fastsqla_cli.errors import FastsqlaError
from fastsqla_cli.project import find_project
from fastsqla_cli.ruff import format_python

if TYPE_CHECKING:
    from fastsqla_cli.naming import ModelName


# A model's list test in 0.1.0, which took the table to be empty, and in 0.2.0, where the
# tables of referenced models hold the run's shared rows.
_LIST_TEST_IN_0_1_0 = re.compile(
    r'everything = await client\.get\(\s*"(?P<route>[^"]+)",?\s*\)\n'
    r"(?P<indent> +)assert everything\.status_code == 200\n"
    r' +assert \[row\["id"\] for row in everything\.json\(\)\] == \[row\["id"\] for row in rows\]\n'
    r' +page = await client\.get\(\s*"(?P=route)",\s*params=\{"offset": 1, "limit": 1\},?\s*\)'
)


_LIST_TEST_IN_0_2_0 = (
    'everything = await client.get("\\g<route>", params={"limit": 100})\n'
    "\\g<indent>assert everything.status_code == 200\n"
    '\\g<indent>ids = [row["id"] for row in everything.json()]  # the shared rows first, if any\n'
    "\\g<indent>assert ids == sorted(ids) and everything.json()[-3:] == rows\n"
    '\\g<indent>page = await client.get("\\g<route>", params={"offset": len(ids) - 2, "limit": 1})'
)


# What 0.2.0 writes for a model's references and 0.1.0 did not (the list's filters and
# their test, the delete action, a unique reference's own row in test data), undone: the
# files of a model that read so once undone are as 0.1.0 wrote them, changed by the steps
# above only.
_IN_0_1_0: dict[str, tuple[tuple[str, str], ...]] = {
    "routers": (
        (r"^from fastapi import Query\n", ""),
        (
            r"(    limit: Limit = 20,\n)(?:(?!\) -> ).*\n)*?(\) -> list\[dict\[str, Any\]\]:\n)"
            r"    query = READ_ALL\n(?:(?!    rows = ).*\n)*    rows = await connection\.execute\("
            r"query\.",
            r"\1\2    rows = await connection.execute(READ_ALL.",
        ),
    ),
    "tests": (
        (r'^(    \("\w+", create_\w+, "[^"\n]+"), None\),$', r"\1),"),
        (r"\[field for field, \*_ in REFERENCES\]", "[field for field, _, _ in REFERENCES]"),
        (
            r'@pytest\.mark\.parametrize\(\("field", "create_target"\), \[r\[:2\] for r in '
            r"REFERENCES\]\)\nasync def test_the_list_filters_by_each_reference\("
            r"(?:.*\n)*?\n\n(?=@)",
            "",
        ),
        (
            r'@pytest\.mark\.parametrize\(\n    \("field", "create_target", "target_route"\), '
            r"\[r\[:3\] for r in REFERENCES if r\[3\] is None\]\n\)",
            '@pytest.mark.parametrize(("field", "create_target", "target_route"), REFERENCES)',
        ),
    ),
    "factories": (
        (
            r"The rows it references are given, or the shared ones \(`SHARED`\)\.",
            "The rows it references are created first, unless given.",
        ),
        (r"^ +# Unique: a row of its own each time, where the others share one\.\n", ""),
        # `client` positional-only: a field may be called so.
        (r"client: AsyncClient, /, \*\*overrides", "client: AsyncClient, **overrides"),
    ),
}


@dataclass(frozen=True)
class Step:
    """A change to the project's own code (its models, schemas, routers, tests) that the
    template of ``version`` needs, such as an import of a module the template renamed.
    ``run`` gets the project's root and its package, and edits files in place."""

    version: str
    run: Callable[[Path, str], None]


# Where 0.2.0 moved what `database.py` held (old name: new module, new name).
_MOVED_IN_0_2_0 = {
    "ConnectionQueue": ("connection_queue", "ConnectionQueue"),
    "DATABASE_RESPONSES": ("errors", "DATABASE_RESPONSES"),
    "DatabaseBusy": ("errors", "DatabaseBusy"),
    "DatabaseUnreachable": ("errors", "DatabaseUnavailable"),
    "DatabaseURLError": ("errors", "StartupError"),
    "DRIVERS": ("settings", "DRIVERS"),
    "IDLE_BEFORE_PING": ("idle_ping", "IDLE_BEFORE_PING"),
    "check_database": ("startup", "check_database"),
    "ping": ("routers.health", "ping"),
    "prepare_schema": ("migrations", "prepare_schema"),
}


# A model router's reads in 0.1.0, and in 0.2.0.
_READS_IN_0_2_0 = (
    (r"\[dict\((\w+)\._mapping\) for \1 in (\w+)\]", r"[dict(\1) for \1 in \2.mappings()]"),
    (r"(\(READ_ONE, .*\)\))\.first\(\)", r"\1.mappings().first()"),
    (r"dict\((\w+)\._mapping\)", r"dict(\1)"),
)


# A factory's referenced row in 0.1.0 (one per row it makes), and in 0.2.0 (one per test).
_REFERENCE_IN_0_1_0 = re.compile(r"\(await create_(\w+)\(client\)\)\[\"id\"\]")


_SHARED_IMPORT = "from tests.factories import SHARED\n"


def _shared_references(text: str) -> str:
    """A factory of 0.1.0, whose rows each made the rows they refer to, with the test's
    shared ones instead (`tests.factories.SHARED`)."""
    first = text.find("\nfrom tests.factories.")  # the imports of the rows it refers to
    if first < 0 or not _REFERENCE_IN_0_1_0.search(text):
        return text
    new_text = _REFERENCE_IN_0_1_0.sub(r'(await SHARED.row(client, create_\1))["id"]', text)
    if _SHARED_IMPORT not in new_text:  # the imports come before the code that changed
        new_text = new_text[: first + 1] + _SHARED_IMPORT + new_text[first + 1 :]
    return new_text


def _models_for_type_checkers(text: str, package: str) -> str:
    """A model module of 0.1.0, which imported the models it refers to, importing them for
    type checkers only (`if TYPE_CHECKING:`) and naming them in quotes, as 0.2.0 writes it:
    two models may then refer to each other without a circular import. (ruff sorts the
    imports afterwards.)"""
    found = re.compile(rf"^from {re.escape(package)}\.models\.\w+ import (\w+)\n", re.M)
    matches = list(found.finditer(text))
    if not matches or "TYPE_CHECKING" in text:
        return text
    text = found.sub("", text)
    imports = list(re.finditer(r"^(?:from|import) .*\n", text, re.M))
    if not imports:
        return text
    first, last = imports[0].start(), imports[-1].end()
    block = "\nif TYPE_CHECKING:\n" + "".join(f"    {match.group(0)}" for match in matches)
    text = (
        text[:first] + "from typing import TYPE_CHECKING\n" + text[first:last] + block + text[last:]
    )
    names = "|".join(re.escape(match.group(1)) for match in matches)
    return re.sub(rf"Mapped\[({names})( \| None)?\]", r'Mapped["\1\2"]', text)


def _database_split(root: Path, package: str) -> None:
    """0.2.0 split `database.py` into a module per mechanism, reads rows through
    `.mappings()` (pyright's strict mode refuses `row._mapping`), and shares the rows a
    test's rows refer to, committed once per run: the project's own imports of the moved
    names, the routers' reads, the factories and the list tests (which took every table
    to be empty) follow."""
    imports = re.compile(rf"^from {re.escape(package)}\.database import (\w+)( as \w+)?$", re.M)

    def moved(match: re.Match[str]) -> str:
        name, alias = match.group(1), match.group(2)
        if name not in _MOVED_IN_0_2_0:
            return match.group(0)
        module, new = _MOVED_IN_0_2_0[name]
        alias = alias or (f" as {name}" if new != name else "")
        return f"from {package}.{module} import {new}{alias}"

    changed: dict[PurePosixPath, str] = {}
    for path in sorted((root / package).rglob("*.py")) + sorted((root / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new_text = imports.sub(moved, text)
        if path.parent.name == "routers":
            for pattern, replacement in _READS_IN_0_2_0:
                new_text = re.sub(pattern, replacement, new_text)
        if path.parent.name == "factories" and path.name != "__init__.py":
            new_text = _shared_references(new_text)
        if path.parent.name == "models" and path.name != "__init__.py":
            new_text = _models_for_type_checkers(new_text, package)
        if path.parent.name == "tests" and path.name.startswith("test_"):
            new_text = _LIST_TEST_IN_0_1_0.sub(_LIST_TEST_IN_0_2_0, new_text)
        if new_text != text:
            changed[PurePosixPath(path.relative_to(root).as_posix())] = new_text
    # The moved imports sort differently: ruff orders them as the project's checks expect.
    for relative, text in format_python(root, changed, first_party=(package, "tests")).items():
        (root / relative).write_text(text, encoding="utf-8")
    _reference_filters(root)


def _lists_as_before(text: str, kind: str, package: str, m: ModelName) -> str:
    """A model's router, schemas or tests as 0.2.0 writes them, with the list as it was
    before 0.2.0 (`?offset=&limit=` and a JSON array) instead of `listing`'s pages."""
    pkg = re.escape(package)
    if kind == "routers":
        # Before 0.2.0 the reads took the request's connection: there was no read replica.
        text = re.sub(r"\bReadConnectionDep\b", "ConnectionDep", text)
        for name in ("Page", "Query"):
            text = text.replace(
                f"from {package}.schemas.{m.module} import {m.class_name}{name}\n", ""
            )
        text = re.sub(rf"^from {pkg} import listing\n", "", text, flags=re.M)
        # Before 0.2.0 a model's router was FastAPI's own `APIRouter`.
        if f"from {package}.routers import PrefixedRouter\n" in text:
            text = text.replace(f"from {package}.routers import PrefixedRouter\n", "")
            text = re.sub(
                r"^(?=from fastapi import )",
                "from fastapi import APIRouter\n",
                text,
                count=1,
                flags=re.M,
            )
            text = text.replace("router = PrefixedRouter(", "router = APIRouter(")
        text = text.replace(
            f"from {package}.routers import RowId\n",
            f"from {package}.routers import Limit\nfrom {package}.routers import Offset\n"
            f"from {package}.routers import RowId\n",
        )
        text = text.replace(
            f"READ_ALL = select({m.class_name}.__table__)\n",
            f"READ_ALL = select({m.class_name}.__table__).order_by({m.class_name}.id)\n",
        )
        route = re.compile(
            r'@router\.get\(\n    "",\n(?:.*\n)*?async def (?P<name>list_\w+)\(\n'
            r"    params: .*\n    connection: (?P<dep>\S+),\n\) -> dict\[str, (?P<any>\S+)\]:\n"
            r"(?:.*\n)*?    return await listing\.page\(connection, READ_ALL, params\)\n"
        )
        return route.sub(
            lambda found: (
                f'@router.get("", response_model=list[{m.class_name}Read])\n'
                f"async def {found['name']}(\n    connection: {found['dep']},\n"
                "    offset: Offset = 0,\n    limit: Limit = 20,\n"
                f") -> list[dict[str, {found['any']}]]:\n"
                "    rows = await connection.execute(READ_ALL.offset(offset).limit(limit))\n"
                "    return [dict(row) for row in rows.mappings()]\n"
            ),
            text,
        )
    if kind == "schemas":
        text = re.sub(rf"\n\n\nclass {m.class_name}Query\(ListQuery\):\n(?:.*\n?)*", "\n", text)
        text = re.sub(rf"^from {pkg}\.listing import \w+\n", "", text, flags=re.M)
        params = r"(?:Int32|Int64|Float64|Reference)Param"
        text = re.sub(rf"^from {pkg}\.field_types import {params}\n", "", text, flags=re.M)
        if text.count("Annotated") == 1:
            text = text.replace("from typing import Annotated\n", "")
        return re.sub(r"\n{3,}(?=from )", "\n\n", text)
    if kind == "tests":
        for line in (
            r"from collections\.abc import Callable",
            r"from operator import \w+",
            r"from tests\.pages import every_row",
            r"from decimal import Decimal",
            r"from datetime import datetime",
        ):
            text = re.sub(rf"^{line}\n", "", text, flags=re.M)
        text = re.sub(r"^SORTS = .*\n(?:(?!REFERENCES|\n).*\n)*", "", text, flags=re.M)
        text = re.sub(r"^def value_of\((?:.*\n)*?(?=def same\()", "", text, flags=re.M)
        text = text.replace('.json()["items"]', ".json()")
        return re.sub(
            r"^async def test_the_list_pages_in_id_order\((?:.*\n)*?"
            r"(?=async def test_update_changes_only_the_given_fields)",
            lambda found: _LIST_TESTS_BEFORE.format(route=m.route, module=m.module),
            text,
            flags=re.M,
        )
    return text


_LIST_TESTS_BEFORE = """async def test_list_pages_in_id_order(client: AsyncClient) -> None:
    rows = [await create_{module}(client) for _ in range(3)]
    everything = await client.get("{route}", params={{"limit": 100}})
    assert everything.status_code == 200
    ids = [row["id"] for row in everything.json()]  # the shared rows first, if any
    assert ids == sorted(ids) and everything.json()[-3:] == rows
    page = await client.get("{route}", params={{"offset": len(ids) - 2, "limit": 1}})
    assert page.json() == [rows[1]]


@pytest.mark.parametrize(
    "params", [{{"limit": 0}}, {{"limit": 101}}, {{"offset": -1}}, {{"offset": 2**31}}]
)
async def test_list_rejects_paging_out_of_range(
    client: AsyncClient,
    params: dict[str, int],
) -> None:
    response = await client.get("{route}", params=params)
    assert response.status_code == 422


"""


def _reference_filters(root: Path) -> None:
    """0.2.0 filters a list by each reference and tests it: the router, tests and test data
    of each model with references that read as 0.1.0 wrote them become what 0.2.0 writes;
    a file the user changed stays as it is."""
    from fastsqla_cli.fields import parse_fields
    from fastsqla_cli.model_files import render_model
    from fastsqla_cli.models import existing_models, resolve_references
    from fastsqla_cli.record import model_commands, recorded_specs

    project = find_project(root)
    models = existing_models(project)
    for model in models.values():
        try:
            commands = model_commands(project, model)
            fields = parse_fields(recorded_specs(commands))
            targets = resolve_references(model, fields, models)
        except FastsqlaError:  # no record, or one fastsqla cannot read: left as it is
            continue
        files = render_model(project.package, model, fields, targets, commands).files
        laid_out = format_python(root, files, first_party=(project.package, "tests"))
        untouched: dict[Path, str] = {}
        for relative, text in laid_out.items():
            kind = relative.parent.name
            path = root / relative
            if kind not in ("routers", "schemas", "tests", "factories") or not path.is_file():
                continue
            old = _shared_references(text) if kind == "factories" else text
            old = _lists_as_before(old, kind, project.package, model)
            for pattern, replacement in _IN_0_1_0.get(kind, ()):
                old = re.sub(pattern, replacement, old, flags=re.M)
            if path.read_text(encoding="utf-8") == old:
                untouched[path] = text
        # The router, the schemas and the tests of a list change together, or not at all.
        lists = [root / relative for relative in laid_out if relative.parent.name in _LISTS]
        if not all(path in untouched for path in lists):
            untouched = {path: text for path, text in untouched.items() if path not in lists}
        for path, text in untouched.items():
            path.write_text(text, encoding="utf-8")


_LISTS = ("routers", "schemas", "tests")


# The steps of every release, oldest first. An update runs those of the versions after the
# project's, up to the installed one, once copier has updated the template's own files.
STEPS: tuple[Step, ...] = (Step("0.2.0", _database_split),)
