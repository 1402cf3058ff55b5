"""`vrrpcap live IFACE`: watch VRRP on an interface (see docs/live.md).

Only typer, pathlib and typing at module level: `vrrpcap --help` must not pay for scapy or rich.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from vrrpcap.options import FailOn, FlapOption, IgnoreOption, MissedOption, SettleOption, VridOption, finding_codes


class Backend(StrEnum):
    scapy = "scapy"
    tshark = "tshark"


def live(
    interface: Annotated[
        str, typer.Argument(help="Network interface to capture on (e.g. eth0, br0).", metavar="IFACE")
    ],
    backend: Annotated[
        Backend,
        typer.Option(
            "--backend",
            help="scapy: a packet socket with a kernel BPF filter (root or CAP_NET_RAW); "
            "tshark: Wireshark's dumpcap (works without root for members of the wireshark group).",
            case_sensitive=False,
        ),
    ] = Backend.scapy,
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON event per line on stdout instead of the dashboard.")
    ] = False,
    adverts: Annotated[
        bool, typer.Option("--adverts", help="With --json: also one record per decoded advert.")
    ] = False,
    notify: Annotated[
        Path | None,
        typer.Option(
            "--notify",
            help="On every change of master run SCRIPT INSTANCE <vrid> <MASTER|BACKUP|FAULT> <priority> "
            "(keepalived's convention; no shell), per router concerned.",
            metavar="SCRIPT",
        ),
    ] = None,
    notify_timeout: Annotated[
        float, typer.Option("--notify-timeout", min=0.1, help="Kill a notify script after this many seconds.")
    ] = 10.0,
    write: Annotated[
        Path | None, typer.Option("--write", "-w", help="Save the captured frames to this pcapng file.")
    ] = None,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0.001, help="Stop after this many seconds.")
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", "-c", min=1, help="Stop after this many VRRP messages.")
    ] = None,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 when a finding of this severity or worse was seen.")
    ] = FailOn.error,
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
) -> None:
    """Watch VRRP on a live interface: a dashboard (or --json events), notify hooks, a final audit.

    Ctrl-C or SIGTERM stops the capture cleanly: the final audit summary is printed and --write's
    file completed. Exit codes: 0 ok, 1 a finding at --fail-on or worse was seen, 3 no such
    interface / no permission / no dumpcap / the capture failed.
    """
    import sys

    from vrrpcap.analysis import Options
    from vrrpcap.errors import ExitCode
    from vrrpcap.findings import Severity
    from vrrpcap.live.errors import CaptureFailed
    from vrrpcap.live.session import LiveOptions, LiveSession

    ignored = finding_codes(ignore)
    options = LiveOptions(
        interface=interface,
        backend=backend.value,
        json=json_out,
        adverts=adverts,
        notify=str(notify) if notify is not None else None,
        notify_timeout=notify_timeout,
        write=str(write) if write is not None else None,
        duration=duration,
        count=count,
        vrids=frozenset(vrid or ()),
        ignored=ignored,
        analyzer=Options(settle_intervals=settle, missed_factor=missed_factor, flap_window=flap_window),
    )
    outcome = LiveSession(options, sys.stdout).run()
    if not json_out:
        import shutil

        from vrrpcap.render.text import render_audit

        terminal = sys.stdout.isatty()
        width = max(120, shutil.get_terminal_size().columns) if terminal else None
        sys.stdout.write("\n")
        render_audit(outcome.report, sys.stdout, terminal, width)
        sys.stdout.flush()
    if outcome.error:
        raise CaptureFailed(outcome.error)
    gate = None if fail_on is FailOn.never else Severity.parse(fail_on.value)
    worst = outcome.report.worst()
    if gate is not None and worst is not None and worst >= gate:
        raise typer.Exit(int(ExitCode.FINDINGS))
