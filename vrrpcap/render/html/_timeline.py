"""One virtual router's timeline as the page draws it: the layout model placed in SVG user units.

The page's script redraws these on zoom from the same numbers (data-* attributes) and the same label
rules (the label data goes to the page as JSON, see `script_data`), so what is computed here is the
unzoomed view, which is also what a reader without JavaScript sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from vrrpcap.render.common import clock, duration
from vrrpcap.render.labels import Anchor, BarSpan, Label, Mark, Ruler, bar_labels, failover_labels
from vrrpcap.render.layout import Bar, FailoverMark, Lane, Layout, RedMark, light, priority_text
from vrrpcap.render.timeaxis import LONG_SPAN, MAX_TICKS, STEPS, YEAR_STEPS, TimeAxis
from vrrpcap.times import Zone

# Geometry in SVG user units (the viewBox is VIEW_W wide; the page scales it).
VIEW_W = 1000.0
X0, X1 = 6.0, 994.0
ROW_H, BAR_H = 26.0, 18.0
TOP_PAD, SLIM_PAD, BOTTOM_PAD, AXIS_H = 24.0, 8.0, 24.0, 22.0
CHAR_W = 6.6  # average glyph width of the 11-unit sans-serif labels, for deciding what fits
MARGIN = 8.0  # a label inside a bar keeps this much of the bar free
GAP = 3.0  # between a failover tick and its label
HTML_TICKS = 8


def measure(text: str) -> float:
    return len(text) * CHAR_W


@dataclass(frozen=True, slots=True)
class TickView:
    x: float
    label: str
    labelled: bool  # the label fits inside the view box


@dataclass(frozen=True, slots=True)
class LabelView:
    text: str
    x: float
    anchor: Anchor
    fill: str


@dataclass(frozen=True, slots=True)
class BarView:
    index: int  # into the lane's bars, as the script's data has them
    router: str
    colour: str
    t0: float
    t1: float
    x: float
    y: float
    width: float
    tip: str
    fade: float  # width of the veil over an open edge
    open_left: bool
    open_right: bool
    label: LabelView | None


@dataclass(frozen=True, slots=True)
class FailoverView:
    index: int
    t: float
    x: float
    since: float
    since_x: float
    bracket: bool
    tip: str
    label: LabelView | None


@dataclass(frozen=True, slots=True)
class RedView:
    kind: Literal["span", "rule"]
    code: str
    t0: float
    t1: float
    x0: float
    x1: float
    tip: str
    text: str
    text_x: float
    text_w: float


@dataclass(frozen=True, slots=True)
class TimelineView:
    number: int  # 1-based: the SVG's clip path id and the article's anchor
    label: str  # for aria-label
    height: float
    plot_h: float
    top_pad: float
    rows_bottom: float
    ticks: tuple[TickView, ...]
    bars: tuple[BarView, ...]  # longest first: a one-advert sliver is drawn over its neighbour
    failovers: tuple[FailoverView, ...]
    spans: tuple[RedView, ...]
    rules: tuple[RedView, ...]
    edges: tuple[tuple[float, float], ...]  # (time, x) of the capture's first and last frame
    key: tuple[tuple[str, str], ...]  # (router, colour) of the routers with a bar here

    @property
    def bracket_y(self) -> float:
        return self.top_pad * 0.55

    @property
    def label_y(self) -> float:
        return self.top_pad * 0.62


def timeline_view(layout: Layout, lane: Lane) -> TimelineView:
    ruler = Ruler(layout.axis.t0, layout.axis.t1, X0, X1)
    top_pad = TOP_PAD if lane.marked_above else SLIM_PAD
    bottom_pad = BOTTOM_PAD if lane.marked_below else SLIM_PAD
    rows_bottom = top_pad + lane.rows * ROW_H
    plot_h = rows_bottom + bottom_pad
    red = [_red(ruler, m, rows_bottom) for m in lane.red]
    spans = tuple(r for r in red if r.kind == "span")
    bars = _bars(ruler, lane, top_pad, layout.zone)
    return TimelineView(
        number=lane.index + 1,
        label=lane.vr.id,
        height=plot_h + AXIS_H,
        plot_h=plot_h,
        top_pad=top_pad,
        rows_bottom=rows_bottom,
        ticks=_ticks(ruler, layout.axis),
        bars=tuple(sorted(bars, key=lambda b: b.t0 - b.t1)),
        failovers=_failovers(ruler, lane, [(s.text_x - s.text_w, s.text_x) for s in spans], layout.zone),
        spans=spans,
        rules=tuple(r for r in red if r.kind == "rule"),
        edges=tuple((t, ruler.x(t)) for t in layout.window or ()),
        key=tuple(dict.fromkeys((b.master.router, b.colour) for b in lane.bars)),
    )


def _ticks(ruler: Ruler, axis: TimeAxis) -> tuple[TickView, ...]:
    out = []
    for tick in axis.ticks(HTML_TICKS):
        x = ruler.x(tick.t)
        half = measure(tick.label) / 2
        out.append(TickView(x, tick.label, x - half >= 0 and x + half <= VIEW_W))
    return tuple(out)


def _span(ruler: Ruler, t0: float, t1: float) -> tuple[float, float]:
    x0 = ruler.x(t0)
    return x0, max(x0 + 2.0, ruler.x(t1))  # at least 2 units: a single advert still shows


def _bars(ruler: Ruler, lane: Lane, top_pad: float, zone: Zone) -> list[BarView]:
    labels: dict[int, Label | None] = {}
    index = {id(bar): n for n, bar in enumerate(lane.bars)}
    for row in range(lane.rows):
        bars = lane.row(row)
        spans = [BarSpan(*_span(ruler, b.start, b.end), b.texts, b.open_left, b.open_right) for b in bars]
        fitted = bar_labels(spans, measure, MARGIN, X0, X1)
        labels.update({index[id(b)]: label for b, label in zip(bars, fitted, strict=True)})
    out = []
    for n, bar in enumerate(lane.bars):
        x0, x1 = _span(ruler, bar.start, bar.end)
        label = labels.get(n)
        out.append(
            BarView(
                index=n,
                router=bar.master.router,
                colour=bar.colour,
                t0=bar.start,
                t1=bar.end,
                x=x0,
                y=top_pad + bar.row * ROW_H + (ROW_H - BAR_H) / 2,
                width=x1 - x0,
                tip=_bar_tip(bar, zone, lane),
                fade=min((x1 - x0) * 0.3, 40.0),
                open_left=bar.open_left,
                open_right=bar.open_right,
                label=None if label is None else LabelView(label.text, label.x, label.anchor, _ink(bar, label)),
            )
        )
    return out


def _ink(bar: Bar, label: Label) -> str:
    return ink_on(bar.colour) if label.inside else "#1f2328"


def ink_on(colour: str) -> str:
    return "#111" if light(colour) else "#fff"


def _bar_tip(bar: Bar, zone: Zone, lane: Lane) -> str:
    m = bar.master
    began = "first advert" if m.start_observed else "master before the capture began"
    ended = m.end_cause if m.end_observed else "still master when the capture ended"
    return (
        f"{m.router} master {clock(m.start, zone=zone)} to {clock(m.end, zone=zone)} {zone.name} "
        f"({duration(m.end - m.start)}), "
        f"{m.adverts} adverts, {priority_text(m, lane.vr.protocol)}; began: {began}; ended: {ended}"
    )


def _failovers(ruler: Ruler, lane: Lane, walls: list[tuple[float, float]], zone: Zone) -> tuple[FailoverView, ...]:
    marks = [Mark(ruler.x(f.since), ruler.x(f.at), f.texts) for f in lane.failovers]
    placed = {p.index: p.label for p in failover_labels(marks, measure, GAP, X0, X1, walls)}
    return tuple(
        FailoverView(
            index=n,
            t=f.at,
            x=mark.at,
            since=f.since,
            since_x=mark.since,
            bracket=f.bracket,
            tip=_failover_tip(f, zone),
            label=None if n not in placed else LabelView(placed[n].text, placed[n].x, placed[n].anchor, "#000"),
        )
        for n, (f, mark) in enumerate(zip(lane.failovers, marks, strict=True))
    )


def _failover_tip(f: FailoverMark, zone: Zone) -> str:
    fo = f.failover
    rule = fo.rule_text()
    head = f"{clock(fo.time, zone=zone)} failover {fo.from_router or '?'} \u2192 {fo.to_router}: {f.texts[0]}"
    return f"{head} ({rule})" if rule else head


def _red(ruler: Ruler, mark: RedMark, rows_bottom: float) -> RedView:
    x0, x1 = ruler.x(mark.start), ruler.x(mark.end)
    code, text = mark.finding.code, mark.text
    tip = f"{code}: {mark.finding.message}"
    if mark.kind == "span":  # its title ends where the span does (the script places it the same way)
        title_at = min(x1, X1) - 3
        return RedView("span", code, mark.start, mark.end, x0, max(x1, x0 + 2), tip, text, title_at, measure(text))
    width = measure(text) * 10 / 11  # the rule's label is 10 units high, not 11
    at = min(max(x0, X0) + 2, X1 - width)  # under its rule, from the rule's start, inside the plot
    return RedView("rule", code, mark.start, mark.end, x0, x1, tip, text, at, width)


# -- what the page's script needs --------------------------------------------------------------------


def script_data(layout: Layout) -> dict[str, Any]:
    """Everything the script redraws from besides the data-* attributes: the axis rules and, per
    timeline, what each bar and failover may be labelled with (JSON, escaped for a <script>)."""
    return {
        "view": {
            "x0": X0,
            "x1": X1,
            "width": VIEW_W,
            "t0": layout.axis.t0,
            "t1": layout.axis.t1,
            "offset": layout.axis.offset,  # seconds east of UTC: ticks on the zone's round times
        },
        "ticks": {
            "steps": list(STEPS),
            "yearSteps": list(YEAR_STEPS),
            "max": HTML_TICKS,
            "cap": MAX_TICKS,
            "longSpan": LONG_SPAN,
        },
        "labels": {"charWidth": CHAR_W, "margin": MARGIN, "gap": GAP},
        "timelines": [
            {
                "bars": [
                    [b.row, b.start, b.end, b.open_left, b.open_right, list(b.texts), ink_on(b.colour)]
                    for b in lane.bars
                ],
                "failovers": [[f.since, f.at, list(f.texts)] for f in lane.failovers],
            }
            for lane in layout.lanes
        ],
    }
