"""`vrrpcap report`: the audit as one self-contained HTML file (vrrpcap/render/html.py).

Registered by vrrpcap/cli.py. Module-level imports stay light (typer, pathlib, typing): the analyzer,
the capture readers and the renderer are imported when the command runs, so `vrrpcap --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from vrrpcap.options import (
    Files,
    FlapOption,
    IgnoreOption,
    MissedOption,
    ProgressOption,
    SettleOption,
    VridOption,
    finding_codes,
)


def report(
    files: Files,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write ('-': stdout).", show_default=False),
    ],
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
    progress: ProgressOption = None,
) -> None:
    """Write the audit as one HTML file that opens offline: summary, findings, timelines, inputs.

    Styles, script and timelines are inside the file: it needs no network. Exit code 5: a capture is damaged.
    """
    from vrrpcap.cli import _analyze, _output
    from vrrpcap.errors import ExitCode
    from vrrpcap.render.html import render_html

    ignored = finding_codes(ignore)
    audit, damaged = _analyze(files, settle, missed_factor, flap_window, progress)
    audit = audit.filtered(ignored, frozenset(vrid or ()))
    with _output(output) as out:
        render_html(audit, out)
    if damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))
