"""Help layout: the metavars as written in the command's arguments.

Typer's plain help prints a repeated argument as `{FILE...}...` in the usage line and `FILE... <list[str]>`
in the list. This command class prints `vrrpcap decode [OPTIONS] FILE...` and `FILE...`, as man pages do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typer.core import TyperArgument, TyperCommand

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter


def _shown(argument: TyperArgument) -> str:
    name = argument.metavar or (argument.name or "ARG").upper()
    if argument.nargs != 1:
        name += "..."
    return name if argument.required else f"[{name}]"


class Command(TyperCommand):
    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                pieces.append(_shown(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((_shown(param), record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)
