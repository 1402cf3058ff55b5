"""Drawing one lane of the layout model onto a page's axes: bars, open edges, labels, failovers, red.

Artists are added with `add_artist`, not `add_patch`/`plot`: the axes' limits are set once per page,
so updating data limits for every patch is skipped; and they all share one clip path object rather
than each building its own (together most of the time spent building a page of 25 lanes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vrrpcap.render.labels import BarSpan, Label, Mark, bar_labels, failover_labels
from vrrpcap.render.layout import RED, Bar, Lane, RedMark, lane_title
from vrrpcap.render.plot._info import GID_PREFIX, LaneInfo
from vrrpcap.render.plot._style import BAR_HEIGHT, FONT, ink_on, text_inches
from vrrpcap.render.timeaxis import TimeAxis

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

FADE_STEPS = 10  # white veils an open edge fades out with
WHITE_BOX = {"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


class Canvas:
    """A page's axes in the units lanes are drawn in: x in matplotlib date numbers (days since its
    epoch, so a time's x is what matplotlib.dates.date2num gives), y in rows of bars, top down."""

    def __init__(self, ax: Axes, axis: TimeAxis, width_in: float) -> None:
        import matplotlib.dates as mdates
        from matplotlib.transforms import TransformedPatchPath

        self.ax = ax
        self.clip = TransformedPatchPath(ax.patch)
        self.offset = float(mdates.date2num(datetime(1970, 1, 1, tzinfo=UTC)))  # type: ignore[no-untyped-call,unused-ignore]
        self.x0, self.x1 = self.num(axis.t0), self.num(axis.t1)
        self.per_inch = (self.x1 - self.x0) / width_in  # data units (days) per inch of axes width
        self.sequence = 0

    def num(self, epoch: float) -> float:
        return epoch / 86400.0 + self.offset

    def inches(self, n: float) -> float:
        """A length in inches as data units of the x axis."""
        return n * self.per_inch

    def width(self, text: str, size: float = FONT, bold: bool = False) -> float:
        return self.inches(text_inches(text, size, bold))

    def add(self, artist: Artist) -> None:
        artist.set_clip_path(self.clip)
        self.ax.add_artist(artist)

    def text(self, x: float, y: float, text: str, **style: Any) -> None:
        self.ax.text(x, y, text, clip_path=self.clip, **style)

    def gid(self, kind: str) -> str:
        """A unique id for an artist (SVG element id) that says what it shows: see artist_kind()."""
        self.sequence += 1
        return f"{GID_PREFIX}{kind}-{self.sequence}"


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a lane sits on the page, in rows."""

    top: float
    top_pad: float
    rows: int
    bottom_pad: float

    @property
    def height(self) -> float:
        return self.top_pad + self.rows + self.bottom_pad

    @property
    def rows_top(self) -> float:
        return self.top + self.top_pad

    @property
    def rows_bottom(self) -> float:
        return self.top + self.top_pad + self.rows

    @property
    def title_y(self) -> float:
        """Where failover brackets, their labels and red span titles sit: the middle of the top pad."""
        return self.top + self.top_pad * 0.45


@dataclass(frozen=True, slots=True)
class Drawn:
    info: LaneInfo
    named: tuple[tuple[str, bool], ...]  # (router, whether a label names it) for each bar


def draw_lane(c: Canvas, lane: Lane, slot: Slot, page: int) -> Drawn:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    ax = c.ax
    if lane.index % 2:
        c.add(Rectangle((c.x0, slot.top), c.x1 - c.x0, slot.height, facecolor="#f3f5f8", edgecolor="none", zorder=0))
    y = slot.top + slot.height
    c.add(Line2D([0, 1], [y, y], transform=ax.get_yaxis_transform(), color="#c8ccd2", linewidth=0.6, zorder=1))
    c.text(
        -0.01,
        slot.top + slot.height / 2,
        lane_title(lane.vr),
        transform=ax.get_yaxis_transform(),
        ha="right",
        va="center",
        fontsize=FONT,
        family="DejaVu Sans Mono",
        parse_math=False,
        gid=c.gid("lane-label"),
    )
    labels = _bar_labels(c, lane)
    for bar, label in zip(lane.bars, labels, strict=True):
        _bar(c, bar, slot.rows_top + bar.row, label)
    blocked = [_red(c, mark, slot) for mark in lane.red]
    texts = _failovers(c, lane, slot, [b for b in blocked if b is not None])
    full = sum(1 for bar, label in zip(lane.bars, labels, strict=True) if label and label.text == bar.texts[0])
    info = LaneInfo(
        vr=lane.vr.id,
        page=page,
        rows=lane.rows,
        bars=len(lane.bars),
        open_bars=sum(1 for b in lane.bars if b.open_left or b.open_right),
        bar_labels=full,
        named_bars=sum(1 for label in labels if label is not None),
        failovers=len(lane.failovers),
        failover_labels=texts,
        red=tuple(m.finding.code for m in lane.red),
    )
    named = tuple((bar.master.router, label is not None) for bar, label in zip(lane.bars, labels, strict=True))
    return Drawn(info, named)


def _extent(c: Canvas, bar: Bar) -> tuple[float, float]:
    x0, x1, least = c.num(bar.start), c.num(bar.end), c.inches(0.06)
    if x1 - x0 >= least:
        return x0, x1
    x0 = min(x0, c.x1 - least)  # a single advert still shows as a sliver, inside the axes
    return x0, x0 + least


def _bar_labels(c: Canvas, lane: Lane) -> list[Label | None]:
    """The label of each bar (in lane.bars order), fitted row by row."""
    out: dict[int, Label | None] = {}
    index = {id(bar): n for n, bar in enumerate(lane.bars)}
    for row in range(lane.rows):
        bars = lane.row(row)
        spans = [BarSpan(*_extent(c, b), b.texts, b.open_left, b.open_right) for b in bars]
        fitted = bar_labels(spans, c.width, c.inches(0.1), c.x0, c.x1)
        out.update({index[id(b)]: label for b, label in zip(bars, fitted, strict=True)})
    return [out.get(n) for n in range(len(lane.bars))]


def _bar(c: Canvas, bar: Bar, row_y: float, label: Label | None) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    x0, x1 = _extent(c, bar)
    sliver = c.num(bar.end) - x0 < c.inches(0.06)
    y = row_y + (1 - BAR_HEIGHT) / 2
    c.add(
        Rectangle(
            (x0, y),
            x1 - x0,
            BAR_HEIGHT,
            facecolor=bar.colour,
            edgecolor="#333333",
            linewidth=0.5,
            zorder=3.8 if sliver else 3,  # a sliver is drawn over the neighbour it touches
            gid=c.gid("bar"),
        )
    )
    fade = min((x1 - x0) * 0.3, c.inches(0.5))
    for is_open, edge, direction in ((bar.open_left, x0, 1), (bar.open_right, x1, -1)):
        if not is_open:
            continue
        for k in range(FADE_STEPS):  # white veils, densest at the edge: the bar fades out
            left = edge + direction * fade * k / FADE_STEPS - (fade / FADE_STEPS if direction < 0 else 0.0)
            c.add(
                Rectangle(
                    (left, y),
                    fade / FADE_STEPS,
                    BAR_HEIGHT,
                    facecolor="white",
                    edgecolor="none",
                    alpha=0.7 * (1 - k / FADE_STEPS),
                    zorder=3.5,
                    gid=c.gid("open-edge"),
                )
            )
        # A marker, not a text glyph: a page can hold hundreds of them, and laying out a text costs
        # about a millisecond whatever its length.
        c.add(
            Line2D(
                [edge - direction * c.inches(0.065)],
                [y + BAR_HEIGHT / 2],
                marker="<" if direction > 0 else ">",
                markersize=5,
                markeredgewidth=0,
                color=bar.colour,
                zorder=4,
                gid=c.gid("open-arrow"),
            )
        )
    if label is not None:
        c.text(
            label.x,
            y + BAR_HEIGHT / 2,
            label.text,
            ha={"start": "left", "middle": "center", "end": "right"}[label.anchor],
            va="center",
            fontsize=FONT,
            color=ink_on(bar.colour) if label.inside else "#1f2328",
            zorder=5,
            parse_math=False,
            gid=c.gid("bar-label"),
        )


def _failovers(c: Canvas, lane: Lane, slot: Slot, blocked: list[tuple[float, float]]) -> tuple[str, ...]:
    from matplotlib.lines import Line2D

    y = slot.title_y
    marks = []
    for f in lane.failovers:
        x = c.num(f.at)
        c.add(
            Line2D(
                [x, x],
                [slot.top + slot.top_pad * 0.2, slot.rows_bottom],
                color="black",
                linewidth=1.2,
                zorder=6,
                gid=c.gid("failover"),
            )
        )
        since = c.num(f.since)
        if f.bracket:
            c.add(
                Line2D(
                    [since, x],
                    [y, y],
                    color="black",
                    linewidth=0.9,
                    marker="|",
                    markersize=5,
                    markevery=[0],  # the old master's last advert; the tick itself marks the other end
                    zorder=6,
                    gid=c.gid("bracket"),
                )
            )
        marks.append(Mark(since, x, f.texts))
    size = FONT - 0.5
    placed = failover_labels(marks, lambda t: c.width(t, size, bold=True), c.inches(0.05), c.x0, c.x1, blocked)
    for p in placed:
        c.text(
            p.label.x,
            y,
            p.label.text,
            ha="left" if p.label.anchor == "start" else "right",
            va="center",
            fontsize=size,
            fontweight="bold",
            zorder=7,
            parse_math=False,
            gid=c.gid("failover-label"),
            bbox=WHITE_BOX,
        )
    return tuple(p.label.text for p in placed)


def _red(c: Canvas, mark: RedMark, slot: Slot) -> tuple[float, float] | None:
    """Draw a red mark; a span's title is returned, as a stretch of the bracket line others keep off."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    x0 = c.num(mark.start)
    x1 = max(c.num(mark.end), x0 + c.inches(0.05))
    gid = c.gid(f"red-{mark.finding.code}")
    if mark.kind == "rule":
        y = slot.rows_bottom + slot.bottom_pad * 0.3
        c.add(Line2D([x0, x1], [y, y], color=RED, linewidth=3.0, solid_capstyle="butt", zorder=6, gid=gid))
        after = x1 + c.inches(0.05)
        fits_after = after + c.width(mark.text, FONT - 1) < c.x1
        c.text(
            after if fits_after else x0 - c.inches(0.05),
            y,
            mark.text,
            ha="left" if fits_after else "right",
            va="center",
            color=RED,
            fontsize=FONT - 1,
            zorder=7,
            parse_math=False,
            bbox=WHITE_BOX,
        )
        return None
    box = (x0, slot.top + 0.06)
    height = slot.height - 0.12
    c.add(Rectangle(box, x1 - x0, height, facecolor=RED, alpha=0.16, edgecolor="none", zorder=2, gid=gid))
    c.add(Rectangle(box, x1 - x0, height, facecolor="none", edgecolor=RED, linewidth=1.4, zorder=6))
    right = x1 - c.inches(0.04)
    c.text(
        right,
        slot.title_y,
        mark.text,
        ha="right",
        va="center",
        color=RED,
        fontsize=FONT,
        fontweight="bold",
        zorder=7,
        parse_math=False,
    )
    return (right - c.width(mark.text, FONT, bold=True), right)
