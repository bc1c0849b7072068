"""The files of one model: model, schemas, router, test data and tests.

The text is correct Python but not laid out: `ruff.format_python` does that with the
target project's own configuration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from fastsqla_cli.field_types import Import
from fastsqla_cli.field_view import (
    ANNOTATION_BUILTINS,
    ROUTER_NAMES,
    SCHEMA_SUFFIXES,
    FieldView,
    field_views,
)
from fastsqla_cli.fields import Field
from fastsqla_cli.namespace import (
    Namespace,
    call,
    free_name,
    import_lines,
    in_package,
    namespace,
)
from fastsqla_cli.naming import ModelName
from fastsqla_cli.record import record
from fastsqla_cli.schemas import filter_parameters, query_lines, schema_namespace
from fastsqla_cli.templates import defined_names, render


@dataclass(frozen=True)
class ModelFiles:
    """The new files of one model, relative to the project root."""

    files: dict[PurePosixPath, str]


def _model_namespace(
    package: str, m: ModelName, views: list[FieldView]
) -> tuple[Namespace, list[Import]]:
    """The model module's names, and the models it refers to: those are imported for the
    type checkers only (`if TYPE_CHECKING:`), their names quoted in annotations, so that
    two models may refer to each other without a circular import."""
    imports: list[Import] = [("sqlalchemy.orm", "Mapped"), (f"{package}.database", "Base")]
    if any(v.link is None for v in views):  # a column of its table (a link has none)
        imports.append(("sqlalchemy.orm", "mapped_column"))
    targets: list[Import] = []
    for v in views:
        imports += in_package(package, v.field.kind.model_imports)
        if v.target is not None and not v.is_self:
            targets.append((f"{package}.models.{v.target.module}", v.target.class_name))
    if targets:
        imports.append(("typing", "TYPE_CHECKING"))
    # The builtins the module names (its annotations; a link's ids property), which it
    # reaches through `builtins` when a field shadows one.
    used = {name for v in views for name in re.findall(r"\w+", v.field.kind.annotation)}
    if any(v.link is not None for v in views):
        used |= {"property", "list", "int"}
    imports += [("builtins", name) for name in ANNOTATION_BUILTINS if name in used]
    fields = [name for v in views for name in {v.name, v.column_name}]
    users = [m.class_name, *(name for _, name in targets), *fields]
    return namespace(imports, users), list(dict.fromkeys(targets))


# The types whose values a database sorts by its collation (MySQL's ignores case).
_TEXTUAL = ("str", "enum", "uuid")


# How the generated tests compare a field's JSON values, where JSON's own values would not.
_AS_VALUE = {"decimal": "Decimal", "datetime": "datetime.fromisoformat"}


_AS_VALUE_IMPORTS = {"decimal": ("decimal", "Decimal"), "datetime": ("datetime", "datetime")}


def render_model(
    package: str,
    m: ModelName,
    fields: tuple[Field, ...],
    targets: dict[str, ModelName],
    commands: list[list[str]],
    unfilled: frozenset[str] = frozenset(),
) -> ModelFiles:
    """Render every file of model ``m``; ``targets`` maps a ref's name to its model, and
    ``commands`` are those that made it (kept in the model's docstring). The optional refs
    named in ``unfilled`` are left empty by the model's test data: the test data of their
    targets makes rows of ``m`` (a cycle of references, see `models.unfilled_references`).

    The text is correct Python but not laid out: :func:`format_python` does that."""
    views = [replace(v, closes_cycle=v.name in unfilled) for v in field_views(m, fields, targets)]
    model_names, model_targets = _model_namespace(package, m, views)
    views = [replace(v, names=model_names) for v in views]
    refs = [v for v in views if v.field.type == "ref"]
    other_refs = [v for v in refs if not v.is_self]
    filled_refs = [v for v in other_refs if not v.closes_cycle]
    unfilled_refs = [v for v in other_refs if v.closes_cycle]
    links = [v for v in views if v.link is not None]
    other_links = [v for v in links if not v.is_self]
    plain = [v for v in views if v.field.type != "ref" or v.is_self]
    unique = [v for v in views if v.field.unique]

    schema_names = schema_namespace(package, m, views)
    library_imports: list[Import] = [
        ("typing", "Annotated"),
        ("typing", "Any"),
        (f"{package}.routers", "PrefixedRouter"),
        ("fastapi", "Depends"),
        ("fastapi", "status"),
        ("sqlalchemy", "bindparam"),
        ("sqlalchemy", "select"),
        (package, "integrity"),
        (f"{package}.database", "ReadConnectionDep"),
        (f"{package}.database", "SessionDep"),
        (f"{package}.errors", "NotFound"),
        (f"{package}.errors", "responses"),
        (f"{package}.routers", "RowId"),
        ("fastapi", "Query"),
        (package, "listing"),
    ]
    if links:
        library_imports.append(("sqlalchemy.orm", "selectinload"))
    own_imports: list[Import] = [
        (f"{package}.models.{m.module}", m.class_name),
        *((f"{package}.schemas.{m.module}", m.class_name + s) for s in SCHEMA_SUFFIXES),
    ]
    for v in links:
        assert v.link is not None and v.target is not None
        own_imports.append((f"{package}.models.{m.module}", v.link.var))
        if not v.is_self:
            own_imports.append((f"{package}.models.{v.target.module}", v.target.class_name))
    linked_models = [v.target.class_name for v in other_links if v.target is not None]
    # The router's names for one row and its dependency: the model's own, unless that
    # is a name the router already uses (a model `Session` must not shadow the session).
    var = free_name(m.module, ROUTER_NAMES, suffix="_row")
    dep_taken = {name.removesuffix("Dep") for name in ROUTER_NAMES}
    dep = free_name(m.class_name, dep_taken, suffix="Row") + "Dep"
    router_names = namespace(library_imports, [m.class_name, dep, *linked_models], avoid=[var])
    # Statuses a write may answer besides 422 (which FastAPI documents itself).
    conflict = ["status.HTTP_409_CONFLICT"] if unique else []
    write_errors = ", ".join(["status.HTTP_400_BAD_REQUEST", *conflict])
    update_errors = ", ".join(
        ["status.HTTP_400_BAD_REQUEST", "status.HTTP_404_NOT_FOUND", *conflict]
    )
    factory_imports: list[Import] = [
        ("itertools", "count"),
        ("typing", "Any"),
        ("httpx", "AsyncClient"),
    ]
    for v in plain:
        if not v.is_self:
            factory_imports += in_package(package, v.field.kind.sample_imports)
    factory_imports += [
        (f"tests.factories.{v.target.module}", f"create_{v.target.module}")
        for v in filled_refs
        if v.target is not None
    ]
    if any(not v.field.unique for v in filled_refs):
        factory_imports.append(("tests.factories", "SHARED"))
    test_imports: list[Import] = [
        ("typing", "Any"),
        ("pytest", ""),
        ("httpx", "AsyncClient"),
        (f"{package}.schemas.{m.module}", f"{m.class_name}Create"),
        (f"tests.factories.{m.module}", f"{m.module}_payload"),
        (f"tests.factories.{m.module}", f"create_{m.module}"),
    ]
    if refs or links:
        test_imports.append(("tests.factories", "Factory"))
        test_imports += [
            (f"tests.factories.{v.target.module}", f"create_{v.target.module}")
            for v in [*other_refs, *other_links]
            if v.target is not None
        ]
    sorts = [v.column_name for v in views if v.link is None and v.field.kind.sortable]
    filters = [
        (parameter, v.column_name, operator)
        for v in views
        if v.link is None
        for parameter, operator in filter_parameters(v)
    ]
    as_value = {v.column_name: _AS_VALUE[v.field.type] for v in views if v.field.type in _AS_VALUE}
    test_imports.append(("tests.pages", "every_row"))
    if sorts or filters:
        test_imports.append(("collections.abc", "Callable"))
        test_imports += [
            _AS_VALUE_IMPORTS[v.field.type] for v in views if v.field.type in _AS_VALUE
        ]
    if filters:
        test_imports += [("operator", name) for name in ("eq", "ge", "gt", "le", "lt")]
    if links:
        test_imports += [
            ("sqlalchemy", "event"),
            ("sqlalchemy.ext.asyncio", "AsyncConnection"),
        ]
    # pytest takes a function or class a test module imports for a test when its name says
    # so (a model `TestRun` or `Testing`): reach those through their modules.
    collected = [name for _, name in test_imports if name.startswith(("test", "Test"))]
    test_names = namespace(test_imports, collected, avoid=defined_names("test.py.jinja"))

    context = {
        "m": m,
        "fields": views,
        "refs": refs,
        "other_refs": other_refs,
        "filled_refs": filled_refs,
        "unfilled_refs": unfilled_refs,
        "links": links,
        "other_links": other_links,
        "columns": [v for v in views if v.link is None],
        # The model's constructor takes no link: the route sets them, once checked.
        "exclude_links": (
            "exclude={" + ", ".join(f'"{v.column_name}"' for v in links) + "}" if links else ""
        ),
        "plain": plain,
        "sorts": sorts,
        "texts_sorted": [
            v.column_name for v in views if v.column_name in sorts and v.field.type in _TEXTUAL
        ],
        "filters": filters,
        "self_refs": [v.column_name for v in refs if v.is_self],
        "as_value": as_value,
        "unique": [v.column_name for v in unique],
        "required": [v.column_name for v in views if not v.field.optional],
        "required_in_create": [
            v.column_name
            for v in views
            if not v.field.optional and v.field.default is None and v.link is None
        ],
        "optional": [v.column_name for v in views if v.field.optional and v.field.default is None],
        "defaults": {v.column_name: v.field.default for v in views if v.field.default is not None},
        "enums": [v for v in views if v.enum],
        "lengths": [v for v in views if v.field.type == "str"],
        "ondelete": {v.field.ondelete for v in refs},
        "texts": [v.column_name for v in views if v.field.type == "text"],
        "patch_field": views[0].column_name,
        # a sample value uses the counter
        "numbered": any(not v.is_self and v.link is None for v in plain),
        "var": var,
        "dep": dep,
        "validator": call(
            "@" + schema_names["field_validator"],
            [f'"{v.column_name}"' for v in views if not v.field.optional],
        ),
        # The update schema's validator, named so that no field hides it.
        "reject_null": free_name("reject_null", {v.column_name for v in views}, suffix="_"),
    }
    pkg = PurePosixPath(package)
    files = {
        pkg / "models" / f"{m.module}.py": render(
            "model.py.jinja",
            imports=import_lines(model_names.imports),
            type_imports=import_lines(model_targets),
            n=model_names,
            record=record(commands),
            **context,
        ),
        pkg / "schemas" / f"{m.module}.py": render(
            "schemas.py.jinja",
            imports=import_lines(schema_names.imports),
            n=schema_names,
            query_lines=query_lines(views, schema_names),
            **context,
        ),
        pkg / "routers" / f"{m.module}.py": render(
            "router.py.jinja",
            imports=import_lines([*router_names.imports, *own_imports]),
            n=router_names,
            write_errors=write_errors,
            update_errors=update_errors,
            **context,
        ),
        PurePosixPath("tests/factories") / f"{m.module}.py": render(
            "factory.py.jinja", imports=import_lines(factory_imports), **context
        ),
        PurePosixPath("tests") / f"test_{m.module}.py": render(
            "test.py.jinja",
            imports=import_lines(test_names.imports),
            payload=test_names[f"{m.module}_payload"],
            create_schema=test_names[f"{m.class_name}Create"],
            **context,
        ),
    }
    return ModelFiles(files=files)
