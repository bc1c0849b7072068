"""The field-spec grammar: a table of specs and what they parse to, or the exact error."""

import ast
import re

import pytest
from pydantic import BaseModel
from sqlalchemy.orm import DeclarativeBase

from fastsqla_cli.errors import FieldSpecError
from fastsqla_cli.field_types import TYPES
from fastsqla_cli.fields import RESERVED_FIELD_NAMES, Field, parse_field, parse_fields
from fastsqla_cli.templates import templates_dir


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("title:str", Field("title", "str", max_length=255)),
        ("title:str:max=80", Field("title", "str", max_length=80)),
        ("email:str:unique", Field("email", "str", unique=True, max_length=255)),
        (
            "slug:str:unique:index:max=64",
            Field("slug", "str", unique=True, index=True, max_length=64),
        ),
        ("bio:text:optional", Field("bio", "text", optional=True)),
        ("age:int:index", Field("age", "int", index=True)),
        ("views:bigint", Field("views", "bigint")),
        ("ratio:float:optional", Field("ratio", "float", optional=True)),
        ("price:decimal:unique", Field("price", "decimal", unique=True)),
        ("active:bool", Field("active", "bool")),
        ("born:date:optional", Field("born", "date", optional=True)),
        ("at:datetime:index", Field("at", "datetime", index=True)),
        ("token:uuid:unique", Field("token", "uuid", unique=True)),
        ("extra:json:optional", Field("extra", "json", optional=True)),
        ("author:ref:User", Field("author", "ref", ref="User")),
        ("editor:ref:User:optional", Field("editor", "ref", optional=True, ref="User")),
        ("post:ref:blog_post:index", Field("post", "ref", index=True, ref="blog_post")),
        ("order:int", Field("order", "int")),  # SQL reserved words are quoted for you
        ("group:str", Field("group", "str", max_length=255)),
    ],
)
def test_valid_specs(spec: str, expected: Field) -> None:
    assert parse_field(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("name", "malformed field 'name': expected name:type[:modifier...]"),
        ("name:", "malformed field 'name:': expected name:type[:modifier...]"),
        (":str", "malformed field ':str': expected name:type[:modifier...]"),
        ("", "malformed field ''"),
        (
            "name:strng",
            "unknown type 'strng' in 'name:strng': choose one of str, text, int, bigint",
        ),
        (
            "name:str:uniq",
            "unknown modifier 'uniq' in 'name:str:uniq': choose from unique, index, optional, max=N",
        ),
        ("name:str:", "unknown modifier '' in 'name:str:'"),
        (
            "name:str:max=0",
            "invalid 'max=0' in 'name:str:max=0': N must be a whole number from 1 to 16383",
        ),
        ("name:str:max=abc", "invalid 'max=abc'"),
        ("name:str:max=99999", "invalid 'max=99999'"),
        ("name:str:max=5:max=6", "max is given twice"),
        ("name:int:max=5", "max=N applies to str fields only"),
        ("name:str:unique:unique", "unique is given twice"),
        ("Name:str", "invalid field name 'Name'"),
        ("first-name:str", "invalid field name 'first-name'"),
        ("_x:str", "invalid field name '_x'"),
        ("class:str", "field name 'class' is a Python keyword"),
        ("id:int", "field name 'id' is reserved"),
        ("metadata:json", "field name 'metadata' is reserved"),
        ("registry:str", "field name 'registry' is reserved"),
        ("model_name:str", "field name 'model_name' is reserved"),
        ("json:str", "field name 'json' is reserved"),
        (
            "body:text:unique",
            "text fields cannot be unique ('body:text:unique'): use str with max=N",
        ),
        ("body:text:index", "text fields cannot be indexed"),
        ("data:json:unique", "json fields cannot be unique"),
        ("flag:bool:unique", "bool fields cannot be unique"),
        (
            "author:ref",
            "'author:ref' does not name the model it references: write author:ref:Model",
        ),
        ("author:ref:", "does not name the model it references"),
        ("x" * 64 + ":str", "has 64 characters, more than the 63 PostgreSQL keeps"),
        ("x" * 61 + ":ref:User", f"the column '{'x' * 61}_id' has 64 characters"),
        ("author:ref:unique", None),  # `unique` is taken as the model name: checked later
        (
            "author_id:ref:User",
            "name the relationship, not its column: author:ref:User adds the column author_id",
        ),
    ],
)
def test_invalid_specs(spec: str, message: str | None) -> None:
    if message is None:
        assert parse_field(spec).ref == "unique"
        return
    with pytest.raises(FieldSpecError) as raised:
        parse_field(spec)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["title:str", "title:text"], "duplicate field 'title'"),
        (
            ["author:ref:User", "author_id:int"],
            "duplicate field 'author_id' (from 'author' and 'author_id')",
        ),
        (["author:ref:User", "author:str"], "duplicate field 'author'"),
    ],
)
def test_duplicate_names(specs: list[str], message: str) -> None:
    with pytest.raises(FieldSpecError) as raised:
        parse_fields(specs)
    assert message in str(raised.value)


def test_every_type_is_documented_and_parses() -> None:
    for name, kind in TYPES.items():
        assert kind.help
        argument = {"ref": ":Target", "enum": ":a,b", "many": ":Target"}.get(name, "")
        spec = f"x:{name}{argument}"
        assert parse_field(spec).type == name


def test_reserved_names_cover_what_pydantic_and_sqlalchemy_define() -> None:
    # A field may not shadow a public attribute of either base class: Pydantic warns
    # (an error under -W error) and SQLAlchemy breaks.
    taken = {n for n in dir(BaseModel) if not n.startswith("_") and not n.startswith("model_")}
    taken |= {n for n in dir(DeclarativeBase) if not n.startswith("_")}
    assert taken <= RESERVED_FIELD_NAMES


def test_reserved_names_cover_what_the_schemas_base_class_defines() -> None:
    """A field named after a validator of `RequestBody` (the request schemas' base, in the
    template's field_types.py) would replace it (found by the name corpus)."""
    path = templates_dir() / "project" / "template" / "{{ package }}" / "field_types.py"
    tree = ast.parse(path.read_text())
    base = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "RequestBody")
    defined = {n.name for n in base.body if isinstance(n, ast.FunctionDef)}
    assert defined and defined <= RESERVED_FIELD_NAMES


def test_names_at_the_identifier_limit_are_accepted() -> None:
    assert parse_field("x" * 63 + ":str").column_name == "x" * 63
    assert parse_field("x" * 60 + ":ref:User").column_name == "x" * 60 + "_id"


@pytest.mark.parametrize(
    "spec",
    [
        "title:str",
        "title:str:max=200:unique:index:optional",
        "author:ref:User:optional",
        "parent:ref:category:optional:index",
        "price:decimal:unique",
        "extra:json:optional",
        "status:enum:draft,in review,published:index:default=draft",
        "kind:enum:None,class,1st,café,it's:optional",
        "author:ref:User:ondelete=cascade",
        "editor:ref:User:index:optional:ondelete=set-null",
        "tags:many:Tag",
    ],
)
def test_a_field_spells_its_spec_back(spec: str) -> None:
    field = parse_field(spec)
    assert parse_field(field.spec) == field
    assert field.spec.split(":")[:2] == spec.split(":")[:2]


def test_an_enum_keeps_its_values_in_order_and_its_default() -> None:
    field = parse_field("status:enum:draft,in review,published:index:default=draft")
    assert (field.values, field.default, field.index) == (
        ("draft", "in review", "published"),
        "draft",
        True,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        # enum
        ("status:enum", "does not list its values: write status:enum:draft,published"),
        ("status:enum:", "does not list its values"),
        ("status:enum:a,,b", "an empty value"),
        ("status:enum:a,b,a", "the value 'a' is listed twice"),
        ("status:enum: a,b", "surrounding spaces"),
        ("status:enum:a\tb", "not printable"),
        ('status:enum:a"b', "holds one of"),
        ("status:enum:a\\b", "holds one of"),
        ("status:enum:" + "x" * 65, "longer than 64 characters"),
        ("status:enum:a,b:unique", "enum fields cannot be unique"),
        ("status:enum:a,b:max=3", "max=N applies to str fields only"),
        ("status:enum:a,b:default=c", "default=c in 'status:enum:a,b:default=c' is not one"),
        ("status:enum:a,b:default=a:default=b", "default is given twice"),
        ("title:str:default=x", "default=VALUE applies to enum fields only"),
        # ondelete
        ("title:str:ondelete=cascade", "ondelete=ACTION applies to ref fields only"),
        ("author:ref:User:ondelete=restrict", "unknown ondelete=restrict in"),
        ("author:ref:User:ondelete=cascade:ondelete=cascade", "ondelete is given twice"),
        ("author:ref:User:ondelete=set-null", "ondelete=set-null needs an optional reference"),
        # many
        ("tags:many", "does not name the model it references: write tags:many:Model"),
        ("tags:many:Tag:optional", "a many-to-many field takes no modifier"),
        ("tags:many:Tag:unique", "a many-to-many field takes no modifier"),
        ("tag_ids:many:Tag", "name the links, not their ids: tags:many:Tag is read and written as"),
        ("tag_id:many:Tag", "name the links, not their ids: tags:many:Tag"),
    ],
)
def test_bad_enum_reference_and_link_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(FieldSpecError) as raised:
        parse_field(spec)
    assert message in str(raised.value)


def test_a_many_to_many_is_read_and_written_as_ids() -> None:
    field = parse_field("categories:many:Category")
    assert (field.ref, field.column_name, field.names) == (
        "Category",
        "category_ids",
        ("category_ids", "categories"),
    )


def test_a_many_to_many_and_its_ids_cannot_share_a_name() -> None:
    with pytest.raises(FieldSpecError, match="duplicate field 'tag_ids'"):
        parse_fields(["tags:many:Tag", "tag_ids:str"])


def test_the_template_defines_every_name_the_field_types_import_from_it() -> None:
    """The vocabulary is one: what a field type imports from the project's own modules
    (`field_types`, `column_types`) is defined there, in the template."""
    package = templates_dir() / "project" / "template" / "{{ package }}"
    wanted = {
        (module.removeprefix("{package}."), name)
        for kind in TYPES.values()
        for imports in (kind.model_imports, kind.schema_imports, kind.query_imports)
        for module, name in imports
        if module.startswith("{package}.")
    }
    assert {module for module, _ in wanted} == {"field_types", "column_types"}
    for module, name in sorted(wanted):
        path = next(package.glob(f"{module}.py*"))
        defined = re.search(rf"^(?:class |def )?{name}\b", path.read_text(), re.M)
        assert defined is not None, f"{path.name} does not define {name}"
