"""The deployment files of a generated project: CI workflow, Dockerfile, compose file.

Each database renders its own project once; the files are parsed (YAML, Dockerfile
instructions) and checked for what a deployment depends on, not for their wording.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import URL, make_url

from fastsqla_cli.new import create_project

PACKAGE = "my_shop"


@dataclass(frozen=True)
class Case:
    database: str
    driver: str  # the SQLAlchemy drivername of every URL the project is given
    images: tuple[str, ...]  # acceptable database images (repository part), () for none
    healthcheck: str  # a word the database's healthcheck must contain ("" for none)


CASES = [
    Case("sqlite", "sqlite+aiosqlite", (), ""),
    Case("postgresql", "postgresql+asyncpg", ("postgres",), "pg_isready"),
    Case("mysql", "mysql+aiomysql", ("mariadb", "mysql"), ""),
]


@dataclass(frozen=True)
class Project:
    case: Case
    root: Path


@pytest.fixture(scope="module", params=CASES, ids=[case.database for case in CASES])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Project:
    case: Case = request.param
    root = tmp_path_factory.mktemp(case.database) / "my-shop"
    create_project(root, database=case.database)
    return Project(case, root)


# --- helpers ----------------------------------------------------------------------------


def load_yaml(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def env_mapping(environment: Any) -> dict[str, str]:
    """A compose/Actions `environment` (mapping or list of KEY=VALUE) as a dict of strings."""
    if environment is None:
        return {}
    if isinstance(environment, list):
        return dict(str(item).partition("=")[::2] for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def image_repository(image: str) -> str:
    return image.rsplit("/", 1)[-1].split(":")[0]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def dockerfile(path: Path) -> list[Instruction]:
    """The Dockerfile's instructions, with comments dropped and continuations joined."""
    instructions: list[Instruction] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue  # Docker also skips comment and empty lines inside a continuation
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, args = (pending + stripped).partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a line continuation"
    return instructions


def exec_form(args: str) -> list[str]:
    """The argv of a CMD/HEALTHCHECK command, exec (JSON) or shell form."""
    if args.startswith("["):
        argv = json.loads(args)
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
        return argv
    return shlex.split(args)


def env_instructions(instructions: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword != "ENV":
            continue
        words = shlex.split(instruction.args)
        if "=" not in words[0]:  # legacy `ENV KEY value`
            env[words[0]] = " ".join(words[1:])
        else:
            env.update(word.partition("=")[::2] for word in words)
    return env


def index_of(instructions: list[Instruction], keyword: str, predicate: Any) -> list[int]:
    return [
        i for i, ins in enumerate(instructions) if ins.keyword == keyword and predicate(ins.args)
    ]


def copy_sources(args: str) -> list[str]:
    words = [w for w in shlex.split(args) if not w.startswith("--")]
    return [w.rstrip("/") for w in words[:-1]]


def compose_database_url(project: Project) -> URL:
    compose = load_yaml(project.root / "docker-compose.yml")
    return make_url(env_mapping(compose["services"]["app"].get("environment"))["DATABASE_URL"])


# --- the CI workflow --------------------------------------------------------------------


def workflow_jobs(project: Project) -> dict[str, Any]:
    workflow = load_yaml(project.root / ".github" / "workflows" / "ci.yml")
    # YAML 1.1 (PyYAML) reads the key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert triggers is not None, "the workflow has no triggers"
    trigger_names = [triggers] if isinstance(triggers, str) else list(triggers)
    assert {"push", "pull_request"} <= set(trigger_names)
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict) and jobs
    return jobs


def steps_of(jobs: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(job, step) for every step of every job."""
    return [(job, step) for job in jobs.values() for step in job["steps"]]


def pytest_runs(jobs: dict[str, Any]) -> list[dict[str, str]]:
    """The environment (job's, then step's) of every step that runs the test suite."""
    return [
        {**env_mapping(job.get("env")), **env_mapping(step.get("env"))}
        for job, step in steps_of(jobs)
        if "python -m pytest" in step.get("run", "")
    ]


def test_workflow_installs_lints_type_checks_and_tests(project: Project) -> None:
    jobs = workflow_jobs(project)
    steps = [step for _, step in steps_of(jobs)]
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert "actions/checkout" in uses and "actions/setup-python" in uses
    runs = [step["run"] for step in steps if "run" in step]
    order = []
    for command in (
        'pip install -e ".[dev,fuzz]"',
        "ruff check .",
        "ruff format --check .",
        "mypy",
        "python -m pytest",
        "python -m pytest -m fuzz",
    ):
        found = [i for i, run in enumerate(runs) if command in run]
        assert found, f"no step runs {command!r}"
        order.append(found[0])
    assert order[0] == min(order), "the project must be installed before it is checked"
    for job in jobs.values():
        versions = job.get("strategy", {}).get("matrix", {}).get("python-version", [])
        assert "3.11" in [str(v) for v in versions], "the lowest supported Python is not tested"


def test_workflow_tests_on_sqlite_and_on_the_projects_database(project: Project) -> None:
    case = project.case
    jobs = workflow_jobs(project)
    runs = pytest_runs(jobs)
    assert any("TEST_DATABASE_URL" not in env for env in runs), "no pytest run on SQLite"
    services = {
        name: service for job in jobs.values() for name, service in job.get("services", {}).items()
    }
    database_runs = [env for env in runs if "TEST_DATABASE_URL" in env]
    if case.database == "sqlite":
        assert services == {}
        assert database_runs == []
        return

    (service,) = services.values()
    assert image_repository(service["image"]) in case.images
    assert "--health-cmd" in service.get("options", ""), "steps could start before the database"
    (env,) = database_runs
    url = make_url(env["TEST_DATABASE_URL"])
    assert url.drivername == case.driver
    assert url.host in ("localhost", "127.0.0.1")
    published = {str(port).split(":")[0] for port in service["ports"]}
    assert str(url.port) in published
    service_env = env_mapping(service.get("env"))
    assert url.database in (service_env.get("POSTGRES_DB"), service_env.get("MARIADB_DATABASE"))
    assert url.password in (
        service_env.get("POSTGRES_PASSWORD"),
        service_env.get("MARIADB_ROOT_PASSWORD"),
    )


# --- docker-compose.yml -----------------------------------------------------------------


def test_compose_app_is_built_here_and_published_on_8000(project: Project) -> None:
    compose = load_yaml(project.root / "docker-compose.yml")
    app = compose["services"]["app"]
    assert app["build"] in (".", {"context": "."})
    assert "8000:8000" in [str(port) for port in app["ports"]]
    assert compose_database_url(project).drivername == project.case.driver


def test_compose_database_service(project: Project) -> None:
    case = project.case
    compose = load_yaml(project.root / "docker-compose.yml")
    services = compose["services"]
    app = services["app"]
    url = compose_database_url(project)
    if case.database == "sqlite":
        assert set(services) == {"app", "migrate"}
        # The file is on a named volume, so it outlives the container.
        assert url.database is not None and url.database.startswith("/")
        directory = os.path.dirname(url.database)
        mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in app.get("volumes", [])}
        assert directory in mounts, f"no volume is mounted on {directory}"
        assert mounts[directory] in compose.get("volumes", {})
        # Several processes share the file: one connection each (see database.py).
        assert int(env_mapping(app["environment"])["WEB_CONCURRENCY"]) > 1
        return

    assert url.host == "db"
    db = services["db"]
    assert image_repository(db["image"]) in case.images
    test = db["healthcheck"]["test"]
    test_text = " ".join(test) if isinstance(test, list) else str(test)
    assert case.healthcheck in test_text
    if image_repository(db["image"]) == "mariadb":
        assert "healthcheck.sh" in test_text and "--innodb_initialized" in test_text
    assert app["depends_on"]["db"]["condition"] == "service_healthy"

    db_env = env_mapping(db.get("environment"))
    if case.database == "postgresql":
        assert (url.username, url.password, url.database) == (
            db_env.get("POSTGRES_USER", "postgres"),
            db_env["POSTGRES_PASSWORD"],
            db_env["POSTGRES_DB"],
        )
        data_dir = "/var/lib/postgresql/data"
    else:
        database = db_env.get("MARIADB_DATABASE", db_env.get("MYSQL_DATABASE"))
        assert url.database == database
        if url.username == "root":
            assert url.password == db_env.get("MARIADB_ROOT_PASSWORD", "")
        else:
            assert (url.username, url.password) == (
                db_env["MARIADB_USER"],
                db_env["MARIADB_PASSWORD"],
            )
        data_dir = "/var/lib/mysql"
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in db.get("volumes", [])}
    assert mounts.get(data_dir) in compose.get("volumes", {}), "the database is not on a volume"


def test_compose_migrates_once_before_the_app_starts(project: Project) -> None:
    services = load_yaml(project.root / "docker-compose.yml")["services"]
    app, migrate = services["app"], services["migrate"]
    assert migrate["build"] == app["build"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert "restart" not in migrate or migrate["restart"] == "no"  # a step, not a service
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    migrate_url = env_mapping(migrate["environment"])["DATABASE_URL"]
    assert make_url(migrate_url) == compose_database_url(project)
    if project.case.database == "sqlite":
        assert migrate["volumes"] == app["volumes"]  # the same file
    else:
        assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    # The image's app does not migrate from every worker: it refuses a database behind it.
    instructions = dockerfile(project.root / "Dockerfile")
    assert env_instructions(instructions)["DATABASE_MIGRATE_ON_STARTUP"] == "false"


# --- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_base_user_and_layers(project: Project) -> None:
    instructions = dockerfile(project.root / "Dockerfile")
    assert instructions[0].keyword == "FROM"
    base = instructions[0].args.split()[0]
    assert image_repository(base) == "python" and base.endswith("-slim")

    users = index_of(instructions, "USER", lambda args: True)
    assert users, "the container runs as root"
    user = instructions[users[-1]].args.split(":")[0]
    assert user not in ("root", "0")
    assert index_of(instructions, "RUN", lambda a: ("useradd" in a or "adduser" in a) and user in a)
    (cmd,) = index_of(instructions, "CMD", lambda args: True)
    assert users[-1] < cmd

    package_copies = index_of(
        instructions, "COPY", lambda a: any(s in (".", PACKAGE) for s in copy_sources(a))
    )
    dependency_installs = index_of(
        instructions, "RUN", lambda a: "pip install" in a and "--no-deps" not in a
    )
    assert package_copies and dependency_installs
    assert dependency_installs[0] < package_copies[0], "a code change reinstalls dependencies"
    for copy in index_of(instructions, "COPY", lambda args: True):
        if copy < dependency_installs[0]:
            assert set(copy_sources(instructions[copy].args)) <= {"pyproject.toml", "README.md"}
    project_install = index_of(instructions, "RUN", lambda a: "pip install --no-deps" in a)
    assert project_install and project_install[0] > package_copies[0]


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_dockerfile_dependency_step_installs_exactly_the_dependencies(
    project: Project, tmp_path: Path
) -> None:
    """Run the dependency step in a directory holding what was copied before it, with a
    `pip` that records what it was asked to install."""
    instructions = dockerfile(project.root / "Dockerfile")
    (step,) = [
        i
        for i in instructions
        if i.keyword == "RUN" and "pip install" in i.args and "--no-deps" not in i.args
    ]
    workdir = tmp_path / "app"
    workdir.mkdir()
    for copy in instructions[: instructions.index(step)]:
        if copy.keyword == "COPY":
            for source in copy_sources(copy.args):
                shutil.copy(project.root / source, workdir / source)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "installed.txt"
    fake_pip = bin_dir / "pip"
    fake_pip.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[2:]\n"
        "assert sys.argv[1] == 'install', sys.argv\n"
        "wanted = []\n"
        "while args:\n"
        "    arg = args.pop(0)\n"
        "    if arg == '-r':\n"
        "        wanted += [l.strip() for l in open(args.pop(0)) if l.strip()]\n"
        "    elif not arg.startswith('-'):\n"
        "        wanted.append(arg)\n"
        f"open({str(record)!r}, 'a').write(''.join(w + '\\n' for w in wanted))\n",
        encoding="utf-8",
    )
    fake_pip.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["sh", "-c", step.args], cwd=workdir, env=env, check=True)

    pyproject = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = pyproject["project"]["dependencies"]
    assert record.read_text(encoding="utf-8").split() == dependencies
    assert not (workdir / PACKAGE).exists()


def test_dockerfile_serves_uvicorn_with_workers_and_a_healthcheck(project: Project) -> None:
    instructions = dockerfile(project.root / "Dockerfile")
    assert index_of(instructions, "EXPOSE", lambda args: "8000" in args.split())

    (cmd,) = [i for i in instructions if i.keyword == "CMD"]
    argv = exec_form(cmd.args)
    if argv[:3] == ["python", "-m", "uvicorn"]:
        argv = argv[2:]
    assert argv[0] == "uvicorn"
    assert argv[1] == f"{PACKAGE}.main:app"
    assert argv[argv.index("--host") + 1] == "0.0.0.0"
    assert argv[argv.index("--port") + 1] == "8000"
    assert "--proxy-headers" in argv
    assert "--reload" not in argv
    if "--workers" not in argv:
        # uvicorn takes its number of workers from WEB_CONCURRENCY.
        workers = int(env_instructions(instructions)["WEB_CONCURRENCY"])
        assert workers > 1

    (healthcheck,) = [i for i in instructions if i.keyword == "HEALTHCHECK"]
    _, _, command = healthcheck.args.partition("CMD ")
    check = exec_form(command)
    assert check[0] == "python", "slim images have neither curl nor wget"
    assert "urllib" in " ".join(check) and ":8000/health" in " ".join(check)


def test_dockerfile_database_url(project: Project) -> None:
    instructions = dockerfile(project.root / "Dockerfile")
    if project.case.database != "sqlite":
        # A server's address and credentials come from the environment, not the image.
        assert "DATABASE_URL" not in env_instructions(instructions)
        return
    user = instructions[index_of(instructions, "USER", lambda args: True)[-1]].args.split(":")[0]
    url = compose_database_url(project)
    assert url.database is not None
    directory = os.path.dirname(url.database)
    assert index_of(
        instructions, "RUN", lambda a: "chown" in a and user in a and directory in a.split()
    ), f"{directory} (a new volume takes its owner from the image) is root's"
    assert make_url(env_instructions(instructions)["DATABASE_URL"]) == url


def test_dockerignore_keeps_secrets_and_local_state_out(project: Project) -> None:
    patterns = {
        line.strip()
        for line in (project.root / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".env", ".git", ".venv"} <= patterns
    assert patterns & {"*.db", "**/*.db"}
    for needed in ("pyproject.toml", "README.md", PACKAGE):
        assert needed not in patterns
