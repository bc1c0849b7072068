"""Rendering: the Jinja environment fastsqla renders with, the files of one model (model,
schemas, router, test factory and tests), and ruff, which has the last word on their layout.

Templates write correct code without caring for line length or import order; the files
then go through ruff with the target project's own configuration, as if they were in place:
imports sorted (isort), then formatted. A project whose `line-length` is 88 gets 88.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fastsqla_cli.errors import ToolError, UsageError
from fastsqla_cli.fields import ON_DELETE, TYPES, Field, Import, parse_field
from fastsqla_cli.naming import ModelName, link_table, singularize

if TYPE_CHECKING:
    import jinja2


def templates_dir() -> Path:
    """The templates: inside the installed wheel, or beside the package in a checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "templates"


def strict_environment(
    root: Path,
    compiled_templates: Path | None,
    *,
    keep_trailing_newline: bool = False,
    trim_blocks: bool = False,
    lstrip_blocks: bool = False,
) -> jinja2.Environment:
    """Templates under ``root``, compiled once into ``compiled_templates`` (see
    ``template_cache``; None: no cache). Strict: an undefined name is an error, never an
    empty string; nothing is HTML-escaped."""
    import jinja2

    from fastsqla_cli.template_cache import bytecode_cache

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        bytecode_cache=bytecode_cache(compiled_templates),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=keep_trailing_newline,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
    )


@cache
def _model_environment(compiled_templates: Path | None) -> jinja2.Environment:
    environment = strict_environment(
        templates_dir() / "model",
        compiled_templates,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pyrepr"] = repr  # a value as a Python literal
    environment.filters["wrap79"] = wrap79
    return environment


def wrap79(text: str, indent: int = 0, prefix: str = "") -> str:
    """A line of a docstring or comment (``prefix`` "# ") that holds user names, wrapped at
    79 columns (any usual line length) after ``indent`` spaces; a name longer than that
    keeps its line."""
    import textwrap

    pad = " " * indent + prefix
    return textwrap.fill(
        text,
        width=79,
        initial_indent=pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render(name: str, **context: object) -> str:
    """Render the model template ``name``."""
    from fastsqla_cli.template_cache import cache_dir

    return _model_environment(cache_dir()).get_template(name).render(**context)


def import_lines(imports: Iterable[Import]) -> str:
    """``(module, name)`` as ``from module import name``, ``(module, "")`` as ``import
    module``; one per line, in any order: ruff sorts them into sections."""
    return "\n".join(
        sorted(
            f"from {module} import {name}" if name else f"import {module}"
            for module, name in set(imports)
        )
    )


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Namespace:
    """What one generated module calls each name it imports.

    Usually the name itself. When the module also binds that name to something of the
    user's (a model `Date` beside SQLAlchemy's `Date`, a model `Depends` in its router),
    the imported one is reached through its module instead (`sqlalchemy.Date`,
    `fastapi.Depends`), so that any model name works."""

    imports: tuple[Import, ...]
    qualified: Mapping[str, str]  # name -> `module.name`, for the names that clash

    def __getitem__(self, name: str) -> str:
        return self.qualified.get(name, name)

    def qualify(self, expression: str) -> str:
        """``expression`` (a type or a call such as `String(200)`) in this module's names."""
        return _IDENTIFIER.sub(lambda found: self[found.group()], expression)


def namespace(
    imports: Iterable[Import], users: Iterable[str], avoid: Iterable[str] = ()
) -> Namespace:
    """The names of a module that imports ``imports`` and binds ``users`` (the user's
    names: its model classes, and its field names, which shadow a name in the class body
    after them); ``avoid`` are other names it binds, which a module imported for
    qualifying must not shadow either. ``("builtins", name)`` stands for a builtin the
    module uses: imported (`import builtins`) only when a user's name shadows it."""
    clashing = set(users)
    taken = clashing | set(avoid)
    kept: list[Import] = []
    qualified: dict[str, str] = {}
    for module, name in dict.fromkeys(imports):
        if name not in clashing:
            if module != "builtins":  # always there, unless shadowed
                kept.append((module, name))
            continue
        parent, _, last = module.rpartition(".")
        alias = last
        while alias in taken:
            alias = f"_{alias}"
        suffix = "" if alias == last else f" as {alias}"
        kept.append((parent, last + suffix) if parent else (module + suffix, ""))
        qualified[name] = f"{alias}.{name}"
    return Namespace(tuple(kept), qualified)


PLAIN = Namespace((), {})


@dataclass(frozen=True)
class Link:
    """The association table of a many-to-many field, named by the project's convention:
    `<table>_<field>` (`posts_tags`), a row per link, removed with either side."""

    table: str
    var: str  # its name in the model's module, where `Table(...)` defines it
    source: str  # the column of the model's row: `post_id`
    target: str  # the column of the linked row: `tag_id`

    def names(self, source_table: str, target_table: str) -> dict[str, str]:
        """Its constraints and index, as the naming convention names them."""
        return {
            "pk": f"pk_{self.table}",
            "source_fk": f"fk_{self.table}_{self.source}_{source_table}",
            "target_fk": f"fk_{self.table}_{self.target}_{target_table}",
            "ix": f"ix_{self.table}_{self.target}",
        }


@dataclass(frozen=True)
class FieldView:
    """One field, with every line the templates write for it."""

    field: Field
    target: ModelName | None = None  # the referenced model, for `ref`
    is_self: bool = False  # a reference to the model being generated
    names: Namespace = PLAIN  # the model module's, for the model's lines
    enum: str = ""  # the class of an enum's values, in the model's module
    link: Link | None = None  # a many-to-many's association table
    model: ModelName | None = None  # the model the field belongs to
    closes_cycle: bool = False  # a `ref` whose target refers back (`unfilled_references`)

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
        base = self.enum or self.names.qualify(self.field.kind.annotation)
        return f"{base} | None" if self.field.optional else base

    @property
    def members(self) -> list[tuple[str, str]]:
        """An enum's members: (name, value literal), the names made from the values."""
        return list(zip(member_names(self.field.values), map(repr, self.field.values), strict=True))

    @property
    def default_member(self) -> str | None:
        """The enum member of the field's default, as the model's module spells it."""
        if self.field.default is None:
            return None
        at = self.field.values.index(self.field.default)
        return f"{self.enum}.{member_names(self.field.values)[at]}"

    @property
    def column_line(self) -> str:
        field, kind, n = self.field, self.field.kind, self.names
        if field.type == "ref":
            assert self.target is not None
            # A cycle of foreign keys: created after the tables, dropped before them.
            cycle = ["use_alter=True"] if self.closes_cycle else []
            args = [
                _call(n["ForeignKey"], [f'"{self.target.table}.id"', *self.ondelete_args, *cycle])
            ]
        elif field.type == "enum":
            # The values, not the members' names, in a string column with a CHECK
            # constraint named after the column (see the README's "Enum fields").
            args = [
                _call(
                    n["Enum"],
                    [
                        self.enum,
                        f'name="{field.column_name}"',
                        "native_enum=False",
                        "create_constraint=True",
                        f"values_callable={n['enum_values']}",
                    ],
                )
            ]
        else:
            args = [n.qualify(kind.column.format(max=field.max_length))]
        if field.unique:
            args.append("unique=True")
        if field.index or field.type == "ref":
            args.append("index=True")
        if self.default_member is not None:
            args.append(f"default={self.default_member}")
        target = f"{field.column_name}: {n['Mapped']}[{self.annotation}]"
        return _assignment(target, n["mapped_column"], args)

    @property
    def ondelete_args(self) -> list[str]:
        """``ondelete="CASCADE"`` for a reference that has an action, else nothing."""
        action = self.field.ondelete
        return [f'ondelete="{ON_DELETE[action]}"'] if action is not None else []

    @property
    def migration_type(self) -> str:
        """The column's type in a revision: the model's type, from `sa` or `column_types`."""
        if self.field.type in ("ref", "many"):
            return "sa.Integer()"
        if self.field.type == "enum":
            values = [repr(value) for value in self.field.values]
            options = f'name="{self.column_name}", native_enum=False, create_constraint=True'
            return f"sa.Enum({', '.join(values)}, {options})"
        kind = self.field.kind
        column = kind.column.format(max=self.field.max_length)
        name = column.partition("(")[0]
        module = next(module for module, imported in kind.model_imports if imported == name)
        prefix = "column_types." if module.endswith(".column_types") else "sa."
        return prefix + (column if "(" in column else f"{column}()")

    @property
    def table_lines(self) -> list[str]:
        """A many-to-many's association table, in the model's module."""
        assert self.link is not None and self.target is not None and self.model is not None
        n, link = self.names, self.link
        columns = [
            _call(
                n["Column"],
                [
                    f'"{column}"',
                    n["Integer"],
                    _call(n["ForeignKey"], [f'"{table}.id"', 'ondelete="CASCADE"']),
                    "primary_key=True",
                    *(["index=True"] if column == link.target else []),
                ],
            )
            for column, table in ((link.source, self.model.table), (link.target, self.target.table))
        ]
        return [f'"{link.table}"', f"{n['Base']}.metadata", *columns]

    @property
    def ids_lines(self) -> list[str]:
        """The property that gives a many-to-many's linked ids, as the API reads them."""
        n = self.names
        return [
            f"@{n['property']}",
            f"def {self.column_name}(self) -> {n['list']}[{n['int']}]:",
            '    """The ids of the rows it links to (load them first: selectinload)."""',
            f"    return sorted(row.id for row in self.{self.name})",
        ]

    @property
    def relationship_line(self) -> str:
        assert self.target is not None
        n = self.names
        if self.link is not None:
            link, target = self.link, self.target.class_name
            args = [f"secondary={link.var}"]
            if self.is_self:
                args += [
                    f"primaryjoin=lambda: {target}.id == {link.var}.c.{link.source}",
                    f"secondaryjoin=lambda: {target}.id == {link.var}.c.{link.target}",
                ]
            args.append('lazy="raise"')
            target_line = f'{self.field.name}: {n["Mapped"]}[{n["list"]}["{target}"]]'
            return _assignment(target_line, n["relationship"], args)
        target = self.target.class_name
        # In a string: the class is imported for type checkers only, or being defined.
        annotation = f'"{target} | None"' if self.field.optional else f'"{target}"'
        args = [f"foreign_keys=[{self.field.column_name}]"]
        if self.is_self:  # say which side is remote
            args.append(f'remote_side="{target}.id"')
        args.append('lazy="raise"')
        target = f"{self.field.name}: {n['Mapped']}[{annotation}]"
        return _assignment(target, n["relationship"], args)

    @property
    def input_annotation(self) -> str:
        return self.enum or self.field.kind.schema_annotation(self.field.max_length)

    @property
    def create_line(self) -> str:
        if self.link is not None:  # no link unless given
            return f"{self.column_name}: {self.input_annotation} = []"
        default = self.default_member
        if self.field.optional:
            return f"{self.column_name}: {self.input_annotation} | None = {default}"
        if default is not None:
            return f"{self.column_name}: {self.input_annotation} = {default}"
        return f"{self.column_name}: {self.input_annotation}"

    @property
    def update_line(self) -> str:
        """Every field may be left out; a required one may not be null, so its schema does
        not offer null (`SkipJsonSchema`) and a validator refuses it."""
        none = "None" if self.field.optional else "SkipJsonSchema[None]"
        return f"{self.column_name}: {self.input_annotation} | {none} = None"

    @property
    def sample(self) -> str:
        if self.link is not None:  # no link: its tests make the rows they link
            return "[]"
        if self.is_self:  # nothing to refer to yet
            return "None"
        # A long name gets a short prefix, so that its payload line stays within 88 columns.
        prefix = self.field.name[: max(1, min(20, 60 - len(self.field.name)))]
        sample = self.field.kind.sample.replace("{field}", prefix)
        values = self.field.values
        return sample.replace("{values}", repr(list(values))).replace("{count}", str(len(values)))


def member_names(values: Iterable[str]) -> list[str]:
    """A Python name for each enum value: its words in upper case (`in review` ->
    `IN_REVIEW`), `V_` before one that does not start with a letter, a number after one
    that would repeat another."""
    names: list[str] = []
    for value in values:
        name = re.sub(r"\W+", "_", value).strip("_").upper()
        if not name.isidentifier() or name.startswith("_"):
            name = f"V_{name}".rstrip("_")
        # Python reads names in NFKC form: two spellings may be one name.
        taken = {unicodedata.normalize("NFKC", other) for other in names}
        base, number = name, 2
        while unicodedata.normalize("NFKC", name) in taken:
            name, number = f"{base}_{number}", number + 1
        names.append(name)
    return names


SCHEMA_SUFFIXES = ("Create", "Read", "Update", "Query", "Page")
ANNOTATION_BUILTINS = ("int", "str", "float", "bool", "dict", "list", "property")  # models

# Names a router defines, imports or uses as locals, besides those made from its model's.
ROUTER_NAMES = frozenset(
    {
        *("router", "session", "connection", "data", "params", "page", "listing", "query"),
        *("result", "found", "changes", "linked"),
        *("row", "name", "value", "status", "integrity", "select", "bindparam", "responses"),
        *("setattr", "dict"),  # builtins the route bodies call
        *("SessionDep", "ConnectionDep"),
    }
)


@dataclass(frozen=True)
class ModelFiles:
    """The new files of one model, relative to the project root."""

    files: dict[PurePosixPath, str]


def _imports(package: str, imports: Iterable[Import]) -> list[Import]:
    return [(module.format(package=package), name) for module, name in imports]


def _model_namespace(
    package: str, m: ModelName, views: list[FieldView]
) -> tuple[Namespace, list[Import]]:
    """The model module's names, and the models it refers to: those are imported for the
    type checkers only (`if TYPE_CHECKING:`), their names quoted in annotations, so that
    two models may refer to each other without a circular import."""
    imports: list[Import] = [
        ("sqlalchemy.orm", "Mapped"),
        ("sqlalchemy.orm", "mapped_column"),
        (f"{package}.database", "Base"),
    ]
    targets: list[Import] = []
    for v in views:
        imports += _imports(package, v.field.kind.model_imports)
        if v.target is not None and not v.is_self:
            targets.append((f"{package}.models.{v.target.module}", v.target.class_name))
    if targets:
        imports.append(("typing", "TYPE_CHECKING"))
    imports += [("builtins", name) for name in ANNOTATION_BUILTINS]
    fields = [name for v in views for name in {v.name, v.column_name}]
    users = [m.class_name, *(name for _, name in targets), *fields]
    return namespace(imports, users), list(dict.fromkeys(targets))


def _schema_namespace(package: str, m: ModelName, views: list[FieldView]) -> Namespace:
    """A field of a request body shadows what the class body uses after it: a field
    `classmethod` or `field_validator` must not break the validator."""
    imports = [
        *_schema_imports(package, m, views),
        *(("builtins", name) for name in ("classmethod", "object", "str", "bool")),
    ]
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
        imports += _imports(package, v.field.kind.schema_imports)
        imports += _imports(package, v.field.kind.query_imports)
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
    lines = [f'sort: {annotated}[{n["str"]}, {_call(n["sort_by"], sortable)}] = "id"']
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
            mark = _call(n["Filter"], arguments)
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


# The types whose values a database sorts by its collation (MySQL's ignores case).
_TEXTUAL = ("str", "enum", "uuid")
# How the generated tests compare a field's JSON values, where JSON's own values would not.
_AS_VALUE = {"decimal": "Decimal", "datetime": "datetime.fromisoformat"}
_AS_VALUE_IMPORTS = {"decimal": ("decimal", "Decimal"), "datetime": ("datetime", "datetime")}


RECORD_WIDTH = 79  # the docstring's record of commands stays within any usual line length


def record(commands: list[list[str]]) -> str:
    """The commands that made a model, as its docstring keeps them: one per line after four
    spaces, continued after eight when long. :func:`read_record` reads them back."""
    lines: list[str] = []
    for command in commands:
        line = "    " + command[0]
        for word in map(shlex.quote, command[1:]):  # an enum value may hold a space
            if len(line) + 1 + len(word) > RECORD_WIDTH and line.strip() != command[0]:
                lines.append(line)
                line = "        " + word
            else:
                line += " " + word
        lines.append(line)
    return "\n".join(lines)


def read_record(model_text: str) -> list[list[str]] | None:
    """The commands kept in a model's docstring (see :func:`record`), or None if the
    docstring no longer has them."""
    import ast

    try:
        docstring = ast.get_docstring(ast.parse(model_text), clean=False)
    except SyntaxError:
        return None
    commands: list[list[str]] = []
    for line in (docstring or "").splitlines():
        try:
            words = shlex.split(line)
        except ValueError:  # an unbalanced quote: not a line of the record
            continue
        if line.startswith("    ") and line[4:5].isalpha() and words[0] in COMMANDS:
            commands.append(words)
        elif line.startswith("        ") and commands:
            commands[-1] += words
    return commands if commands and commands[0][0] == "add-model" else None


COMMANDS = ("add-model", "add-field", "add-value")


def recorded_specs(commands: list[list[str]]) -> list[str]:
    """The field specs of recorded commands, in order (``--table NAME`` left out), an enum's
    spec with the values added to it since."""
    specs: list[str] = []
    for command in commands:
        words = command[2:]
        if command[0] == "add-value" and words:
            name, *values = words
            at = next((i for i, spec in enumerate(specs) if spec.startswith(f"{name}:")), None)
            if at is not None:
                field = parse_field(specs[at])
                specs[at] = replace(field, values=(*field.values, *values)).spec
            continue
        if "--table" in words:
            at = words.index("--table")
            words = words[:at] + words[at + 2 :]
        specs += words
    return specs


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
    targets makes rows of ``m`` (a cycle of references, see `project.unfilled_references`).

    The text is correct Python but not laid out: :func:`format_python` does that."""
    views = [replace(v, closes_cycle=v.name in unfilled) for v in _views(m, fields, targets)]
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

    schema_names = _schema_namespace(package, m, views)
    library_imports: list[Import] = [
        ("typing", "Annotated"),
        ("typing", "Any"),
        (f"{package}.routers", "PrefixedRouter"),
        ("fastapi", "Depends"),
        ("fastapi", "status"),
        ("sqlalchemy", "bindparam"),
        ("sqlalchemy", "select"),
        (package, "integrity"),
        (f"{package}.database", "ConnectionDep"),
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
    var = m.module if m.module not in ROUTER_NAMES else f"{m.module}_row"
    dep = f"{m.class_name}Dep"
    if dep in ROUTER_NAMES:
        dep = f"{m.class_name}RowDep"
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
            factory_imports += _imports(package, v.field.kind.sample_imports)
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
        "validator": _call(
            "@" + schema_names["field_validator"],
            [f'"{v.column_name}"' for v in views if not v.field.optional],
        ),
        # The update schema's validator, named so that no field hides it.
        "reject_null": next(
            name
            for name in ("reject_null", "reject_null_", "_reject_null")
            if name not in {v.column_name for v in views}
        ),
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
            "test.py.jinja", imports=import_lines(test_imports), **context
        ),
    }
    return ModelFiles(files=files)


def _views(
    m: ModelName, fields: tuple[Field, ...], targets: dict[str, ModelName]
) -> list[FieldView]:
    # An enum's class is named for its model and field (`PostStatus`), unless the modules
    # that define or import it already have that name.
    taken = {m.class_name, *(m.class_name + suffix for suffix in SCHEMA_SUFFIXES)}
    taken |= {target.class_name for target in targets.values()} | _GENERATED_NAMES
    # An association table's variable: not a field (the class body would see the field),
    # nor a function of the router that imports it.
    taken |= {name for field in fields for name in field.names}
    taken |= {f"{verb}_{m.module}" for verb in ("get", "create", "read", "update", "delete")}
    taken |= {f"list_{m.plural_module}", "READ_ALL", "READ_ONE"}
    views = []
    for field in fields:
        enum = ""
        if field.type == "enum":
            enum = m.class_name + "".join(word.capitalize() for word in field.name.split("_"))
            while enum in taken:
                enum += "Value"
            taken.add(enum)
        target = targets.get(field.name) if field.type in ("ref", "many") else None
        views.append(
            FieldView(
                field,
                target=target,
                is_self=target is not None and target.class_name == m.class_name,
                enum=enum,
                link=_link(m, field, taken) if field.type == "many" else None,
                model=m,
            )
        )
    return views


def _link(m: ModelName, field: Field, taken: set[str]) -> Link:
    """The association table of ``m``'s many-to-many ``field``; its variable never takes a
    name the model's module or its router uses."""
    table = link_table(m.table, field.name)
    source = f"{m.module}_id"
    target = next(
        name
        for name in (f"{singularize(field.name)}_id", f"{field.name}_id", f"linked_{m.module}_id")
        if name != source
    )
    var = table
    while var in taken or var in ROUTER_NAMES or var in ANNOTATION_BUILTINS:
        var += "_table"
    taken.add(var)
    return Link(table, var, source, target)


# What the model and schema modules import or define: an enum class is never named so.
_GENERATED_NAMES = frozenset(
    {
        *(name for kind in TYPES.values() for _, name in kind.model_imports),
        *(name for kind in TYPES.values() for _, name in kind.schema_imports),
        *("Mapped", "mapped_column", "Base", "ConfigDict", "RequestBody", "field_validator"),
        "SkipJsonSchema",
        *("Filter", "ListQuery", "OneOf", "Page", "sort_by"),
    }
)


@dataclass(frozen=True)
class ConstraintNames:
    """The names of one table's constraints and indexes, as the project's naming convention
    (`database.NAMING_CONVENTION`) gives them to its model's metadata."""

    primary_key: str
    unique: dict[str, str]  # column -> unique constraint
    foreign_keys: dict[str, str]  # column -> foreign key
    indexes: dict[str, tuple[str, bool]]  # column -> (index, unique)
    checks: dict[str, str]  # column -> an enum's check constraint


def constraint_names(m: ModelName, views: list[FieldView]) -> ConstraintNames:
    """What SQLAlchemy names each constraint of ``m``'s table: a unique field that is also
    indexed gets a unique index instead of a unique constraint, as `mapped_column` does."""
    table = m.table
    unique, foreign_keys, indexes, checks = {}, {}, {}, {}
    for v in views:
        column = v.column_name
        if v.link is not None:  # its own table
            continue
        if v.field.type == "enum":  # the `Enum` is named for its column
            checks[column] = f"ck_{table}_{column}"
        indexed = v.field.index or v.field.type == "ref"
        if v.field.unique and not indexed:
            unique[column] = f"uq_{table}_{column}"
        if indexed:
            indexes[column] = (f"ix_{table}_{column}", v.field.unique)
        if v.target is not None:
            foreign_keys[column] = f"fk_{table}_{column}_{v.target.table}"
    return ConstraintNames(f"pk_{table}", unique, foreign_keys, indexes, checks)


@dataclass(frozen=True)
class Revision:
    """An Alembic revision: its identifier, the one it follows, when it was written."""

    id: str
    down_revision: str | None
    created: datetime

    @property
    def path(self) -> PurePosixPath:
        """Named the way the project's `file_template` names the revisions Alembic writes."""
        return PurePosixPath(f"{self.created:%Y_%m_%d_%H%M}_{self.id}")


def render_revision(
    package: str,
    m: ModelName,
    fields: tuple[Field, ...],
    targets: dict[str, ModelName],
    revision: Revision,
    *,
    drop: bool = False,
) -> tuple[PurePosixPath, str]:
    """The revision that creates ``m``'s table (with ``drop``, that drops it and creates it
    again on downgrade), and where it goes (relative to the project root).

    Constraint names are the naming convention's, in full, marked as such (`op.f`): a name
    longer than a database keeps is shortened by SQLAlchemy the same way for the revision
    as for the models' metadata, so the two always agree."""
    views = _views(m, fields, targets)
    names = constraint_names(m, views)
    imports = _revision_imports(package, views)
    text = render(
        "revision.py.jinja",
        imports=import_lines(imports),
        m=m,
        columns=[v for v in views if v.link is None],
        links=[v for v in views if v.link is not None],
        refs=[v for v in views if v.field.type == "ref"],
        names=names,
        drop=drop,
        revision=revision.id,
        down_revision=revision.down_revision,
        created=revision.created.isoformat(sep=" ", timespec="seconds"),
    )
    return _revision_file(package, revision, f"{'drop' if drop else 'create'}_{m.table}"), text


def _revision_imports(package: str, views: list[FieldView]) -> list[Import]:
    imports: list[Import] = [
        ("collections.abc", "Sequence"),
        ("sqlalchemy as sa", ""),
        ("alembic", "op"),
    ]
    if any(v.migration_type.startswith("column_types.") for v in views):
        imports.append((package, "column_types"))
    return imports


def _revision_file(package: str, revision: Revision, slug: str) -> PurePosixPath:
    """Where a revision goes, named the way the project's `file_template` names them."""
    name = f"{revision.path}_{slug[:40].rstrip('_')}.py"
    return PurePosixPath(package, "migrations", "versions", name)


def render_field_revision(
    package: str,
    m: ModelName,
    fields: tuple[Field, ...],
    targets: dict[str, ModelName],
    defaults: dict[str, tuple[str, list[Import]]],
    revision: Revision,
) -> tuple[PurePosixPath, str]:
    """The revision that adds ``fields`` to ``m``'s table: each column nullable first, then
    the ``defaults`` (column -> Python literal and its imports) written into the rows
    already there, then NOT NULL, constraints and indexes; the downgrade drops them."""
    views = _views(m, fields, targets)
    names = constraint_names(m, views)
    imports = _revision_imports(package, views)
    for _literal, needed in defaults.values():
        imports += needed
    if any(v.field.type == "ref" and v.column_name in defaults for v in views):
        imports.append(("alembic", "context"))  # its check of the referenced row
    columns = [v.link.table if v.link else v.column_name for v in views]
    text = render(
        "add_fields.py.jinja",
        imports=import_lines(imports),
        m=m,
        fields=[v for v in views if v.link is None],
        links=[v for v in views if v.link is not None],
        refs=[v for v in views if v.field.type == "ref"],
        required=[v for v in views if not v.field.optional and v.link is None],
        defaults={column: literal for column, (literal, _) in defaults.items()},
        names=names,
        columns=", ".join(columns[:-1]) + (" and " if len(columns) > 1 else "") + columns[-1],
        revision=revision.id,
        down_revision=revision.down_revision,
        created=revision.created.isoformat(sep=" ", timespec="seconds"),
    )
    return _revision_file(package, revision, f"add_{'_'.join(columns)}_to_{m.table}"), text


def render_value_revision(
    package: str, m: ModelName, before: Field, after: Field, revision: Revision
) -> tuple[PurePosixPath, str]:
    """The revision that lets enum field ``before`` take the values of ``after``: its
    CHECK constraint made again, its column made longer for a longer value."""
    column = before.column_name
    added = [value for value in after.values if value not in before.values]
    text = render(
        "add_values.py.jinja",
        imports=import_lines([*_revision_imports(package, []), ("alembic", "context")]),
        m=m,
        field=before,
        added_values=added,
        check=constraint_names(m, [FieldView(before)]).checks[column],
        lengths=(max(map(len, before.values)), max(map(len, after.values))),
        before=list(before.values),
        after=list(after.values),
        revision=revision.id,
        down_revision=revision.down_revision,
        created=revision.created.isoformat(sep=" ", timespec="seconds"),
    )
    return _revision_file(package, revision, f"add_values_to_{m.table}_{column}"), text


def _call(function: str, args: Iterable[str]) -> str:
    """``function(args)`` on one line; ruff wraps it if it is too long."""
    return f"{function}({', '.join(args)})"


def _assignment(target: str, function: str, args: list[str]) -> str:
    """``target = function(args)``, on one line."""
    return f"{target} = {_call(function, args)}"


# --- ruff: the project's own configuration lays out what was rendered ------------------


def find_ruff() -> str | None:
    """The ruff binary installed beside fastsqla (a dependency), else one on PATH."""
    import shutil
    import sys
    import sysconfig

    name = "ruff.exe" if sys.platform == "win32" else "ruff"
    beside = Path(sysconfig.get_path("scripts")) / name
    return str(beside) if beside.is_file() else shutil.which("ruff")


def format_python(
    root: Path,
    files: Mapping[PurePosixPath, str],
    first_party: Iterable[str] = (),
    *,
    refuse_long_lines: bool = False,
) -> dict[PurePosixPath, str]:
    """``files`` (paths relative to ``root``) with their imports sorted and their code
    formatted by ruff with the project's configuration (line length, isort settings), the
    one ruff would use for a file in ``root``. Nothing is written to the project.

    ``first_party`` names the project's own top-level modules: ruff recognises a module as
    first-party by finding its file, and the new files are not written yet.

    The files are laid out in a scratch directory, two ruff runs for all of them; a
    ruff configuration in a subdirectory of the project is not consulted.
    Raises :class:`ToolError` when ruff cannot run or refuses a file; with
    ``refuse_long_lines``, :class:`UsageError` when a line is still longer than the
    project's line length once formatted (names too long to wrap).
    """
    ruff = find_ruff()
    if ruff is None:
        raise ToolError("ruff is not installed beside fastsqla: reinstall fastsqla-cli")
    python = [path for path in files if path.suffix == ".py"]
    if not python:
        return dict(files)
    options = ["--no-cache"]
    config = ruff_config(root)
    if config is not None:
        options += ["--config", str(config)]
    first_party_option = f"lint.isort.known-first-party = {sorted(first_party)!r}"
    with tempfile.TemporaryDirectory(prefix="fastsqla-ruff-") as scratch:
        targets = [Path(scratch, path) for path in python]
        for target, path in zip(targets, python, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[path], encoding="utf-8")
        sort = ["check", "--fix-only", "--select", "I", "--exit-zero"]
        for command in ([*sort, "--config", first_party_option], ["format"]):
            _ruff(ruff, [*command, *options, *map(str, targets)], root, scratch)
        if refuse_long_lines:
            # The project's own rules: a project that does not check E501 is not refused.
            report = ["check", "--output-format", "json", "--exit-zero"]
            found = json.loads(_ruff(ruff, [*report, *options, *map(str, targets)], root, scratch))
            too_long = next((d for d in found if d["code"] == "E501"), None)
            if too_long is not None:  # "Line too long (106 > 100)"
                width, limit = re.findall(r"\d+", too_long["message"])[-2:]
                raise UsageError(
                    f"these names are too long for the project's line length ({limit}): "
                    f"{Path(too_long['filename']).relative_to(scratch)} would have a line of "
                    f"{width} characters (line {too_long['location']['row']}): choose shorter names"
                )
        laid_out = {
            path: target.read_text(encoding="utf-8")
            for path, target in zip(python, targets, strict=True)
        }
    return {**files, **laid_out}


def ruff_config(root: Path) -> Path | None:
    """The configuration file ruff uses for the files in ``root``: the nearest
    ``.ruff.toml``, ``ruff.toml`` or ``pyproject.toml`` with a ``[tool.ruff]`` table."""
    for directory in [root, *root.parents]:
        for name in (".ruff.toml", "ruff.toml", "pyproject.toml"):
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or "[tool.ruff" in candidate.read_text(encoding="utf-8"):
                return candidate
    return None


def _ruff(ruff: str, arguments: list[str], root: Path, scratch: str) -> str:
    try:
        result = subprocess.run(
            [ruff, *arguments], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ToolError(f"cannot run {ruff}: {error.strerror}") from None
    if result.returncode != 0:
        detail = next(
            (line for line in result.stderr.splitlines() if line.startswith("error:")),
            f"exit code {result.returncode}",
        )
        detail = detail.removeprefix("error: ").replace(scratch + "/", "")
        raise ToolError(f"ruff {arguments[0]} refused the rendered code: {detail}")
    return result.stdout
