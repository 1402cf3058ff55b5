"""Markdown for pull requests and wikis: summary, virtual routers, findings grouped per code and router.

Every string from the capture is escaped (render/escape.py): an interface name cannot open a heading,
a link, raw HTML or a new table cell, and ids stay literal in code spans.
"""

from __future__ import annotations

from typing import TextIO

from vrrpcap.findings import Severity
from vrrpcap.render.common import clock
from vrrpcap.render.escape import markdown_code, markdown_text
from vrrpcap.render.groups import group_findings
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone

ICON = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def render_markdown(report: Report, out: TextIO, zone: Zone = UTC_ZONE, verbose: bool = False) -> None:
    s = report.summary
    out.write("# VRRP audit\n\n")
    for item in report.inputs:
        out.write(f"- {markdown_code(item.path)}: {item.packets} frames, {item.adverts} VRRP/CARP records\n")
    out.write(
        f"- {s.virtual_routers} virtual routers, {s.adverts} adverts "
        f"({s.multicast_adverts} multicast, {s.unicast_adverts} unicast), {s.failovers} failovers\n"
        f"- findings: {s.errors} errors, {s.warnings} warnings, {s.infos} info\n"
        f"- times in {markdown_text(zone.name)}\n\n"
    )
    out.write(
        "## Virtual routers\n\n| virtual router | delivery | VIPs | masters | failovers |\n|---|---|---|---|---|\n"
    )
    for vr in report.virtual_routers:
        masters = "<br>".join(
            f"{markdown_text(m.router)} {clock(m.start, zone=zone)} to {clock(m.end, zone=zone)}"
            for m in vr.masters[-5:]
        )
        vips = " ".join(markdown_text(v) for v in vr.vips)
        out.write(f"| {markdown_code(vr.id)} | {vr.delivery} | {vips} | {masters} | {len(vr.failovers)} |\n")
    out.write("\n## Findings\n\n")
    if not report.findings:
        out.write("None.\n")
        return
    out.write("| severity | code | virtual router | count | first | last | message |\n|---|---|---|---|---|---|---|\n")
    for group in group_findings(report.findings):
        rows = [(f.start, f.end, f.message, 1) for f in group.findings] if verbose else []
        if not verbose:
            worst = group.worst(1)[0]
            more = f" (and {len(group.findings) - 1} more like it)" if len(group.findings) > 1 else ""
            rows = [(group.first, group.last, worst.message + more, len(group.findings))]
        for start, end, message, count in rows:
            out.write(
                f"| {ICON[group.severity]} | `{group.code}` | {markdown_code(group.vr) if group.vr else ''} | "
                f"{count} | {clock(start, zone=zone)} | {clock(end, zone=zone)} | {markdown_text(message)} |\n"
            )
