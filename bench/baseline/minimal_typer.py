"""The CLI baseline: a one-command typer app, the least any typer CLI pays to start.

`python bench/baseline/minimal_typer.py --help` is timed next to `fastsqla --help`, with
the same interpreter, so the difference is what fastsqla itself imports and builds.
"""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
