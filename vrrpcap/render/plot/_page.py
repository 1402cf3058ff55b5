"""A page of the plot: a matplotlib Figure (its Agg canvas used directly, pyplot never touched) with
up to LANES_PER_PAGE lanes, the shared time axis, a title and the legends."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vrrpcap.findings import Severity
from vrrpcap.render.common import clock
from vrrpcap.render.layout import Lane, Layout, clip, layout_of, pages_of
from vrrpcap.render.plot._info import GID_PREFIX, LaneInfo
from vrrpcap.render.plot._lane import Canvas, Drawn, Slot, draw_lane
from vrrpcap.render.plot._legend import RouterLegend, draw_legends, legend_height, router_legend
from vrrpcap.render.plot._style import (
    AXIS_IN,
    BOTTOM_PAD,
    DPI,
    FIG_WIDTH,
    FONT,
    INCH_PER_UNIT,
    LANES_PER_PAGE,
    LEFT_IN,
    MAX_ROWS_PER_PAGE,
    MAX_TICKS,
    MIN_HEIGHT_IN,
    RIGHT_IN,
    SLIM_PAD,
    TOP_AXIS_IN,
    TOP_AXIS_LANES,
    TOP_IN,
    TOP_PAD,
)
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    total: int
    figure: Figure
    lanes: tuple[LaneInfo, ...]
    legend: tuple[str, ...] = ()  # the routers its legend names
    clamped: int = 0  # timestamps outside years 1-9999 (the same on every page)


def draw_pages(
    report: Report,
    lanes_per_page: int = LANES_PER_PAGE,
    numbers: Container[int] | None = None,
    zone: Zone = UTC_ZONE,
) -> Iterator[Page]:
    """Yield one matplotlib Figure per page (Agg canvas attached), with what each lane holds; only
    the pages whose 1-based numbers are in `numbers`, when given. Times are shown in `zone`."""
    layout = layout_of(report, zone)
    pages = pages_of(layout.lanes, max(1, lanes_per_page), MAX_ROWS_PER_PAGE)
    first = 0
    for number, lanes in enumerate(pages, 1):
        if numbers is None or number in numbers:
            yield _page(report, layout, lanes, number, len(pages), first)
        first += len(lanes)


def page_count(report: Report, lanes_per_page: int = LANES_PER_PAGE) -> int:
    return len(pages_of(layout_of(report).lanes, max(1, lanes_per_page), MAX_ROWS_PER_PAGE))


def _slot_pads(lane: Lane) -> tuple[float, float]:
    return (TOP_PAD if lane.marked_above else SLIM_PAD, BOTTOM_PAD if lane.marked_below else SLIM_PAD)


def _page(report: Report, layout: Layout, lanes: list[Lane], number: int, total: int, first: int) -> Page:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    units = sum(sum(_slot_pads(lane)) + lane.rows for lane in lanes) or 2.0
    top_in = TOP_IN + (TOP_AXIS_IN if len(lanes) > TOP_AXIS_LANES else 0.0)
    axes_w = FIG_WIDTH - LEFT_IN - RIGHT_IN
    # Lanes are drawn before the legend is sized (it lists what the lanes could not label), so the
    # figure starts at its height without a router legend and grows at the bottom afterwards.
    bottom_in = AXIS_IN + legend_height(RouterLegend((), (), 0, 1))
    height = max(MIN_HEIGHT_IN, top_in + bottom_in + units * INCH_PER_UNIT)
    fig = Figure(figsize=(FIG_WIDTH, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    axes_h = height - top_in - bottom_in
    ax = fig.add_axes((LEFT_IN / FIG_WIDTH, bottom_in / height, axes_w / FIG_WIDTH, axes_h / height))
    canvas = Canvas(ax, layout.axis, axes_w)
    drawn: list[Drawn] = []
    y = 0.0
    for lane in lanes:
        top_pad, bottom_pad = _slot_pads(lane)
        slot = Slot(y, top_pad, lane.rows, bottom_pad)
        drawn.append(draw_lane(canvas, lane, slot, number))
        y += slot.height
    legend = router_legend(lanes, [n for d in drawn for n in d.named], layout.colours)
    grown = legend_height(legend) - legend_height(RouterLegend((), (), 0, 1))
    if grown > 0:
        new_height = height + grown
        fig.set_size_inches(FIG_WIDTH, new_height)
        ax.set_position(
            (LEFT_IN / FIG_WIDTH, (bottom_in + grown) / new_height, axes_w / FIG_WIDTH, axes_h / new_height)
        )
    _axes(ax, canvas, layout, units, len(lanes) > TOP_AXIS_LANES)
    _titles(fig, report, layout, lanes, number, total, first)
    if not lanes:
        ax.text(0.5, 0.5, "no VRRP adverts in the capture", transform=ax.transAxes, ha="center", va="center")
    draw_legends(fig, legend, f"{GID_PREFIX}legend-router")
    return Page(number, total, fig, tuple(d.info for d in drawn), legend.routers, layout.axis.clamped)


def _axes(ax: Axes, c: Canvas, layout: Layout, units: float, top_axis: bool) -> None:
    from matplotlib.lines import Line2D

    ax.set_xlim(c.x0, c.x1)
    ax.set_ylim(units, 0)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    # Ticks from the shared time axis: placed here, so matplotlib's date machinery (which fails outside
    # years 1-9999) is never asked to locate or format anything.
    ticks = layout.axis.ticks(MAX_TICKS)
    ax.set_xticks([c.num(t.t) for t in ticks], [t.label for t in ticks])
    ax.tick_params(axis="x", labelsize=FONT + 0.5)
    if top_axis:  # a tall page: the clock on top too
        ax.tick_params(axis="x", top=True, labeltop=True)
    ax.grid(axis="x", color="#d9dce1", linewidth=0.6, zorder=0)
    ax.set_axisbelow(True)
    label = f"time ({layout.zone.name}), {layout.axis.days()}"
    if layout.axis.clamped:
        n = layout.axis.clamped
        label += f"   ({n} time{'s' if n != 1 else ''} outside years 1-9999, drawn at the edge)"
    ax.set_xlabel(label, fontsize=FONT + 0.5)
    if layout.window is not None:
        for t in layout.window:
            x = c.num(t)
            ax.add_artist(
                Line2D(
                    [x, x],
                    [0, 1],
                    transform=ax.get_xaxis_transform(),
                    color="#6b7280",
                    linewidth=0.9,
                    linestyle=(0, (2, 2)),
                    zorder=1,
                    gid=c.gid("capture-edge"),
                )
            )


def _titles(
    fig: Figure, report: Report, layout: Layout, lanes: list[Lane], number: int, total: int, first: int
) -> None:
    names = ", ".join(Path(i.path).name for i in layout.facts.inputs) or "no input"
    title = f"VRRP masters: {clip(names, 90)}"
    if total > 1:
        start = first + 1
        every = len(layout.lanes)
        title += f"   (page {number}/{total}: virtual routers {start}-{start + len(lanes) - 1} of {every})"
    fig.text(0.01, 1 - 0.12 / fig.get_figheight(), title, ha="left", va="top", fontsize=FONT + 3, parse_math=False)
    fig.text(
        0.01,
        1 - 0.38 / fig.get_figheight(),
        _subtitle(report, layout),
        ha="left",
        va="top",
        fontsize=FONT,
        color="#4b5563",
        parse_math=False,
    )


def _subtitle(report: Report, layout: Layout) -> str:
    window = layout.facts.window()
    zone = layout.zone
    span = f"capture {clock(window[0], zone=zone)} to {clock(window[1], False, zone)} {zone.name}" if window else ""
    parts = [span or "no packets"]
    vrs = len(report.virtual_routers)
    parts.append(f"{vrs} virtual router{'s' if vrs != 1 else ''}")
    parts.append(f"{report.failovers} failover{'s' if report.failovers != 1 else ''}")
    counts = [
        f"{n} {s.label}{'s' if n != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING) if (n := report.count(s))
    ]
    parts.append("findings: " + (", ".join(counts) if counts else "no errors or warnings"))
    return "   \u00b7   ".join(parts)
