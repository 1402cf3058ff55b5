"""Mastership timelines as pictures (PNG or SVG): one lane per virtual router, drawn with matplotlib.

Everything drawn comes from the Report, arranged by the layout model the HTML report shares
(vrrpcap/render/layout.py, labels.py, timeaxis.py); nothing here looks at packets or decides anything.
What is on a page:

- a lane per virtual router, labelled with its id and VIPs; its mastership intervals are bars coloured
  by router (one colour per router address across the whole report), labelled with the router's
  address and advertised priority, or just the address (inside, or beside a bar too short for it).
  Bars that overlap in time (two masters at once) are stacked in rows inside the lane.
- a bar whose start or end the capture did not see fades out towards that edge, with an arrow.
- a failover is a black tick at the new master's first advert with a bracket back to the old master's
  last advert, labelled with the cause and the takeover latency; a label never covers another
  failover's bracket: where there is no room, the next label says "(+N more)".
- in red: split brain and VRID collision as shaded spans over the lane, missed adverts as a red rule
  under the lane from the first gap to the last (the report keeps that range, not each gap).
- the x axis is clock time in the chosen zone (UTC unless `--tz` says otherwise); all pages share it,
  so pages line up. Timestamps outside years 1-9999 are drawn at the edge of that range and the axis
  title says how many.
- under it, which router each colour is (every router of the page when there are at most 8, else
  those some bar on the page does not name), and what the marks mean.

Many virtual routers: LANES_PER_PAGE lanes a page (and a bounded number of rows). `out.png` holds the
first page, `out-2.png`, `out-3.png`, ... the rest. matplotlib is imported when a picture is drawn.
"""

from __future__ import annotations

from pathlib import Path

from vrrpcap.errors import ExitCode, InputUnavailable, VrrpcapError
from vrrpcap.render.layout import RED, RED_CODES, failover_text
from vrrpcap.render.plot._info import LaneInfo, PlotInfo, artist_kind
from vrrpcap.render.plot._page import Page, draw_pages
from vrrpcap.render.plot._style import DPI, LANES_PER_PAGE, SUFFIXES
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone

__all__ = [
    "DPI",
    "LANES_PER_PAGE",
    "RED",
    "RED_CODES",
    "SUFFIXES",
    "LaneInfo",
    "Page",
    "PlotInfo",
    "artist_kind",
    "draw_pages",
    "failover_text",
    "page_path",
    "render_plot",
]


def render_plot(
    report: Report, path: Path, lanes_per_page: int = LANES_PER_PAGE, dpi: int = DPI, zone: Zone = UTC_ZONE
) -> PlotInfo:
    """Draw the report's timelines to `path` (.png or .svg), more pages as `stem-N.suffix`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise VrrpcapError(f"{path}: a plot is .png or .svg", ExitCode.USAGE)
    files: list[Path] = []
    lanes: list[LaneInfo] = []
    sizes: list[tuple[int, int]] = []
    legends: list[tuple[str, ...]] = []
    clamped = 0
    for page in draw_pages(report, lanes_per_page, zone):
        target = page_path(path, page.number)
        try:
            page.figure.savefig(target, dpi=dpi, format=suffix[1:], metadata=_metadata(suffix))
        except OSError as exc:
            raise InputUnavailable(f"{target}: cannot write ({exc.strerror})") from None
        width, height = page.figure.get_size_inches()
        sizes.append((int(width * dpi), int(height * dpi)))  # as Agg sizes its canvas
        files.append(target)
        lanes.extend(page.lanes)
        legends.append(page.legend)
        clamped = page.clamped
        page.figure.clear()
    return PlotInfo(tuple(files), tuple(lanes), tuple(sizes), tuple(legends), clamped)


def page_path(path: Path, page: int) -> Path:
    return path if page == 1 else path.with_name(f"{path.stem}-{page}{path.suffix}")


def _metadata(suffix: str) -> dict[str, str | None]:
    # Reproducible files: no creation date, no software version stamped into the picture.
    if suffix == ".svg":
        return {"Date": None, "Creator": "vrrpcap"}
    return {"Software": "vrrpcap"}
