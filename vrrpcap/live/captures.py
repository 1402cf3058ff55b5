"""Several interfaces in one session: one capture backend per interface, all feeding one frame queue.

Each backend reads in its own thread and labels its frames with its interface, so the decoder puts
every advert on its own segment (the interface is part of a virtual router's identity) and the
counters stay per interface. All open or none: when one interface cannot be opened, those already
open are stopped before the error goes up.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence

from vrrpcap.live.source import CaptureSource, CaptureStats


def make_source(interface: str, backend: str, frames: queue.Queue[object]) -> CaptureSource:
    if backend == "tshark":
        from vrrpcap.live.dumpcap_source import DumpcapSource

        return DumpcapSource(interface, frames)
    from vrrpcap.live.socket_source import SocketSource

    return SocketSource(interface, frames)


def combined(stats: Sequence[CaptureStats]) -> CaptureStats:
    """The counters of every capture together; a counter is None while one of them cannot tell."""

    def add(values: list[int | None]) -> int | None:
        return None if not values or None in values else sum(v for v in values if v is not None)

    return CaptureStats(add([s.received for s in stats]), add([s.dropped for s in stats]))


class Captures:
    def __init__(self, interfaces: Sequence[str], backend: str, frames: queue.Queue[object]) -> None:
        self.sources = [make_source(interface, backend, frames) for interface in interfaces]

    @property
    def name(self) -> str:
        return self.sources[0].name

    @property
    def filter(self) -> str:
        return self.sources[0].filter

    @property
    def linktype(self) -> int | None:
        return self.sources[0].linktype

    def open(self) -> None:
        opened: list[CaptureSource] = []
        try:
            for source in self.sources:
                source.open()
                opened.append(source)
        except BaseException:
            for source in opened:
                source.stop()
            raise

    def start(self) -> None:
        for source in self.sources:
            source.start()

    def stop(self) -> None:
        for source in self.sources:
            source.stop()

    def horizon(self) -> float:
        """Every frame captured before this wall-clock time is on the queue (see CaptureSource)."""
        return min(source.horizon() for source in self.sources)

    def stats(self) -> dict[str, CaptureStats]:
        return {source.interface: source.stats() for source in self.sources}
