"""A report as a picture, before anything is drawn: the layout model the PNG/SVG plot and the HTML
timelines both draw.

- a lane per virtual router: its mastership intervals as bars on rows (intervals that overlap in time,
  two masters at once, sit on different rows), coloured by router;
- failover marks: the new master's first advert, with a bracket back to the old master's last;
- red marks: split brain and VRID collision as spans over the lane, missed adverts as a rule under it;
- the shared time axis (vrrpcap/render/timeaxis.py) and the colours.

Times here are as drawn: clamped into years 1-9999 (timeaxis.drawable). Nothing here looks at packets
or decides anything; it arranges what the report says.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from vrrpcap.findings import CODES, Finding, Severity
from vrrpcap.render.facts import ReportFacts, facts_of
from vrrpcap.render.timeaxis import TimeAxis, drawable
from vrrpcap.report import Report
from vrrpcap.report.model import Failover, Mastership, VirtualRouter, VirtualRouterProtocol
from vrrpcap.times import UTC_ZONE, Zone

MAX_ROWS_PER_LANE = 6  # more simultaneous masters than this share the last row

# Router colours: distinct, none of them red (red means trouble on these pictures).
PALETTE = (
    "#1f77b4",  # blue
    "#ff7f0e",  # orange
    "#2ca02c",  # green
    "#9467bd",  # purple
    "#17becf",  # cyan
    "#8c564b",  # brown
    "#bcbd22",  # olive
    "#7f7f7f",  # grey
    "#aec7e8",  # light blue
    "#ffbb78",  # light orange
    "#98df8a",  # light green
    "#c5b0d5",  # lilac
)
RED = "#d62728"

# Findings drawn in red, attributed to lanes by their virtual router (or, for capture-wide findings,
# by the routers they name).
# The catalogue says which codes are drawn and how (vrrpcap/findings.py).
SPAN_CODES = tuple(code for code, info in CODES.items() if info.drawn == "span")
RULE_CODES = tuple(code for code, info in CODES.items() if info.drawn == "rule")
RED_CODES = SPAN_CODES + RULE_CODES
RED_TITLES = {code: info.picture_label or code for code, info in CODES.items() if info.drawn is not None}


@dataclass(frozen=True, slots=True)
class Bar:
    master: Mastership
    row: int
    start: float
    end: float
    colour: str
    texts: tuple[str, ...]  # what may name it, longest first: "address  prio N", then the address

    @property
    def open_left(self) -> bool:
        return not self.master.start_observed

    @property
    def open_right(self) -> bool:
        return not self.master.end_observed


@dataclass(frozen=True, slots=True)
class FailoverMark:
    failover: Failover
    at: float  # the new master's first advert
    since: float  # the old master's last advert (= at when the report has no takeover time)
    texts: tuple[str, ...]  # label candidates, longest first

    @property
    def bracket(self) -> bool:
        return self.since < self.at


@dataclass(frozen=True, slots=True)
class RedMark:
    finding: Finding
    kind: Literal["span", "rule"]
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Lane:
    vr: VirtualRouter
    index: int  # 0-based, in report order
    rows: int
    marked_above: bool  # failovers or red spans: room above the bars for their labels
    marked_below: bool  # missed-advert rules: room below the bars
    bars: tuple[Bar, ...]
    failovers: tuple[FailoverMark, ...]
    red: tuple[RedMark, ...]

    def row(self, n: int) -> list[Bar]:
        """The bars of one row, in time order."""
        return sorted((b for b in self.bars if b.row == n), key=lambda b: (b.start, b.end))


@dataclass(frozen=True, slots=True)
class Layout:
    axis: TimeAxis
    lanes: tuple[Lane, ...]
    window: tuple[float, float] | None  # the capture's first and last frame, as drawn
    colours: dict[str, str]
    facts: ReportFacts
    zone: Zone = UTC_ZONE  # where times are shown (the axis's labels, the tips, the captions)


def layout_of(report: Report, zone: Zone = UTC_ZONE) -> Layout:
    facts = facts_of(report)
    vrs = report.virtual_routers
    times = facts.times() + [t for vr in vrs for t in (vr.first_seen, vr.last_seen)]
    axis = TimeAxis.over(times, zone.offset(min(times)) if times and not zone.is_utc else 0.0)
    colours = router_colours(report)
    marks = lane_findings(report)
    lanes = tuple(_lane(vr, n, colours, marks.get(vr.id, [])) for n, vr in enumerate(vrs))
    window = facts.window()
    if window is not None:
        window = (drawable(window[0]), drawable(window[1]))
    return Layout(axis, lanes, window, colours, facts, zone)


def _lane(vr: VirtualRouter, index: int, colours: dict[str, str], findings: list[Finding]) -> Lane:
    rows = pack_rows(vr.masters)
    bars = tuple(
        Bar(
            m,
            row,
            drawable(m.start),
            drawable(m.end),
            colours.get(m.router, PALETTE[0]),
            (f"{m.router}  {priority_text(m, vr.protocol)}", m.router),
        )
        for m, row in zip(vr.masters, rows, strict=True)
    )
    failovers = tuple(
        FailoverMark(
            f,
            drawable(f.time),
            drawable(f.time - f.takeover_s) if f.takeover_s is not None and f.takeover_s > 0 else drawable(f.time),
            failover_texts(f),
        )
        for f in vr.failovers
    )
    red = tuple(
        RedMark(
            f,
            "rule" if f.code in RULE_CODES else "span",
            drawable(f.start),
            drawable(f.end if f.end is not None else f.start),
            red_text(f),
        )
        for f in findings
        if f.start is not None
    )
    return Lane(
        vr,
        index,
        max(rows, default=0) + 1,
        bool(failovers) or any(r.kind == "span" for r in red),
        any(r.kind == "rule" for r in red),
        bars,
        failovers,
        red,
    )


def pages_of(lanes: Sequence[Lane], lanes_per_page: int, max_rows: int) -> list[list[Lane]]:
    """Lanes in pages of at most lanes_per_page lanes and (unless a lane alone has more) max_rows rows."""
    pages: list[list[Lane]] = []
    current: list[Lane] = []
    used = 0
    for lane in lanes:
        if current and (len(current) >= lanes_per_page or used + lane.rows > max_rows):
            pages.append(current)
            current, used = [], 0
        current.append(lane)
        used += lane.rows
    if current or not pages:
        pages.append(current)
    return pages


# -- colours and rows ----------------------------------------------------------------------------------


def address_key(address: str) -> tuple[int, int, str]:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (9, 0, address)
    return (ip.version, int(ip), "")


def router_colours(report: Report) -> dict[str, str]:
    """One colour per router address, stable for a given report: the palette in address order, except
    that routers sharing a virtual router never share a colour while the palette lasts (so a bar's
    colour tells its router within a lane even where the palette repeats across lanes)."""
    mates: dict[str, set[str]] = {}
    for vr in report.virtual_routers:
        members = {r.address for r in vr.routers} | {m.router for m in vr.masters}
        for address in members:
            mates.setdefault(address, set()).update(members - {address})
    colours: dict[str, str] = {}
    for n, address in enumerate(sorted(mates, key=address_key)):
        taken = {colours[m] for m in mates[address] if m in colours}
        choice = next(
            (c for k in range(len(PALETTE)) if (c := PALETTE[(n + k) % len(PALETTE)]) not in taken),
            PALETTE[n % len(PALETTE)],
        )
        colours[address] = choice
    return colours


def pack_rows(masters: Sequence[Mastership], limit: int = MAX_ROWS_PER_LANE) -> list[int]:
    """A row for each interval so that intervals overlapping in time sit on different rows."""
    rows = [0] * len(masters)
    ends: list[float] = []
    for i in sorted(range(len(masters)), key=lambda k: (masters[k].start, masters[k].end)):
        m = masters[i]
        row = next((r for r, end in enumerate(ends) if end <= m.start), None)
        if row is None:
            if len(ends) < limit:
                ends.append(m.end)
                row = len(ends) - 1
            else:
                row = limit - 1
        ends[row] = max(ends[row], m.end)
        rows[i] = row
    return rows


def lane_findings(report: Report) -> dict[str, list[Finding]]:
    """The red-marked findings of each virtual router (lane id -> findings, in report order)."""
    vrs = report.virtual_routers
    out: dict[str, list[Finding]] = {vr.id: [] for vr in vrs}
    for f in report.findings:
        if f.code not in RED_CODES or f.start is None:
            continue
        for vid in _lanes_of(f, vrs):
            out[vid].append(f)
    return out


def _lanes_of(f: Finding, vrs: Sequence[VirtualRouter]) -> list[str]:
    if f.vr is not None:
        if any(v.id == f.vr for v in vrs):
            return [f.vr]
        # A segment-wide finding ("ipv4/vrid51"): every virtual router of that segment.
        return [v.id for v in vrs if v.segment == f.vr]
    # Capture-wide (the VRID collision names no virtual router): the lanes whose routers it names.
    named = set(f.routers)
    return [v.id for v in vrs if named & {r.address for r in v.routers}]


# -- texts ---------------------------------------------------------------------------------------------


def priority_text(m: Mastership, protocol: VirtualRouterProtocol = "vrrp") -> str:
    if protocol == "carp":  # CARP has no priority: its runs hold advskew (lower is preferred)
        span = f"{m.priority_min}" if m.priority_min == m.priority_max else f"{m.priority_min}-{m.priority_max}"
        return f"advskew {span}"
    if m.priority_min == m.priority_max:
        return f"prio {m.priority_max}"
    if m.end_cause == "priority-0" and m.priority_min == 0:
        return f"prio {m.priority_max} \u2192 0"  # resigned: its last advert said priority 0
    return f"prio {m.priority_min}-{m.priority_max}"


def failover_text(f: Failover) -> str:
    latency = "" if f.takeover_s is None else f": {f.takeover_s:.2f} s takeover"
    return f"{f.cause}{latency}"


def failover_texts(f: Failover) -> tuple[str, ...]:
    """A failover's label, then shorter forms for tight spots."""
    if f.takeover_s is None:
        return (f.cause,)
    return (failover_text(f), f"{f.cause}: {f.takeover_s:.2f} s", f.cause)


def red_text(f: Finding) -> str:
    title = RED_TITLES.get(f.code, f.code)
    if f.code == "VRRP-MISSED-ADVERTS":
        if f.severity >= Severity.ERROR:
            return f"no master ({f.count}x)"
        return f"{title}: {f.count} gap(s)"
    if f.start is not None and f.end is not None and f.end > f.start:
        return f"{title} {f.end - f.start:.1f} s"
    return title


def light(colour: str) -> bool:
    """Whether dark text reads on this "#rrggbb" colour (its luma is above 60%)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b > 0.6


def lane_title(vr: VirtualRouter, width: int = 40) -> str:
    if vr.protocol == "carp":  # CARP adverts carry no addresses: say what the number is instead
        return f"{clip(vr.id, width)}\n{clip(f'CARP vhid {vr.vrid}, no VIPs on the wire', width)}"
    vips = ", ".join(vr.vips) if vr.vips else "no VIPs"
    return f"{clip(vr.id, width)}\n{clip(vips, width)}"


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())  # no control characters or line breaks from the capture
    return text if len(text) <= width else text[: width - 1] + "\u2026"
