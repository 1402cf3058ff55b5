"""The audit for people: a summary, the virtual routers and their masters, findings by severity.

The virtual routers are a table when it fits the terminal (vrrpcap/render/table.py), else one block
each; findings are grouped per code and virtual router (vrrpcap/render/groups.py), every one with
``verbose``. Every string from the capture goes out as plain text with its control characters visible:
no rich markup is ever built from data.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.text import Text

from vrrpcap.findings import Finding, Severity
from vrrpcap.render.common import clock, duration
from vrrpcap.render.escape import printable
from vrrpcap.render.groups import EXAMPLES, EvidenceNames, FindingGroup, group_findings
from vrrpcap.render.table import Cell, Column, console_for, emit, fit, packed, wrapped
from vrrpcap.report import Report, VirtualRouter
from vrrpcap.times import UTC_ZONE, Zone, day

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
MASTERS_SHOWN = 4  # the latest runs per virtual router; the table says how many came before
VIPS_SHOWN = 16  # a virtual router rarely announces more; the rest are counted


def render_audit(report: Report, out: TextIO, color: bool, *, zone: Zone = UTC_ZONE, verbose: bool = False) -> None:
    """``color``: ``out`` is a terminal (its width and colours are used); otherwise nothing is wrapped."""
    console = console_for(out, color)
    _summary(console, report, zone)
    if report.virtual_routers:
        _virtual_routers(console, report, zone)
    _findings(console, report, zone, verbose)


def _line(*parts: tuple[str, str | None]) -> Text:
    """A line of (text, style) parts; the text is data, shown as plain text."""
    line = Text()
    for text, style in parts:
        line.append(printable(text), style=style)
    return line


def _summary(console: Console, report: Report, zone: Zone) -> None:
    for item in report.inputs:
        drops = f", capture dropped {item.capture_drops}" if item.capture_drops else ""
        where = (f"{item.vantage}: ", "bold") if item.vantage is not None else ("", None)
        line = (f": {item.packets} frames, {item.adverts} VRRP/CARP{drops}", None)
        emit(console, _line(where, (item.path, "bold"), line))
        if item.first_time is not None:
            span = f"{clock(item.first_time, zone=zone)} to {clock(item.last_time, zone=zone)} {zone.name}"
            emit(console, _line((f"  {span}", None)))
    s = report.summary
    carp = f", {s.carp_adverts} CARP" if s.carp_adverts else ""
    counts = f"({s.multicast_adverts} multicast, {s.unicast_adverts} unicast{carp})"
    emit(
        console, Text(f"{s.virtual_routers} virtual router(s), {s.adverts} adverts {counts}, {s.failovers} failover(s)")
    )


def _virtual_routers(console: Console, report: Report, zone: Zone) -> None:
    days = {d for vr in report.virtual_routers for m in vr.masters for d in (day(m.start, zone), day(m.end, zone))}
    dated = len(days) > 1  # runs within one day: the day is in the heading, each time without it
    when = zone.name if dated else f"{zone.name}, {next((d for d in days if d), '')}"
    columns = [
        Column("virtual router"),
        Column("ver"),
        Column("delivery"),
        Column("VIPs"),
        Column("routers (priority)"),
        Column(f"masters ({when}; + still master)"),
        Column("failovers", right=True),
    ]
    rows: list[list[Cell]] = [
        [
            [vr.id, *(f"= {i}" for i in vr.instances)] if vr.instances else vr.id,
            "/".join(map(str, vr.versions)),
            vr.delivery,
            _vips(vr),
            _routers(vr),
            _masters(vr, zone, dated),
            str(len(vr.failovers)),
        ]
        for vr in report.virtual_routers
    ]
    table = fit(console, columns, rows, title="Virtual routers")
    if table is not None:
        console.print(table)
        return
    # Too narrow for the table: one block per virtual router, nothing folded.
    emit(console, Text("Virtual routers", style="bold"), Text(f"(masters: {when}; + still master)", style="dim"))
    for vr in report.virtual_routers:
        facts = f"  v{'/'.join(map(str, vr.versions))} {vr.delivery}, {len(vr.failovers)} failover(s)"
        emit(console, _line((vr.id, "bold"), (facts, None)))
        for name, lines in (
            ("config", [str(i) for i in vr.instances]),
            ("VIPs", packed(_vips(vr), console.width, 11)),
            ("routers", packed(_routers(vr), console.width, 11)),
            ("masters", _masters(vr, zone, dated)),
        ):
            for number, line in enumerate(lines):
                emit(console, _line((f"  {name if number == 0 else '':<8} ", "dim"), (line, None)))


def _vips(vr: VirtualRouter) -> list[str]:
    more = len(vr.vips) - VIPS_SHOWN
    return list(vr.vips[:VIPS_SHOWN]) + ([f"(+{more} more)"] if more > 0 else [])


def _routers(vr: VirtualRouter) -> list[str]:
    return [f"{r.address} ({r.levels()})" for r in vr.routers]


def _masters(vr: VirtualRouter, zone: Zone, dated: bool) -> list[str]:
    lines = [
        f"{m.router} {clock(m.start, dated, zone)}-{clock(m.end, dated, zone)}" + ("" if m.end_observed else "+")
        for m in vr.masters[-MASTERS_SHOWN:]
    ]
    earlier = len(vr.masters) - MASTERS_SHOWN
    return ([f"({earlier} earlier)"] if earlier > 0 else []) + lines


def _findings(console: Console, report: Report, zone: Zone, verbose: bool) -> None:
    if not report.findings:
        emit(console, Text("\nno findings"))
        return
    names = EvidenceNames(report.inputs)
    groups = group_findings(report.findings)
    for severity in sorted(Severity, reverse=True):
        mine = [g for g in groups if g.severity == severity]
        if not mine:
            continue
        total = sum(len(g.findings) for g in mine)
        style = SEVERITY_STYLE[severity]
        grouped = "" if verbose or total == len(mine) else f" in {len(mine)} group(s)"
        emit(console, Text())
        emit(console, Text(f"{severity.label.upper()}S ({total}{grouped})", style=style))
        for group in mine:
            if verbose or len(group.findings) == 1:
                for f in group.findings:
                    _finding(console, f, style, names, zone)
            else:
                _group(console, group, style, names, zone)
    if not verbose and any(len(g.findings) > EXAMPLES for g in groups):
        emit(console, Text("\n--verbose lists every finding", style="dim"))


def _when(f: Finding, zone: Zone) -> str:
    when = f" {clock(f.start, zone=zone)}" if f.start else ""
    if f.end and f.start and f.end - f.start >= 0.5:
        when += f" (+{duration(f.end - f.start)})"
    return when


def _prose(console: Console, text: str, indent: int, style: str | None = None) -> None:
    for line in wrapped(text, console.width, indent):
        emit(console, _line((" " * indent + line, style)))


def _finding(console: Console, f: Finding, style: str, names: EvidenceNames, zone: Zone) -> None:
    emit(console, _line(("  ", None), (f.code, style), (f" {f.vr}" if f.vr else "", None), (_when(f, zone), None)))
    _prose(console, f.message, 4)
    if f.locations:
        _prose(console, f"at {', '.join(str(loc) for loc in f.locations)}", 4, "dim")
    if f.evidence:
        _prose(console, f"frames {names.text(f.evidence)}", 4, "dim")


def _group(console: Console, group: FindingGroup, style: str, names: EvidenceNames, zone: Zone) -> None:
    n = len(group.findings)
    span = f"{clock(group.first, zone=zone)} to {clock(group.last, zone=zone)}"
    if group.severity == Severity.INFO:  # failovers, priority changes: collapsed per virtual router
        emit(
            console,
            _line(
                ("  ", None), (group.code, style), (f" {group.vr}" if group.vr else "", None), (f"  {n} times", None)
            ),
        )
        between = f", between {', '.join(group.routers)}" if len(group.routers) <= 4 else ""
        _prose(console, span + between, 4)
        return
    head = f" {n} findings"
    if group.occurrences > n:
        head += f" ({group.occurrences} occurrences)"
    emit(console, _line(("  ", None), (group.code, style), (f" {group.vr}" if group.vr else "", None), (head, None)))
    emit(console, _line((f"    {span}", None)))
    routers = group.routers
    if len(routers) > 1:
        for number, line in enumerate(packed(list(routers), console.width, 13)):
            emit(console, _line((f"    {'routers:' if number == 0 else '':<8} {line}", None)))
    worst = group.worst()
    label = "each:" if n == len(worst) else "worst:" if group.ranked else "first:"
    emit(console, _line((f"    {label}", "dim")))
    for f in worst:
        emit(console, _line((f"     {_when(f, zone)}", None)))
        _prose(console, f.message, 8)
        if f.locations:
            _prose(console, f"at {', '.join(str(loc) for loc in f.locations)}", 8, "dim")
        if f.evidence:
            _prose(console, f"frames {names.text(f.evidence)}", 8, "dim")
    if n > len(worst):
        emit(console, _line((f"      ... and {n - len(worst)} more like these", "dim")))
