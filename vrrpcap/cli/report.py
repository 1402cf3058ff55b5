"""`vrrpcap report`: the audit as one self-contained HTML file (vrrpcap/render/html.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vrrpcap.cli.options import (
    FailOn,
    Files,
    FlapOption,
    IgnoreOption,
    MissedOption,
    ProgressOption,
    SettleOption,
    TzOption,
    VridOption,
    analyzer_options,
    fail_on_option,
)
from vrrpcap.cli.outputs import output_file, refuse_inputs
from vrrpcap.cli.run import analyze_files, verdict


def report(
    files: Files,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="HTML", help="The HTML file to write ('-': stdout).", show_default=False
        ),
    ],
    fail_on: Annotated[FailOn, fail_on_option("remains")] = FailOn.never,
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    tz: TzOption = "UTC",
    progress: ProgressOption = None,
) -> None:
    """The audit as one HTML page that opens offline.

    Summary, findings, timelines and inputs; styles, script and timelines are inside the file: it needs
    no network. Exit codes: 1 with --fail-on and a finding at that level, 5 a capture is damaged, 6 the
    page cannot be written.
    """
    from vrrpcap.render.html import render_html
    from vrrpcap.times import parse_zone

    refuse_inputs(files, [("--output", output)])
    analysis = analyze_files(files, analyzer_options(settle, missed_factor, flap_window), progress)
    audit = analysis.report.filtered(frozenset(ignore or ()), frozenset(vrid or ()))
    with output_file(output) as target:
        render_html(audit, target.stream, zone=parse_zone(tz))
    raise typer.Exit(int(verdict(audit, analysis.damaged, fail_on.severity)))
