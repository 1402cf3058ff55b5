"""`vrrpcap live IFACE [IFACE...]`: watch VRRP on interfaces (see docs/live.md; --metrics: docs/metrics.md).

Only typer, pathlib and typing at module level: `vrrpcap --help` must not pay for scapy or rich.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from vrrpcap.cli.options import (
    FailOn,
    FlapOption,
    IgnoreOption,
    MissedOption,
    SettleOption,
    VridOption,
    analyzer_options,
    fail_on_option,
    finite,
)
from vrrpcap.cli.outputs import stdout_target
from vrrpcap.cli.run import verdict


class Backend(StrEnum):
    scapy = "scapy"
    tshark = "tshark"


def _count(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not a count >= 1")
    return value


def _listen(value: str | None) -> str | None:
    if value is not None:
        from vrrpcap.metrics.server import parse_listen

        try:
            parse_listen(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def _series(value: int) -> int:
    if value < 1:
        raise typer.BadParameter(f"{value} is not a count >= 1")
    return value


def live(
    interfaces: Annotated[
        list[str],
        typer.Argument(help="Network interfaces to capture on (e.g. eth0, br0), one or more.", metavar="IFACE"),
    ],
    backend: Annotated[
        Backend,
        typer.Option(
            "--backend",
            metavar="BACKEND",
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
            help="On every change of master run SCRIPT INSTANCE VRID STATE PRIORITY, STATE being MASTER, "
            "BACKUP or FAULT (keepalived's convention; no shell), per router concerned.",
            metavar="SCRIPT",
        ),
    ] = None,
    notify_timeout: Annotated[
        float,
        typer.Option(
            "--notify-timeout",
            metavar="SECONDS",
            callback=finite(0.1),
            help="Kill a notify script after this many seconds (at least 0.1).",
        ),
    ] = 10.0,
    write: Annotated[
        Path | None,
        typer.Option("--write", "-w", metavar="PCAPNG", help="Save the captured frames to this pcapng file."),
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            "--duration", metavar="SECONDS", callback=finite(0.0, above=True), help="Stop after this many seconds."
        ),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option("--count", "-c", metavar="N", callback=_count, help="Stop after this many VRRP messages."),
    ] = None,
    metrics: Annotated[
        str | None,
        typer.Option(
            "--metrics",
            metavar="[HOST:]PORT",
            callback=_listen,
            help="Serve Prometheus metrics on http://HOST:PORT/metrics (no HOST: every address; "
            "the usual port is 10112). Needs the metrics extra: pip install 'vrrpcap[metrics]'.",
        ),
    ] = None,
    metrics_max_series: Annotated[
        int,
        typer.Option(
            "--metrics-max-series",
            metavar="N",
            callback=_series,
            help="At most about N series per scrape: virtual routers beyond are left out (and counted).",
        ),
    ] = 100_000,
    metrics_expiry: Annotated[
        float,
        typer.Option(
            "--metrics-expiry",
            metavar="SECONDS",
            callback=finite(0.0, above=True),
            help="A router not heard for this long leaves the metrics (a silent backup too).",
        ),
    ] = 3600.0,
    fail_on: Annotated[FailOn, fail_on_option("was seen")] = FailOn.error,
    ignore: IgnoreOption = None,
    vrid: VridOption = None,
    settle: SettleOption = 3.0,
    missed_factor: MissedOption = 1.5,
    flap_window: FlapOption = 60.0,
) -> None:
    """Watch VRRP on interfaces: dashboard, events, hooks, metrics.

    A dashboard (or --json events on stdout), keepalived-style notify hooks, Prometheus metrics
    (--metrics) and a final audit. Several interfaces are captured by one process. Ctrl-C
    or SIGTERM stops the capture cleanly: the final audit summary is printed and --write's file
    completed. Exit codes: 0 ok, 1 a finding at --fail-on or worse was seen, 3 no such interface / no
    permission / no dumpcap / no prometheus_client / the capture failed, 6 stdout cannot be written or
    the --metrics port cannot be listened on or --write failed while running (disk full).
    """
    from vrrpcap.live.errors import CaptureFailed
    from vrrpcap.live.exporting import MetricsOptions
    from vrrpcap.live.session import LiveOptions, LiveSession

    names = tuple(dict.fromkeys(interfaces))
    if write is not None and len(names) > 1:
        raise typer.BadParameter("--write saves one interface's capture: give one IFACE", param_hint="'--write'")
    exporter = None
    if metrics is not None:
        from vrrpcap.metrics.server import parse_listen

        exporter = MetricsOptions(parse_listen(metrics), metrics_expiry, metrics_max_series)
    stdout = stdout_target()
    options = LiveOptions(
        interfaces=names,
        backend=backend.value,
        json=json_out,
        adverts=adverts,
        notify=str(notify) if notify is not None else None,
        notify_timeout=notify_timeout,
        write=str(write) if write is not None else None,
        duration=duration,
        count=count,
        vrids=frozenset(vrid or ()),
        ignored=frozenset(ignore or ()),
        analyzer=analyzer_options(settle, missed_factor, flap_window),
        metrics=exporter,
    )
    outcome = LiveSession(options, stdout.stream).run()
    if not json_out:
        from vrrpcap.render.text import render_audit

        stdout.stream.write("\n")
        render_audit(outcome.report, stdout.stream, stdout.terminal)
        stdout.stream.flush()
    if outcome.error:
        raise CaptureFailed(outcome.error)
    if outcome.write_error:
        from vrrpcap.errors import OutputFailed

        raise OutputFailed(outcome.write_error)
    raise typer.Exit(int(verdict(outcome.report, False, fail_on.severity)))
