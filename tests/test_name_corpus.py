"""Every name of the corpus (tests/name_corpus.py: over a thousand) as a project, a model
and a field name is either taken or refused with exit 2 and one line; a sample of over 300
of the names it takes, as models and fields of one project (and two as projects), makes
projects whose checks pass on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fastsqla_cli.cli import app
from fastsqla_cli.errors import FastsqlaError, UsageError
from fastsqla_cli.fields import parse_field
from fastsqla_cli.naming import model_name, project_name
from tests.name_corpus import CORPUS
from tests.test_e2e import fastsqla, runner
from tests.test_hostile_names import checks_pass_on

PARSERS: dict[str, Callable[[str], object]] = {
    "project": project_name,
    "model": model_name,
    "field": lambda name: parse_field(f"{name}:str"),
}


def taken(kind: str) -> list[str]:
    """The names of the corpus that ``kind`` takes."""
    names = []
    for name in CORPUS:
        try:
            PARSERS[kind](name)
        except FastsqlaError:
            continue
        names.append(name)
    return names


@pytest.mark.parametrize("kind", PARSERS)
def test_each_name_is_taken_or_refused_in_one_line(kind: str) -> None:
    refused = 0
    for name in CORPUS:
        try:
            PARSERS[kind](name)
        except FastsqlaError as error:
            refused += 1
            assert isinstance(error, UsageError), (name, error)  # exit 2
            assert "\n" not in str(error) and str(error).strip(), (name, error)
    assert 0 < refused < len(CORPUS)


def sample(names: list[str], count: int) -> list[str]:
    """``count`` names spread evenly over ``names``."""
    step = max(1, len(names) // count)
    return names[::step][:count]


# A few of the project names the corpus has and fastsqla takes, made into projects.
PROJECTS = 2


@pytest.mark.e2e
@pytest.mark.parametrize("name", sample(taken("project"), PROJECTS))
def test_corpus_project_names_make_projects_whose_checks_pass(name: str, tmp_path: Path) -> None:
    fastsqla("new", name, "--no-check", cwd=tmp_path)
    out = fastsqla("check", "--python", sys.executable, "--no-types", cwd=tmp_path / name)
    assert "All checks passed (tests, ruff)" in out


# Corpus names as models of one project, each with fields named from the corpus too.
MODELS, FIELDS_PER_MODEL = 26, 12


@pytest.fixture(scope="module")
def corpus_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose models and fields take their names from the corpus. A model may
    still be refused by `add-model` (its names would make lines too long to format), with
    exit 2 and one line; at least 300 names land."""
    root = tmp_path_factory.mktemp("corpus")
    fastsqla("new", "corpus", "--no-check", cwd=root)
    project = root / "corpus"
    fields = sample(taken("field"), MODELS * FIELDS_PER_MODEL)
    landed = 0
    previous = Path.cwd()
    os.chdir(project)
    try:
        for index, model in enumerate(sample(taken("model"), MODELS)):
            specs = [f"{field}:str" for field in fields[index::MODELS]]
            result = runner.invoke(app, ["add-model", model, *specs, "--no-check"])
            if result.exit_code == 2:
                assert len(result.output.strip().splitlines()) == 1, result.output
                continue
            assert result.exit_code == 0, result.output
            landed += 1 + len(specs)
    finally:
        os.chdir(previous)
    assert landed >= 300
    return project


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["sqlite", "postgresql", "mysql"])
def test_corpus_models_and_fields_make_a_project_whose_checks_pass(
    corpus_project: Path, kind: str
) -> None:
    checks_pass_on(corpus_project, kind)
