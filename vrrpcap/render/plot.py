"""Mastership timelines as pictures (PNG or SVG): one lane per virtual router, drawn with matplotlib.

Everything drawn comes from the Report; nothing here looks at packets or decides anything. What is on a
page:

- a lane per virtual router, labelled with its id and VIPs; its mastership intervals are bars coloured
  by router (one colour per router address across the whole report), labelled with the router's
  address and advertised priority. Bars that overlap in time (two masters at once) are stacked in
  rows inside the lane.
- a bar whose start or end the capture did not see (the router was master before the capture began,
  or still master when it ended) fades out towards that edge and has an arrow beyond it.
- a failover is a black tick at the new master's first advert with a bracket back to the old master's
  last advert, labelled with the cause and the takeover latency.
- in red: split brain and VRID collision as shaded spans over the lane, missed adverts as a red rule
  under the lane from the first gap to the last (the report keeps that range, not each gap).
- the x axis is UTC clock time; all pages share it, so pages line up.

Many virtual routers: LANES_PER_PAGE lanes a page (and a bounded number of rows). `out.png` holds the
first page, `out-2.png`, `out-3.png`, ... the rest. matplotlib is imported when a picture is drawn, and
its Agg canvas is used directly (pyplot and its global backend are never touched).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from vrrpcap.errors import ExitCode, OutputFailed, VrrpcapError
from vrrpcap.findings import Finding, Severity
from vrrpcap.render.common import clock
from vrrpcap.report import Report
from vrrpcap.report.model import Failover, Mastership, VirtualRouter

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

LANES_PER_PAGE = 25
MAX_ROWS_PER_PAGE = 40  # stacked rows (overlapping masters) a page holds before it breaks early
MAX_ROWS_PER_LANE = 6  # more simultaneous masters than this share the last row
SUFFIXES = (".png", ".svg")

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
SPAN_CODES = ("VRRP-SPLIT-BRAIN", "VRRP-VRID-COLLISION")
RULE_CODES = ("VRRP-MISSED-ADVERTS",)
RED_CODES = SPAN_CODES + RULE_CODES
RED_TITLES = {
    "VRRP-SPLIT-BRAIN": "SPLIT BRAIN",
    "VRRP-VRID-COLLISION": "VRID COLLISION",
    "VRRP-MISSED-ADVERTS": "missed adverts",
}

# Lane geometry, in data units of the y axis (1 = one row of bars).
TOP_PAD = 0.75  # failover brackets and labels, split brain / collision titles
BOTTOM_PAD = 0.5  # missed-advert rules
SLIM_PAD = 0.22  # above or below the bars of a lane with nothing to mark there
BAR_HEIGHT = 0.64
INCH_PER_UNIT = 0.3
FIG_WIDTH = 15.0  # inches
LEFT_IN, RIGHT_IN, TOP_IN, BOTTOM_IN = 2.9, 0.35, 0.7, 1.15
TOP_AXIS_LANES, TOP_AXIS_IN = 6, 0.25  # pages with more lanes repeat the time axis on top
DPI = 100
FONT = 8.5


# -- what was drawn ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LaneInfo:
    vr: str
    page: int  # 1-based
    rows: int
    bars: int
    open_bars: int  # bars with an unobserved start or end
    bar_labels: int  # bars wide enough to carry their router/priority label
    failovers: int
    red: tuple[str, ...]  # finding codes marked in red on this lane, one entry per marker


@dataclass(frozen=True, slots=True)
class PlotInfo:
    files: tuple[Path, ...]
    lanes: tuple[LaneInfo, ...]
    sizes: tuple[tuple[int, int], ...]  # (width, height) in pixels of each page (SVG: at DPI)

    @property
    def pages(self) -> int:
        return len(self.files)

    @property
    def bars(self) -> int:
        return sum(lane.bars for lane in self.lanes)

    @property
    def open_bars(self) -> int:
        return sum(lane.open_bars for lane in self.lanes)

    @property
    def failover_markers(self) -> int:
        return sum(lane.failovers for lane in self.lanes)

    @property
    def red_markers(self) -> int:
        return sum(len(lane.red) for lane in self.lanes)

    def lane(self, vr: str) -> LaneInfo:
        return next(lane for lane in self.lanes if lane.vr == vr)


# -- layout helpers shared with the HTML report (no matplotlib) --------------------------------------


def address_key(address: str) -> tuple[int, int, str]:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (9, 0, address)
    return (ip.version, int(ip), "")


def router_colours(report: Report) -> dict[str, str]:
    """One colour per router address, stable for a given report (addresses in numeric order)."""
    addresses = {r.address for vr in report.virtual_routers for r in vr.routers}
    addresses |= {m.router for vr in report.virtual_routers for m in vr.masters}
    ordered = sorted(addresses, key=address_key)
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(ordered)}


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


def time_extent(report: Report) -> tuple[float, float] | None:
    times = [t for i in report.inputs for t in (i.first_time, i.last_time) if t is not None]
    times += [t for vr in report.virtual_routers for t in (vr.first_seen, vr.last_seen)]
    if not times:
        return None
    return min(times), max(times)


def capture_window(report: Report) -> tuple[float, float] | None:
    firsts = [i.first_time for i in report.inputs if i.first_time is not None]
    lasts = [i.last_time for i in report.inputs if i.last_time is not None]
    return (min(firsts), max(lasts)) if firsts and lasts else None


def priority_text(m: Mastership) -> str:
    if m.priority_min == m.priority_max:
        return f"prio {m.priority_max}"
    if m.end_cause == "priority-0" and m.priority_min == 0:
        return f"prio {m.priority_max} \u2192 0"  # resigned: its last advert said priority 0
    return f"prio {m.priority_min}-{m.priority_max}"


def failover_text(f: Failover) -> str:
    latency = "" if f.takeover_s is None else f": {f.takeover_s:.2f} s takeover"
    return f"{f.cause}{latency}"


def red_text(f: Finding) -> str:
    title = RED_TITLES.get(f.code, f.code)
    if f.code == "VRRP-MISSED-ADVERTS":
        if f.severity >= Severity.ERROR:
            return f"no master ({f.count}x)"
        return f"{title}: {f.count} gap(s)"
    if f.start is not None and f.end is not None and f.end > f.start:
        return f"{title} {f.end - f.start:.1f} s"
    return title


def lane_title(vr: VirtualRouter, width: int = 40) -> str:
    vips = ", ".join(vr.vips) if vr.vips else "no VIPs"
    return f"{_clip(vr.id, width)}\n{_clip(vips, width)}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())  # no control characters or line breaks from the capture
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def pages_of(report: Report, rows: dict[str, int], lanes_per_page: int) -> list[list[VirtualRouter]]:
    pages: list[list[VirtualRouter]] = []
    current: list[VirtualRouter] = []
    used = 0
    for vr in report.virtual_routers:
        need = rows[vr.id]
        if current and (len(current) >= lanes_per_page or used + need > MAX_ROWS_PER_PAGE):
            pages.append(current)
            current, used = [], 0
        current.append(vr)
        used += need
    if current or not pages:
        pages.append(current)
    return pages


def page_path(path: Path, page: int) -> Path:
    return path if page == 1 else path.with_name(f"{path.stem}-{page}{path.suffix}")


GID_PREFIX = "vrrpcap-"


def artist_kind(gid: str | None) -> str | None:
    """What a drawn artist shows, from its gid: bar, open-edge, open-arrow, bar-label, lane-label,
    failover, failover-label, capture-edge, red-VRRP-SPLIT-BRAIN, ... (None: not one of ours)."""
    if not gid or not gid.startswith(GID_PREFIX):
        return None
    return gid[len(GID_PREFIX) :].rsplit("-", 1)[0]


# -- drawing -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    total: int
    figure: Figure
    lanes: tuple[LaneInfo, ...]


def render_plot(report: Report, path: Path, lanes_per_page: int = LANES_PER_PAGE, dpi: int = DPI) -> PlotInfo:
    """Draw the report's timelines to `path` (.png or .svg), more pages as `stem-N.suffix`."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise VrrpcapError(f"{path}: a plot is .png or .svg", ExitCode.USAGE)
    files: list[Path] = []
    lanes: list[LaneInfo] = []
    sizes: list[tuple[int, int]] = []
    for page in draw_pages(report, lanes_per_page):
        target = page_path(path, page.number)
        try:
            page.figure.savefig(target, dpi=dpi, format=path.suffix.lower()[1:], metadata=_metadata(path))
        except OSError as exc:
            raise OutputFailed(f"{target}: cannot write ({exc.strerror})") from None
        width, height = page.figure.get_size_inches()
        sizes.append((int(width * dpi), int(height * dpi)))  # as Agg sizes its canvas
        files.append(target)
        lanes.extend(page.lanes)
        page.figure.clear()
    return PlotInfo(tuple(files), tuple(lanes), tuple(sizes))


def _metadata(path: Path) -> dict[str, str | None]:
    # Reproducible files: no creation date, no software version stamped into the picture.
    if path.suffix.lower() == ".svg":
        return {"Date": None, "Creator": "vrrpcap"}
    return {"Software": "vrrpcap"}


def draw_pages(report: Report, lanes_per_page: int = LANES_PER_PAGE) -> Iterator[Page]:
    """Yield one matplotlib Figure per page (Agg canvas attached), with what each lane holds."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    colours = router_colours(report)
    marks = lane_findings(report)
    row_of = {vr.id: pack_rows(vr.masters) for vr in report.virtual_routers}
    rows = {vid: (max(r) + 1 if r else 1) for vid, r in row_of.items()}
    pages = pages_of(report, rows, max(1, lanes_per_page))
    extent = time_extent(report)
    pads = {vr.id: _pads(vr, marks.get(vr.id, [])) for vr in report.virtual_routers}
    first_index = 0
    for number, vrs in enumerate(pages, 1):
        units = sum(pads[v.id][0] + rows[v.id] + pads[v.id][1] for v in vrs) or 2.0
        top_in = TOP_IN + (TOP_AXIS_IN if len(vrs) > TOP_AXIS_LANES else 0.0)
        height = max(3.4, top_in + BOTTOM_IN + units * INCH_PER_UNIT)
        fig = Figure(figsize=(FIG_WIDTH, height), dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)
        axes_w = FIG_WIDTH - LEFT_IN - RIGHT_IN
        axes_h = height - top_in - BOTTOM_IN
        ax = fig.add_axes((LEFT_IN / FIG_WIDTH, BOTTOM_IN / height, axes_w / FIG_WIDTH, axes_h / height))
        painter = _Painter(ax, colours, extent, axes_w)
        infos = []
        y = 0.0
        for index, vr in enumerate(vrs):
            top_pad, bottom_pad = pads[vr.id]
            lane = _Lane(y, top_pad, rows[vr.id], bottom_pad)
            infos.append(painter.lane(vr, lane, row_of[vr.id], marks.get(vr.id, []), number, index))
            y += lane.height
        painter.finish(units, report, vrs, first_index, number, len(pages), fig)
        first_index += len(vrs)
        yield Page(number, len(pages), fig, tuple(infos))


def _pads(vr: VirtualRouter, findings: list[Finding]) -> tuple[float, float]:
    top = vr.failovers or any(f.code in SPAN_CODES for f in findings)
    bottom = any(f.code in RULE_CODES for f in findings)
    return (TOP_PAD if top else SLIM_PAD, BOTTOM_PAD if bottom else SLIM_PAD)


@dataclass(frozen=True, slots=True)
class _Lane:
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
        """Where failover and red span titles sit: the middle of the top pad."""
        return self.top + self.top_pad * 0.45


class _Painter:
    def __init__(self, ax: Axes, colours: dict[str, str], extent: tuple[float, float] | None, width_in: float):
        import matplotlib.dates as mdates

        self.ax = ax
        self.colours = colours
        if extent is None:
            extent = (0.0, 10.0)
        t0, t1 = extent
        if t1 - t0 < 6.0:  # at least six seconds on the axis: single adverts stay visible
            mid = (t0 + t1) / 2
            t0, t1 = mid - 3.0, mid + 3.0
        pad = (t1 - t0) * 0.02
        self.t0, self.t1 = t0 - pad, t1 + pad
        self.offset = float(mdates.date2num(datetime(1970, 1, 1, tzinfo=UTC)))  # type: ignore[no-untyped-call,unused-ignore]
        self.x0, self.x1 = self.num(self.t0), self.num(self.t1)
        self.per_inch = (self.x1 - self.x0) / width_in  # data units (days) per inch of axes width
        self.routers_on_page: list[str] = []
        self.sequence = 0

    def gid(self, kind: str) -> str:
        """A unique id for an artist (SVG element id) that says what it shows: see artist_kind()."""
        self.sequence += 1
        return f"{GID_PREFIX}{kind}-{self.sequence}"

    def num(self, epoch: float) -> float:
        """Epoch seconds -> matplotlib date number (days since matplotlib's date epoch)."""
        return epoch / 86400.0 + self.offset

    def text_width(self, text: str, size: float = FONT) -> float:
        """An estimate of a label's width in data units (DejaVu Sans averages ~0.6 em a character)."""
        return len(text) * size * 0.6 / 72 * self.per_inch

    def lane(
        self,
        vr: VirtualRouter,
        lane: _Lane,
        rows: list[int],
        findings: list[Finding],
        page: int,
        index: int,
    ) -> LaneInfo:
        from matplotlib.patches import Rectangle

        ax = self.ax
        top, height = lane.top, lane.height
        if index % 2:
            ax.add_patch(
                Rectangle((self.x0, top), self.x1 - self.x0, height, facecolor="#f3f5f8", edgecolor="none", zorder=0)
            )
        ax.axhline(top + height, color="#c8ccd2", linewidth=0.6, zorder=1)
        ax.text(
            -0.01,
            top + height / 2,
            lane_title(vr),
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=FONT,
            family="DejaVu Sans Mono",
            parse_math=False,
            gid=self.gid("lane-label"),
        )
        bars = open_bars = labels = 0
        for m, row in zip(vr.masters, rows, strict=True):
            open_edge, labelled = self.bar(m, lane.rows_top + row)
            bars += 1
            open_bars += open_edge
            labels += labelled
        failovers = self.failovers(vr, lane)
        red = []
        for f in findings:
            self.red(f, lane)
            red.append(f.code)
        return LaneInfo(vr.id, page, lane.rows, bars, open_bars, labels, failovers, tuple(red))

    def bar(self, m: Mastership, row_y: float) -> tuple[bool, bool]:
        from matplotlib.patches import Rectangle

        ax = self.ax
        colour = self.colours.get(m.router, PALETTE[0])
        if m.router not in self.routers_on_page:
            self.routers_on_page.append(m.router)
        x0, x1 = self.num(m.start), self.num(m.end)
        min_w = 0.06 * self.per_inch  # a single advert still shows as a sliver...
        sliver = x1 - x0 < min_w
        if sliver:
            x1 = x0 + min_w
        y = row_y + (1 - BAR_HEIGHT) / 2
        ax.add_patch(
            Rectangle(
                (x0, y),
                x1 - x0,
                BAR_HEIGHT,
                facecolor=colour,
                edgecolor="#333333",
                linewidth=0.5,
                zorder=3.8 if sliver else 3,  # ...drawn over the neighbour it touches
                gid=self.gid("bar"),
            )
        )
        open_edge = not m.start_observed or not m.end_observed
        fade = min((x1 - x0) * 0.3, 0.5 * self.per_inch)
        for observed, edge, direction in ((m.start_observed, x0, 1), (m.end_observed, x1, -1)):
            if observed:
                continue
            steps = 10
            for k in range(steps):  # white veils, densest at the edge: the bar fades out
                alpha = 0.7 * (1 - k / steps)
                left = edge + direction * fade * k / steps
                if direction < 0:
                    left -= fade / steps
                ax.add_patch(
                    Rectangle(
                        (left, y),
                        fade / steps,
                        BAR_HEIGHT,
                        facecolor="white",
                        edgecolor="none",
                        alpha=alpha,
                        zorder=3.5,
                        gid=self.gid("open-edge"),
                    )
                )
            ax.text(
                edge - direction * 0.02 * self.per_inch,
                y + BAR_HEIGHT / 2,
                "\u25c0" if direction > 0 else "\u25b6",
                ha="right" if direction > 0 else "left",
                va="center",
                fontsize=FONT - 1,
                color=colour,
                zorder=4,
                gid=self.gid("open-arrow"),
            )
        label = f"{m.router}  {priority_text(m)}"
        labelled = self.text_width(label) + 0.1 * self.per_inch < x1 - x0
        if labelled:
            ax.text(
                (x0 + x1) / 2,
                y + BAR_HEIGHT / 2,
                label,
                ha="center",
                va="center",
                fontsize=FONT,
                color=_ink_on(colour),
                zorder=5,
                parse_math=False,
                gid=self.gid("bar-label"),
            )
        return open_edge, labelled

    def failovers(self, vr: VirtualRouter, lane: _Lane) -> int:
        ax = self.ax
        count = 0
        free_from = self.x0  # labels to the left of here would overlap the previous one
        shown: Text | None = None  # the last label drawn, and how many after it had no room
        shown_text = ""
        hidden = 0
        for f in vr.failovers:
            x = self.num(f.time)
            ax.plot(
                [x, x],
                [lane.top + lane.top_pad * 0.2, lane.rows_bottom],
                color="black",
                linewidth=1.2,
                zorder=6,
                gid=self.gid("failover"),
            )
            count += 1
            y = lane.title_y
            start = x
            if f.takeover_s is not None and f.takeover_s > 0:
                start = self.num(f.time - f.takeover_s)
                ax.annotate(
                    "",
                    xy=(x, y),
                    xytext=(start, y),
                    arrowprops={"arrowstyle": "|-|,widthA=0.25,widthB=0.25", "color": "black", "linewidth": 0.9},
                    zorder=6,
                )
            text = failover_text(f)
            left = x + 0.05 * self.per_inch
            if shown is not None and left < free_from:
                # No room: the previous label says how many more failovers its neighbourhood holds.
                hidden += 1
                more = f"{shown_text} (+{hidden} more)"
                shown.set_text(more)
                free_from = shown.get_position()[0] + self.text_width(more, FONT - 0.5) + 0.1 * self.per_inch
                continue
            hidden, shown_text = 0, text
            shown = ax.text(
                left,
                lane.title_y,
                text,
                ha="left",
                va="center",
                fontsize=FONT - 0.5,
                fontweight="bold",
                zorder=7,
                parse_math=False,
                gid=self.gid("failover-label"),
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
            free_from = left + self.text_width(text, FONT - 0.5) + 0.1 * self.per_inch
        return count

    def red(self, f: Finding, lane: _Lane) -> None:
        from matplotlib.patches import Rectangle

        ax = self.ax
        assert f.start is not None
        x0 = self.num(f.start)
        x1 = max(self.num(f.end if f.end is not None else f.start), x0 + 0.05 * self.per_inch)
        if f.code in RULE_CODES:
            y = lane.rows_bottom + lane.bottom_pad * 0.3
            ax.plot(
                [x0, x1],
                [y, y],
                color=RED,
                linewidth=3.0,
                solid_capstyle="butt",
                zorder=6,
                gid=self.gid(f"red-{f.code}"),
            )
            text = red_text(f)
            after = x1 + 0.05 * self.per_inch
            fits_after = after + self.text_width(text, FONT - 1) < self.x1
            ax.text(
                after if fits_after else x0 - 0.05 * self.per_inch,
                y,
                text,
                ha="left" if fits_after else "right",
                va="center",
                color=RED,
                fontsize=FONT - 1,
                zorder=7,
                parse_math=False,
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
            return
        ax.add_patch(
            Rectangle(
                (x0, lane.top + 0.06),
                x1 - x0,
                lane.height - 0.12,
                facecolor=RED,
                alpha=0.16,
                edgecolor="none",
                zorder=2,
                gid=self.gid(f"red-{f.code}"),
            )
        )
        ax.add_patch(
            Rectangle(
                (x0, lane.top + 0.06),
                x1 - x0,
                lane.height - 0.12,
                facecolor="none",
                edgecolor=RED,
                linewidth=1.4,
                zorder=6,
            )
        )
        ax.text(
            x1 - 0.04 * self.per_inch,
            lane.title_y,
            red_text(f),
            ha="right",
            va="center",
            color=RED,
            fontsize=FONT,
            fontweight="bold",
            zorder=7,
            parse_math=False,
        )

    def finish(
        self,
        units: float,
        report: Report,
        vrs: list[VirtualRouter],
        first_index: int,
        number: int,
        total: int,
        fig: Figure,
    ) -> None:
        import matplotlib.dates as mdates
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        ax = self.ax
        ax.set_xlim(self.x0, self.x1)
        ax.set_ylim(units, 0)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        locator = mdates.AutoDateLocator(tz=UTC, minticks=5, maxticks=14)  # type: ignore[no-untyped-call,unused-ignore]
        ax.xaxis.set_major_locator(locator)
        span_days = self.x1 - self.x0
        fmt = "%H:%M:%S" if span_days <= 2 else "%m-%d %H:%M"
        formatter = mdates.DateFormatter(fmt, tz=UTC)  # type: ignore[no-untyped-call,unused-ignore]
        ax.xaxis.set_major_formatter(formatter)
        ax.tick_params(axis="x", labelsize=FONT + 0.5)
        if len(vrs) > TOP_AXIS_LANES:  # a tall page: the clock on top too
            ax.tick_params(axis="x", top=True, labeltop=True)
        ax.grid(axis="x", color="#d9dce1", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        first, last = (_day(t) for t in (self.t0, self.t1))
        ax.set_xlabel(f"time (UTC), {first}" + (f" to {last}" if last != first else ""), fontsize=FONT + 0.5)
        window = capture_window(report)
        if window is not None:
            for t in window:
                ax.axvline(
                    self.num(t),
                    color="#6b7280",
                    linewidth=0.9,
                    linestyle=(0, (2, 2)),
                    zorder=1,
                    gid=self.gid("capture-edge"),
                )
        if not vrs:
            ax.text(0.5, 0.5, "no VRRP adverts in the capture", transform=ax.transAxes, ha="center", va="center")
        names = ", ".join(Path(str(i.path)).name for i in report.inputs) or "no input"
        title = f"VRRP masters: {_clip(names, 90)}"
        all_vrs = len(report.virtual_routers)
        if total > 1:
            start = first_index + 1
            title += f"   (page {number}/{total}: virtual routers {start}-{start + len(vrs) - 1} of {all_vrs})"
        fig.text(0.01, 1 - 0.12 / fig.get_figheight(), title, ha="left", va="top", fontsize=FONT + 3, parse_math=False)
        fig.text(
            0.01,
            1 - 0.38 / fig.get_figheight(),
            _subtitle(report),
            ha="left",
            va="top",
            fontsize=FONT,
            color="#4b5563",
            parse_math=False,
        )
        handles: list[Patch | Line2D] = []
        if len(self.routers_on_page) <= 8:
            handles += [
                Patch(facecolor=self.colours.get(r, PALETTE[0]), edgecolor="#333333", label=r)
                for r in self.routers_on_page
            ]
        handles += [
            Line2D(
                [],
                [],
                color="#6b7280",
                marker=">",
                linestyle="none",
                markersize=5,
                label="faded end \u25c0 \u25b6: master before the capture began / after it ended",
            ),
            Line2D(
                [], [], color="black", linewidth=1.2, label="failover: cause, old master's last advert to new's first"
            ),
            Patch(facecolor=(0.84, 0.15, 0.16, 0.16), edgecolor=RED, label="split brain / VRID collision"),
            Line2D([], [], color=RED, linewidth=3.0, label="missed adverts (first to last gap)"),
            Line2D([], [], color="#6b7280", linewidth=0.9, linestyle=(0, (2, 2)), label="capture start / end"),
        ]
        legend = fig.legend(
            handles=handles,
            loc="lower center",
            ncol=min(len(handles), 4),
            fontsize=FONT,
            frameon=False,
            bbox_to_anchor=(0.5, 0.0),
        )
        for entry in legend.get_texts():
            entry.set_parse_math(False)


def _subtitle(report: Report) -> str:
    window = capture_window(report)
    parts = [f"capture {clock(window[0])} to {clock(window[1], date=False)} UTC" if window else "no packets"]
    vrs = len(report.virtual_routers)
    parts.append(f"{vrs} virtual router{'s' if vrs != 1 else ''}")
    parts.append(f"{report.failovers} failover{'s' if report.failovers != 1 else ''}")
    counts = [
        f"{n} {s.label}{'s' if n != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING) if (n := report.count(s))
    ]
    parts.append("findings: " + (", ".join(counts) if counts else "no errors or warnings"))
    return "   \u00b7   ".join(parts)


def _day(epoch: float) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")
    except (ValueError, OSError, OverflowError):
        return "?"


def _ink_on(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"
