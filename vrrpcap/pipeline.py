"""The pipeline, read top to bottom: sources -> decode (with its cache) -> analysis engine -> report.

One object serves capture files, stdin and live interfaces: files and stdin come as an `AdvertStream`
over a `CaptureSet` (the C scanner passes on only frames that may carry VRRP); live frames are fed
one at a time with `frame()`, ticks with `tick()`. The CLI, the Python API, `live` and the tests all
run this, so the wiring exists once. Captures of one segment from several vantage points
(`audit --vantage`) come as an `AdvertStream` with names: merged by time and aligned
(analysis/vantage.py), so the engine sees each advert once and hears which vantage lacked it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from operator import itemgetter

from vrrpcap import folding
from vrrpcap.analysis import Engine, Event, Options
from vrrpcap.analysis.vantage import Aligner, VantageMiss
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

    ``vantages`` names the captures, one name per input in order: they are of one segment, seen from
    different points, and each advert comes out once (`aligned` also says which vantage lacked it).
    """

    def __init__(
        self,
        captures: CaptureSet,
        progress: Callable[[], None] | None = None,
        progress_every: int = 4096,
        scan: bool = True,
        vantages: Sequence[str] = (),
    ) -> None:
        self.captures = captures
        self.vantages = tuple(vantages)
        if self.vantages and len(self.vantages) != len(captures.readers):
            raise ValueError(f"{len(self.vantages)} vantage names for {len(captures.readers)} captures")
        self._counts = {r.label: _Counts() for r in captures.readers}
        self._progress = progress
        self._every = progress_every
        self._scan = scan

    def __iter__(self) -> Iterator[Advert]:
        if self.vantages:
            yield from (item for item in self.aligned() if not isinstance(item, VantageMiss))
            return
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

    @property
    def foldable(self) -> bool:
        """Its repeats may be counted in bulk (vrrpcap/folding.py): scanned, one view of the segment."""
        return self._scan and not self.vantages

    def batches(self, size: int) -> Iterator[list[Frame]]:
        """The scanned frames in lists (of about ``size`` when several files are merged), for a reader
        of its own that counts the adverts with `counted`."""
        readers = self.captures.readers
        for reader in readers:
            reader.progress = self._progress
        if len(readers) == 1:
            yield from readers[0].scan_batches()
            return
        frames = self.captures.scan()
        while batch := list(islice(frames, size)):
            yield batch

    def counted(self, file: str, adverts: int) -> None:
        self._counts[file].adverts += adverts

    def aligned(self) -> Iterator[Advert | VantageMiss]:
        """The vantages' adverts merged by time, each once, each followed by the vantages that lack it."""
        counts = self._counts
        readers = self.captures.readers
        aligner = Aligner(self.vantages)
        decode = CachingDecoder()
        for reader in readers:
            reader.progress = self._progress
        merged = heapq.merge(*(_ended(i, r.scan()) for i, r in enumerate(readers)), key=itemgetter(0))
        for key, index, frame in merged:
            if frame is None:
                aligner.ended(index, key)
                continue
            advert = decode(frame)
            if advert is not None:
                counts[frame.file].adverts += 1
                yield from aligner.push(index, advert)
        yield from aligner.flush()

    def _summary(self, reader: CaptureReader) -> InputSummary:
        if self.vantages:
            index = self.captures.readers.index(reader)
            return replace(scanned_summary(reader, self._counts[reader.label].adverts), vantage=self.vantages[index])
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


def _ended(index: int, frames: Iterable[tuple[float, Frame]]) -> Iterator[tuple[float, int, Frame | None]]:
    """A capture's frames with its index, and after the last one a mark (its time, no frame)."""
    key: float | None = None
    for key, frame in frames:
        yield key, index, frame
    if key is not None:
        yield key, index, None


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
        self.fold = True  # run(): repeats counted in bulk where they can be (vrrpcap/folding.py)

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
        if stream.vantages:
            missed = self.engine.missed
            for item in stream.aligned():
                if isinstance(item, VantageMiss):
                    missed(item)
                else:
                    feed(item)
        elif self.fold and stream.foldable and self.engine.caching and folding.folder is not None:
            folding.FoldedFeed(self.engine, folding.folder).run(stream)
        else:
            for advert in stream:
                feed(advert)
        return self.engine.finish(stream.inputs())

    def snapshot(self, inputs: tuple[InputSummary, ...]) -> Report:
        return self.engine.snapshot(inputs)

    def finish(self, inputs: tuple[InputSummary, ...]) -> Report:
        return self.engine.finish(inputs)


def audit_vantages(vantages: Sequence[tuple[str, str]], options: Options | None = None) -> Report:
    """The report of captures of one segment taken at several points, as `vrrpcap audit --vantage`
    makes it: ``(name, path)`` pairs, the first the reference."""
    with CaptureSet([path for _, path in vantages]) as captures:
        return Pipeline(options).run(AdvertStream(captures, vantages=[name for name, _ in vantages]))


def audit_paths(paths: list[str], options: Options | None = None) -> Report:
    """The report of capture files (merged by time), as `vrrpcap audit` makes it."""
    with CaptureSet(paths) as captures:
        return Pipeline(options).run(AdvertStream(captures))
