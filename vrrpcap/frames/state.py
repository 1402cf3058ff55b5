"""What reading one capture has found so far: frames counted, damage, anomalies, interfaces, time bounds.

The pcap and pcapng parsers write into it as they go; CaptureReader is one, so these are the reader's
public attributes.
"""

from __future__ import annotations

from collections.abc import Callable

from vrrpcap.frames.frame import Anomaly, InterfaceInfo


class ReadState:
    def __init__(self, label: str) -> None:
        self.label = label
        self.frames = 0
        self.damage: str | None = None
        self.anomalies: dict[str, Anomaly] = {}
        self.interfaces: list[InterfaceInfo] = []
        self._retired: list[InterfaceInfo] = []  # interfaces of earlier pcapng sections
        # Scan mode (CaptureReader.scan): the earliest and latest timestamps of all frames, and the
        # merge key of the latest frame handled in Python.
        self.first_time: float | None = None
        self.last_time: float | None = None
        self.merge_key = 0.0
        self.progress: Callable[[], None] | None = None  # called after each scanned chunk

    def anomaly(self, key: str, what: str, frame: int) -> None:
        found = self.anomalies.get(key)
        if found is None:
            found = self.anomalies[key] = Anomaly(what, 0, frame)
        found.count += 1

    def see(self, t: float) -> None:
        """Scan mode: a frame handled in Python; keep the time bounds and the merge key."""
        if self.first_time is None or self.last_time is None:
            self.first_time = self.last_time = t
        else:
            if t < self.first_time:
                self.first_time = t
            if t > self.last_time:
                self.last_time = t
        self.merge_key = self.last_time

    def new_section(self) -> None:
        """A pcapng section header: interface ids restart, earlier interfaces' drop counters still count."""
        self._retired += self.interfaces
        self.interfaces = []

    def problems(self) -> list[str]:
        """One line per problem, for warnings on stderr."""
        lines = []
        for a in self.anomalies.values():
            lines.append(f"{self.label}: {a.count} record(s) {a.what} (first: frame {a.first_frame})")
        if self.damage:
            lines.append(f"{self.label}: {self.damage}; frames before it were read")
        return lines

    @property
    def drops(self) -> int | None:
        values = [i.dropped for i in self._retired + self.interfaces if i.dropped is not None]
        return sum(values) if values else None
