"""CaptureReader: one capture file (or stdin) as a stream of frames, the C scanner driven when built.

Readers hold one record at a time. Damage (a truncated file, an impossible record length) ends the
file's stream without an exception: every frame before it has already been yielded, and the reader's
``damage`` says what happened. Oddities that do not stop reading (a record longer than the file's
snaplen, a captured length above the wire length) are counted in ``anomalies``.

Measured before writing this (2 cores, 2,000,000 small frames): scapy's RawPcapReader reads about
0.25 M records/s and RawPcapNgReader less, while these readers do about 0.5-0.8 M/s, and scapy's
readers give no way to tell a truncated file from a clean end, nor pcapng interface statistics.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any, BinaryIO, cast

from vrrpcap.errors import NotACapture
from vrrpcap.frames.decompress import Compression
from vrrpcap.frames.frame import Frame
from vrrpcap.frames.open import READ_ERRORS, SCAN_WINDOW, ByteSource, open_path
from vrrpcap.frames.pcap import pcap_frames
from vrrpcap.frames.pcapng import pcapng_frames
from vrrpcap.frames.state import ReadState

__all__ = ["SCAN_WINDOW", "CaptureReader", "scanner"]


def _load_scanner() -> ModuleType | None:
    """The C scanner (vrrpcap/_scan.c), or None: not built, or VRRPCAP_NO_EXTENSION is set."""
    if os.environ.get("VRRPCAP_NO_EXTENSION"):
        return None
    try:
        return importlib.import_module("vrrpcap._scan")
    except ImportError:
        return None


# Module-level, read when a scan starts, so that tests can set it to None to exercise the pure-Python scan.
scanner: ModuleType | None = _load_scanner()


class CaptureReader(ReadState):
    """One capture file (or stdin), iterated as frames in file order."""

    def __init__(self, path: str) -> None:
        super().__init__("<stdin>" if path == "-" else path)
        self.path = path
        self.size: int | None = None
        self._scanning = False
        self._keyed = False
        self._batched = False
        raw = self._open_raw(path)
        self._source = ByteSource(raw, self.label, self.size)
        # "unknown": compressed data cut short before the capture's first bytes (then `damage` says so).
        # pcap, pcapng; "unknown" when cut short before the header; Wireshark's name in frames/tshark.py.
        self.format: str = self._source.format or "unknown"
        self.compression: Compression | None = self._source.compression

    def _open_raw(self, path: str) -> BinaryIO:
        """The stream to read (a subclass may hand an open pipe instead of a path)."""
        raw, self.size = open_path(path)
        return raw

    def close(self) -> None:
        self._source.close()

    def position(self) -> int:
        """Bytes consumed of the file on disk (compressed bytes for a compressed file), for progress."""
        return self._source.position()

    def __iter__(self) -> Iterator[Frame]:
        return cast(Iterator[Frame], self._records())

    def scan(self) -> Iterator[tuple[float, Frame]]:
        """The frames that may carry VRRP, each with its merge key; every frame is still counted.

        The C scanner walks ordinary records and returns only the frames its filter passes (a superset
        of what the decoder turns into adverts); anything out of the ordinary goes through the same
        Python code as __iter__, so frame numbers, damage, anomalies and drop counters are identical.
        Without the extension every frame comes out. ``first_time``/``last_time`` follow all frames.

        The key is the latest timestamp of the file up to the frame: merging files by it (CaptureSet.scan)
        puts the frames that come out in the order a merge of all frames by their own time would.
        """
        self._scanning, self._keyed = True, True
        return cast(Iterator[tuple[float, Frame]], self._records())

    def scan_frames(self) -> Iterator[Frame]:
        """scan() without the keys (one file needs no merge)."""
        self._scanning, self._keyed = True, False
        return cast(Iterator[Frame], self._records())

    def scan_batches(self) -> Iterator[list[Frame]]:
        """scan_frames() in lists: each list the C scanner returns at once, or one frame read in Python."""
        self._scanning, self._keyed, self._batched = True, False, True
        for item in self._records():
            yield item if isinstance(item, list) else [item]

    def _records(self) -> Iterator[Any]:
        scanning, keyed, batched = self._scanning, self._keyed, self._batched
        c_scan = scanner if scanning else None
        source = self._source
        try:
            if self.format == "pcap":
                scan_pcap = c_scan.scan_pcap if c_scan is not None else None
                yield from pcap_frames(source, self, scanning, keyed, scan_pcap, batched)
            elif self.format == "pcapng":
                scan_pcapng = c_scan.scan_pcapng if c_scan is not None else None
                yield from pcapng_frames(source, self, scanning, keyed, scan_pcapng, batched)
        except READ_ERRORS as exc:
            self.damage = f"read error after frame {self.frames} ({exc})"
        except NotACapture:
            if source.shrank() is None and source.stream_damage is None:
                raise
            # A header cut short because the compressed data is: damage, not a wrong format.
        # The cause of whatever the parser saw at the end (a record cut short, or nothing at all).
        cause = source.shrank() or source.stream_damage
        if cause is not None:
            self.damage = f"{cause}, after frame {self.frames}"
