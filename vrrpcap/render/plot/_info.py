"""What a plot drew, for callers and tests: per lane and per page, and the ids its artists carry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GID_PREFIX = "vrrpcap-"


def artist_kind(gid: str | None) -> str | None:
    """What a drawn artist shows, from its gid: bar, open-edge, open-arrow, bar-label, lane-label,
    failover, bracket, failover-label, capture-edge, legend-router, red-VRRP-SPLIT-BRAIN, ... (None:
    not one of ours)."""
    if not gid or not gid.startswith(GID_PREFIX):
        return None
    return gid[len(GID_PREFIX) :].rsplit("-", 1)[0]


@dataclass(frozen=True, slots=True)
class LaneInfo:
    vr: str
    page: int  # 1-based
    rows: int
    bars: int
    open_bars: int  # bars with an unobserved start or end
    bar_labels: int  # bars wide enough to carry their router/priority label
    named_bars: int  # bars whose router a label names (inside the bar or just beside it)
    failovers: int
    failover_labels: tuple[str, ...]  # the failover labels drawn, left to right
    red: tuple[str, ...]  # finding codes marked in red on this lane, one entry per marker


@dataclass(frozen=True, slots=True)
class PlotInfo:
    files: tuple[Path, ...]
    lanes: tuple[LaneInfo, ...]
    sizes: tuple[tuple[int, int], ...]  # (width, height) in pixels of each page (SVG: at DPI)
    legends: tuple[tuple[str, ...], ...] = ()  # the routers each page's legend names
    clamped: int = 0  # timestamps outside years 1-9999, drawn at the edge of the axis

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
