"""`vrrpcap timeline`: who was master of each virtual router when, and how each failover happened."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from vrrpcap.cli.options import (
    Files,
    FlapOption,
    MissedOption,
    OutputOption,
    ProgressOption,
    SettleOption,
    TzOption,
    VridOption,
    analyzer_options,
)
from vrrpcap.cli.outputs import output_file, refuse_inputs, say
from vrrpcap.cli.run import analyze_files
from vrrpcap.errors import ExitCode


class TimelineFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def timeline(
    files: Files,
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", "-f", metavar="FORMAT", help="table for people; json or csv.")
    ] = TimelineFormat.table,
    output: OutputOption = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", metavar="IMAGE", help="Also draw the timelines to this .png or .svg (25 virtual routers a page)."
        ),
    ] = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    tz: TzOption = "UTC",
    progress: ProgressOption = None,
) -> None:
    """Who was master of each virtual router, and when.

    One row per mastership run: the router, from when to when, how it began (with each failover's cause
    and takeover time) and how it ended.
    """
    from vrrpcap.times import parse_zone

    refuse_inputs(files, [("--output", output), ("--plot", plot)])
    zone = parse_zone(tz)
    analysis = analyze_files(files, analyzer_options(settle, missed_factor, flap_window), progress)
    report = analysis.report.filtered(vrids=frozenset(vrid or ()))
    if plot is not None:
        from vrrpcap.render.plot import render_plot

        drawn = render_plot(report, plot, zone=zone)
        say(f"timeline drawn to {', '.join(str(f) for f in drawn.files)}")
    with output_file(output) as target:
        if fmt is TimelineFormat.csv:
            from vrrpcap.render.timeline import render_csv

            render_csv(report, target.stream)
        elif fmt is TimelineFormat.json:
            from vrrpcap.render.timeline import render_json

            render_json(report, target.stream)
        else:
            from vrrpcap.render.timeline import render_table

            render_table(report, target.stream, target.terminal, zone)
    if analysis.damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))
