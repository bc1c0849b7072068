"""Table and column names that a database reserves and SQLAlchemy does not quote are
refused: found here on the three databases, through SQLAlchemy, among every word any of
them or SQLAlchemy calls a keyword (a name that fails as a column fails as a table too)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.dialects.mysql.reserved_words import RESERVED_WORDS_MARIADB, RESERVED_WORDS_MYSQL
from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS as POSTGRESQL
from sqlalchemy.dialects.sqlite.base import SQLiteIdentifierPreparer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from fastsqla_cli.errors import FieldSpecError, ModelNameError
from fastsqla_cli.fields import parse_field
from fastsqla_cli.naming import UNQUOTED_RESERVED_WORDS, model_name
from tests.name_corpus import SQL
from tests.servers import database_url, required_database

LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB"}
KEYWORDS = {
    "postgresql": "SELECT word FROM pg_get_keywords()",
    "mysql": "SELECT LOWER(word) FROM information_schema.KEYWORDS",
}


@pytest.mark.parametrize("word", sorted(UNQUOTED_RESERVED_WORDS))
def test_a_word_a_database_reserves_unquoted_is_refused(word: str) -> None:
    with pytest.raises(FieldSpecError, match="SQLAlchemy does not quote"):
        parse_field(f"{word}:str")
    with pytest.raises(ModelNameError, match="SQLAlchemy does not quote"):
        model_name("Post", table=word)


async def _keywords(url: str, query: str) -> set[str]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return {word for (word,) in await connection.execute(text(query))}
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def candidates() -> list[str]:
    """Every keyword of the three databases and of SQLAlchemy's dialects, as names."""
    words = {*POSTGRESQL, *RESERVED_WORDS_MYSQL, *RESERVED_WORDS_MARIADB, *SQL}
    words |= SQLiteIdentifierPreparer.reserved_words
    for kind, query in KEYWORDS.items():
        with required_database(kind) as url:
            words |= asyncio.run(_keywords(url, query))
    return sorted(word for word in words if word.isidentifier() and word.islower() and word != "id")


async def _works(engine: AsyncEngine, words: list[str]) -> bool:
    """Whether a table with a column named by each of ``words`` is made, written and
    read (filtered and sorted by them) through SQLAlchemy."""
    metadata = MetaData()
    table = Table(
        "probe",
        metadata,
        Column("id", Integer, primary_key=True),
        *(Column(w, Integer) for w in words),
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(table).values(dict.fromkeys(words, 1)))
            query = select(table).where(*(table.c[w] == 1 for w in words))
            await connection.execute(query.order_by(*(table.c[w] for w in words)))
        return True
    except DBAPIError:
        return False
    finally:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.drop_all)


async def _refused(url: str, words: list[str]) -> set[str]:
    """The words the database refuses as column names, found by halving ``words``."""
    engine = create_async_engine(url, poolclass=NullPool)

    async def search(chunk: list[str]) -> set[str]:
        if await _works(engine, chunk):
            return set()
        if len(chunk) == 1:
            return set(chunk)
        half = len(chunk) // 2
        return await search(chunk[:half]) | await search(chunk[half:])

    try:
        return await search(words)
    finally:
        await engine.dispose()


@pytest.mark.e2e
@pytest.mark.parametrize("kind", LABELS)
def test_the_refused_words_are_those_a_database_refuses_through_sqlalchemy(
    kind: str, candidates: list[str], tmp_path: Path
) -> None:
    with database_url(kind, tmp_path) as url:
        refused = asyncio.run(_refused(url, candidates))
    listed = {
        word for word, database in UNQUOTED_RESERVED_WORDS.items() if database == LABELS[kind]
    }
    assert refused == listed
