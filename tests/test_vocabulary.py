"""Enum, reference and many-to-many fields end to end: the revisions `add-model`,
`add-field` and `add-value` write upgrade and downgrade with rows in the tables, on SQLite,
PostgreSQL and MariaDB/MySQL, and the database itself keeps to what the fields say (an
enum's values, a reference's delete action, links removed with either side)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import database_url as database_url_of
from tests.test_e2e import fastsqla

pytestmark = pytest.mark.e2e

# Runs SQL given as arguments on DATABASE_URL, one statement each, and prints what a
# SELECT returns; exits 1 with the driver's error when a statement fails.
SQL = """
import asyncio, os, sys
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

async def main():
    engine = create_async_engine(os.environ["DATABASE_URL"])
    if engine.dialect.name == "sqlite":  # as the app sets it
        @event.listens_for(engine.sync_engine, "connect")
        def foreign_keys(dbapi_connection, _):
            dbapi_connection.execute("PRAGMA foreign_keys = ON")
    try:
        async with engine.begin() as connection:
            for statement in sys.argv[1:]:
                result = await connection.execute(text(statement))
                if result.returns_rows:
                    print(sorted(tuple(row) for row in result))
    finally:
        await engine.dispose()

asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_url_of(request.param, tmp_path) as url:
        yield url


def run(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, *args], cwd=project, env=environment, capture_output=True, text=True
    )


def alembic(project: Path, url: str, *args: str) -> None:
    result = run(project, url, "-m", "alembic", *args)
    assert result.returncode == 0, result.stderr


def sql(project: Path, url: str, *statements: str) -> str:
    result = run(project, url, "-c", SQL, *statements)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def refused(project: Path, url: str, *statements: str) -> bool:
    return run(project, url, "-c", SQL, *statements).returncode != 0


def test_enum_revisions_keep_the_rows(tmp_path: Path, database_url: str) -> None:
    url = database_url
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    project = tmp_path / "shop"
    fastsqla(
        "add-model", "Post", "title:str", "status:enum:draft,in review", "--no-check", cwd=project
    )
    alembic(project, url, "upgrade", "head")
    sql(project, url, "INSERT INTO posts (title, status) VALUES ('a', 'in review')")
    assert refused(project, url, "INSERT INTO posts (title, status) VALUES ('b', 'gone')")

    # A required enum added with a default: the row there gets it.
    fastsqla("add-field", "Post", "priority:enum:low,high:default=low", "--no-check", cwd=project)
    alembic(project, url, "upgrade", "head")
    assert sql(project, url, "SELECT title, status, priority FROM posts") == (
        "[('a', 'in review', 'low')]"
    )
    assert refused(project, url, "UPDATE posts SET priority = 'urgent'")

    # A value added later, longer than the others: the database takes it from then on.
    fastsqla("add-value", "Post", "status", "published for good", "--no-check", cwd=project)
    alembic(project, url, "upgrade", "head")
    sql(
        project,
        url,
        "INSERT INTO posts (title, status, priority) VALUES ('c', 'published for good', 'high')",
    )
    assert refused(
        project, url, "INSERT INTO posts (title, status, priority) VALUES ('d', 'x', 'high')"
    )

    # Down again: refused while a row holds the added value, then each step in turn.
    assert run(project, url, "-m", "alembic", "downgrade", "-1").returncode != 0
    sql(project, url, "DELETE FROM posts WHERE title = 'c'")
    alembic(project, url, "downgrade", "-1")
    assert refused(project, url, "UPDATE posts SET status = 'published for good'")
    alembic(project, url, "downgrade", "-1")
    assert sql(project, url, "SELECT title, status FROM posts") == "[('a', 'in review')]"
    alembic(project, url, "upgrade", "head")
    assert sql(project, url, "SELECT title, status, priority FROM posts") == (
        "[('a', 'in review', 'low')]"
    )


def test_link_revisions_keep_the_rows(tmp_path: Path, database_url: str) -> None:
    url = database_url
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    project = tmp_path / "shop"
    fastsqla("add-model", "Tag", "name:str", "--no-check", cwd=project)
    fastsqla("add-model", "Post", "title:str", "--no-check", cwd=project)
    alembic(project, url, "upgrade", "head")
    sql(
        project,
        url,
        "INSERT INTO tags (name) VALUES ('a'), ('b')",
        "INSERT INTO posts (title) VALUES ('p'), ('q')",
    )

    # A many-to-many added to a table with rows: its own table, empty; a reference that
    # empties itself when its row goes.
    fastsqla(
        "add-field",
        "Post",
        "tags:many:Tag",
        "pinned:ref:Tag:optional:ondelete=set-null",
        "--no-check",
        cwd=project,
    )
    alembic(project, url, "upgrade", "head")
    links = "SELECT p.title, t.name FROM posts_tags JOIN posts p ON p.id = post_id JOIN tags t ON t.id = tag_id"
    sql(
        project,
        url,
        "INSERT INTO posts_tags (post_id, tag_id) SELECT p.id, t.id FROM posts p, tags t",
        "UPDATE posts SET pinned_id = (SELECT id FROM tags WHERE name = 'a')",
    )
    assert refused(project, url, "INSERT INTO posts_tags (post_id, tag_id) VALUES (1, 999)")
    assert sql(project, url, links) == "[('p', 'a'), ('p', 'b'), ('q', 'a'), ('q', 'b')]"

    # Either side deleted takes its links, and keeps the rows of the other side.
    sql(project, url, "DELETE FROM tags WHERE name = 'a'", "DELETE FROM posts WHERE title = 'q'")
    assert sql(project, url, links) == "[('p', 'b')]"
    assert sql(project, url, "SELECT title, pinned_id FROM posts") == "[('p', None)]"

    alembic(project, url, "downgrade", "-1")
    assert refused(project, url, "SELECT * FROM posts_tags")
    assert sql(project, url, "SELECT title FROM posts") == "[('p',)]"
    alembic(project, url, "upgrade", "head")


def test_a_reference_default_must_name_a_row_before_anything_changes(
    tmp_path: Path, database_url: str
) -> None:
    url = database_url
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    project = tmp_path / "shop"
    fastsqla("add-model", "Post", "title:str", "--no-check", cwd=project)
    alembic(project, url, "upgrade", "head")
    sql(project, url, "INSERT INTO posts (title) VALUES ('p')")
    fastsqla(
        "add-field", "Post", "author:ref:User", "--default", "author=7", "--no-check", cwd=project
    )

    # Refused in one line while users has no row 7, the table as it was.
    refused_upgrade = run(project, url, "-m", "alembic", "upgrade", "head")
    assert refused_upgrade.returncode != 0
    assert (
        "ValueError: users has no row 7, the default this revision gives" in refused_upgrade.stderr
    )
    assert sql(project, url, "SELECT * FROM posts") == "[('p', 1)]"

    sql(project, url, "INSERT INTO users (id, name, email) VALUES (7, 'Ada', 'ada@example.com')")
    alembic(project, url, "upgrade", "head")
    assert sql(project, url, "SELECT title, author_id FROM posts") == "[('p', 7)]"
