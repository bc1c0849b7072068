"""fastsqla's renderer and copier write the same bytes from the same copier template.

`fastsqla new` renders `templates/project` without importing copier (see
`fastsqla_cli/copier_template.py`); these tests render it with copier as well and compare
every file, so the template stays one that `copier copy` renders identically.
"""

import stat
from pathlib import Path

import pytest

from fastsqla_cli.copier_template import CopierTemplate, UnsupportedTemplate
from fastsqla_cli.new import python_literal
from fastsqla_cli.rendering import templates_dir


def with_copier(template: Path, destination: Path, data: dict[str, object]) -> None:
    from copier import run_copy

    run_copy(str(template), destination, data=data, defaults=True, quiet=True, unsafe=False)


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        path.relative_to(root).as_posix(): (stat.S_IMODE(path.stat().st_mode), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_same_output(template: Path, tmp_path: Path, data: dict[str, object]) -> None:
    written = CopierTemplate(template).render(tmp_path / "ours", data)
    with_copier(template, tmp_path / "copier", data)
    ours, theirs = snapshot(tmp_path / "ours"), snapshot(tmp_path / "copier")
    assert sorted(p.as_posix() for p in written) == sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


@pytest.mark.parametrize(
    ("database", "description"),
    [
        ("sqlite", ""),
        ("postgresql", 'A "quoted" shop, it\'s back\\slashed\nover two lines'),
        ("mysql", "{{ not_a_variable }}, ünïcödé 🚀 and a long tail " + "x" * 120),
    ],
)
def test_the_project_template_renders_as_copier_renders_it(
    tmp_path: Path, database: str, description: str
) -> None:
    data: dict[str, object] = {
        "project_name": "My-Shop",
        "package": "my_shop",
        "description": description,
        "description_literal": python_literal(description),
        "database": database,
        "fastsqla_version": "9.9.9",
        "uv_build_requirement": "uv_build>=0.13.0,<0.14.0",
    }
    assert_same_output(templates_dir() / "project", tmp_path, data)


@pytest.mark.parametrize(
    "description",
    ["", 'A "quoted" shop', "it's a\\back\tslashed 'shop'", "ünïcödé {{ x }} 🚀"],
)
def test_the_computed_answers_default_as_fastsqla_computes_them(
    tmp_path: Path, description: str
) -> None:
    """copier renders the template without the `when: false` answers (its own update
    renders the new version so): their defaults give what `fastsqla new` passes."""
    data: dict[str, object] = {
        "project_name": "shop",
        "package": "shop",
        "description": description,
    }
    assert_same_output(templates_dir() / "project", tmp_path, data)
    package = (tmp_path / "copier" / "shop" / "__init__.py").read_text()
    assert python_literal(description) in package
    assert "fastsqla-cli/) unreleased." in (tmp_path / "copier" / "README.md").read_text()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


EDGE_CASES = {
    "copier.yml": (
        "_subdirectory: t\n_exclude: [__pycache__, '*.py[co]', '*.bak']\n"
        "_envops:\n  undefined: jinja2.StrictUndefined\n"
        "  keep_trailing_newline: true\n"
        "name:\n  type: str\nwith_docs:\n  type: bool\n  default: false\n"
        "secret:\n  type: str\n  default: s3\n  when: false\n"
    ),
    "t/{{ name }}/plain.txt": "{{ not rendered }}\n",
    "t/{{ name }}/page.md.jinja": "# {{ name }} {{ secret }}\n",
    "t/both.txt": "the plain sibling loses\n",
    "t/both.txt.jinja": "the templated sibling wins: {{ name }}\n",
    "t/{% if with_docs %}docs{% endif %}/index.md": "left out when the name is empty\n",
    "t/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}",
    "t/run.sh": "#!/bin/sh\n",
    "t/pkg/mod.py": "x = 1\n",
    "t/pkg/__pycache__/mod.cpython-311.pyc": "compiled by an installer\n",
    "t/pkg/stray.pyc": "compiled\n",
    "t/notes.txt.bak": "a backup\n",
}


def test_edge_cases_of_the_format_render_as_in_copier(tmp_path: Path) -> None:
    template = write_tree(tmp_path / "template", EDGE_CASES)
    (template / "t" / "run.sh").chmod(0o755)
    assert_same_output(template, tmp_path, {"name": "café"})
    assert (tmp_path / "ours" / "run.sh").stat().st_mode & 0o111
    assert not (tmp_path / "ours" / "docs").exists()
    assert sorted(p.name for p in (tmp_path / "ours" / "pkg").iterdir()) == ["mod.py"]
    assert not (tmp_path / "ours" / "notes.txt").exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("_tasks: [echo hi]\n", "uses _tasks"),
        ("_envops:\n  undefined: jinja2.Undefined\n", "uses _envops.undefined"),
        ("_envops:\n  autoescape: true\n", "uses _envops.autoescape"),
        ("_exclude: [docs/*.md]\n", "uses _exclude: docs/"),
        ("name:\n  type: str\n  validator: '{{ x }}'\n", "uses name.validator"),
        ("name:\n  type: str\n", "no answer for 'name'"),
        ("db:\n  type: str\n  default: oracle\n  choices: [sqlite]\n", "not one of db's choices"),
    ],
)
def test_a_template_asking_for_more_than_the_renderer_knows_is_refused(
    tmp_path: Path, config: str, message: str
) -> None:
    template = write_tree(tmp_path, {"copier.yml": config, "README.md": "hi\n"})
    with pytest.raises(UnsupportedTemplate, match=message):
        CopierTemplate(template).render(tmp_path / "out", {})
    assert not (tmp_path / "out").exists()
