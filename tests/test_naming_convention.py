"""The constraint names fastsqla writes into revisions are those SQLAlchemy gives the
models, with the naming convention the template's `database.py` holds."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    inspect,
)

from fastsqla_cli.field_view import field_views
from fastsqla_cli.fields import parse_fields
from fastsqla_cli.naming import model_name
from fastsqla_cli.naming_convention import naming_convention
from fastsqla_cli.revisions import constraint_names


def test_revisions_name_constraints_as_the_models_metadata_does() -> None:
    metadata = MetaData(naming_convention=naming_convention())
    Table("authors", metadata, Column("id", Integer, primary_key=True))
    status = Enum("a", "b", name="status", native_enum=False, create_constraint=True)
    Table(
        "posts",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("slug", String(20), unique=True),
        Column("code", String(20), unique=True, index=True),
        Column("author_id", ForeignKey("authors.id"), index=True),
        Column("status", status),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    database = inspect(engine)

    post = model_name("Post")
    fields = parse_fields(["slug:str:unique", "code:str:unique:index", "author:ref:Author"])
    fields += parse_fields(["status:enum:a,b"])
    views = field_views(post, fields, {"author": model_name("Author")})
    ours = constraint_names(post, views)

    assert ours.primary_key == database.get_pk_constraint("posts")["name"]
    assert set(ours.unique.values()) == {
        u["name"] for u in database.get_unique_constraints("posts")
    }
    indexes = {i["name"]: bool(i["unique"]) for i in database.get_indexes("posts")}
    assert dict(ours.indexes.values()) == indexes
    assert set(ours.foreign_keys.values()) == {
        f["name"] for f in database.get_foreign_keys("posts")
    }
    assert set(ours.checks.values()) == {c["name"] for c in database.get_check_constraints("posts")}
