"""The Alembic revisions fastsqla writes: a model's table created (or dropped), fields
added to it, values added to an enum; with the constraint names the project's naming
convention gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

from fastsqla_cli.field_types import Import
from fastsqla_cli.field_view import FieldView, field_views
from fastsqla_cli.fields import Field
from fastsqla_cli.namespace import import_lines
from fastsqla_cli.naming import ModelName
from fastsqla_cli.naming_convention import constraint_name
from fastsqla_cli.templates import render


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
            checks[column] = constraint_name("ck", table, column)
        indexed = v.field.index or v.field.type == "ref"
        if v.field.unique and not indexed:
            unique[column] = constraint_name("uq", table, column)
        if indexed:
            indexes[column] = (constraint_name("ix", table, column), v.field.unique)
        if v.target is not None:
            foreign_keys[column] = constraint_name("fk", table, column, v.target.table)
    return ConstraintNames(constraint_name("pk", table), unique, foreign_keys, indexes, checks)


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
    views = field_views(m, fields, targets)
    slug = f"{'drop' if drop else 'create'}_{m.table}"
    imports = _revision_imports(package, views)
    return _render("revision.py.jinja", package, revision, slug, imports, m, views, drop=drop)


def _render(
    template: str,
    package: str,
    revision: Revision,
    slug: str,
    imports: list[Import],
    m: ModelName,
    views: list[FieldView],
    **context: object,
) -> tuple[PurePosixPath, str]:
    """Where the revision ``template`` renders to, and its text, which follows
    ``revision`` and changes the ``views`` of ``m``'s table."""
    text = render(
        template,
        imports=import_lines(imports),
        m=m,
        columns=[v for v in views if v.link is None],
        links=[v for v in views if v.link is not None],
        refs=[v for v in views if v.field.type == "ref"],
        names=constraint_names(m, views),
        revision=revision.id,
        down_revision=revision.down_revision,
        created=revision.created.isoformat(sep=" ", timespec="seconds"),
        **context,
    )
    name = f"{revision.path}_{slug[:40].rstrip('_')}.py"
    return PurePosixPath(package, "migrations", "versions", name), text


def _revision_imports(package: str, views: list[FieldView]) -> list[Import]:
    imports: list[Import] = [
        ("collections.abc", "Sequence"),
        ("sqlalchemy as sa", ""),
        ("alembic", "op"),
    ]
    if any(v.migration_type.startswith("column_types.") for v in views):
        imports.append((package, "column_types"))
    return imports


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
    views = field_views(m, fields, targets)
    imports = _revision_imports(package, views)
    for _literal, needed in defaults.values():
        imports += needed
    if any(v.field.type == "ref" and v.column_name in defaults for v in views):
        imports.append(("alembic", "context"))  # its check of the referenced row
    columns = [v.link.table if v.link else v.column_name for v in views]
    slug = f"add_{'_'.join(columns)}_to_{m.table}"
    return _render(
        "add_fields.py.jinja",
        package,
        revision,
        slug,
        imports,
        m,
        views,
        required=[v for v in views if not v.field.optional and v.link is None],
        defaults={column: literal for column, (literal, _) in defaults.items()},
        column_list=", ".join(columns[:-1]) + (" and " if len(columns) > 1 else "") + columns[-1],
    )


def render_value_revision(
    package: str, m: ModelName, before: Field, after: Field, revision: Revision
) -> tuple[PurePosixPath, str]:
    """The revision that lets enum field ``before`` take the values of ``after``: its
    CHECK constraint made again, its column made longer for a longer value."""
    column = before.column_name
    added = [value for value in after.values if value not in before.values]
    return _render(
        "add_values.py.jinja",
        package,
        revision,
        f"add_values_to_{m.table}_{column}",
        [*_revision_imports(package, []), ("alembic", "context")],
        m,
        [],
        field=before,
        added_values=added,
        check=constraint_names(m, [FieldView(before)]).checks[column],
        lengths=(max(map(len, before.values)), max(map(len, after.values))),
        before=list(before.values),
        after=list(after.values),
    )
