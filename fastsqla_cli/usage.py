"""How the `fastsqla` command reads its command line and shows its usage: a usage error
(a missing argument, a bad choice) in one line, like every other error; the help of each
command with its arguments as click writes them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup
from typer.exceptions import TyperException


class Commands(TyperGroup):
    """Usage errors (a missing argument, a bad choice) in one line, like ours."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def run(standalone: bool) -> Any:
            return super(Commands, self).main(
                args, prog_name, complete_var, standalone, windows_expand_args, **extra
            )

        if not standalone_mode:
            return run(False)
        from fastsqla_cli import ui

        try:
            code = run(False)
        except TyperException as error:  # click's errors, as typer vendors them
            message = error.format_message().rstrip(".").replace("Value error, ", "")
            context = getattr(error, "ctx", None)
            where = f" (see `{context.command_path} -h`)" if context is not None else ""
            ui.error(message + where)
            sys.exit(getattr(error, "exit_code", 2))
        except (typer.Abort, KeyboardInterrupt):
            ui.error("interrupted")
            sys.exit(130)
        sys.exit(code or 0)


class Command(TyperCommand):
    """Arguments in the help as click writes them (`PATH`, `[DIR]`), without typer's
    type labels (`<str>`) and braces (`{PATH}`), which say nothing to a reader."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)
        arguments = [
            (param.metavar or (param.name or "").upper(), param.help or "")
            for param in params
            if isinstance(param, TyperArgument)
        ]
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        options = [param.get_help_record(ctx) for param in params]
        with formatter.section("Options"):
            formatter.write_dl(
                [
                    record
                    for param, record in zip(params, options, strict=True)
                    if record is not None and not isinstance(param, TyperArgument)
                ]
            )
