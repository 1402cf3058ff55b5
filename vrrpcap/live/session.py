"""A live session: frames from a capture backend through the decoder and the analyzer, events out.

The main thread owns the analyzer and all output. Backends (one per interface, live/captures.py) read
in their own thread and queue frames; notify scripts run in a pool and queue their results. Once a
second the session ticks the analyzer (a silent master is closed although no packet arrives), diffs
a snapshot's findings against what was announced, flushes ``--write`` and redraws the dashboard.

SIGINT, SIGTERM and SIGHUP end the session the normal way: the capture stops, what is queued is analyzed,
notify scripts get their timeout, the written capture gets its statistics block, and the final report is
returned. A second signal while stopping interrupts (exit 130). A ``--write`` error (disk full) stops it too.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from vrrpcap import __version__
from vrrpcap.analysis import Event, FindingEvent, Options
from vrrpcap.decode import advert_to_dict
from vrrpcap.frames import Frame
from vrrpcap.live.captures import Captures, combined
from vrrpcap.live.dashboard import Dashboard, PlainLog, Status, make_view
from vrrpcap.live.events import FindingTracker, event_record, finding_record, notify_record, stop_record
from vrrpcap.live.exporting import MetricsOptions, serve
from vrrpcap.live.notify import MasterChanges, Notifier, NotifyResult, check_script, discarded
from vrrpcap.live.pcapng_writer import PcapngWriter
from vrrpcap.live.source import QUEUE_FRAMES, CaptureStats, InterfaceState, SourceEnded
from vrrpcap.pipeline import Pipeline
from vrrpcap.report import InputSummary, Report

if TYPE_CHECKING:
    from vrrpcap.metrics import Metrics, MetricsServer

TICK = 1.0  # seconds between ticks, snapshots, flushes and redraws
TICK_GRACE = 0.5  # tick the analyzer this far behind the clock: a frame may still be on its way
REDRAW_MIN = 0.1  # at most ten redraws a second, however many events
MANY_ROUTERS = 500  # from then on the dashboard redraws once a second only
BATCH = 1000  # frames handled between two looks at the clock (and at waiting scrapes), whole ring reads


@dataclass
class LiveOptions:
    interfaces: tuple[str, ...]
    backend: str = "scapy"  # scapy (packet socket) | tshark (dumpcap)
    json: bool = False
    adverts: bool = False  # with json: one record per decoded advert too
    notify: str | None = None
    notify_timeout: float = 10.0
    write: str | None = None
    duration: float | None = None
    count: int | None = None
    vrids: frozenset[int] = frozenset()
    ignored: frozenset[str] = frozenset()
    analyzer: Options = field(default_factory=Options)
    metrics: MetricsOptions | None = None

    @property
    def interface(self) -> str:  # for the header, the start record and notify scripts
        return ",".join(self.interfaces)


@dataclass
class Outcome:
    report: Report  # final, with --ignore and --vrid applied
    reason: str  # duration | count | SIGINT | SIGTERM | SIGHUP | capture-error | write-failed
    error: str | None  # why the capture failed, when it did
    write_error: str | None = None  # why --write stopped writing (the session stopped then)


class LiveSession:
    def __init__(self, options: LiveOptions, out: TextIO | None = None) -> None:
        self.options = options
        self.out = out or sys.stdout
        self.pipeline = Pipeline(options.analyzer)
        self.frames: queue.Queue[object] = queue.Queue(maxsize=QUEUE_FRAMES)
        self.results: queue.SimpleQueue[NotifyResult] = queue.SimpleQueue()
        self.priorities: dict[tuple[int | None, str], int] = {}
        self.changes = MasterChanges(self.priorities)
        self.tracker = FindingTracker(options.ignored)
        self.source: Captures | None = None
        self.metrics: Metrics | None = None
        self.server: MetricsServer | None = None
        self.writer: PcapngWriter | None = None
        self.notifier: Notifier | None = None
        self.view: Dashboard | PlainLog | None = None
        self.started = 0.0
        self.frame_count = 0
        self.advert_count = 0
        self.counts = {interface: [0, 0] for interface in options.interfaces}  # frames, adverts
        self.stats: dict[str, CaptureStats] = {}
        self.stop_reason: str | None = None
        self.error: str | None = None
        self.report: Report | None = None
        self._last_draw = 0.0
        self._dirty = self._stale = False

    # -- output -----------------------------------------------------------------------------------
    def emit(self, record: dict[str, Any]) -> None:
        if self.options.json:
            self.out.write(json.dumps(record) + "\n")
            self.out.flush()
        elif self.view is not None:
            self.view.add(record)
            self._dirty = True

    def _status(self) -> Status:
        return Status(
            self.options.interface,
            self.source.name if self.source else self.options.backend,
            self.started,
            self.frame_count,
            self.advert_count,
            self._total().dropped,
            self.stop_reason,
        )

    def _draw(self, now: float, force: bool = False) -> None:
        if not isinstance(self.view, Dashboard) or self.report is None:
            return
        many = len(self.report.virtual_routers) >= MANY_ROUTERS  # a snapshot per event would starve it
        if not force and (not self._dirty or now - self._last_draw < (TICK if many else REDRAW_MIN)):
            return
        if self._stale:
            self.report, self._stale = self.pipeline.snapshot(self.inputs(now)), False
        self.view.refresh(self.report, self._status(), now)
        self._last_draw = now
        self._dirty = False

    # -- inputs for the analyzer's report ------------------------------------------------------
    def _total(self) -> CaptureStats:
        return combined(list(self.stats.values())) if self.stats else CaptureStats(None, None)

    def inputs(self, now: float | None = None) -> tuple[InputSummary, ...]:
        """One input per interface; the capture error, if any, is a problem of every one."""
        return tuple(
            InputSummary(
                path=interface,
                format="live",
                compression=None,
                packets=frames,
                adverts=adverts,
                first_time=self.started,
                last_time=time.time() if now is None else now,
                capture_drops=self.stats[interface].dropped if interface in self.stats else None,
                problems=(self.error,) if self.error else (),
                backend=self.source.name if self.source else self.options.backend,
            )
            for interface, (frames, adverts) in self.counts.items()
        )

    # -- the work ---------------------------------------------------------------------------------
    def _dispatch(self, events: list[Event], now: float, hooks: bool = True) -> None:  # notify.discarded
        if not events:
            return
        if self.metrics is not None:
            self.metrics.observe(events)
        for event in events:
            if isinstance(event, FindingEvent) and not self.tracker.announce(event.finding):
                continue
            self.emit(event_record(event, now))
        changes = self.changes.observe(events, acting=hooks)
        if self.notifier is not None:
            for change in changes:
                self.notifier.submit(change)
        self._stale = True  # the table is redrawn from a new snapshot when its turn comes (_draw)

    def _frame(self, frame: Frame, now: float) -> None:
        if self.options.count and self.advert_count >= self.options.count:
            return  # --count N means N: frames queued behind the last one are not taken
        self.frame_count += 1
        counts = self.counts.get(frame.file)
        if counts is not None:
            counts[0] += 1
        if self.writer is not None:
            self.writer.write(frame)
        advert = self.pipeline.decode(frame)
        if advert is None or (self.options.vrids and advert.vrid not in self.options.vrids):
            return
        self.advert_count += 1
        if counts is not None:
            counts[1] += 1
        acted_on = discarded(advert) is None
        if acted_on and advert.priority and advert.vrid is not None:
            self.priorities[(advert.vrid, advert.src)] = advert.priority
        if self.options.json and self.options.adverts:
            self.emit({"event": "advert", **advert_to_dict(advert)})
        if not acted_on:
            # What its time alone closes (a master that went silent before it) is real: hooks run.
            self._dispatch(self.pipeline.tick(advert.time), now)
        self._dispatch(self.pipeline.advert(advert), now, hooks=acted_on)
        if self.options.count and self.advert_count >= self.options.count and self.stop_reason is None:
            self.stop_reason = "count"

    def _tick(self, now: float) -> None:
        # Behind (frames queued, or in the kernel after a stall): the frames' time, not the clock's.
        horizon = min(now - TICK_GRACE, self.source.horizon() if self.source is not None else now)
        if self.frames.empty():
            self._dispatch(self.pipeline.tick(horizon), now)
        if self.source is not None:
            self.stats = self.source.stats()
        self.report, self._stale = self.pipeline.snapshot(self.inputs(now)), False
        if self.metrics is not None:
            self.metrics.report_findings(self.report.findings)
        for finding in self.tracker.new_in(self.report):
            self.emit(finding_record(finding, now))
        if self.writer is not None:
            self.writer.flush()
            if self.writer.error and self.stop_reason is None:
                self.stop_reason = "write-failed"
        self._dirty = True

    def _handle(self, item: object, now: float) -> None:
        if isinstance(item, Frame):
            self._frame(item, now)
        elif isinstance(item, list):  # a ring read: its frames in order
            for frame in item:
                self._frame(frame, now)
        elif isinstance(item, SourceEnded):
            if item.error and self.stop_reason is None:
                self.error = item.error
                self.emit({"event": "capture-error", "time": now, "error": item.error})
                self.stop_reason = "capture-error"
            elif self.stop_reason is None:
                self.stop_reason = "capture-ended"
        elif isinstance(item, InterfaceState):  # a flap: the capture goes on
            self.emit({"event": f"interface-{'up' if item.up else 'down'}", "time": now, "interface": item.interface})

    def _results(self, now: float) -> None:
        while not self.results.empty():  # the only reader: empty() then get() cannot block
            self.emit(notify_record(self.results.get_nowait(), now))

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop_reason is not None and self.stop_reason.startswith("SIG"):
            raise KeyboardInterrupt  # a second signal: stop waiting
        self.stop_reason = signal.Signals(signum).name

    def _open(self) -> None:
        options = self.options
        if options.notify is not None:
            script = check_script(options.notify)
            self.notifier = Notifier(script, options.notify_timeout, self.results.put, options.interface)
        if options.write is not None:
            self.writer = PcapngWriter(options.write, options.interface)
        self.source = Captures(options.interfaces, options.backend, self.frames)
        try:
            self._serve_metrics()
            self.source.open()
        except BaseException:
            if self.writer is not None:  # nothing was captured: leave no file behind
                self.writer.close(CaptureStats(None, None), time.time(), time.time(), None)
                with suppress(OSError):
                    os.unlink(self.writer.path)
                self.writer = None
            raise
        self.started = time.time()
        self.emit(
            {
                "event": "start",
                "time": self.started,
                "interface": options.interface,
                "interfaces": list(options.interfaces),
                "backend": self.source.name,
                "filter": self.source.filter,
                "linktype": self.source.linktype,
                "vrrpcap": __version__,
                **({"metrics": self.server.url()} if self.server is not None else {}),
            }
        )
        self.source.start()

    def _serve_metrics(self) -> None:
        o = self.options
        if o.metrics is not None:
            engine = self.pipeline.engine
            self.metrics, self.server = serve(o.metrics, engine, o.vrids, o.ignored, self.inputs, self.frames)

    def run(self) -> Outcome:
        """Capture until --duration, --count, a signal or a capture error; return the outcome."""
        handlers = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                handlers[signum] = signal.signal(signum, self._on_signal)
        try:
            if not self.options.json:
                self.view = make_view(self.out, self.priorities)
            self._open()
            if isinstance(self.view, Dashboard):
                self.report = self.pipeline.snapshot(self.inputs(self.started))
                with self.view:
                    self._loop()
                    self._finish()
                    self._draw(time.time(), force=True)
            else:
                self._loop()
                self._finish()
        finally:
            self._cleanup()
            for signum, previous in handlers.items():
                signal.signal(signum, previous)
        assert self.report is not None
        report = self.report.filtered(self.options.ignored, self.options.vrids)
        return Outcome(report, self.stop_reason or "stopped", self.error, self.writer.error if self.writer else None)

    def _loop(self) -> None:
        options = self.options
        deadline = self.started + options.duration if options.duration else None
        next_tick = self.started + TICK
        while self.stop_reason is None:
            now = time.time()
            wait = min(next_tick - now, 0.25)
            if deadline is not None:
                wait = min(wait, deadline - now)
            try:
                item: object | None = self.frames.get(timeout=max(0.0, wait))
            except queue.Empty:
                item = None
            now = time.time()
            self._batch(item, now)
            self._results(now)
            if now >= next_tick:
                self._tick(now)
                next_tick = max(next_tick + TICK, now + TICK / 2)
            if self.metrics is not None:
                self.metrics.serve()  # scrapes waiting for this batch to be in
            if deadline is not None and now >= deadline and self.stop_reason is None:
                self.stop_reason = "duration"
            self._draw(now)

    def _batch(self, item: object | None, now: float) -> None:
        handled = 0
        while item is not None:
            self._handle(item, now)
            handled += len(item) if isinstance(item, list) else 1
            if handled >= BATCH or self.stop_reason is not None:
                return
            try:
                item = self.frames.get_nowait()
            except queue.Empty:
                return

    def _finish(self) -> None:
        """Stop the capture, analyze what it had queued, let notify scripts end, build the report."""
        source = self.source
        assert source is not None
        source.stop()
        now = time.time()
        while True:  # frames captured before the stop still count
            try:
                item = self.frames.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, (Frame, list)):
                self._handle(item, now)
        self.stats = source.stats()
        total = self._total()
        if self.notifier is not None:
            self.notifier.close(wait=self.options.notify_timeout + 1.0)
            self._results(time.time())
        end = time.time()
        if self.metrics is not None:
            self.metrics.serve()
        self.report = self.pipeline.finish(self.inputs(end))
        for finding in self.tracker.new_in(self.report):
            self.emit(finding_record(finding, end))
        if self.writer is not None:
            self.writer.close(total, self.started, end, source.linktype)
        final = self.report.filtered(self.options.ignored, self.options.vrids) if self.options.json else None
        reason = self.stop_reason or "stopped"
        self.emit(stop_record(end, reason, self.frame_count, self.advert_count, total, final))

    def _cleanup(self) -> None:
        """Whatever happened: no capture process, no script and no open file is left behind."""
        if self.source is not None:
            self.source.stop()
        if self.server is not None:
            self.server.stop()
        if self.notifier is not None:
            self.notifier.close(wait=0.0)
        if self.writer is not None:
            self.writer.close(self._total(), self.started or time.time(), time.time(), None)
