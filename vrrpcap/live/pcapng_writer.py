"""``--write``: the captured frames as pcapng, written with struct (draft-ietf-opsawg-pcapng).

A section header, one interface description per link type (``if_name`` = the interface,
microsecond timestamps, the pcapng default), an enhanced packet block per frame, and on close an
interface statistics block per interface with the capture's counters (``isb_filteraccept``,
``isb_osdrop``): ``vrrpcap audit`` reads those back as the capture's drops (VRRP-CAPTURE-DROPS).
Blocks are written as frames come; ``flush()`` is called about once a second, so a crash loses at
most that much, and ``close()`` writes the statistics.
"""

from __future__ import annotations

import struct
from contextlib import suppress
from typing import BinaryIO

from vrrpcap import __version__
from vrrpcap.frames import Frame
from vrrpcap.live.errors import CaptureFailed
from vrrpcap.live.source import CaptureStats

BYTE_ORDER_MAGIC = 0x1A2B3C4D
SHB, IDB, EPB, ISB = 0x0A0D0D0A, 1, 6, 5
OPT_END = 0
SHB_USERAPPL = 4
IF_NAME = 2
ISB_STARTTIME, ISB_ENDTIME, ISB_FILTERACCEPT, ISB_OSDROP = 2, 3, 6, 7
SNAPLEN = 262_144


def _pad(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + _pad(value)


def _options(*items: tuple[int, bytes]) -> bytes:
    if not items:
        return b""
    return b"".join(_option(code, value) for code, value in items) + struct.pack("<HH", OPT_END, 0)


def _block(block_type: int, body: bytes) -> bytes:
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def _timestamp(epoch: float) -> tuple[int, int]:
    micro = round(epoch * 1e6)
    return micro >> 32, micro & 0xFFFFFFFF


class PcapngWriter:
    """Write frames of one capture interface to a pcapng file (or any binary stream)."""

    def __init__(self, path: str, interface: str) -> None:
        self.path = path
        self.interface = interface
        self.frames = 0
        self.error: str | None = None  # why writing stopped (disk full...): the session then stops
        self._ids: dict[int, int] = {}  # link type -> interface id
        try:
            self._out: BinaryIO = open(path, "wb")  # noqa: SIM115  (closed by close())
        except OSError as exc:
            raise CaptureFailed(f"{path}: cannot write ({exc.strerror or exc})") from None
        application = f"vrrpcap {__version__} (live)".encode()
        header = struct.pack("<IHHq", BYTE_ORDER_MAGIC, 1, 0, -1) + _options((SHB_USERAPPL, application))
        self._write(_block(SHB, header))

    def _write(self, data: bytes) -> None:
        if self.error is None:
            try:
                self._out.write(data)
            except OSError as exc:
                self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        """Stop writing: the error is kept, the file closed without a second error (its buffer is lost)."""
        self.error = f"{self.path}: write failed ({exc.strerror or exc})"
        with suppress(OSError):
            self._out.close()

    def _interface(self, linktype: int) -> int:
        found = self._ids.get(linktype)
        if found is None:
            found = self._ids[linktype] = len(self._ids)
            body = struct.pack("<HHI", linktype, 0, SNAPLEN) + _options((IF_NAME, self.interface.encode()))
            self._write(_block(IDB, body))
        return found

    def write(self, frame: Frame) -> None:
        iface = self._interface(frame.linktype)
        high, low = _timestamp(frame.time)
        data = frame.data
        body = struct.pack("<IIIII", iface, high, low, len(data), frame.wire_length) + _pad(data)
        self._write(_block(EPB, body))
        self.frames += 1

    def flush(self) -> None:
        if self.error is None:
            try:
                self._out.flush()
            except OSError as exc:
                self._failed(exc)

    def close(self, stats: CaptureStats, start: float, end: float, linktype: int | None) -> None:
        """Write the statistics of every interface (at least one, even without frames) and close."""
        if self._out.closed:
            return
        try:
            if not self._ids:
                self._interface(linktype if linktype is not None else 1)
            for iface in self._ids.values():
                high, low = _timestamp(end)
                items = [
                    (ISB_STARTTIME, struct.pack("<II", *_timestamp(start))),
                    (ISB_ENDTIME, struct.pack("<II", high, low)),
                ]
                # The counters are the capture's, not per link type: on the first interface only
                # (readers add up the drops of all interfaces).
                if stats.received is not None and iface == 0:  # accepted by the filter: drops too
                    accepted = stats.received + (stats.dropped or 0)
                    items.append((ISB_FILTERACCEPT, struct.pack("<Q", accepted)))
                if stats.dropped is not None and iface == 0:
                    items.append((ISB_OSDROP, struct.pack("<Q", stats.dropped)))
                self._write(_block(ISB, struct.pack("<III", iface, high, low) + _options(*items)))
            self.flush()
        finally:
            if self.error is None:
                try:
                    self._out.close()
                except OSError as exc:
                    self._failed(exc)
