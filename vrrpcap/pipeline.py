"""The pipeline, read top to bottom: sources -> decode (with its cache) -> analysis engine -> report.

One object serves capture files, stdin and live interfaces: files and stdin come as an `AdvertStream`
over a `CaptureSet` (the C scanner passes on only frames that may carry VRRP); live frames are fed
one at a time with `frame()`, ticks with `tick()`. The CLI, the Python API, `live` and the tests all
run this, so the wiring exists once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from vrrpcap.analysis import Engine, Event, Options
from vrrpcap.decode import Advert, CachingDecoder, decode_frame
from vrrpcap.frames import CaptureReader, CaptureSet, Frame
from vrrpcap.report import InputSummary, Report


@dataclass
class _Counts:
    packets: int = 0
    adverts: int = 0
    first_time: float | None = None
    last_time: float | None = None


class AdvertStream:
    """The adverts of a CaptureSet in time order, counted per input as they go.

    With ``scan`` (the default) the readers' scan mode is used: the C scanner counts the frames and
    passes on only those that may carry VRRP, so the bulk of a mixed capture never reaches Python;
    the statistics come from the readers, and the decoder's cache is used. ``scan=False`` decodes every
    frame, every header walked (the reference path); both give the same adverts and statistics.
    """

    def __init__(
        self,
        captures: CaptureSet,
        progress: Callable[[], None] | None = None,
        progress_every: int = 4096,
        scan: bool = True,
    ) -> None:
        self.captures = captures
        self._counts = {r.label: _Counts() for r in captures.readers}
        self._progress = progress
        self._every = progress_every
        self._scan = scan

    def __iter__(self) -> Iterator[Advert]:
        if self._scan:
            yield from self._scanned()
            return
        counts = self._counts
        progress, every = self._progress, self._every
        for number, frame in enumerate(self.captures, 1):
            item = counts[frame.file]
            item.packets += 1
            t = frame.time
            if item.first_time is None or t < item.first_time:
                item.first_time = t
            if item.last_time is None or t > item.last_time:
                item.last_time = t
            if progress is not None and number % every == 0:
                progress()
            advert = decode_frame(frame)
            if advert is not None:
                item.adverts += 1
                yield advert

    def _scanned(self) -> Iterator[Advert]:
        counts = self._counts
        for reader in self.captures.readers:
            reader.progress = self._progress
        decode = CachingDecoder()
        for frame in self.captures.scan():
            advert = decode(frame)
            if advert is not None:
                counts[frame.file].adverts += 1
                yield advert

    def _summary(self, reader: CaptureReader) -> InputSummary:
        item = self._counts[reader.label]
        if self._scan:  # the frame counts and time bounds as the readers have them
            return scanned_summary(reader, item.adverts)
        return InputSummary(
            path=reader.label,
            format=reader.format,
            compression=reader.compression,
            packets=item.packets,
            adverts=item.adverts,
            first_time=item.first_time,
            last_time=item.last_time,
            capture_drops=reader.drops,
            problems=tuple(reader.problems()),
        )

    def inputs(self) -> tuple[InputSummary, ...]:
        return tuple(self._summary(r) for r in self.captures.readers)


def scanned_summary(reader: CaptureReader, adverts: int) -> InputSummary:
    """A scanned input: frames, time bounds, drops and problems as its reader has them."""
    return InputSummary(
        path=reader.label,
        format=reader.format,
        compression=reader.compression,
        packets=reader.frames,
        adverts=adverts,
        first_time=reader.first_time,
        last_time=reader.last_time,
        capture_drops=reader.drops,
        problems=tuple(reader.problems()),
    )


class Pipeline:
    """Decode and analyze: frames or adverts in, events out, a report at the end."""

    def __init__(self, options: Options | None = None, engine: Engine | None = None) -> None:
        self.engine = engine or Engine(options)
        self.decode = CachingDecoder()

    def frame(self, frame: Frame) -> tuple[Advert | None, list[Event]]:
        """A live frame: its advert (None when it carries no VRRP/CARP) and the events it caused."""
        advert = self.decode(frame)
        return advert, ([] if advert is None else self.engine.feed(advert))

    def advert(self, advert: Advert) -> list[Event]:
        return self.engine.feed(advert)

    def tick(self, now: float) -> list[Event]:
        return self.engine.tick(now)

    def events(self, stream: AdvertStream) -> Iterator[Event]:
        for advert in stream:
            yield from self.engine.feed(advert)

    def run(self, stream: AdvertStream) -> Report:
        """Analyze a whole stream of capture files and return the final report."""
        feed = self.engine.feed
        for advert in stream:
            feed(advert)
        return self.engine.finish(stream.inputs())

    def snapshot(self, inputs: tuple[InputSummary, ...]) -> Report:
        return self.engine.snapshot(inputs)

    def finish(self, inputs: tuple[InputSummary, ...]) -> Report:
        return self.engine.finish(inputs)


def audit_paths(paths: list[str], options: Options | None = None) -> Report:
    """The report of capture files (merged by time), as `vrrpcap audit` makes it."""
    with CaptureSet(paths) as captures:
        return Pipeline(options).run(AdvertStream(captures))
