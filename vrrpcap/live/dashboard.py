"""The live view for people: per virtual router its master and state, and a scrolling event log.

``Dashboard`` draws with rich's Live on a terminal; it is redrawn once a second and at once when
an event arrives, so a failover shows as soon as the new master's first advert is decoded.
``PlainLog`` prints the same event lines when stdout is not a terminal (`vrrpcap live eth0 | tee`).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from vrrpcap.findings import Finding, Severity
from vrrpcap.render.common import clock
from vrrpcap.render.escape import printable
from vrrpcap.report import Report
from vrrpcap.report.model import VirtualRouter

LOG_LINES = 12
RATE_WINDOW = 10.0  # seconds of history for the advert rate
LATENCY_SLACK = 0.25  # a capture's own delay before an advert reaches us

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
STATE_STYLE = {
    "OK": "green",
    "2 masters": "yellow",
    "SPLIT BRAIN": "bold red",
    "missed adverts": "yellow",
    "NO MASTER": "bold red",
}
STATE_RANK = {"SPLIT BRAIN": 0, "NO MASTER": 1, "2 masters": 2, "missed adverts": 3, "OK": 4}  # worst first


@dataclass(frozen=True)
class Status:
    """The capture's counters for the header line."""

    interface: str
    backend: str
    started: float
    frames: int
    adverts: int
    dropped: int | None
    stopping: str | None = None


def describe(record: Mapping[str, Any]) -> tuple[str, str]:
    """(style, text) of one event record: a line of the log, its capture strings (interface names in
    ids, messages, hook errors) with their control characters visible."""
    style, text = _describe(record)
    return style, printable(text)


def _describe(record: Mapping[str, Any]) -> tuple[str, str]:
    kind = record["event"]
    when = clock(record.get("time"), date=False)
    if kind == "failover":
        latency = "" if record["takeover_s"] is None else f", takeover {record['takeover_s']:.2f} s"
        return "bold magenta", (
            f"{when} FAILOVER {record['vr']}: {record['from']} -> {record['to']} ({record['cause']}{latency}), "
            f"priority {record['from_priority']} -> {record['to_priority']}"
        )
    if kind == "master-started":
        return "green", f"{when} MASTER   {record['vr']}: {record['router']} (priority {record['priority']})"
    if kind == "master-ended":
        return "yellow", f"{when} ENDED    {record['vr']}: {record['router']} ({record['cause']})"
    if kind == "finding":
        style = SEVERITY_STYLE.get(record["severity"], "")
        where = f" {record['vr']}" if record["vr"] else ""
        return style, f"{when} {record['severity'].upper():<8} {record['code']}{where}: {record['message']}"
    if kind in ("notify", "notify-failed"):
        call = " ".join(record["argv"][1:])
        if record["event"] == "notify":
            return "dim", f"{when} NOTIFY   {call} ({record['router']}, {record['cause']}): ok"
        return "bold red", f"{when} NOTIFY   {call} ({record['router']}) FAILED: {record['error']}"
    if kind == "start":
        return "bold", f"{when} capturing on {record['interface']} ({record['backend']})"
    if kind == "capture-error":
        return "bold red", f"{when} CAPTURE  {record['error']}"
    if kind == "stop":
        return "bold", f"{when} stopped ({record['reason']})"
    return "", f"{when} {kind}"


def vr_state(vr: VirtualRouter, report: Report, now: float) -> tuple[str, list[str], float]:
    """(state, current masters, seconds overdue) of a virtual router at ``now``."""
    intervals = {r.address: (max(r.intervals) if r.intervals else 1.0) for r in vr.routers}
    factor = report.options.missed_factor
    # "open" in a snapshot; "capture-end" once the session finished: still master when it stopped.
    open_runs = [m for m in vr.masters if m.end_cause in ("open", "capture-end")]
    active = [m for m in open_runs if now - m.end <= intervals.get(m.router, 1.0) * factor + LATENCY_SLACK]
    masters = [m.router for m in (active or open_runs)]
    if len(active) >= 2:
        split = any(f.code == "VRRP-SPLIT-BRAIN" and f.vr == vr.id for f in report.findings)
        return ("SPLIT BRAIN" if split else "2 masters"), masters, 0.0
    if active:
        return "OK", masters, 0.0
    if open_runs:
        last = max(m.end for m in open_runs)
        return "missed adverts", masters, now - last
    return "NO MASTER", [], 0.0


class Dashboard:
    def __init__(self, console: Console, priorities: Mapping[tuple[int | None, str], int]) -> None:
        self.console = console
        self._priorities = priorities
        self._log: deque[tuple[str, str]] = deque(maxlen=200)
        self._history: dict[str, deque[tuple[float, int]]] = {}
        self._live = Live(console=console, auto_refresh=False, transient=False, redirect_stdout=False)

    def __enter__(self) -> Dashboard:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def add(self, record: Mapping[str, Any]) -> None:
        self._log.append(describe(record))

    def refresh(self, report: Report, status: Status, now: float) -> None:
        self._live.update(self.render(report, status, now), refresh=True)

    def _rate(self, vr: VirtualRouter, now: float) -> float | None:
        history = self._history.setdefault(vr.id, deque())
        history.append((now, vr.adverts))
        while history and now - history[0][0] > RATE_WINDOW:
            history.popleft()
        first_time, first_count = history[0]
        if now - first_time < 0.5:
            return None
        return (vr.adverts - first_count) / (now - first_time)

    def render(self, report: Report, status: Status, now: float) -> RenderableType:
        height = self.console.size.height
        log_lines = max(3, min(LOG_LINES, height // 3))
        max_rows = max(2, height - log_lines - 9)
        drops = "?" if status.dropped is None else str(status.dropped)
        header = Text.assemble(
            ("vrrpcap live ", "bold"),
            (printable(status.interface), "bold cyan"),
            f" ({status.backend})  {clock(now)} UTC  up {now - status.started:.0f} s  ",
            f"frames {status.frames}  adverts {status.adverts}  drops {drops}",
            (f"  stopping: {status.stopping}" if status.stopping else "", "bold yellow"),
        )
        table = Table(expand=False, show_edge=True, pad_edge=False)
        for name, justify in (
            ("virtual router", "left"),
            ("master", "left"),
            ("prio", "right"),
            ("delivery", "left"),
            ("ver", "left"),
            ("rate/s", "right"),
            ("last advert", "right"),
            ("state", "left"),
            ("failovers", "right"),
            ("findings", "left"),
        ):
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        vrs = report.virtual_routers
        by_vr: dict[str | None, list[Finding]] = {}
        for f in report.findings:
            if f.code != "VRRP-FAILOVER":
                by_vr.setdefault(f.vr, []).append(f)
        states = {vr.id: vr_state(vr, report, now) for vr in vrs}
        # Problems first (the worst state, then the worst finding), so that with hundreds of virtual
        # routers the rows the screen has room for are the ones that need someone.
        order = sorted(
            vrs,
            key=lambda v: (
                STATE_RANK.get(states[v.id][0], 0),
                -max((int(f.severity) for f in by_vr.get(v.id, ())), default=0),
            ),
        )
        for vr in order[:max_rows]:
            state, masters, overdue = states[vr.id]
            prios = [self._priorities.get((vr.vrid, m)) for m in masters]
            rate = self._rate(vr, now)
            findings = by_vr.get(vr.id, [])
            counts = [
                (f"{sum(1 for f in findings if f.severity == s)}{s.label[0].upper()}", SEVERITY_STYLE[s.label])
                for s in sorted(Severity, reverse=True)
                if any(f.severity == s for f in findings)
            ]
            state_text = state + (f" ({overdue:.1f} s)" if overdue else "")
            table.add_row(
                Text(printable(vr.id)),  # capture strings are data: no rich markup, no terminal controls
                Text(printable(", ".join(masters) or "-")),
                "/".join("?" if p is None else str(p) for p in prios) or "-",
                vr.delivery,
                "/".join(map(str, vr.versions)),
                "-" if rate is None else f"{rate:.2f}",
                f"{max(0.0, now - vr.last_seen):.1f} s ago",
                Text(state_text, style=STATE_STYLE.get(state, "")),
                str(len(vr.failovers)),
                Text(" ").join(Text(t, style=s) for t, s in counts) if counts else Text("-", style="dim"),
            )
        if len(vrs) > max_rows:
            rest = Counter(states[vr.id][0] for vr in order[max_rows:])
            summary = ", ".join(f"{n} {state}" for state, n in rest.most_common())
            table.add_row(f"... and {len(vrs) - max_rows} more: {summary}", *[""] * 9)
        if not vrs:
            table.add_row(Text("waiting for VRRP adverts...", style="dim"), *[""] * 9)
        log = Text(no_wrap=True, overflow="ellipsis")  # one line per event, cut at the terminal's edge
        for number, (style, text) in enumerate(list(self._log)[-log_lines:]):
            log.append(("\n" if number else "") + text, style=style)
        return Group(header, table, Text("events", style="bold underline"), log)


class PlainLog:
    """The event lines alone, one per event, for a stdout that is not a terminal."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def add(self, record: Mapping[str, Any]) -> None:
        self.out.write(describe(record)[1] + "\n")
        self.out.flush()


def make_view(out: TextIO, priorities: Mapping[tuple[int | None, str], int]) -> Dashboard | PlainLog:
    """The dashboard on a terminal, the plain event log otherwise."""
    return Dashboard(Console(file=out), priorities) if out.isatty() else PlainLog(out)
