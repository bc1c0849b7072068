"""The benchmark (bench/run.py) runs, in its quick CLI mode, and prints its table."""

import asyncio
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def test_quick_cli_bench_prints_its_table(tmp_path: Path) -> None:
    # `new-check` and `suite` (venv + install + tests) are left out: they depend on uv's
    # cache and take several seconds; every other CLI figure runs for real, as subprocesses.
    raw = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--quick",
            "--only",
            "cli",
            "--skip",
            "new-check,suite",
            "--runs",
            "2",
            "--json",
            str(raw),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=50,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "fastsqla bench (quick mode)" in out
    assert "cores" in out and "python: 3." in out and "date: " in out
    assert "A. CLI" in out
    assert "| command" in out and "median s [min-max]" in out
    for label in (
        "| fastsqla --help ",
        "| minimal typer app --help",
        "| fastsqla new X --no-check ",
        "| fastsqla add-model Post title:str body:text --no-check ",
        "| minimal typer app running its command (--name x) ",
    ):
        assert label in out, f"missing row {label!r} in:\n{out}"
    assert "x target 0.8 s, " in out and "x target 0.4 s, " in out
    assert out.count("x floor") == 2  # new and add-model, against the typer command floor
    assert "B. App" not in out  # --only cli
    figures = json.loads(raw.read_text())["cli"]
    assert set(figures) == {"help", "help-baseline", "new", "add-model", "typer-command"}
    for key, figure in figures.items():
        assert figure["error"] == "", key
        assert len(figure["values"]) == 2 and all(v > 0 for v in figure["values"]), key


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.parametrize(
    ("ratio", "endpoint", "expected"),
    [
        (2.0, "POST /users", "target 2x: ok"),
        (1.99, "POST /users", "target 2x: BELOW"),
        (1.5, "GET /users/{id}", "target 1.5x: ok; 3x: no"),
        (1.49, "GET /users/{id}", "target 1.5x: BELOW; 3x: no"),
        (3.0, "GET /users/{id}", "target 1.5x: ok; 3x: ok"),
    ],
)
def test_app_ratios_are_judged_against_the_issue_targets(
    ratio: float, endpoint: str, expected: str
) -> None:
    bench = load_module(RUN, "bench_run")
    assert bench.target_verdict(ratio, endpoint) == expected


def test_the_ceiling_app_answers_like_the_generated_one() -> None:
    # The bench seeds every app the same way and checks it (ids in order, 409, 404): the
    # no-database ceiling must pass the same checks to be served next to the others.
    ceiling = load_module(RUN.parent / "baseline" / "ceiling_app.py", "ceiling_app")

    async def exercise() -> None:
        transport = httpx.ASGITransport(app=ceiling.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            made = [
                await client.post("/users", json={"name": f"n{i}", "email": f"e{i}@x.io"})
                for i in range(3)
            ]
            assert [r.status_code for r in made] == [201, 201, 201]
            assert [r.json()["id"] for r in made] == [1, 2, 3]
            second = await client.get("/users/2")
            assert second.json() == {"name": "n1", "email": "e1@x.io", "id": 2}
            duplicate = await client.post("/users", json={"name": "x", "email": "e0@x.io"})
            assert duplicate.status_code == 409
            assert (await client.get("/users/4")).status_code == 404
            listed = await client.get("/users", params={"offset": 1, "limit": 5})
            assert [user["id"] for user in listed.json()] == [2, 3]
            assert [user["id"] for user in (await client.get("/users")).json()] == [1, 2, 3]
            too_long = await client.post("/users", json={"name": "x" * 256, "email": "a@b"})
            assert too_long.status_code == 422

    asyncio.run(exercise())


def test_the_plain_links_app_answers_like_the_generated_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Part D compares lists of posts with their tag ids: the plain app must give the same
    # body the generated app does (ids in order, each post's tag ids in id order).
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'links.db'}")
    plain = load_module(RUN.parent / "baseline" / "plain_links_app.py", "plain_links_app")

    async def exercise() -> None:
        transport = httpx.ASGITransport(app=plain.app)
        async with (
            plain.lifespan(plain.app),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            tags = [
                (await client.post("/tags", json={"name": f"t{i}"})).json()["id"] for i in range(3)
            ]
            made = await client.post("/posts", json={"title": "p", "tag_ids": [tags[2], tags[0]]})
            assert made.status_code == 201
            assert made.json() == {"id": 1, "title": "p", "tag_ids": [tags[0], tags[2]]}
            await client.post("/posts", json={"title": "q", "tag_ids": []})
            listed = (await client.get("/posts", params={"offset": 0, "limit": 20})).json()
            assert listed == [made.json(), {"id": 2, "title": "q", "tag_ids": []}]
        await plain.engine.dispose()

    asyncio.run(exercise())


@pytest.mark.parametrize(
    ("ratio", "p99_ratio", "errors", "expected"),
    [
        (1.0, 0.5, 0, "ok"),
        (1.3, None, 0, "ok"),  # p99 is judged at 128 connections only
        (0.99, 0.4, 0, "BELOW: req/s < 1x"),
        (1.2, 0.51, 0, "BELOW: p99 > 0.5x"),
        (1.2, 0.3, 2, "BELOW: 2 errors"),
        (0.5, 0.9, 1, "BELOW: req/s < 1x, p99 > 0.5x, 1 error"),
    ],
)
def test_the_generated_app_is_judged_against_its_best_peer(
    ratio: float, p99_ratio: float | None, errors: int, expected: str
) -> None:
    bench = load_module(RUN, "bench_run")
    assert bench.peer_verdict(ratio, p99_ratio, errors) == expected


def test_the_peer_table_takes_the_best_peer_on_the_same_database() -> None:
    bench = load_module(RUN, "bench_run")

    def cell(rps: float, p99: float, non2xx: int = 0) -> object:
        made = bench.Cell()
        made.rps.values.append(rps)
        made.p99.values.append(p99)
        made.non2xx = non2xx
        return made

    get = "GET /users/{id}"
    cells = {
        ("generated", get, 128): cell(900, 100),
        ("plain", get, 128): cell(600, 300),
        ("fastcrud", get, 128): cell(400, 150),
        ("baseline", get, 128): cell(5000, 10, non2xx=7),  # wrong answers: left out
        ("plain-pg", get, 128): cell(2000, 50),  # another database: not a rival here
    }
    text, figures = bench.peer_table(cells, [128])
    assert [(f["database"], f["best_peer"], f["lowest_p99_peer"]) for f in figures] == [
        ("sqlite", "plain", "fastcrud")
    ]
    assert figures[0]["rps_ratio"] == pytest.approx(1.5)
    assert figures[0]["p99_ratio"] == pytest.approx(100 / 150)
    assert figures[0]["verdict"] == "BELOW: p99 > 0.5x"
    assert "600 (plain)" in text and "150.0 (fastcrud)" in text
    assert "left out of B2 for their non-2xx answers: baseline GET /users/{id} c=128" in text
