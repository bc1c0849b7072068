"""`fastsqla update`, played as a release story: a project made with fastsqla as it stands,
then changed by its user, is updated by the next release of fastsqla, built from a copy
of this repository with one template change and a higher version."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.version import Version

from fastsqla_cli import __version__
from fastsqla_cli.releases import released_versions
from tests.test_e2e import fastsqla
from tests.test_wheel import install_wheel

pytestmark = pytest.mark.e2e
REPO = Path(__file__).parent.parent
PYTHON = sys.executable
NEXT = f"{Version(__version__).major}.{Version(__version__).minor}.{Version(__version__).micro + 1}"
# The next release's one template change: the first lines of the database module.
DOCSTRING = '"""The database: the models\' base class, the engine, the session maker, and the\n'
NEXT_DOCSTRING = (
    '"""The database: the base class of models, the engine, the session maker and the\n'
)
USER_DOCSTRING = (
    '"""Our database (edited by us): the base class, the engine, the session maker and the\n'
)
NEXT_STEPS = """\


def _field_values(root: Path, package: str) -> None:
    for path in (root / package / "schemas").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        old, new = f"from {package}.field_types import", f"from {package}.field_values import"
        path.write_text(text.replace(old, new), encoding="utf-8")


STEPS = (*STEPS, Step("NEXT", _field_values))
""".replace('"NEXT"', f'"{NEXT}"')
ROUTERS_LOOP = (
    "    for router in routers_of(routers):  # each module of `routers`: see `discovery`\n"
)
NEXT_ROUTERS_LOOP = "    for router in routers_of(routers):  # see `discovery`\n"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run(fastsqla_script: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(fastsqla_script), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def next_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `fastsqla` script of the next release, installed from its wheel in a fresh
    virtualenv: this repository with the template change above and the version NEXT."""
    work = tmp_path_factory.mktemp("next-release")
    source = work / "fastsqla"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "dist", "build", "__pycache__"),
    )
    if __version__ not in released_versions():  # the release of this version, first
        env = {**os.environ, "PYTHONPATH": str(source)}
        freeze = [PYTHON, "-m", "fastsqla_cli.releases"]
        subprocess.run(freeze, cwd=source, env=env, check=True, capture_output=True)
    init = source / "fastsqla_cli" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{__version__}"', f'"{NEXT}"'))
    database = source / "templates" / "project" / "template" / "{{ package }}" / "database.py.jinja"
    assert database.read_text().startswith(DOCSTRING)
    database.write_text(database.read_text().replace(DOCSTRING, NEXT_DOCSTRING, 1))
    # ... and where add-model's lines went before models and routers were found: the app's
    # routers and the models package.
    package = source / "templates" / "project" / "template" / "{{ package }}"
    for path, old, new in [
        (package / "main.py.jinja", ROUTERS_LOOP, NEXT_ROUTERS_LOOP),
        (package / "models" / "__init__.py.jinja", "all tables", "every table"),
    ]:
        assert old in path.read_text()
        path.write_text(path.read_text().replace(old, new))
    # ... and renames a module that the user's own code (schemas) imports: the release
    # writes the model schemas with the new name, and carries the old ones over in a step.
    (package / "field_types.py").rename(package / "field_values.py")
    for path in [
        package / "schemas" / "__init__.py",
        source / "fastsqla_cli" / "field_types.py",
        source / "fastsqla_cli" / "schemas.py",
    ]:
        assert "field_types" in path.read_text()
        path.write_text(path.read_text().replace("field_types", "field_values"))
    update = source / "fastsqla_cli" / "release_steps.py"
    update.write_text(update.read_text() + NEXT_STEPS)
    venv = install_wheel(source, work)
    shutil.rmtree(source)  # the release runs from its wheel alone
    return venv / "bin" / "fastsqla"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project made by this fastsqla and committed, as its user would."""
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    root = tmp_path / "shop"
    git("init", "--quiet", cwd=root)
    git("add", "--all", cwd=root)
    git("commit", "--quiet", "-m", "new", cwd=root)
    return root


def test_the_next_release_brings_its_change_and_keeps_the_users(
    next_release: Path, project: Path
) -> None:
    database = project / "shop" / "database.py"
    settings = project / "shop" / "settings.py"
    database.write_text(database.read_text().replace(DOCSTRING, USER_DOCSTRING, 1))
    settings.write_text(settings.read_text() + "\n\n# Our own note, which no template touches.\n")
    logo = project / "static" / "logo.png"  # a file of ours that is not text
    logo.parent.mkdir()
    logo.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    refused = run(next_release, "update", "--no-check", cwd=project)
    assert refused.returncode == 2
    assert "has uncommitted changes (3 files): commit or stash them first" in refused.stderr
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "our edits", cwd=project)
    fastsqla("add-model", "Post", "title:str", "author:ref:User", "--no-check", cwd=project)
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "-m", "Post", cwd=project)
    head = git("rev-parse", "HEAD", cwd=project)

    preview = run(next_release, "update", "--dry-run", cwd=project)
    assert preview.returncode == 0, preview.stderr
    assert f"from fastsqla {__version__}'s template to {NEXT}'s" in preview.stdout
    assert "edited  shop/database.py  (conflict)" in preview.stdout
    assert git("status", "--porcelain", cwd=project) == ""

    updated = run(next_release, "update", "--python", PYTHON, cwd=project)
    assert updated.returncode == 1, updated.stdout + updated.stderr
    assert "edited  shop/database.py  (conflict)" in updated.stdout
    assert "1 file with conflicts" in updated.stderr
    assert git("rev-parse", "HEAD", cwd=project) == head  # nothing committed for the user
    changed = git("status", "--porcelain", cwd=project).splitlines()
    assert sorted(changed) == [
        " D shop/field_types.py",
        " M .copier-answers.yml",
        " M README.md",
        " M shop/database.py",
        " M shop/main.py",
        " M shop/models/__init__.py",
        " M shop/schemas/__init__.py",
        " M shop/schemas/post.py",  # by the release's step
        " M shop/schemas/user.py",
        "?? shop/field_values.py",
    ]
    assert "edited  shop/main.py\n" in updated.stdout  # no conflict with the added model
    assert NEXT_ROUTERS_LOOP in (project / "shop" / "main.py").read_text()
    assert f"_commit: {NEXT}\n" in (project / ".copier-answers.yml").read_text()
    assert settings.read_text().endswith("# Our own note, which no template touches.\n")
    assert logo.read_bytes() == b"\x89PNG\r\n\x1a\n\xff\xfe"
    assert (project / "shop" / "models" / "post.py").is_file()
    text = database.read_text()
    assert text.startswith(
        "<<<<<<< before updating\n"
        + USER_DOCSTRING
        + "=======\n"
        + NEXT_DOCSTRING
        + ">>>>>>> after updating\n"
    )

    # The user keeps the template's side; then the project's checks pass.
    database.write_text(NEXT_DOCSTRING + text.split(">>>>>>> after updating\n", 1)[1])
    checked = run(next_release, "check", "--python", PYTHON, "--no-types", cwd=project)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    git("commit", "--quiet", "--all", "-m", "fastsqla update", cwd=project)
    again = run(next_release, "update", cwd=project)
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stderr


def test_a_project_in_a_folder_of_a_larger_repository_updates(
    next_release: Path, tmp_path: Path
) -> None:
    repository = tmp_path / "monorepo"
    (repository / "services").mkdir(parents=True)
    (repository / "web.txt").write_text("another part of the repository\n")
    fastsqla("new", "shop", "--no-check", cwd=repository / "services")
    git("init", "--quiet", cwd=repository)
    git("add", "--all", cwd=repository)
    git("commit", "--quiet", "-m", "monorepo", cwd=repository)
    project = repository / "services" / "shop"
    done = run(next_release, "update", "--no-check", cwd=project / "shop")  # from inside
    assert done.returncode == 0, done.stdout + done.stderr
    changed = git("status", "--porcelain", cwd=repository).splitlines()
    assert changed and all(line[3:].startswith("services/shop/") for line in changed), changed
    assert f"_commit: {NEXT}\n" in (project / ".copier-answers.yml").read_text()


def test_an_update_whose_checks_fail_is_undone(next_release: Path, project: Path) -> None:
    tests = project / "tests" / "test_health.py"
    tests.write_text(tests.read_text() + "\n\ndef test_ours() -> None:\n    assert False\n")
    git("commit", "--quiet", "--all", "-m", "a failing test of ours", cwd=project)
    before = git("rev-parse", "HEAD", cwd=project)
    failed = run(next_release, "update", "--python", PYTHON, "--no-types", cwd=project)
    assert failed.returncode == 1
    assert "the update was undone" in failed.stderr
    assert git("status", "--porcelain", "--untracked-files=all", cwd=project) == ""
    assert git("rev-parse", "HEAD", cwd=project) == before


def work_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("seconds", [0.5, 2.0, 4.0])
def test_ctrl_c_at_any_moment_leaves_the_project_as_it_was(
    next_release: Path, project: Path, seconds: float
) -> None:
    """Interrupted while copier works on its scratch copies, or while the checks run on
    the updated project, the update leaves the project as it was."""
    before = work_tree(project)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    command = [str(next_release), "update", "--python", PYTHON, "--no-types"]
    update = subprocess.Popen(command, cwd=project, env=env, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    assert update.poll() is None, "the update ended before it could be interrupted"
    update.send_signal(signal.SIGINT)
    _, err = update.communicate(timeout=120)
    assert update.returncode == 130, err
    assert work_tree(project) == before
    assert git("status", "--porcelain", "--untracked-files=all", cwd=project) == ""


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        pytest.param(
            "no git", 2, "is not in a git repository with a commit: commit the project first"
        ),
        pytest.param("newer", 2, f"newer than this fastsqla ({NEXT}): upgrade fastsqla"),
        pytest.param("unknown", 1, "records _commit: 0.0.1, which no fastsqla release has"),
    ],
)
def test_refusals_change_nothing(
    next_release: Path, tmp_path: Path, setup: str, code: int, message: str
) -> None:
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    root = tmp_path / "shop"
    if setup != "no git":
        answers = root / ".copier-answers.yml"
        recorded = "99.0.0" if setup == "newer" else "0.0.1"
        text = answers.read_text()
        answers.write_text(text.replace(f"_commit: {__version__}", f"_commit: {recorded}"))
        git("init", "--quiet", cwd=root)
        git("add", "--all", cwd=root)
        git("commit", "--quiet", "-m", "new", cwd=root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    done = run(next_release, "update", "--no-check", cwd=root)
    assert done.returncode == code, done.stdout + done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before


def test_plain_copier_update_cannot_find_the_template(project: Path) -> None:
    """What the README says: the answers file names `fastsqla-cli`, not a template copier
    could fetch; `fastsqla update` is the way."""
    from copier import run_update

    with pytest.raises(ValueError, match="Local template must be a directory"):
        run_update(project, defaults=True, overwrite=True, quiet=True)
    assert git("status", "--porcelain", cwd=project) == ""


def test_a_project_at_the_installed_version_is_up_to_date_in_git_or_not(tmp_path: Path) -> None:
    fastsqla("new", "shop", "--no-check", cwd=tmp_path)
    out = fastsqla("update", "--no-check", cwd=tmp_path / "shop")
    assert f"is up to date (fastsqla {__version__})" in out


@pytest.mark.usefixtures("fixed_revision")
def test_update_deploy_adds_the_manifests_new_makes_and_takes_them_out_again(
    tmp_path: Path,
) -> None:
    """`update --deploy kubernetes` on a committed project gives it what `new --deploy
    kubernetes` makes (the manifests, the README's section, the recorded answer), keeping
    the user's own change; `update --deploy none` takes all of that out again."""
    for where, deploy in (("made", "kubernetes"), ("grown", "none")):
        (tmp_path / where).mkdir()
        arguments = ("--db", "postgresql", "--deploy", deploy, "--no-check")
        fastsqla("new", "shop", *arguments, cwd=tmp_path / where)
    made, grown = tmp_path / "made" / "shop", tmp_path / "grown" / "shop"
    mine = "\n# our own deployment notes\n"
    dockerfile = grown / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + mine)
    git("init", "--quiet", cwd=grown)
    git("add", "--all", cwd=grown)
    git("commit", "--quiet", "-m", "new", cwd=grown)
    before = work_tree(grown)

    out = fastsqla("update", "--deploy", "kubernetes", "--no-check", cwd=grown)
    assert "on fastsqla" in out and "with --deploy kubernetes" in out
    grown_files = work_tree(grown)
    assert grown_files.pop("Dockerfile").endswith(mine.encode())
    made_files = work_tree(made)
    del made_files["Dockerfile"]
    assert grown_files == made_files

    git("add", "--all", cwd=grown)
    git("commit", "--quiet", "-m", "kubernetes", cwd=grown)
    fastsqla("update", "--deploy", "none", "--no-check", cwd=grown)
    assert work_tree(grown) == before
    assert not (grown / "kubernetes").exists()
    out = fastsqla("update", "--deploy", "none", "--no-check", cwd=grown)
    assert "is up to date" in out


# The last commit of fastsqla 0.1.0, whose template `templates/releases.bundle` holds.
RELEASE_0_1_0 = "cd5145e"


@pytest.fixture(scope="module")
def release_0_1_0(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `fastsqla` script of 0.1.0, built from this repository's history."""
    if not (REPO / ".git").exists():
        pytest.skip("building 0.1.0 needs this repository's git history")
    work = tmp_path_factory.mktemp("release-0.1.0")
    source = work / "fastsqla"
    source.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", RELEASE_0_1_0], cwd=REPO, capture_output=True
    )
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x"], cwd=source, input=archive.stdout, check=True)
    return install_wheel(source, work) / "bin" / "fastsqla"


def test_a_project_of_0_1_0_takes_the_database_module_apart(
    release_0_1_0: Path, tmp_path: Path
) -> None:
    """0.2.0 moved the mechanisms of `database.py` into modules of their own. A project made
    by 0.1.0 gets them; the user's code that imported a moved name, and the routers 0.1.0
    wrote, follow (the release's step); an edit of a moved part is a conflict; the project's
    checks pass."""
    made = run(release_0_1_0, "new", "shop", "--no-check", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / "shop"
    added = run(
        release_0_1_0, "add-model", "Post", "title:str", "author:ref:User", "--no-check", cwd=root
    )
    assert added.returncode == 0, added.stderr
    # A unique reference: each row of test data needs a row of its own to refer to.
    added = run(
        release_0_1_0, "add-model", "Profile", "owner:ref:User:unique", "--no-check", cwd=root
    )
    assert added.returncode == 0, added.stderr
    ours = root / "shop" / "jobs.py"  # the user's own module, with names that moved
    ours.write_text(
        "from shop.database import DATABASE_RESPONSES\n"
        "from shop.database import DatabaseURLError\n"
        "from shop.database import SessionDep\n"
        "\n"
        "__all__ = ['DATABASE_RESPONSES', 'DatabaseURLError', 'SessionDep']\n".replace("'", '"')
    )
    git("init", "--quiet", cwd=root)
    git("add", "--all", cwd=root)
    git("commit", "--quiet", "-m", "made by 0.1.0", cwd=root)

    database = root / "shop" / "database.py"
    edited = database.read_text().replace("IDLE_BEFORE_PING = 1.0", "IDLE_BEFORE_PING = 2.0")
    database.write_text(edited)
    git("commit", "--quiet", "--all", "-m", "our ping", cwd=root)
    preview = fastsqla("update", "--dry-run", cwd=root)
    assert "edited  shop/database.py  (conflict)" in preview
    assert "created shop/connection_queue.py" in preview
    git("reset", "--quiet", "--hard", "HEAD~1", cwd=root)

    updated = fastsqla("update", "--python", PYTHON, cwd=root)
    assert "(conflict)" not in updated and "passed" in updated
    assert ours.read_text() == (
        "from shop.database import SessionDep\n"
        "from shop.errors import DATABASE_RESPONSES\n"
        "from shop.errors import StartupError as DatabaseURLError\n"
        "\n"
        "__all__ = ['DATABASE_RESPONSES', 'DatabaseURLError', 'SessionDep']\n".replace("'", '"')
    )
    for router in ("user", "post"):
        text = (root / "shop" / "routers" / f"{router}.py").read_text()
        assert "_mapping" not in text and ".mappings().first()" in text
    assert "async_session = async_sessionmaker(" in database.read_text()
    # A post's author is the test's shared user, not a user per post (the release's step).
    factory = (root / "tests" / "factories" / "post.py").read_text()
    assert 'payload["author_id"] = (await SHARED.row(client, create_user))["id"]' in factory
    assert "from tests.factories import SHARED\n" in factory
    # The lists page by cursor, and their tests no longer take the tables to be empty
    # (users hold the shared author).
    for model in ("user", "post"):
        test = (root / "tests" / f"test_{model}.py").read_text()
        assert "everything[-3:] == rows" in test, test
        router = (root / "shop" / "routers" / f"{model}.py").read_text()
        assert "return await listing.page(connection, READ_ALL, params)" in router
    # A model 0.1.0 made imports the models it refers to for type checkers only, as 0.2.0
    # writes it (the release's step): an enum reaches it, and a new model links to it.
    model = (root / "shop" / "models" / "post.py").read_text()
    assert "if TYPE_CHECKING:\n    from shop.models.user import User\n" in model
    assert 'author: Mapped["User"] = relationship(' in model
    # The models 0.1.0 made are now what 0.2.0 writes (their lists filter by reference):
    # remove-model finds no file changed, and a reference or a link reaches them.
    for command in (
        ["add-field", "Post", "status:enum:draft,published:default=draft"],
        ["add-field", "Post", "editor:ref:User:optional", "tags:many:User"],
        ["add-model", "Tag", "name:str", "posts:many:Post"],
        ["remove-model", "Profile"],
    ):
        assert "passed" in fastsqla(*command, "--python", PYTHON, cwd=root)
    schemas = (root / "shop" / "schemas" / "post.py").read_text()
    assert (
        'author_id: Annotated[ReferenceParam | SkipJsonSchema[None], Filter("author_id")]'
        in schemas
    )
