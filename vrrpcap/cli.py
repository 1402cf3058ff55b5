"""The vrrpcap command line. Commands parse options, run the pipeline, hand results to a renderer.

Imports of heavy modules (scapy, pandas) stay inside the commands that need them, so `--help` and
the offline commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from vrrpcap import __version__
from vrrpcap.errors import ExitCode, InputUnavailable, Interrupted, VrrpcapError
from vrrpcap.options import (
    FailOn,
    Files,
    FlapOption,
    IgnoreOption,
    MissedOption,
    OutputOption,
    ProgressOption,
    SettleOption,
    VridOption,
    finding_codes,
)

if TYPE_CHECKING:
    from rich.console import Console

    from vrrpcap.findings import Severity
    from vrrpcap.pipeline import AdvertStream
    from vrrpcap.report import Report

app = typer.Typer(
    name="vrrpcap",
    help="Audit VRRP traffic: decode adverts, find who was master and when, and what went wrong.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # rich help panels import markdown and pygments: 0.2 s on every --help
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _err(message: str) -> None:
    sys.stderr.write(f"vrrpcap: {message}\n")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vrrpcap {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Audit VRRP traffic: decode adverts, find who was master and when, and what went wrong.

    Exit codes: 0 ok, 1 findings at --fail-on level, 2 usage, 3 input unavailable,
    4 not a capture, 5 damaged capture (what was before the damage is still reported).
    """


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputUnavailable(f"{path}: cannot write ({exc.strerror})") from None
    with handle:
        yield handle


class DecodeFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def decode(
    files: Files,
    fmt: Annotated[
        DecodeFormat,
        typer.Option("--format", "-f", help="table for people; json, jsonl or csv for machines.", case_sensitive=False),
    ] = DecodeFormat.table,
    output: OutputOption = None,
    vrid: Annotated[
        list[int] | None, typer.Option("--vrid", help="Only these VRIDs (repeat the option for several).")
    ] = None,
    show_secrets: Annotated[
        bool,
        typer.Option("--show-secrets", help="Print VRRPv2 simple-auth passwords instead of redacting them."),
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar on stderr [default: when it is a terminal]."),
    ] = None,
) -> None:
    """Decode every VRRP (v2, v3, IPv4, IPv6) and CARP message in the captures, one record each.

    Malformed packets are records too, with the reason in 'malformed'. jsonl and csv stream: memory
    stays flat whatever the capture's size.
    """
    from vrrpcap.render.records import make_writer

    wanted = set(vrid or ())
    code = ExitCode.OK
    if progress is None:
        progress = sys.stderr.isatty()
    with _captures(files, progress) as stream, _output(output) as out:
        color = out is sys.stdout and sys.stdout.isatty()
        writer = make_writer(fmt.value, out, show_secrets, color)
        try:
            for advert in stream:
                if wanted and advert.vrid not in wanted:
                    continue
                writer.write(advert)
        except KeyboardInterrupt:
            raise Interrupted() from None
        writer.close(stream.inputs())
        for line in stream.captures.problems():
            _err(f"warning: {line}")
        if stream.captures.damaged:
            code = ExitCode.DAMAGED_CAPTURE
    raise typer.Exit(int(code))


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    markdown = "markdown"


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _analyze(
    files: list[str], settle: float, missed_factor: float, flap_window: float, progress: bool | None
) -> tuple[Report, bool]:
    from vrrpcap.analyzer import Analyzer, Options

    analyzer = Analyzer(Options(settle_intervals=settle, missed_factor=missed_factor, flap_window=flap_window))
    with _captures(files, sys.stderr.isatty() if progress is None else progress) as stream:
        try:
            for advert in stream:
                analyzer.feed(advert)
        except KeyboardInterrupt:
            raise Interrupted() from None
        for line in stream.captures.problems():
            _err(f"warning: {line}")
        return analyzer.finish(stream.inputs()), stream.captures.damaged


@app.command()
def audit(
    files: Files,
    fmt: Annotated[
        AuditFormat,
        typer.Option("--format", "-f", help="text for people; json, junit, sarif or markdown for machines."),
    ] = AuditFormat.text,
    output: OutputOption = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding of this severity or worse remains.")
    ] = FailOn.error,
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    progress: ProgressOption = None,
) -> None:
    """Audit captures: virtual routers, who was master when, failovers, and findings.

    The exit code makes it a CI gate: 1 when a finding at or above --fail-on remains after --ignore,
    5 when a capture is damaged (what came before the damage is still audited), 0 otherwise.
    """
    from vrrpcap.findings import Severity

    ignored = finding_codes(ignore)
    report, damaged = _analyze(files, settle, missed_factor, flap_window, progress)
    report = report.filtered(ignored, frozenset(vrid or ()))
    gate = None if fail_on is FailOn.never else Severity.parse(fail_on.value)
    with _output(output) as out:
        color = out is sys.stdout and sys.stdout.isatty()
        _render_audit(report, fmt, out, color, gate)
    worst = report.worst()
    if damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))
    if gate is not None and worst is not None and worst >= gate:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _render_audit(report: Report, fmt: AuditFormat, out: TextIO, color: bool, gate: Severity | None) -> None:
    if fmt is AuditFormat.json:
        import json

        json.dump(report.as_dict(), out, indent=2)
        out.write("\n")
    elif fmt is AuditFormat.junit:
        from vrrpcap.render.junit import render_junit

        render_junit(report, out, gate)
    elif fmt is AuditFormat.sarif:
        from vrrpcap.render.sarif import render_sarif

        render_sarif(report, out)
    elif fmt is AuditFormat.markdown:
        from vrrpcap.render.markdown import render_markdown

        render_markdown(report, out)
    else:
        from vrrpcap.render.text import render_audit

        render_audit(report, out, color)


@app.command()
def timeline(
    files: Files,
    fmt: Annotated[TimelineFormat, typer.Option("--format", "-f", help="table for people; json or csv.")] = (
        TimelineFormat.table
    ),
    output: OutputOption = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also draw the timelines to this .png or .svg (25 virtual routers a page)."),
    ] = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    progress: ProgressOption = None,
) -> None:
    """Who was master of each virtual router, from when to when, and how each failover happened."""
    report, damaged = _analyze(files, settle, missed_factor, flap_window, progress)
    report = report.filtered(vrids=frozenset(vrid or ()))
    if plot is not None:
        from vrrpcap.render.plot import render_plot

        drawn = render_plot(report, plot)
        _err(f"timeline drawn to {', '.join(str(f) for f in drawn.files)}")
    with _output(output) as out:
        if fmt is TimelineFormat.csv:
            from vrrpcap.render.timeline import render_csv

            render_csv(report, out)
        elif fmt is TimelineFormat.json:
            from vrrpcap.render.timeline import render_json

            render_json(report, out)
        else:
            from vrrpcap.render.timeline import render_table

            render_table(report, out, out is sys.stdout and sys.stdout.isatty())
    if damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))


@contextmanager
def _captures(files: list[str], show_progress: bool) -> Iterator[AdvertStream]:
    from vrrpcap.capture import CaptureSet
    from vrrpcap.pipeline import AdvertStream

    with CaptureSet(files) as captures:
        total = sum(r.size or 0 for r in captures.readers)
        if not show_progress or not total:
            yield AdvertStream(captures)
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
            console=_stderr_console(),
        ) as bar:
            task = bar.add_task("reading", total=total)

            def advance() -> None:
                bar.update(task, completed=sum(r.position() for r in captures.readers))

            yield AdvertStream(captures, progress=advance)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def main() -> None:
    """Entry point: typer shows usage errors its own way; vrrpcap's errors are one line each."""
    try:
        app()
    except VrrpcapError as exc:
        _err(f"error: {exc}")
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        # The reader went away (`vrrpcap decode big.pcap | head`): not worth a traceback.
        sys.stderr.close()
        sys.exit(0)


# Commands that live in their own modules (light at import: their heavy imports are inside them).
from vrrpcap.live_command import live as _live_command  # noqa: E402
from vrrpcap.report_command import report as _report_command  # noqa: E402

app.command(name="live")(_live_command)
app.command(name="report")(_report_command)
