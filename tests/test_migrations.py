"""Migrations end to end, on SQLite, PostgreSQL and MariaDB: a project grows on a database
that holds rows, hand edits autogenerate revisions that apply, startup refuses what it
cannot bring up to date, and workers starting together take turns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import required_database
from tests.test_e2e import fastsqla

pytestmark = pytest.mark.e2e
PYTHON = sys.executable

# Starts the app (its lifespan brings the schema up to date), sends requests, prints one
# line per answer: `status body`; or the startup error's class and message.
APP = """
import asyncio, json, sys
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from shop.main import create_app
from shop.settings import Settings

async def main() -> None:
    settings = Settings(database_url=sys.argv[1])
    app = create_app(settings)
    try:
        async with LifespanManager(app) as manager:
            transport = ASGITransport(app=manager.app)
            async with AsyncClient(transport=transport, base_url="http://test") as client:
                for method, path, body in json.loads(sys.argv[2]):
                    response = await client.request(method, path, json=body)
                    print(response.status_code, response.text)
    except Exception as error:
        print(f"{type(error).__name__}: {error}")

asyncio.run(main())
"""


KINDS = ("sqlite", "postgresql", "mysql")


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind``."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
        return
    with required_database(kind) as url:
        yield url


@pytest.fixture(params=KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(kind, URL) of an empty database."""
    with empty_database(request.param, tmp_path) as url:
        yield request.param, url


def run_app(project: Path, url: str, *requests: tuple[str, str, object]) -> list[str]:
    result = subprocess.run(
        [PYTHON, "-c", APP, url, json.dumps(requests)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def alembic(project: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "alembic", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        timeout=120,
    )


def tables(project: Path, url: str) -> set[str]:
    script = (
        "import asyncio, sys\n"
        "from sqlalchemy import inspect\n"
        "from sqlalchemy.ext.asyncio import create_async_engine\n"
        "async def main() -> None:\n"
        "    engine = create_async_engine(sys.argv[1])\n"
        "    async with engine.connect() as c:\n"
        "        print(*sorted(await c.run_sync(lambda s: inspect(s).get_table_names())))\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [PYTHON, "-c", script, url], cwd=project, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def make_project(tmp_path: Path, kind: str) -> Path:
    fastsqla("new", "shop", "--db", kind, "--no-check", cwd=tmp_path)
    return tmp_path / "shop"


def test_a_project_grows_on_a_database_that_holds_rows(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    kind, url = database
    project = make_project(tmp_path, kind)
    user = {"name": "Ada", "email": "ada@example.com"}
    assert run_app(project, url, ("POST", "/users", user))[0].startswith("201 ")

    fastsqla(
        "add-model", "Post", "title:str", "body:text", "author:ref:User", "--no-check", cwd=project
    )
    post = {"title": "Hello", "body": "First", "author_id": 1}
    answers = run_app(project, url, ("GET", "/users/1", None), ("POST", "/posts", post))
    assert answers[0].startswith("200 ") and '"email":"ada@example.com"' in answers[0]
    assert answers[1].startswith("201 "), answers
    assert {"users", "posts", "alembic_version"} <= tables(project, url)

    downgraded = alembic(project, url, "downgrade", "-1")
    assert downgraded.returncode == 0, downgraded.stderr
    assert tables(project, url) == {"users", "alembic_version"}  # only the new table went
    assert run_app(project, url, ("GET", "/users/1", None))[0].startswith("200 ")  # upgraded again

    out = fastsqla("check", "--python", PYTHON, "--database-url", url, "--no-types", cwd=project)
    assert "All checks passed" in out  # the project's suite, its migration test included


def test_a_hand_edit_autogenerates_a_revision_that_applies(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    kind, url = database
    project = make_project(tmp_path, kind)
    fastsqla("add-model", "Post", "title:str", "author:ref:User", "--no-check", cwd=project)
    assert alembic(project, url, "upgrade", "head").returncode == 0
    model = project / "shop" / "models" / "post.py"
    text = model.read_text()
    model.write_text(
        text.replace(
            "    title: Mapped[str] = mapped_column(String(255))\n",
            "    title: Mapped[str] = mapped_column(String(255))\n"
            "    subtitle: Mapped[str | None] = mapped_column(String(80), unique=True)\n",
        )
    )
    assert "subtitle" in model.read_text()
    assert alembic(project, url, "check").returncode != 0  # the drift is seen

    written = alembic(project, url, "revision", "--autogenerate", "-m", "add the subtitle")
    assert written.returncode == 0, written.stderr
    (revision,) = (project / "shop" / "migrations" / "versions").glob("*add_the_subtitle.py")
    assert "uq_posts_subtitle" in revision.read_text()
    upgraded = alembic(project, url, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    checked = alembic(project, url, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The hand-written revision is type-checked once: types do not depend on the database.
    types, ran = (
        ("--types", "tests, ruff, mypy, pyright")
        if kind == "sqlite"
        else ("--no-types", "tests, ruff")
    )
    out = fastsqla("check", "--python", PYTHON, types, "--database-url", url, cwd=project)
    assert f"All checks passed ({ran})" in out

    # Written against one database, the revision applies on the others too: the project's
    # tests run on SQLite unless told otherwise, and a team may deploy on another server.
    for other in KINDS:
        if other != kind:
            with empty_database(other, tmp_path) as elsewhere:
                for step in (("upgrade", "head"), ("check",), ("downgrade", "base")):
                    done = alembic(project, elsewhere, *step)
                    assert done.returncode == 0, (other, step, done.stdout + done.stderr)


def test_a_model_changed_without_its_revision_fails_one_test_that_says_what_to_run(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    """The project's migration test fails and names the command; the other tests still run
    on the models' schema, so a missing revision is one failure, not one per test."""
    kind, url = database
    project = make_project(tmp_path, kind)
    model = project / "shop" / "models" / "user.py"
    email = "    email: Mapped[str] = mapped_column(String(255), unique=True)\n"
    nickname = "    nickname: Mapped[str | None] = mapped_column(String(40), unique=True)\n"
    model.write_text(model.read_text().replace(email, email + nickname))
    assert "nickname" in model.read_text()

    done = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env={**os.environ, "TEST_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 failed, ") and "error" not in summary, done.stdout[-3000:]
    assert "FAILED tests/test_migrations.py::test_the_models_match_the_migrations" in done.stdout
    assert "write the revision with `alembic revision --autogenerate" in done.stdout


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        ("a table of its own", "the database has tables (notes) but no Alembic revision"),
        ("an unknown revision", "the database is at revision feedfacecafe, which this code"),
        ("behind, upgrades off", "behind this code: run `alembic upgrade head`"),
    ],
)
def test_startup_refuses_a_database_it_cannot_bring_up_to_date(
    tmp_path: Path, prepare: str, message: str
) -> None:
    project = make_project(tmp_path, "sqlite")
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"
    import sqlite3

    if prepare == "a table of its own":
        with sqlite3.connect(tmp_path / "app.db") as db:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    elif prepare == "an unknown revision":
        assert alembic(project, url, "upgrade", "head").returncode == 0
        with sqlite3.connect(tmp_path / "app.db") as db:
            db.execute("UPDATE alembic_version SET version_num = 'feedfacecafe'")
    else:
        assert alembic(project, url, "upgrade", "head").returncode == 0
        fastsqla("add-model", "Post", "title:str", "--no-check", cwd=project)
        settings = project / "shop" / "settings.py"
        settings.write_text(
            settings.read_text().replace(
                "database_migrate_on_startup: bool = True",
                "database_migrate_on_startup: bool = False",
            )
        )
    (line,) = run_app(project, url)
    assert line.startswith("SchemaError: ") and message in line


def test_workers_starting_together_bring_the_schema_up_to_date_once(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    """Five processes start at the same moment, first on an empty database, then on one a
    revision behind; without the lock, some fail ("table already exists")."""
    kind, url = database
    project = make_project(tmp_path, kind)
    for command in (["add-model", "Post", "title:str", "author:ref:User"],):
        fastsqla(*command, "--no-check", cwd=project)
    script = (
        "import asyncio, sys\n"
        "from functools import partial\n"
        "from shop.database import make_engine\n"
        "from shop.migrations import bring_up_to_date, prepare_schema\n"
        "from shop.models import Base\n"
        "from shop.settings import Settings\n"
        "async def main() -> None:\n"
        "    engine = make_engine(Settings(database_url=sys.argv[1]))\n"
        "    prepare = partial(bring_up_to_date, metadata=Base.metadata, upgrade=True)\n"
        "    await prepare_schema(engine, prepare)\n"
        "    await engine.dispose()\n"
        "asyncio.run(main())\n"
    )

    def start_five() -> None:
        workers = [
            subprocess.Popen(
                [PYTHON, "-c", script, url], cwd=project, stderr=subprocess.PIPE, text=True
            )
            for _ in range(5)
        ]
        errors = [worker.communicate(timeout=120)[1] for worker in workers]
        assert [w.returncode for w in workers] == [0] * 5, "\n".join(errors)

    start_five()  # an empty database: created once, recorded at the last revision
    assert alembic(project, url, "check").returncode == 0
    assert alembic(project, url, "downgrade", "-1").returncode == 0
    assert "posts" not in tables(project, url)
    start_five()  # one revision behind: applied once
    assert "posts" in tables(project, url)
    assert alembic(project, url, "check").returncode == 0


BROKEN_REVISION = '''"""Create tags, then fail."""

import sqlalchemy as sa
from alembic import op

revision = "badbadbadbad"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT no_such_column FROM tags")


def downgrade() -> None:
    op.drop_table("tags")
'''


def test_a_failed_upgrade_is_reported_clearly_every_time(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    """A revision that fails halfway: the app says which upgrade failed and why, in one
    line, at that start and at the next; on MySQL/MariaDB (no transactional DDL) the
    half-made table stays, elsewhere it is rolled back."""
    kind, url = database
    project = make_project(tmp_path, kind)
    assert alembic(project, url, "upgrade", "head").returncode == 0
    (head,) = [
        p.name.split("_")[4] for p in (project / "shop" / "migrations" / "versions").glob("*.py")
    ]
    broken = project / "shop" / "migrations" / "versions" / "9999_broken.py"
    broken.write_text(BROKEN_REVISION.format(down=head))
    failed = alembic(project, url, "upgrade", "head")  # the command, as a deployment runs it
    assert failed.returncode != 0 and "no_such_column" in failed.stderr
    assert ("tags" in tables(project, url)) is (kind == "mysql")
    if kind == "mysql":
        with_tags = alembic(project, url, "upgrade", "head")  # the next run says why, too
        assert with_tags.returncode != 0 and "already exists" in with_tags.stderr
    for attempt in (1, 2):
        (line,) = run_app(project, url)
        assert line.startswith(
            f"SchemaError: upgrading the database from revision {head} to badbadbadbad failed: "
        ), (attempt, line)
        assert "a revision may be half applied" in line
        assert ("tags" in tables(project, url)) is (kind == "mysql"), attempt


def test_a_percent_sign_in_the_url_reaches_the_database_as_it_is(tmp_path: Path) -> None:
    """Alembic's configuration would read `%` as interpolation; env.py never puts the URL
    there. PostgreSQL here trusts local users, so any password gets in."""
    with required_database("postgresql") as url:
        project = make_project(tmp_path, "postgresql")
        with_percent = url.replace("postgres@", "postgres:p%25ss%@", 1)
        for command in (["upgrade", "head"], ["check"], ["downgrade", "base"]):
            done = alembic(project, with_percent, *command)
            assert done.returncode == 0, done.stderr


def test_remove_model_drops_its_table_and_nothing_else(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    kind, url = database
    project = make_project(tmp_path, kind)
    fastsqla("add-model", "Post", "title:str", "author:ref:User", "--no-check", cwd=project)
    fastsqla("add-model", "Tag", "label:str:unique", "--no-check", cwd=project)
    user = {"name": "Ada", "email": "ada@example.com"}
    answers = run_app(
        project,
        url,
        ("POST", "/users", user),
        ("POST", "/posts", {"title": "Hello", "author_id": 1}),
        ("POST", "/tags", {"label": "news"}),
    )
    assert [answer[:3] for answer in answers] == ["201"] * 3

    out = fastsqla("remove-model", "Tag", "--python", PYTHON, cwd=project)
    assert "Run the tests" in out
    assert "deleted shop/models/tag.py" in out
    answers = run_app(project, url, ("GET", "/users/1", None), ("GET", "/posts/1", None))
    assert [answer[:3] for answer in answers] == ["200", "200"]  # the rows are all there
    assert tables(project, url) == {"users", "posts", "alembic_version"}

    out = fastsqla("check", "--python", PYTHON, "--database-url", url, "--no-types", cwd=project)
    assert "All checks passed" in out  # the migration test runs the drop and its downgrade


def test_add_field_keeps_the_rows_and_gives_them_the_new_fields(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    kind, url = database
    project = make_project(tmp_path, kind)
    fastsqla("add-model", "Post", "title:str", "author:ref:User", "--no-check", cwd=project)
    user = {"name": "Ada", "email": "ada@example.com"}
    answers = run_app(
        project, url, ("POST", "/users", user), ("POST", "/posts", {"title": "Hi", "author_id": 1})
    )
    assert [answer[:3] for answer in answers] == ["201", "201"]

    # An optional field, then a required one with the value the rows already there get; on a
    # table other rows refer to (posts -> users), so SQLite's copy of it must keep them.
    # Each step runs the project's checks (its tests, the migration test among them, on a
    # database of their own: they empty the one they test on).
    check = ["--python", PYTHON]
    out = fastsqla("add-field", "User", "nickname:str:optional:unique:max=40", *check, cwd=project)
    assert "Run the tests" in out
    fastsqla(
        "add-field",
        "User",
        "karma:int:index",
        "active:bool",
        "--default",
        "karma=7",
        "--default",
        "active=true",
        *check,
        cwd=project,
    )
    answers = run_app(project, url, ("GET", "/users/1", None), ("GET", "/posts/1", None))
    old = json.loads(answers[0].split(" ", 1)[1])
    assert old == {**user, "id": 1, "nickname": None, "karma": 7, "active": True}
    assert answers[1].startswith("200 ")
    new = {**user, "email": "bob@example.com", "karma": 1, "active": False}
    created = run_app(project, url, ("POST", "/users", new))[0]
    assert created.startswith("201 ") and '"karma":1' in created

    assert tables(project, url) == {"users", "posts", "alembic_version"}
