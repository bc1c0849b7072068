"""Render the files of one model: model, schemas, router, test factory and tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from fastsqla_cli.fields import Field, Import
from fastsqla_cli.naming import ModelName
from fastsqla_cli.templating import render, render_imports


@dataclass(frozen=True)
class FieldView:
    """One field, with every line the templates write for it."""

    field: Field
    target: ModelName | None = None  # the referenced model, for `ref`
    is_self: bool = False  # a reference to the model being generated

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def column_name(self) -> str:
        return self.field.column_name

    @property
    def max_length(self) -> int | None:
        return self.field.max_length

    @property
    def annotation(self) -> str:
        base = self.field.kind.annotation
        return f"{base} | None" if self.field.optional else base

    @property
    def column_line(self) -> str:
        field, kind = self.field, self.field.kind
        if field.type == "ref":
            assert self.target is not None
            args = [f'ForeignKey("{self.target.table}.id")']
        else:
            args = [kind.column.format(max=field.max_length)]
        if field.unique:
            args.append("unique=True")
        if field.index or field.type == "ref":
            args.append("index=True")
        return _assignment(f"{field.column_name}: Mapped[{self.annotation}]", "mapped_column", args)

    @property
    def relationship_line(self) -> str:
        assert self.target is not None
        target = self.target.class_name
        annotation = f"{target} | None" if self.field.optional else target
        args = [f"foreign_keys=[{self.field.column_name}]"]
        if self.is_self:
            # The class is being defined: name it in a string, and say which side is remote.
            annotation = f'"{annotation}"'
            args.append(f'remote_side="{target}.id"')
        args.append('lazy="raise"')
        return _assignment(f"{self.field.name}: Mapped[{annotation}]", "relationship", args)

    @property
    def input_annotation(self) -> str:
        return self.field.kind.schema_annotation(self.field.max_length)

    @property
    def create_line(self) -> str:
        if self.field.optional:
            return f"{self.column_name}: {self.input_annotation} | None = None"
        return f"{self.column_name}: {self.input_annotation}"

    @property
    def update_line(self) -> str:
        """Every field may be left out; a required one may not be null, so its schema does
        not offer null (`SkipJsonSchema`) and a validator refuses it."""
        none = "None" if self.field.optional else "SkipJsonSchema[None]"
        return f"{self.column_name}: {self.input_annotation} | {none} = None"

    @property
    def sample(self) -> str:
        if self.is_self:
            return "None"
        return self.field.kind.sample.replace("{field}", self.field.name)


@dataclass(frozen=True)
class ModelFiles:
    """The new files of one model, relative to the project root."""

    files: dict[PurePosixPath, str]
    model_module: str  # registered in `models/__init__.py`
    router_module: str  # imported in `main.py` ...
    router_include: str  # ... and included there


def _imports(package: str, imports: Iterable[Import]) -> list[Import]:
    return [(module.format(package=package), name) for module, name in imports]


def _model_imports(package: str, views: list[FieldView]) -> list[Import]:
    imports: list[Import] = [
        ("sqlalchemy.orm", "Mapped"),
        ("sqlalchemy.orm", "mapped_column"),
        (f"{package}.database", "Base"),
    ]
    for v in views:
        imports += _imports(package, v.field.kind.model_imports)
        if v.target is not None and not v.is_self:
            imports.append((f"{package}.models.{v.target.module}", v.target.class_name))
    return imports


def _schema_imports(package: str, views: list[FieldView]) -> list[Import]:
    imports: list[Import] = [
        ("pydantic", "ConfigDict"),
        (f"{package}.schemas", "RequestBody"),
    ]
    if any(not v.field.optional for v in views):
        imports += [("pydantic", "field_validator"), ("pydantic.json_schema", "SkipJsonSchema")]
    for v in views:
        imports += _imports(package, v.field.kind.schema_imports)
    return imports


def render_model(
    package: str,
    m: ModelName,
    fields: tuple[Field, ...],
    targets: dict[str, ModelName],
    *,
    connection_dependency: bool = True,
) -> ModelFiles:
    """Render every file of model ``m``; ``targets`` maps a ref's name to its model.

    ``connection_dependency``: the project's ``database.py`` has ``ConnectionDep`` (projects
    made by fastsqla 0.1.0 before it was added have only ``SessionDep``), so the read route
    uses it."""
    views = [
        FieldView(
            field,
            target=targets.get(field.name) if field.type == "ref" else None,
            is_self=field.type == "ref" and targets[field.name].class_name == m.class_name,
        )
        for field in fields
    ]
    refs = [v for v in views if v.field.type == "ref"]
    other_refs = [v for v in refs if not v.is_self]
    plain = [v for v in views if v.field.type != "ref" or v.is_self]
    unique = [v for v in views if v.field.unique]
    first_party = (package, "tests")

    model_imports = _model_imports(package, views)
    schema_imports = _schema_imports(package, views)
    router_imports: list[Import] = [
        ("collections.abc", "Sequence"),
        ("typing", "Annotated"),
        ("typing", "Any"),
        ("fastapi", "APIRouter"),
        ("fastapi", "Depends"),
        ("fastapi", "status"),
        ("sqlalchemy", "bindparam"),
        ("sqlalchemy", "select"),
        (package, "integrity"),
        (f"{package}.database", "SessionDep"),
        (f"{package}.errors", "NotFound"),
        (f"{package}.errors", "responses"),
        (f"{package}.models.{m.module}", m.class_name),
        (f"{package}.routers", "Limit"),
        (f"{package}.routers", "Offset"),
        (f"{package}.routers", "RowId"),
        (f"{package}.schemas.{m.module}", f"{m.class_name}Create"),
        (f"{package}.schemas.{m.module}", f"{m.class_name}Read"),
        (f"{package}.schemas.{m.module}", f"{m.class_name}Update"),
    ]
    reader, reader_dep = (
        ("connection", "ConnectionDep") if connection_dependency else ("session", "SessionDep")
    )
    router_imports.append((f"{package}.database", reader_dep))
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
            factory_imports += _imports(package, v.field.kind.sample_imports)
    factory_imports += [
        (f"tests.factories.{v.target.module}", f"create_{v.target.module}")
        for v in other_refs
        if v.target is not None
    ]
    test_imports: list[Import] = [
        ("typing", "Any"),
        ("pytest", ""),
        ("httpx", "AsyncClient"),
        (f"{package}.schemas.{m.module}", f"{m.class_name}Create"),
        (f"tests.factories.{m.module}", f"{m.module}_payload"),
        (f"tests.factories.{m.module}", f"create_{m.module}"),
    ]
    if refs:
        test_imports.append(("tests.factories", "Factory"))
        test_imports += [
            (f"tests.factories.{v.target.module}", f"create_{v.target.module}")
            for v in other_refs
            if v.target is not None
        ]

    def imports(items: list[Import]) -> str:
        return render_imports(items, first_party)

    context = {
        "m": m,
        "fields": views,
        "refs": refs,
        "other_refs": other_refs,
        "plain": plain,
        "unique": [v.column_name for v in unique],
        "required": [v.column_name for v in views if not v.field.optional],
        "optional": [v.column_name for v in views if v.field.optional],
        "lengths": [v for v in views if v.field.type == "str"],
        "texts": [v.column_name for v in views if v.field.type == "text"],
        "patch_field": views[0].column_name,
        "validator": _call(
            "@field_validator",
            [f'"{v.column_name}"' for v in views if not v.field.optional],
        ),
    }
    pkg = PurePosixPath(package)
    files = {
        pkg / "models" / f"{m.module}.py": render(
            "model.py.jinja", imports=imports(model_imports), **context
        ),
        pkg / "schemas" / f"{m.module}.py": render(
            "schemas.py.jinja", imports=imports(schema_imports), **context
        ),
        pkg / "routers" / f"{m.module}.py": render(
            "router.py.jinja",
            imports=imports(router_imports),
            reader=reader,
            reader_dep=reader_dep,
            write_errors=write_errors,
            update_errors=update_errors,
            **context,
        ),
        PurePosixPath("tests/factories") / f"{m.module}.py": render(
            "factory.py.jinja", imports=imports(factory_imports), **context
        ),
        PurePosixPath("tests") / f"test_{m.module}.py": render(
            "test.py.jinja", imports=imports(test_imports), **context
        ),
    }
    return ModelFiles(
        files=files,
        model_module=f"{package}.models.{m.module}",
        router_module=f"{package}.routers.{m.module}",
        router_include=f"    app.include_router({m.module}.router)",
    )


def _call(head: str, args: list[str], indent: int = 4, tuple_: bool = False) -> str:
    """`head(args)` on one line when it fits in 100 columns, else one argument per line
    with a trailing comma, a form ruff's formatter keeps; with ``tuple_``, a tuple literal."""
    joined = ", ".join(args) + ("," if tuple_ and len(args) == 1 else "")
    line = f"{head}({joined})"
    if indent + len(line) <= 100:
        return line
    inner = "".join(f"\n{' ' * (indent + 4)}{arg}," for arg in args)
    return f"{head}({inner}\n{' ' * indent})"


def _assignment(
    target: str, function: str, args: list[str], indent: int = 4, tuple_: bool = False
) -> str:
    """`target = function(args)`, laid out by :func:`_call`."""
    return _call(f"{target} = {function}", args, indent, tuple_)
