"""`create_project`: what it renders, what it refuses, and that it never leaves a mess."""

import ast
import os
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from fastsqla_cli import __version__, filetx
from fastsqla_cli import new as project_module
from fastsqla_cli.errors import DestinationError, ProjectNameError, UsageError
from fastsqla_cli.new import create_project
from fastsqla_cli.templates import templates_dir
from tests.conftest import GOLDEN, UPDATE_GOLDEN, tree_snapshot


@pytest.mark.usefixtures("fixed_revision")
def test_default_project_matches_the_golden_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of `fastsqla new demo`, byte for byte. Regenerate on purpose with
    FASTSQLA_UPDATE_GOLDEN=1 and read the diff."""
    monkeypatch.setattr(project_module, "installed_uv_version", lambda: "0.13.9")
    project = create_project(tmp_path / "demo")
    rendered = {path.as_posix(): (project.root / path).read_text() for path in project.files}
    golden_root = GOLDEN / "demo"
    if UPDATE_GOLDEN:
        for path, text in rendered.items():
            (golden_root / path).parent.mkdir(parents=True, exist_ok=True)
            (golden_root / path).write_text(text)
    expected = {
        p.relative_to(golden_root).as_posix(): p.read_text()
        for p in sorted(golden_root.rglob("*"))
        if p.is_file()
    }
    assert sorted(rendered) == sorted(expected)
    for path, text in rendered.items():
        assert text == expected[path], f"{path} differs from tests/golden/demo/{path}"


def test_answers_record_the_version_and_no_local_path(tmp_path: Path) -> None:
    project = create_project(tmp_path / "my-shop", database="postgresql")
    text = (project.root / ".copier-answers.yml").read_text()
    answers = yaml.safe_load(text)
    assert answers["_commit"] == __version__
    assert answers["_src_path"] == "fastsqla-cli"
    assert (answers["project_name"], answers["package"], answers["database"]) == (
        "my-shop",
        "my_shop",
        "postgresql",
    )
    assert str(templates_dir()) not in text
    assert "site-packages" not in text and str(tmp_path) not in text


@pytest.mark.parametrize(
    "description",
    [
        'A "quoted" shop',
        "It's the shop's API",
        "both ' and \" quotes",
        "back\\slash \\n not a newline \\",
        "tab\there",
        "{{ not_a_variable }} and {% raw %} and {# comment #}",
        "\"\"\"triple\"\"\" and '''single'''",
        "ünïcödé, 中文, emoji 🚀",
        "x" * 300,
        "",
    ],
)
def test_the_description_comes_out_verbatim(tmp_path: Path, description: str) -> None:
    project = create_project(tmp_path / "shop", description=description)
    pyproject = tomllib.loads((project.root / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == description
    module = ast.parse((project.root / "shop" / "__init__.py").read_text())
    literal = next(n.value for n in module.body if isinstance(n, ast.Assign))
    assert ast.literal_eval(literal) == description
    assert description in (project.root / "README.md").read_text()
    answers = yaml.safe_load((project.root / ".copier-answers.yml").read_text())
    assert answers["description"] == description
    for path in project.root.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"])
def test_control_characters_in_the_description_are_refused(tmp_path: Path, char: str) -> None:
    with pytest.raises(UsageError, match="control character"):
        create_project(tmp_path / "shop", description=f"bad{char}text")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("database", "url", "driver"),
    [
        ("sqlite", "sqlite+aiosqlite:///./shop.db", "aiosqlite"),
        ("postgresql", "postgresql+asyncpg://postgres:postgres@localhost:5432/shop", "asyncpg"),
        ("mysql", "mysql+aiomysql://root:@localhost:3306/shop", "aiomysql"),
    ],
)
def test_the_database_picks_the_driver_and_default_url(
    tmp_path: Path, database: str, url: str, driver: str
) -> None:
    project = create_project(tmp_path / "shop", database=database)
    settings = (project.root / "shop" / "settings.py").read_text()
    assert f'database_url: DatabaseURL = "{url}"' in settings
    assert f"DATABASE_URL={url}" in (project.root / ".env.example").read_text()
    dependencies = tomllib.loads((project.root / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    assert any(dep.startswith(driver) for dep in dependencies)
    code = "".join(p.read_text() for p in (project.root / "shop").rglob("*.py"))
    assert "://" not in code.replace(settings, "")  # the URL lives in settings only


@pytest.mark.parametrize("database", ["sqlite", "postgresql", "mysql"])
def test_the_readme_gives_every_setting_with_its_real_default(
    tmp_path: Path, database: str
) -> None:
    project = create_project(tmp_path / "shop", database=database)
    settings = ast.parse((project.root / "shop" / "settings.py").read_text())
    defaults = {
        node.target.id.upper(): ast.literal_eval(node.value)
        for node in ast.walk(settings)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.value is not None
        and node.target.id != "model_config"
    }
    readme = (project.root / "README.md").read_text()
    found = re.findall(r"^\| `([A-Z_]+)` \| (`[^`]*`|unset) \|", readme, re.MULTILINE)
    documented = {name: default.strip("`") for name, default in found}
    assert set(documented) == set(defaults)
    for name, value in defaults.items():
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        assert documented[name] == ("unset" if value is None else shown), name


def test_an_existing_non_empty_destination_is_refused_untouched(tmp_path: Path) -> None:
    destination = tmp_path / "shop"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")
    before = tree_snapshot(tmp_path)
    with pytest.raises(DestinationError, match="exists and is not empty") as raised:
        create_project(destination)
    assert raised.value.exit_code == 2
    assert tree_snapshot(tmp_path) == before


def test_the_project_directory_gets_the_usual_permissions(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()  # what any new directory gets under this umask
    project = create_project(tmp_path / "shop")
    expected = stat.S_IMODE((tmp_path / "plain").stat().st_mode)
    assert stat.S_IMODE(project.root.stat().st_mode) == expected
    assert stat.S_IMODE((project.root / "shop").stat().st_mode) == expected


@pytest.mark.parametrize(
    ("uv_version", "requirement"),
    [
        ("0.13.9", "uv_build>=0.13.0,<0.14.0"),
        ("0.9.30", "uv_build>=0.9.0,<0.10.0"),
        ("1.2.3", "uv_build>=1.2.0,<1.3.0"),
        ("0.14.0.dev3", "uv_build>=0.14.0,<0.15.0"),
        ("0.14", "uv_build>=0.14.0,<0.15.0"),
        (None, "uv_build>=0.13.0,<0.14.0"),  # no uv package: the release tests ran with
        ("unknown", "uv_build>=0.13.0,<0.14.0"),
        ("1", "uv_build>=0.13.0,<0.14.0"),
    ],
)
def test_the_build_backend_is_bounded_to_the_uv_in_use(
    uv_version: str | None, requirement: str
) -> None:
    assert project_module.uv_build_requirement(uv_version) == requirement


def test_the_build_backend_requirement_lands_in_pyproject(tmp_path: Path) -> None:
    project = create_project(tmp_path / "shop")
    pyproject = tomllib.loads((project.root / "pyproject.toml").read_text())
    expected = project_module.uv_build_requirement(project_module.installed_uv_version())
    assert pyproject["build-system"] == {"requires": [expected], "build-backend": "uv_build"}
    assert pyproject["tool"]["uv"]["build-backend"]["module-name"] == "shop"


def test_a_destination_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "shop").write_text("a file")
    with pytest.raises(DestinationError, match="not a directory"):
        create_project(tmp_path / "shop")


def test_an_empty_destination_is_used_in_place(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    inode = (tmp_path / "shop").stat().st_ino  # a shell standing in it keeps working
    project = create_project(tmp_path / "shop")
    assert (project.root / "shop" / "main.py").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["shop"]
    assert (tmp_path / "shop").stat().st_ino == inode


def test_new_dot_in_an_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my-shop").mkdir()
    monkeypatch.chdir(tmp_path / "my-shop")
    project = create_project(".")
    assert project.name.package == "my_shop"
    assert (tmp_path / "my-shop" / "my_shop" / "main.py").is_file()


def test_missing_parents_are_created(tmp_path: Path) -> None:
    project = create_project(tmp_path / "a" / "b" / "shop")
    assert (project.root / "pyproject.toml").is_file()


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failure_while_rendering_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    def fail(change: filetx.Change) -> None:
        raise error

    monkeypatch.setattr(filetx, "apply", fail)
    with pytest.raises(type(error)):
        create_project(tmp_path / "parent" / "shop")
    assert list(tmp_path.iterdir()) == []  # no project, no staging dir, no created parent


def test_an_invalid_name_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(ProjectNameError) as raised:
        create_project(tmp_path / "new" / "fastapi")
    assert raised.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_the_staging_directory_sits_beside_the_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []
    real_rename = os.rename

    def spy(source: str | Path, target: str | Path) -> None:
        seen.append(Path(source))
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", spy)
    create_project(tmp_path / "shop")
    assert [p.parent for p in seen] == [tmp_path]
    assert seen[0].name.startswith(".shop.")


def test_a_failure_while_moving_into_an_empty_directory_takes_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "shop").mkdir()
    real_rename = os.rename
    calls: list[int] = []

    def flaky(source: str | Path, target: str | Path) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", flaky)
    with pytest.raises(KeyboardInterrupt):
        create_project(tmp_path / "shop")
    assert [p.name for p in tmp_path.iterdir()] == ["shop"]
    assert list((tmp_path / "shop").iterdir()) == []


@pytest.mark.parametrize("name", ["api", "shop", "tests_app", "todo", "web", "x", "zoo"])
def test_a_project_passes_ruff_whatever_its_package_sorts_beside_tests(
    tmp_path: Path, name: str
) -> None:
    """The tests import the package and their own helpers: `tests` has an isort section of
    its own, so the template's import blocks are sorted for any package name (`todo` and
    `x` sort after `tests`, which failed ruff when both were first-party)."""
    root = create_project(tmp_path / name).root
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "."], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
