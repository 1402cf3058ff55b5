"""The vrrpcap command line: the typer app, its commands, and `main()`, which maps errors to exit codes.

Each command lives in its own module (decode, audit, timeline, report, live) and imports its heavy
modules (the capture readers, the analyzer, scapy, pandas, matplotlib, rich) when it runs, so `--help`
starts fast. Every error ends in one line on stderr and a code of docs/exit-codes.md; none in a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from vrrpcap import __version__
from vrrpcap.cli.audit import audit
from vrrpcap.cli.decode import decode
from vrrpcap.cli.lint import lint
from vrrpcap.cli.live import live
from vrrpcap.cli.outputs import prepare_standard_streams, say, silence_stdout
from vrrpcap.cli.report import report
from vrrpcap.cli.timeline import timeline
from vrrpcap.cli.usage import Command
from vrrpcap.cli.vrids import vrids
from vrrpcap.errors import ExitCode, OutputClosed, OutputFailed, VrrpcapError

SUMMARY = "Audit VRRP traffic: decode adverts, find who was master and when, and what went wrong."


def _typer() -> typer.Typer:
    return typer.Typer(
        name="vrrpcap",
        help=SUMMARY,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,  # rich help panels import markdown and pygments: 0.2 s on every --help
        context_settings={"help_option_names": ["-h", "--help"]},
    )


app = _typer()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vrrpcap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Audit VRRP traffic: decode adverts, find who was master and when, and what went wrong.

    Exit codes: 0 ok, 1 findings at --fail-on level, 2 usage, 3 input unavailable, 4 not a capture,
    5 damaged capture (what was before the damage is still reported), 6 an output cannot be written,
    141 the reader of stdout went away.
    """


# The summaries in `vrrpcap --help` are given whole: click would cut a long first line with "...".
app.command("decode", cls=Command, short_help="Decode every VRRP and CARP message, one record each.")(decode)
app.command("audit", cls=Command, short_help="Virtual routers, masters, failovers and findings.")(audit)
app.command("timeline", cls=Command, short_help="Who was master of each virtual router, and when.")(timeline)
app.command("live", cls=Command, short_help="Watch VRRP on interfaces: dashboard, events, hooks, metrics.")(live)
app.command("lint", cls=Command, short_help="Check keepalived / FRR configs against each other, no capture.")(lint)
app.command("vrids", cls=Command, short_help="VRIDs in use per segment, who uses them, and the free ones.")(vrids)
app.command("report", cls=Command, short_help="The audit as one HTML page that opens offline.")(report)


def _for(args: list[str]) -> typer.Typer:
    """The app to run `args`: only the command they name, when they name one.

    typer turns every command's signature into click parameters on each call (~38 ms of a 0.26 s
    `vrrpcap audit small.pcap`); the other commands are needed only for `vrrpcap --help` and for
    suggesting a command to a mistyped name.
    """
    named = [info for info in app.registered_commands if args and info.name == args[0]]
    if not named:
        return app
    one = _typer()
    one.registered_callback = app.registered_callback
    one.registered_commands = named
    return one


def _code(value: object) -> int:
    if value is None:
        return int(ExitCode.OK)
    return value if isinstance(value, int) else 1


def run(args: list[str] | None = None) -> int:
    """Run the command line and return its exit code (typer prints usage errors, exit 2, itself)."""
    prepare_standard_streams()
    given = sys.argv[1:] if args is None else args
    try:
        _for(given)(args=given, prog_name="vrrpcap")
    except SystemExit as done:
        return _code(done.code)
    except OutputClosed as exc:
        silence_stdout()
        return int(exc.exit_code)
    except OutputFailed as exc:
        silence_stdout()
        say(f"error: {exc}")
        return int(exc.exit_code)
    except VrrpcapError as exc:
        say(f"error: {exc}")
        return int(exc.exit_code)
    except KeyboardInterrupt:
        say("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # Written to stdout past the guarded outputs (`vrrpcap decode --help | head -1`): not worth a word.
        silence_stdout()
        return int(ExitCode.BROKEN_PIPE)
    return int(ExitCode.OK)


def main() -> None:
    """The `vrrpcap` entry point."""
    sys.exit(run())
