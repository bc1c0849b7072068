"""One field of a model as its files spell it: the column, the relationship, the schemas'
lines and a sample value, with the names each module gives what it imports."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from fastsqla_cli.field_types import TYPES
from fastsqla_cli.fields import ON_DELETE, Field
from fastsqla_cli.inflection import singularize
from fastsqla_cli.namespace import PLAIN, Namespace, assignment, call, free_name
from fastsqla_cli.naming import ModelName, link_table
from fastsqla_cli.naming_convention import constraint_name


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
            "pk": constraint_name("pk", self.table),
            "source_fk": constraint_name("fk", self.table, self.source, source_table),
            "target_fk": constraint_name("fk", self.table, self.target, target_table),
            "ix": constraint_name("ix", self.table, self.target),
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
                call(n["ForeignKey"], [f'"{self.target.table}.id"', *self.ondelete_args, *cycle])
            ]
        elif field.type == "enum":
            # The values, not the members' names, in a string column with a CHECK
            # constraint named after the column (see the README's "Enum fields").
            args = [
                call(
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
        return assignment(target, n["mapped_column"], args)

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
            call(
                n["Column"],
                [
                    f'"{column}"',
                    n["Integer"],
                    call(n["ForeignKey"], [f'"{table}.id"', 'ondelete="CASCADE"']),
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
            return assignment(target_line, n["relationship"], args)
        target = self.target.class_name
        # In a string: the class is imported for type checkers only, or being defined.
        annotation = f'"{target} | None"' if self.field.optional else f'"{target}"'
        args = [f"foreign_keys=[{self.field.column_name}]"]
        if self.is_self:  # say which side is remote
            args.append(f'remote_side="{target}.id"')
        args.append('lazy="raise"')
        target = f"{self.field.name}: {n['Mapped']}[{annotation}]"
        return assignment(target, n["relationship"], args)

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


# The names in lower case a router defines, imports or uses as locals, besides those made
# from its model's, which the model's own local must not take; and the dependencies it
# imports, which the model's must not take. `tests/test_naming.py` reads them from a
# router rendered with every kind of field.
ROUTER_NAMES = frozenset(
    {
        *("router", "session", "connection", "data", "params", "page", "listing", "query"),
        *("found", "changes", "linked", "row", "name", "value"),
        *("status", "integrity", "select", "selectinload", "bindparam", "responses"),
        *("setattr", "dict", "str"),  # builtins
        *("SessionDep", "ReadConnectionDep"),
    }
)


def field_views(
    m: ModelName, fields: tuple[Field, ...], targets: dict[str, ModelName]
) -> list[FieldView]:
    # An enum's class is named for its model and field (`PostStatus`), unless the modules
    # that define or import it already have that name.
    taken = {m.class_name, *(m.class_name + suffix for suffix in SCHEMA_SUFFIXES)}
    taken |= {target.class_name for target in targets.values()} | GENERATED_NAMES
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
            enum = free_name(enum, taken, suffix="Value")
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
    var = free_name(table, taken | ROUTER_NAMES | set(ANNOTATION_BUILTINS), suffix="_table")
    taken.add(var)
    return Link(table, var, source, target)


# What the model and schema modules import or define: an enum class is never named so.
# `tests/test_naming.py` holds it to the modules of a model with every kind of field.
GENERATED_NAMES = frozenset(
    {
        *(name for kind in TYPES.values() for _, name in kind.model_imports),
        *(name for kind in TYPES.values() for _, name in kind.schema_imports),
        *(name for kind in TYPES.values() for _, name in kind.query_imports),
        *("Mapped", "mapped_column", "Base", "ConfigDict", "RequestBody", "field_validator"),
        *("SkipJsonSchema", "ReferenceParam", "ValueError"),
        *("Filter", "ListQuery", "OneOf", "Page", "sort_by"),
    }
)
