"""The field types a model may have: how each maps onto Python, SQLAlchemy, Pydantic, the
list's filters and test data. `add-model --help` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

# `(module, name)` for `from module import name`; `{package}` is the project's package.
Import = tuple[str, str]


@dataclass(frozen=True)
class FieldType:
    """How one field type maps onto Python, SQLAlchemy, Pydantic and test data."""

    name: str
    annotation: str  # in the model and the read schema: `str`, `Decimal`
    column: str  # the SQLAlchemy column type, `{max}` stands for the length
    input_annotation: str = ""  # in create/update schemas, when it differs; `{max}` too
    sample: str = "n"  # a JSON-ready Python expression of the int `n`, distinct per `n`
    can_unique: bool = True
    can_index: bool = True
    help: str = ""
    model_imports: tuple[Import, ...] = ()  # what `column` and `annotation` need
    schema_imports: tuple[Import, ...] = ()  # what `schema_annotation` needs
    sample_imports: tuple[Import, ...] = ()  # what `sample` needs
    # The list's filters (`listing.OPERATORS`), and whether the list sorts by it.
    operators: tuple[str, ...] = ()
    sortable: bool = True
    # A filter's value as a query parameter spells it, when it differs from the body's.
    query_annotation: str = ""
    query_imports: tuple[Import, ...] = ()

    def schema_annotation(self, max_length: int | None = None) -> str:
        return (self.input_annotation or self.annotation).format(max=max_length)

    def filter_annotation(self, max_length: int | None = None) -> str:
        return self.query_annotation or self.schema_annotation(max_length)


# The operators of the types whose values are ordered.
ORDERED = ("eq", "gt", "gte", "lt", "lte", "in")


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(
            "str",
            "str",
            "String({max})",
            input_annotation="Annotated[Text, Field(max_length={max})]",
            sample='f"{field}-{n}"',
            help="short text, VARCHAR(max)",
            model_imports=(("sqlalchemy", "String"),),
            schema_imports=(
                ("typing", "Annotated"),
                ("pydantic", "Field"),
                ("{package}.field_types", "Text"),
            ),
            operators=("eq", "in", "contains", "startswith"),
        ),
        FieldType(
            "text",
            "str",
            "LongText()",
            input_annotation="LongStr",
            sample='f"{field} number {n}"',
            can_unique=False,
            can_index=False,
            help="long text",
            model_imports=(("{package}.column_types", "LongText"),),
            schema_imports=(("{package}.field_types", "LongStr"),),
            operators=("contains", "startswith"),
            sortable=False,
        ),
        FieldType(
            "int",
            "int",
            "Integer",
            input_annotation="Int32",
            sample="n",
            help="32-bit integer",
            model_imports=(("sqlalchemy", "Integer"),),
            schema_imports=(("{package}.field_types", "Int32"),),
            operators=ORDERED,
            query_annotation="Int32Param",
            query_imports=(("{package}.field_types", "Int32Param"),),
        ),
        FieldType(
            "bigint",
            "int",
            "BigInteger",
            input_annotation="Int64",
            sample="5_000_000_000 + n",
            help="64-bit integer column, up to 2**53 through the API",
            model_imports=(("sqlalchemy", "BigInteger"),),
            schema_imports=(("{package}.field_types", "Int64"),),
            operators=ORDERED,
            query_annotation="Int64Param",
            query_imports=(("{package}.field_types", "Int64Param"),),
        ),
        FieldType(
            "float",
            "float",
            "Double",
            input_annotation="Float64",
            sample="n + 0.5",
            help="double-precision float",
            model_imports=(("sqlalchemy", "Double"),),
            schema_imports=(("{package}.field_types", "Float64"),),
            operators=ORDERED,
            query_annotation="Float64Param",
            query_imports=(("{package}.field_types", "Float64Param"),),
        ),
        FieldType(
            "decimal",
            "Decimal",
            "Numeric(12, 2)",
            input_annotation="Decimal12_2",
            sample='f"{n}.25"',
            help="exact number, 12 digits with 2 decimals",
            model_imports=(("sqlalchemy", "Numeric"), ("decimal", "Decimal")),
            schema_imports=(("{package}.field_types", "Decimal12_2"),),
            operators=ORDERED,
        ),
        FieldType(
            "bool",
            "bool",
            "Boolean",
            input_annotation="Bool",
            sample="n % 2 == 0",
            can_unique=False,
            help="true or false",
            model_imports=(("sqlalchemy", "Boolean"),),
            schema_imports=(("{package}.field_types", "Bool"),),
            operators=("eq",),
            query_annotation="bool",
        ),
        FieldType(
            "date",
            "date",
            "Date",
            input_annotation="Day",
            sample="(date(2024, 1, 1) + timedelta(days=n)).isoformat()",
            help="calendar date",
            model_imports=(("sqlalchemy", "Date"), ("datetime", "date")),
            schema_imports=(("{package}.field_types", "Day"),),
            sample_imports=(("datetime", "date"), ("datetime", "timedelta")),
            operators=ORDERED,
        ),
        FieldType(
            "datetime",
            "datetime",
            "UTCDateTime()",
            input_annotation="UTCDatetime",
            sample="(EPOCH + timedelta(minutes=n)).isoformat()",
            help="date and time with a time zone, stored in UTC",
            model_imports=(("{package}.column_types", "UTCDateTime"), ("datetime", "datetime")),
            schema_imports=(("{package}.field_types", "UTCDatetime"),),
            sample_imports=(("datetime", "timedelta"), ("tests.factories", "EPOCH")),
            operators=ORDERED,
        ),
        FieldType(
            "uuid",
            "UUID",
            "Uuid",
            sample="str(UUID(int=n))",
            help="UUID",
            model_imports=(("sqlalchemy", "Uuid"), ("uuid", "UUID")),
            schema_imports=(("uuid", "UUID"),),
            sample_imports=(("uuid", "UUID"),),
            operators=("eq", "in"),
        ),
        FieldType(
            "json",
            "dict[str, Any]",
            "PortableJSON()",
            input_annotation="JSONObject",
            sample='{"n": n, "tags": ["a", "b"]}',
            can_unique=False,
            can_index=False,
            help="a JSON object",
            model_imports=(("{package}.column_types", "PortableJSON"), ("typing", "Any")),
            schema_imports=(("{package}.field_types", "JSONObject"),),
            sortable=False,
        ),
        FieldType(
            "enum",
            "{enum}",
            "Enum({enum})",
            sample="{values}[n % {count}]",
            can_unique=False,
            help="one of fixed values: status:enum:draft,published",
            model_imports=(
                ("enum", "StrEnum"),
                ("sqlalchemy", "Enum"),
                ("{package}.column_types", "enum_values"),
            ),
            operators=("eq", "in"),
        ),
        FieldType(
            "many",
            "list[int]",
            "",
            input_annotation="Links",
            sample="[]",
            can_unique=False,
            can_index=False,
            help="many-to-many: tags:many:Tag, set and read as tag_ids",
            model_imports=(
                ("sqlalchemy", "Column"),
                ("sqlalchemy", "Integer"),
                ("sqlalchemy", "ForeignKey"),
                ("sqlalchemy", "Table"),
                ("sqlalchemy.orm", "relationship"),
            ),
            schema_imports=(("{package}.field_types", "Links"),),
            sortable=False,
        ),
        FieldType(
            "ref",
            "int",
            'ForeignKey("{table}.id")',
            input_annotation="Reference",
            sample="n",
            help="reference to another model: author:ref:User",
            model_imports=(("sqlalchemy", "ForeignKey"), ("sqlalchemy.orm", "relationship")),
            schema_imports=(("{package}.field_types", "Reference"),),
            operators=("eq", "in"),
            query_annotation="ReferenceParam",
            query_imports=(("{package}.field_types", "ReferenceParam"),),
        ),
    )
}
