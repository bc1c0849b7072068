"""A model's schemas module: the names it binds, what it imports, and the fields of its
list's query (sort and filters)."""

from __future__ import annotations

from fastsqla_cli.field_types import Import
from fastsqla_cli.field_view import SCHEMA_SUFFIXES, FieldView
from fastsqla_cli.namespace import Namespace, call, in_package, namespace
from fastsqla_cli.naming import ModelName


def schema_namespace(package: str, m: ModelName, views: list[FieldView]) -> Namespace:
    """A field of a request body shadows what the class body uses after it: a field
    `classmethod` or `field_validator` must not break the validator."""
    used = ["str"]  # the list's `sort`
    if any(not v.field.optional for v in views):
        used += ["classmethod", "object"]  # the update's validator
    if any(v.field.optional and v.link is None for v in views):
        used.append("bool")  # an `__isnull` filter
    imports = [*_schema_imports(package, m, views), *(("builtins", name) for name in used)]
    classes = [m.class_name + suffix for suffix in SCHEMA_SUFFIXES]  # the module's own
    return namespace(imports, [*(v.column_name for v in views), *classes])


def _schema_imports(package: str, m: ModelName, views: list[FieldView]) -> list[Import]:
    imports: list[Import] = [
        ("pydantic", "ConfigDict"),
        (f"{package}.field_types", "RequestBody"),
    ]
    if any(not v.field.optional for v in views):
        imports += [("pydantic", "field_validator"), ("pydantic.json_schema", "SkipJsonSchema")]
    imports += [
        ("typing", "Annotated"),
        ("pydantic.json_schema", "SkipJsonSchema"),
        (f"{package}.listing", "ListQuery"),
        (f"{package}.listing", "Page"),
        (f"{package}.listing", "sort_by"),
    ]
    operators = [op for v in views if v.link is None for _, op in filter_parameters(v)]
    if operators:
        imports.append((f"{package}.listing", "Filter"))
    if "in" in operators:
        imports.append((f"{package}.listing", "OneOf"))
    for v in views:
        imports += in_package(package, v.field.kind.schema_imports)
        imports += in_package(package, v.field.kind.query_imports)
        if v.enum:
            imports.append((f"{package}.models.{m.module}", v.enum))
        if v.link is not None:
            imports += [("pydantic", "Field"), (f"{package}.field_types", "ReferenceParam")]
    return imports


# The parameters every list takes (`listing.ListQuery`): a field of one of these names is
# filtered by equality as `<name>__eq`.
LIST_PARAMETERS = ("sort", "cursor", "limit", "count")


def query_lines(views: list[FieldView], n: Namespace) -> list[str]:
    """The fields of a model's `...Query`: its sort, and each filter its fields allow."""
    sortable = [f'"{v.column_name}"' for v in views if v.link is None and v.field.kind.sortable]
    annotated = n["Annotated"]
    lines = [f'sort: {annotated}[{n["str"]}, {call(n["sort_by"], sortable)}] = "id"']
    # A query parameter is given or left out, never null: its schema does not offer null.
    absent = f"{n['SkipJsonSchema']}[None]"
    for v in views:
        column, kind = v.column_name, v.field.kind
        if v.link is not None:
            target = v.target.class_name if v.target is not None else ""
            described = f'{n["Field"]}(description="Only the rows linked to this {target}")'
            reference = n["ReferenceParam"]
            lines.append(f"{column}: {annotated}[{reference} | {absent}, {described}] = None")
            continue
        value = n.qualify(v.enum or kind.filter_annotation(v.field.max_length))
        for name, operator in filter_parameters(v):
            arguments = [f'"{column}"', *([f'"{operator}"'] if operator != "eq" else [])]
            mark = call(n["Filter"], arguments)
            annotation = {"in": f"{n['OneOf']}[{value}]", "isnull": n["bool"]}.get(operator, value)
            lines.append(f"{name}: {annotated}[{annotation} | {absent}, {mark}] = None")
    return lines


def filter_parameters(v: FieldView) -> list[tuple[str, str]]:
    """The query parameter of each filter of a field, with its operator."""
    operators = [*v.field.kind.operators, *(["isnull"] if v.field.optional else [])]
    column = v.column_name
    return [
        (column if op == "eq" and column not in LIST_PARAMETERS else f"{column}__{op}", op)
        for op in operators
    ]
