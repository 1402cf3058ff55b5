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

from vrrpcap.errors import ExitCode, VrrpcapError
from vrrpcap.render.layout import RED, RED_CODES, failover_text
from vrrpcap.render.plot._info import LaneInfo, PlotInfo, artist_kind
from vrrpcap.render.plot._page import Page, draw_pages, page_count
from vrrpcap.render.plot._save import Job, page_path, save_in_processes, save_pages, workers_for
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
    report: Report,
    path: Path,
    lanes_per_page: int = LANES_PER_PAGE,
    dpi: int = DPI,
    workers: int | None = None,
    zone: Zone = UTC_ZONE,
) -> PlotInfo:
    """Draw the report's timelines to `path` (.png or .svg), more pages as `stem-N.suffix`.

    `workers`: processes to draw the pages with (None: as many as pays, see _save.py; 1: this one)."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise VrrpcapError(f"{path}: a plot is .png or .svg", ExitCode.USAGE)
    job = Job(report, path, lanes_per_page, dpi, zone)
    pages = page_count(report, lanes_per_page)
    jobs = workers_for(pages, workers)
    saved = save_in_processes(job, pages, jobs) if jobs > 1 else list(save_pages(job))
    return PlotInfo(
        files=tuple(s.file for s in saved),
        lanes=tuple(lane for s in saved for lane in s.lanes),
        sizes=tuple(s.size for s in saved),
        legends=tuple(s.legend for s in saved),
        clamped=saved[0].clamped if saved else 0,
    )
