"""Markdown for pull requests and wikis: summary, virtual routers, findings."""

from __future__ import annotations

from typing import TextIO

from vrrpcap.findings import Severity
from vrrpcap.render.common import clock
from vrrpcap.report import Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, out: TextIO) -> None:
    summary = report.summary.as_dict()
    out.write("# VRRP audit\n\n")
    for item in report.inputs:
        out.write(f"- `{item.path}`: {item.packets} frames, {item.adverts} VRRP records\n")
    out.write(
        f"- {summary['virtual_routers']} virtual routers, {summary['adverts']} adverts "
        f"({summary['multicast_adverts']} multicast, {summary['unicast_adverts']} unicast), "
        f"{summary['failovers']} failovers\n"
        f"- findings: {summary['findings']['error']} errors, {summary['findings']['warning']} warnings, "
        f"{summary['findings']['info']} info\n\n"
    )
    out.write(
        "## Virtual routers\n\n| virtual router | delivery | VIPs | masters | failovers |\n|---|---|---|---|---|\n"
    )
    for vr in report.virtual_routers:
        masters = "<br>".join(f"{m.router} {clock(m.start)} to {clock(m.end)}" for m in vr.masters[-5:])
        out.write(f"| `{vr.id}` | {vr.delivery} | {' '.join(vr.vips)} | {masters} | {len(vr.failovers)} |\n")
    out.write("\n## Findings\n\n")
    if not report.findings:
        out.write("None.\n")
        return
    out.write("| severity | code | virtual router | start | message |\n|---|---|---|---|---|\n")
    for f in sorted(report.findings, key=lambda f: (-f.severity, f.start or 0)):
        icon = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}[f.severity]
        out.write(f"| {icon} | `{f.code}` | {_cell(f.vr or '')} | {clock(f.start)} | {_cell(f.message)} |\n")
