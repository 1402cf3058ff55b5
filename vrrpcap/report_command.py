"""`vrrpcap report`: the audit as one self-contained HTML file (vrrpcap/render/html.py).

Registered by vrrpcap/cli.py. Module-level imports stay light (typer, pathlib, typing): the analyzer,
the capture readers and the renderer are imported when the command runs, so `vrrpcap --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

FILES_HELP = (
    "Capture files: pcap or pcapng, optionally gzip/bzip2/xz compressed; '-' reads stdin."
    " Several files are merged by timestamp."
)


def report(
    files: Annotated[list[str], typer.Argument(help=FILES_HELP, metavar="FILE...")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write ('-': stdout).", show_default=False),
    ],
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Leave out this finding code (repeat for several).")
    ] = None,
    vrid: Annotated[
        list[int] | None, typer.Option("--vrid", help="Only these VRIDs (repeat the option for several).")
    ] = None,
    settle: Annotated[
        float,
        typer.Option("--settle", help="Overlap of masters longer than this many advert intervals is a split brain."),
    ] = 3.0,
    missed_factor: Annotated[
        float,
        typer.Option("--missed-factor", help="A gap longer than this many intervals counts as missed adverts."),
    ] = 1.5,
    flap_window: Annotated[
        float,
        typer.Option("--flap-window", help="Seconds in which more than 3 master changes count as flapping."),
    ] = 60.0,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress", help="Progress bar on stderr [default: when it is a terminal]."),
    ] = None,
) -> None:
    """Write the audit as one HTML file that opens offline: summary, findings, timelines, inputs.

    Styles, script and timelines are inside the file: it needs no network. Exit code 5: a capture is damaged.
    """
    from vrrpcap.cli import _analyze, _check_codes, _output
    from vrrpcap.errors import ExitCode
    from vrrpcap.render.html import render_html

    ignored = _check_codes(ignore)
    audit, damaged = _analyze(files, settle, missed_factor, flap_window, progress)
    audit = audit.filtered(ignored, frozenset(vrid or ()))
    with _output(output) as out:
        render_html(audit, out)
    if damaged:
        raise typer.Exit(int(ExitCode.DAMAGED_CAPTURE))
