"""CaptureSet: several captures read as one stream, merged by timestamp (rotated tcpdump -G/-C files)."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from vrrpcap.frames.choose import ReaderChoice, open_reader
from vrrpcap.frames.frame import Frame
from vrrpcap.frames.reader import CaptureReader


@dataclass
class CaptureSet:
    """Several captures read as one stream, merged by timestamp (rotated tcpdump -G/-C files)."""

    paths: Iterable[str]
    readers: list[CaptureReader] = field(default_factory=list)
    reader: ReaderChoice = "auto"  # vrrpcap's own reader, or Wireshark's for other formats (choose.py)

    def open(self) -> CaptureSet:
        try:
            for path in self.paths:
                self.readers.append(open_reader(path, self.reader))
        except BaseException:
            self.close()
            raise
        return self

    def __iter__(self) -> Iterator[Frame]:
        if len(self.readers) == 1:
            return iter(self.readers[0])
        return heapq.merge(*self.readers, key=_frame_time)

    def scan(self) -> Iterator[Frame]:
        """The frames that may carry VRRP (CaptureReader.scan), merged as __iter__ merges all frames."""
        if len(self.readers) == 1:
            return self.readers[0].scan_frames()
        merged = heapq.merge(*(reader.scan() for reader in self.readers), key=itemgetter(0))
        return (frame for _, frame in merged)

    def close(self) -> None:
        for reader in self.readers:
            reader.close()

    def __enter__(self) -> CaptureSet:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def problems(self) -> list[str]:
        return [line for reader in self.readers for line in reader.problems()]

    @property
    def damaged(self) -> bool:
        return any(reader.damage or reader.anomalies for reader in self.readers)

    def resolution(self) -> float:
        """The finest timestamp resolution of the interfaces read so far (seconds; 1e-6 when none)."""
        return min((i.resolution for r in self.readers for i in r.interfaces), default=1e-6)


def _frame_time(frame: Frame) -> float:
    return frame.time
