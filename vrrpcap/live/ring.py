"""A packet socket's TPACKET_V3 receive ring: the kernel writes frames into memory shared with us.

Why: with one ``recvmsg`` per packet (scapy's ``recv_raw``) every advert costs a wake-up of the reader
thread, a system call, the ancillary data parsed in Python, a Frame and a queue put, all competing for
the one core with the analysis; at 1,000 virtual routers the socket backend saturated near 20,000
adverts/s and the kernel dropped the rest (docs/live-performance.md). With the ring the kernel fills
blocks of frames and hands each one over whole, and the C extension (``ring_read`` in vrrpcap/_scan.c)
turns every ready block into Frames in one call: Python's cost is per block, not per packet.

The ring is the capture's buffer: RING_BYTES in blocks of BLOCK_BYTES. A block is handed over when it
is full or RETIRE_MS after its first frame, so a frame waits at most that long (the old socket: about
1 ms), and a stall of the analysis is absorbed for min(RING_BYTES of frames, BLOCKS * RETIRE_MS) (at
most one block per retire time when frames are sparse). Frames longer than a block holds (about 16 kB;
a VRRP advert is at most about 4 kB) are cut to it, and read as a capture with a snap length reads.

``VRRPCAP_NO_RING=1`` (or the extension missing, or an old kernel) keeps the per-packet reader.
"""

from __future__ import annotations

import mmap
import os
import socket
import struct
from collections.abc import Callable
from types import ModuleType
from typing import cast

from vrrpcap.frames import Frame

SOL_PACKET = 263
PACKET_RX_RING = 5
PACKET_VERSION = 10
TPACKET_V3 = 2

BLOCK_BYTES = 16 << 10  # a multiple of the page size
# Twice the receive buffer the per-packet reader asks for: what the kernel gives that buffer (it doubles
# it for its bookkeeping), so both readers absorb about the same burst (about 50,000 small frames).
RING_BYTES = 8 << 20
BLOCKS = RING_BYTES // BLOCK_BYTES
FRAME_BYTES = 2048  # TPACKET_V3 packs frames tightly; the kernel only checks this geometry
RETIRE_MS = 8
RETIRE_S = RETIRE_MS / 1000
# The kernel's timer hands a block over on its second expiry after the block's first frame at the latest,
# so every frame older than this has been handed over (one retire time more for the timer's lateness).
HORIZON_S = 3 * RETIRE_S
READ_LIMIT = 1024  # frames per read (whole blocks): one item on the session's queue

Reader = Callable[..., tuple[list[Frame], int, int, bool]]


def ring_reader() -> Reader | None:
    """The C extension's ring_read, or None: not built, too old, or VRRPCAP_NO_RING is set."""
    if os.environ.get("VRRPCAP_NO_RING"):
        return None
    from vrrpcap.frames.reader import scanner

    module: ModuleType | None = scanner
    read = getattr(module, "ring_read", None) if module is not None else None
    return cast(Reader, read) if read is not None else None


class Ring:
    """The ring of one bound packet socket; ``read()`` takes the frames of every block ready."""

    def __init__(self, sock: socket.socket, read: Reader, label: str, interface: str, linktype: int) -> None:
        request = struct.pack(
            "7I", BLOCK_BYTES, BLOCKS, FRAME_BYTES, BLOCKS * (BLOCK_BYTES // FRAME_BYTES), RETIRE_MS, 0, 0
        )
        # Raises OSError on a kernel without TPACKET_V3 (before 3.2): the caller keeps recvmsg then.
        sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V3)
        sock.setsockopt(SOL_PACKET, PACKET_RX_RING, request)
        try:
            self.map = mmap.mmap(sock.fileno(), RING_BYTES, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except OSError:
            sock.setsockopt(SOL_PACKET, PACKET_RX_RING, bytes(len(request)))  # no ring: back to recvmsg
            raise
        self._sock = sock
        self._read = read
        self._args = (label, interface)
        self.linktype = linktype
        self.index = 0
        self.number = 0
        self._flush(sock)

    @staticmethod
    def _flush(sock: socket.socket) -> None:
        """Frames queued on the socket before the ring existed: never read through the ring, they would
        keep poll() saying "readable" for ever."""
        while True:
            try:
                sock.recv(1, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def read(self) -> tuple[list[Frame], bool]:
        """The frames of the blocks ready now (at most about READ_LIMIT), and whether the ring is drained
        (the next block is still the kernel's)."""
        label, interface = self._args
        frames, self.index, self.number, drained = self._read(
            self.map, BLOCK_BYTES, BLOCKS, self.index, Frame, label, interface, self.number, self.linktype, READ_LIMIT
        )
        return frames, drained

    def close(self) -> None:
        self.map.close()
