"""The compiled-template cache: where it lives, that it is used, and that it never breaks
or changes a render."""

from pathlib import Path

import jinja2
import pytest

from fastsqla_cli.new import create_project
from fastsqla_cli.template_cache import bytecode_cache, cache_dir
from tests.conftest import tree_snapshot


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"FASTSQLA_CACHE_DIR": "/srv/cache"}, "/srv/cache/jinja"),
        ({"FASTSQLA_CACHE_DIR": "/srv/cache", "XDG_CACHE_HOME": "/xdg"}, "/srv/cache/jinja"),
        ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/fastsqla/jinja"),
        ({"XDG_CACHE_HOME": "relative/xdg"}, "~/.cache/fastsqla/jinja"),  # the spec says ignore
        ({}, "~/.cache/fastsqla/jinja"),
        ({"FASTSQLA_CACHE_DIR": "off"}, None),
    ],
)
def test_where_the_cache_lives(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: str | None
) -> None:
    monkeypatch.delenv("FASTSQLA_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert cache_dir() == (None if expected is None else Path(expected).expanduser())


@pytest.fixture(autouse=True)
def _empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTSQLA_CACHE_DIR", str(tmp_path / "cache"))


def render_twice(template: Path, text: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(template.parent))
    env.bytecode_cache = bytecode_cache(cache_dir())
    template.write_text(text)
    return env.get_template(template.name).render(name="x")


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    template = tmp_path / "t.jinja"
    assert render_twice(template, "one {{ name }}") == "one x"
    assert list((tmp_path / "cache" / "jinja").iterdir())
    assert render_twice(template, "two {{ name }}") == "two x"


@pytest.mark.usefixtures("fixed_revision")
def test_a_second_project_renders_from_the_cache_and_is_the_same(tmp_path: Path) -> None:
    first = create_project(tmp_path / "one" / "shop")
    cached = sorted((tmp_path / "cache" / "jinja").iterdir())
    # The model templates `new` renders, and the macros its revision imports (copier
    # renders the project).
    assert len(cached) == 7
    mtimes = [path.stat().st_mtime_ns for path in cached]
    second = create_project(tmp_path / "two" / "shop")
    assert [path.stat().st_mtime_ns for path in cached] == mtimes  # read, not rewritten
    assert tree_snapshot(first.root) == tree_snapshot(second.root)


@pytest.mark.usefixtures("fixed_revision")
def test_a_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    first = create_project(tmp_path / "one" / "shop")
    for path in (tmp_path / "cache" / "jinja").iterdir():
        path.write_bytes(path.read_bytes()[:40])  # header intact, code cut short
    second = create_project(tmp_path / "two" / "shop")
    assert tree_snapshot(first.root) == tree_snapshot(second.root)


def test_a_cache_that_cannot_be_made_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("FASTSQLA_CACHE_DIR", str(tmp_path / "a-file"))
    assert bytecode_cache(cache_dir()) is None
    create_project(tmp_path / "shop")  # renders all the same
