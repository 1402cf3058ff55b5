"""The audit for people: a summary, the virtual routers and their masters, findings by severity."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table

from vrrpcap.findings import Severity
from vrrpcap.render.common import clock, duration
from vrrpcap.report import Report

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_audit(report: Report, out: TextIO, color: bool, width: int | None = None) -> None:
    console = Console(file=out, force_terminal=color or None, no_color=not color, width=width or 120, highlight=False)
    summary = report.summary.as_dict()
    for item in report.inputs:
        span = f"{clock(item.first_time)} to {clock(item.last_time)}" if item.first_time else "empty"
        drops = f", capture dropped {item.capture_drops}" if item.capture_drops else ""
        console.print(f"[bold]{item.path}[/]: {item.packets} frames, {item.adverts} VRRP, {span}{drops}")
    console.print(
        f"{summary['virtual_routers']} virtual router(s); {summary['adverts']} adverts "
        f"({summary['multicast_adverts']} multicast, {summary['unicast_adverts']} unicast)"
        + (f", {summary['carp_adverts']} CARP" if summary["carp_adverts"] else "")
        + f"; {summary['failovers']} failover(s)"
    )
    if report.virtual_routers:
        table = Table(title="Virtual routers", title_justify="left", show_lines=False)
        table.add_column("virtual router", no_wrap=True)
        for column in ("ver", "delivery", "VIPs", "routers (priority)"):
            table.add_column(column, overflow="fold")
        table.add_column("masters (UTC, + = still master)", no_wrap=True)
        table.add_column("failovers", justify="right")
        for vr in report.virtual_routers:
            routers = ", ".join(f"{r.address} ({'/'.join(map(str, r.priorities))})" for r in vr.routers)
            masters = "\n".join(
                f"{m.router} {clock(m.start, date=False)}-{clock(m.end, date=False)}" + ("" if m.end_observed else "+")
                for m in vr.masters[-4:]
            )
            if len(vr.masters) > 4:
                masters = f"({len(vr.masters) - 4} earlier)\n" + masters
            table.add_row(
                vr.id,
                "/".join(map(str, vr.versions)),
                vr.delivery,
                " ".join(vr.vips[:4]) + (" ..." if len(vr.vips) > 4 else ""),
                routers,
                masters,
                str(len(vr.failovers)),
            )
        console.print(table)
    for severity in sorted(Severity, reverse=True):
        items = [f for f in report.findings if f.severity == severity]
        if not items:
            continue
        console.print(f"\n[{SEVERITY_STYLE[severity]}]{severity.label.upper()}S ({len(items)})[/]")
        for f in items:
            where = f" {f.vr}" if f.vr else ""
            when = f" {clock(f.start)}" if f.start else ""
            if f.end and f.start and f.end - f.start >= 0.5:
                when += f" (+{duration(f.end - f.start)})"
            console.print(f"  [{SEVERITY_STYLE[severity]}]{f.code}[/]{where}{when}", markup=True)
            console.print(f"    {f.message}", markup=False)
            if f.frames:
                frames = ", ".join(map(str, f.frames[:12])) + (" ..." if len(f.frames) > 12 else "")
                console.print(f"    frames {frames}", style="dim", markup=False)
    if not report.findings:
        console.print("\nno findings")
