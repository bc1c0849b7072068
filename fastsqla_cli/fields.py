"""The field-spec grammar of ``fastsqla add-model``: ``name:type[:modifier...]``.

Parsing is pure: a spec becomes a frozen :class:`Field`, or a :class:`FieldSpecError`
whose one-line message names the problem and the valid choices.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass

from fastsqla_cli.errors import FieldSpecError
from fastsqla_cli.field_types import TYPES, FieldType
from fastsqla_cli.inflection import singularize
from fastsqla_cli.naming import MAX_IDENTIFIER, UNQUOTED_RESERVED_WORDS, unquoted_reserved

MODIFIERS = ("unique", "index", "optional", "max=N", "default=VALUE", "ondelete=ACTION")
# What a reference does when the row it points at is deleted; without one, that delete is
# refused (409) while rows refer to the row.
ON_DELETE = {"cascade": "CASCADE", "set-null": "SET NULL"}
DEFAULT_STR_LENGTH = 255
MAX_STR_LENGTH = 16_383  # the longest VARCHAR MySQL stores in utf8mb4

# Attribute names taken by SQLAlchemy's declarative base or by Pydantic's BaseModel;
# a field by that name would shadow them (Pydantic warns, SQLAlchemy breaks).
RESERVED_FIELD_NAMES = frozenset(
    {
        "id",
        "metadata",
        "registry",
        "awaitable_attrs",
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
        "only_characters",  # the request schemas' validator (the project's field_types.py)
    }
)
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_GRAMMAR = "expected name:type[:modifier...], such as title:str:max=200 or author:ref:User"


@dataclass(frozen=True)
class Field:
    """One parsed field spec."""

    name: str
    type: str
    unique: bool = False
    index: bool = False
    optional: bool = False
    max_length: int | None = None
    ref: str | None = None  # the referenced model, as the user wrote it
    values: tuple[str, ...] = ()  # an enum's values, in order
    default: str | None = None  # an enum's value when none is given
    ondelete: str | None = None  # a reference's action, a key of `ON_DELETE`

    @property
    def kind(self) -> FieldType:
        return TYPES[self.type]

    @property
    def column_name(self) -> str:
        """The column this field stores, or the API's name for it: a `ref` stores
        `<name>_id`; a `many` (`tags`) stores nothing in its table and is `tag_ids`."""
        if self.type == "many":
            return f"{singularize(self.name)}_ids"
        return f"{self.name}_id" if self.type == "ref" else self.name

    @property
    def names(self) -> tuple[str, ...]:
        """Every attribute the field adds to the model."""
        return (self.column_name, self.name) if self.type in ("ref", "many") else (self.name,)

    @property
    def spec(self) -> str:
        """The field as a spec again, in one canonical spelling: ``parse_field`` of it
        gives this field back."""
        parts = [self.name, self.type]
        if self.ref is not None:
            parts.append(self.ref)
        if self.values:
            parts.append(",".join(self.values))
        parts += [flag for flag in ("unique", "index", "optional") if getattr(self, flag)]
        if self.max_length is not None and self.max_length != DEFAULT_STR_LENGTH:
            parts.append(f"max={self.max_length}")
        if self.default is not None:
            parts.append(f"default={self.default}")
        if self.ondelete is not None:
            parts.append(f"ondelete={self.ondelete}")
        return ":".join(parts)


def _type_list() -> str:
    return ", ".join(TYPES)


def parse_field(spec: str) -> Field:
    """Parse one ``name:type[:modifier...]`` spec.

    >>> parse_field("email:str:unique")
    Field(name='email', type='str', unique=True, index=False, optional=False, max_length=255, ref=None)
    """  # noqa: E501
    parts = spec.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise FieldSpecError(f"malformed field {spec!r}: {_GRAMMAR}")
    name, type_name, *modifiers = parts
    if not _FIELD_NAME.match(name):
        raise FieldSpecError(
            f"invalid field name {name!r} in {spec!r}: use lower-case letters, digits and "
            "underscores, starting with a letter"
        )
    if "__" in name:
        raise FieldSpecError(
            f"invalid field name {name!r} in {spec!r}: `__` separates a field from its "
            "operator in a list's filters (`price__gt`): use single underscores"
        )
    if keyword.iskeyword(name):
        raise FieldSpecError(f"field name {name!r} is a Python keyword: choose another name")
    if name == "l":
        raise FieldSpecError(
            "field name 'l' reads like the digit 1 (ruff's E741 refuses it): choose another name"
        )
    if name in RESERVED_FIELD_NAMES or name.startswith("model_"):
        raise FieldSpecError(
            f"field name {name!r} is reserved (every model has `id`; SQLAlchemy and Pydantic "
            "use `metadata`, `registry`, `model_*`, `json`, ...): choose another name"
        )
    column = f"{name}_id" if type_name == "ref" else name
    if column in UNQUOTED_RESERVED_WORDS:
        raise FieldSpecError(unquoted_reserved("the column name", column))
    if len(column) > MAX_IDENTIFIER:
        raise FieldSpecError(
            f"the column {column!r} has {len(column)} characters, more than the "
            f"{MAX_IDENTIFIER} PostgreSQL keeps: choose a shorter field name"
        )
    if type_name not in TYPES:
        raise FieldSpecError(
            f"unknown type {type_name!r} in {spec!r}: choose one of {_type_list()}"
        )
    ref = None
    if type_name in ("ref", "many"):
        if not modifiers or not modifiers[0] or not re.match(r"^[A-Za-z]\w*$", modifiers[0]):
            raise FieldSpecError(
                f"{spec!r} does not name the model it references: write {name}:{type_name}:Model"
            )
        ref, *modifiers = modifiers
        if type_name == "many" and (name.endswith("_id") or name.endswith("_ids")):
            plural = name.rsplit("_", 1)[0] + "s"
            raise FieldSpecError(
                f"name the links, not their ids: {plural}:many:{ref} is read and written "
                f"as {singularize(plural)}_ids"
            )
        if type_name == "many" and modifiers:
            raise FieldSpecError(
                f"a many-to-many field takes no modifier ({spec!r}): write {name}:many:{ref}"
            )
        if type_name == "ref" and name.endswith("_id"):
            raise FieldSpecError(
                f"name the relationship, not its column: {name[:-3]}:ref:{ref} "
                f"adds the column {name}"
            )

    values: tuple[str, ...] = ()
    if type_name == "enum":
        if not modifiers or not modifiers[0]:
            raise FieldSpecError(
                f"{spec!r} does not list its values: write {name}:enum:draft,published"
            )
        enum_values, *modifiers = modifiers
        values = parse_values(enum_values, spec)

    flags: dict[str, bool] = {}
    max_length: int | None = None
    default: str | None = None
    ondelete: str | None = None
    for modifier in modifiers:
        key, sep, value = modifier.partition("=")
        if key == "ondelete" and sep:
            if type_name != "ref":
                raise FieldSpecError(f"ondelete=ACTION applies to ref fields only, not {spec!r}")
            if ondelete is not None:
                raise FieldSpecError(f"ondelete is given twice in {spec!r}")
            if value not in ON_DELETE:
                raise FieldSpecError(
                    f"unknown ondelete={value} in {spec!r}: choose {' or '.join(ON_DELETE)}, "
                    "or leave it out to refuse deleting a row that is referred to"
                )
            ondelete = value
        elif key == "default" and sep:
            if type_name != "enum":
                raise FieldSpecError(f"default=VALUE applies to enum fields only, not {spec!r}")
            if default is not None:
                raise FieldSpecError(f"default is given twice in {spec!r}")
            if value not in values:
                raise FieldSpecError(
                    f"default={value} in {spec!r} is not one of its values: "
                    f"choose from {', '.join(values)}"
                )
            default = value
        elif key == "max" and sep:
            if type_name != "str":
                raise FieldSpecError(f"max=N applies to str fields only, not {spec!r}")
            if max_length is not None:
                raise FieldSpecError(f"max is given twice in {spec!r}")
            if not value.isdigit() or not 1 <= int(value) <= MAX_STR_LENGTH:
                raise FieldSpecError(
                    f"invalid {modifier!r} in {spec!r}: N must be a whole number from 1 "
                    f"to {MAX_STR_LENGTH}"
                )
            max_length = int(value)
        elif key in ("unique", "index", "optional") and not sep:
            if key in flags:
                raise FieldSpecError(f"{key} is given twice in {spec!r}")
            flags[key] = True
        else:
            raise FieldSpecError(
                f"unknown modifier {modifier!r} in {spec!r}: choose from {', '.join(MODIFIERS)}"
            )

    kind = TYPES[type_name]
    if flags.get("unique") and not kind.can_unique:
        raise FieldSpecError(
            f"{type_name} fields cannot be unique ({spec!r}): "
            + ("use str with max=N" if type_name == "text" else "drop the modifier")
        )
    if flags.get("index") and not kind.can_index:
        raise FieldSpecError(f"{type_name} fields cannot be indexed ({spec!r}): drop the modifier")
    if ondelete == "set-null" and not flags.get("optional"):
        raise FieldSpecError(
            f"ondelete=set-null needs an optional reference ({spec!r}): add :optional, or use "
            "ondelete=cascade"
        )
    if type_name == "str" and max_length is None:
        max_length = DEFAULT_STR_LENGTH
    return Field(
        name=name,
        type=type_name,
        unique=flags.get("unique", False),
        index=flags.get("index", False),
        optional=flags.get("optional", False),
        max_length=max_length,
        ref=ref,
        values=values,
        default=default,
        ondelete=ondelete,
    )


# Characters an enum value may not hold: the grammar's separators, and what the record of
# commands in the model's docstring cannot keep as it is.
_NOT_IN_VALUES = ',:"\\'
MAX_ENUM_VALUE = 64


def parse_values(text: str, spec: str) -> tuple[str, ...]:
    """The values of an enum spec, ``draft,published``: any printable text but the
    characters in `_NOT_IN_VALUES`, each once, without surrounding spaces (MySQL and
    MariaDB would take `a` and `a ` for one value)."""
    values = tuple(text.split(","))
    for value in values:
        if not value:
            raise FieldSpecError(f"an empty value in {spec!r}: list values as draft,published")
        if value != value.strip() or not value.isprintable():
            raise FieldSpecError(
                f"the value {value!r} in {spec!r} has surrounding spaces or a character that "
                "is not printable: remove them"
            )
        if any(character in _NOT_IN_VALUES for character in value):
            raise FieldSpecError(
                f'the value {value!r} in {spec!r} holds one of , : " \\: choose another'
            )
        if len(value) > MAX_ENUM_VALUE:
            raise FieldSpecError(
                f"the value {value[:20]!r}... in {spec!r} is longer than {MAX_ENUM_VALUE} "
                "characters: choose a shorter one"
            )
    if len(set(values)) != len(values):
        twice = next(value for value in values if values.count(value) > 1)
        raise FieldSpecError(f"the value {twice!r} is listed twice in {spec!r}")
    return values


def parse_fields(specs: Iterable[str]) -> tuple[Field, ...]:
    """Parse every spec and reject duplicate names (including a ref's `<name>_id`)."""
    fields = tuple(parse_field(spec) for spec in specs)
    seen: dict[str, str] = {}
    for field in fields:
        for attribute in field.names:
            if attribute in seen:
                raise FieldSpecError(
                    f"duplicate field {attribute!r} (from {seen[attribute]!r} and "
                    f"{field.name!r}): each name may appear once"
                )
            seen[attribute] = field.name
    return fields
