"""The one place the commands turn capture files into adverts and a report, and a report into an exit code.

`advert_stream` (decode), `analyze_files` (audit, timeline, report) and `measure_files` (audit's metrics
formats) are the command line's only
wiring of captures -> decoder -> engine (vrrpcap/pipeline.py); nothing else in vrrpcap.cli opens a capture. The capture
readers, the analyzer and rich are imported when a command runs, not when `--help` is shown.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vrrpcap.cli.outputs import stderr_is_terminal, warn
from vrrpcap.errors import ExitCode, Interrupted

if TYPE_CHECKING:
    from vrrpcap.analysis import Options
    from vrrpcap.findings import Severity
    from vrrpcap.frames.choose import ReaderChoice
    from vrrpcap.pipeline import AdvertStream
    from vrrpcap.report import Report


# Below this much input, starting worker processes costs more than they save (-j not given).
PARALLEL_FROM_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Analysis:
    report: Report
    damaged: bool  # a capture was truncated or inconsistent: what came before the damage is in the report
    resolution: float = 1e-6  # the finest timestamp resolution of the inputs (seconds)


@contextmanager
def advert_stream(
    files: Sequence[str], progress: bool | None, reader: ReaderChoice = "auto", vantages: Sequence[str] = ()
) -> Iterator[AdvertStream]:
    """The adverts of the captures merged by time (aligned when ``vantages`` names them), with a progress
    bar on a terminal's stderr."""
    from vrrpcap.frames import CaptureSet
    from vrrpcap.pipeline import AdvertStream

    show = stderr_is_terminal() if progress is None else progress
    with CaptureSet(list(files), reader=reader) as captures:
        total = sum(r.size or 0 for r in captures.readers)
        if not show or not total:
            yield AdvertStream(captures, vantages=vantages)
            return
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            transient=True,
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("reading", total=total)

            def advance() -> None:
                bar.update(task, completed=sum(r.position() for r in captures.readers))

            yield AdvertStream(captures, progress=advance, vantages=vantages)


def warn_problems(stream: AdvertStream) -> None:
    for line in stream.captures.problems():
        warn(line)


def processes(files: Sequence[str], jobs: int | None, reader: ReaderChoice = "auto") -> int:
    """How many processes audit the files: -j as given; else the cores for large inputs where sharding
    pays (`sharding_pays`), 1 for the rest. stdin is read by this process alone."""
    if "-" in files:
        return 1
    if jobs is not None:
        return jobs
    total = 0
    for name in files:
        with contextlib.suppress(OSError):
            total += os.path.getsize(name)
    if total < PARALLEL_FROM_BYTES:
        return 1
    from vrrpcap.parallel.runner import cores, sharding_pays

    return cores() if sharding_pays(files, reader) else 1


def analyze_files(
    files: Sequence[str],
    options: Options,
    progress: bool | None,
    jobs: int | None = 1,
    reader: ReaderChoice = "auto",
    vantages: Sequence[str] = (),
) -> Analysis:
    """Read the captures (merged by time) through the pipeline; the problems the readers met are warnings.
    With more than one process the audit is sharded (vrrpcap/parallel/): the report is the same.
    Captures of one segment from several vantage points (``vantages`` names them) are aligned in one."""
    from vrrpcap.pipeline import Pipeline

    workers = 1 if vantages else processes(files, jobs, reader)
    if workers > 1:
        from vrrpcap.parallel.runner import audit_files

        try:
            sharded = audit_files(files, options, workers, reader)
        except KeyboardInterrupt:
            raise Interrupted() from None
        for line in sharded.problems:
            warn(line)
        return Analysis(sharded.report, sharded.damaged, sharded.resolution)
    with advert_stream(files, progress, reader, vantages) as stream:
        try:
            report = Pipeline(options).run(stream)
        except KeyboardInterrupt:
            raise Interrupted() from None
        warn_problems(stream)
        return Analysis(report, stream.captures.damaged, stream.captures.resolution())


def measure_files(
    files: Sequence[str],
    options: Options,
    progress: bool | None,
    openmetrics: bool,
    ignored: frozenset[str],
    vrids: frozenset[int],
) -> tuple[str, Analysis]:
    """The captures' metrics, as `live --metrics` would have served them at the capture's end."""
    from vrrpcap.metrics.textfile import measure

    with advert_stream(files, progress) as stream:
        try:
            measured = measure(stream, options, openmetrics, ignored, vrids)
        except KeyboardInterrupt:
            raise Interrupted() from None
        warn_problems(stream)
        return measured.text, Analysis(measured.report, stream.captures.damaged)


def verdict(report: Report, damaged: bool, gate: Severity | None) -> ExitCode:
    """The exit code of an analysis: a damaged capture first, then a finding at or above the gate."""
    if damaged:
        return ExitCode.DAMAGED_CAPTURE
    worst = report.worst()
    if gate is not None and worst is not None and worst >= gate:
        return ExitCode.FINDINGS
    return ExitCode.OK
