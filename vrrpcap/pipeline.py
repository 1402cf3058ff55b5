"""Capture sources -> decode: the adverts of a set of captures, with per-input accounting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vrrpcap.decode import Advert, CachingDecoder, decode_frame
from vrrpcap.frames import CaptureReader, CaptureSet


@dataclass
class InputStats:
    path: str
    format: str
    compression: str | None
    packets: int = 0
    adverts: int = 0
    first_time: float | None = None
    last_time: float | None = None

    def as_dict(self, reader: CaptureReader) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "compression": self.compression,
            "packets": self.packets,
            "adverts": self.adverts,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "capture_drops": reader.drops,
            "problems": reader.problems(),
        }


class AdvertStream:
    """Iterate the adverts of a CaptureSet in time order, counting per input as it goes.

    With ``scan`` (the default) the readers' scan mode is used: the C scanner counts the frames and
    passes on only those that may carry VRRP, so the bulk of a mixed capture never reaches Python;
    the statistics come from the readers, and the decoder's cache is used. ``scan=False`` decodes every
    frame, every header walked (the reference path);
    both give the same adverts and statistics.
    """

    def __init__(
        self,
        captures: CaptureSet,
        progress: Callable[[], None] | None = None,
        progress_every: int = 4096,
        scan: bool = True,
    ) -> None:
        self.captures = captures
        self.stats = {r.label: InputStats(r.label, r.format, r.compression) for r in captures.readers}
        self._progress = progress
        self._every = progress_every
        self._scan = scan

    def __iter__(self) -> Iterator[Advert]:
        if self._scan:
            yield from self._scanned()
            return
        stats = self.stats
        progress, every = self._progress, self._every
        for count, frame in enumerate(self.captures, 1):
            item = stats[frame.file]
            item.packets += 1
            t = frame.time
            if item.first_time is None or t < item.first_time:
                item.first_time = t
            if item.last_time is None or t > item.last_time:
                item.last_time = t
            if progress is not None and count % every == 0:
                progress()
            advert = decode_frame(frame)
            if advert is not None:
                item.adverts += 1
                yield advert

    def _scanned(self) -> Iterator[Advert]:
        stats = self.stats
        for reader in self.captures.readers:
            reader.progress = self._progress
        decode = CachingDecoder()
        try:
            for frame in self.captures.scan():
                advert = decode(frame)
                if advert is not None:
                    stats[frame.file].adverts += 1
                    yield advert
        finally:
            self._sync()

    def _sync(self) -> None:
        """Scan mode: the frame counts and time bounds as the readers have them."""
        if not self._scan:
            return
        for reader in self.captures.readers:
            item = self.stats[reader.label]
            item.packets = reader.frames
            item.first_time = reader.first_time
            item.last_time = reader.last_time

    def inputs(self) -> list[dict[str, Any]]:
        self._sync()
        return [self.stats[r.label].as_dict(r) for r in self.captures.readers]
