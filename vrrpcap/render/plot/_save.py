"""Pages to files: drawn here in this process, or spread over worker processes when there are many.

Drawing text is most of a page's cost and pages are independent, so a plot of many pages is drawn by
up to MAX_WORKERS forked processes, each drawing every n-th page of the same report (pages come out
byte for byte the same either way). Only where forking is safe and worth it: the "fork" start method
exists, this process runs no other thread, more than one CPU is ours, and there are at least
PARALLEL_PAGES pages.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Container, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vrrpcap.errors import InputUnavailable
from vrrpcap.render.plot._info import LaneInfo
from vrrpcap.render.plot._page import draw_pages
from vrrpcap.report import Report
from vrrpcap.times import UTC_ZONE, Zone

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_WORKERS = 4
PARALLEL_PAGES = 3


@dataclass(frozen=True, slots=True)
class Saved:
    number: int
    file: Path
    size: tuple[int, int]  # pixels (SVG: at the dpi)
    lanes: tuple[LaneInfo, ...]
    legend: tuple[str, ...]
    clamped: int


@dataclass(frozen=True, slots=True)
class Job:
    report: Report
    path: Path
    lanes_per_page: int
    dpi: int
    zone: Zone = UTC_ZONE


def save_pages(job: Job, numbers: Container[int] | None = None) -> Iterator[Saved]:
    suffix = job.path.suffix.lower()
    for page in draw_pages(job.report, job.lanes_per_page, numbers, job.zone):
        target = page_path(job.path, page.number)
        try:
            with _rc():
                if suffix == ".png":
                    _save_png(page.figure, target, job.dpi)
                else:  # reproducible: no creation date, no software version in the file
                    metadata = {"Date": None, "Creator": "vrrpcap"}
                    page.figure.savefig(target, dpi=job.dpi, format="svg", metadata=metadata)
        except OSError as exc:
            raise InputUnavailable(f"{target}: cannot write ({exc.strerror})") from None
        width, height = page.figure.get_size_inches()
        size = (int(width * job.dpi), int(height * job.dpi))  # as Agg sizes its canvas
        page.figure.clear()
        yield Saved(page.number, target, size, page.lanes, page.legend, page.clamped)


def page_path(path: Path, page: int) -> Path:
    return path if page == 1 else path.with_name(f"{path.stem}-{page}{path.suffix}")


def workers_for(pages: int, workers: int | None) -> int:
    """How many processes to draw with (1: here, in this process)."""
    if workers is not None:
        return max(1, min(workers, pages))
    import multiprocessing

    if pages < PARALLEL_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:  # forking a threaded process can deadlock the child
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, pages, MAX_WORKERS))


# The job of the forked workers: set before the pool forks, so the report is inherited, not pickled.
_job: Job | None = None


def save_in_processes(job: Job, pages: int, workers: int) -> list[Saved]:
    import multiprocessing

    global _job
    shares = [range(first, pages + 1, workers) for first in range(1, workers + 1)]  # every n-th page
    _job = job
    for stream in (sys.stdout, sys.stderr):  # a child flushes what it inherited: nothing, then
        if stream is not None:
            stream.flush()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            done = pool.map(_save_share, shares)
    finally:
        _job = None
    return sorted((s for share in done for s in share), key=lambda s: s.number)


def _save_share(numbers: range) -> list[Saved]:
    assert _job is not None, "a worker without a job"
    return list(save_pages(_job, numbers))


def _rc() -> AbstractContextManager[object]:
    import matplotlib

    # Glyphs without the font's hinting: text is most of a page's drawing time, and unhinted glyphs
    # render in about half of it, at no visible cost at this size and resolution.
    return matplotlib.rc_context({"text.hinting": "no_hinting"})


def _save_png(fig: Figure, target: Path, dpi: int) -> None:
    """The page as an opaque PNG: matplotlib's own PNG keeps an alpha channel the white page does not
    need; as RGB at zlib level 3 a page encodes in 60% of the time, to a slightly smaller file."""
    from PIL import Image, PngImagePlugin

    fig.set_dpi(dpi)
    fig.canvas.draw()
    width, height = fig.canvas.get_width_height(physical=True)
    rgba = fig.canvas.buffer_rgba()  # type: ignore[attr-defined]
    image = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1)
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "vrrpcap")  # and no version or date: the file is reproducible
    image.convert("RGB").save(target, format="png", pnginfo=info, dpi=(dpi, dpi), compress_level=3)
