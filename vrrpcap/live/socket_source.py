"""The default backend: a Linux packet socket opened by scapy, with the BPF filter in the kernel.

scapy compiles the filter (through libpcap) and attaches it before the socket is bound, so only
VRRP (and the ICMP errors quoting it) ever reaches Python. Frames are read from a TPACKET_V3 ring
(vrrpcap/live/ring.py: the kernel writes them into shared memory, the C extension turns each block
into Frames, the session gets them a block at a time); without the extension, with VRRPCAP_NO_RING=1
or on a kernel without the ring, one at a time with scapy's ``recv_raw``. Both put VLAN tags back
(from the kernel's ring header or auxiliary data) and use the kernel's timestamps, and never dissect
with scapy's layers: the bytes go to ``vrrpcap.decode.decode_frame`` like a file's frames.
The kernel's drop counter comes from ``PACKET_STATISTICS``, which resets on every read.

A link going down is not the end: the kernel reports ENETDOWN once and the socket, still bound, resumes
when the link comes back; only an interface that is deleted (or moved away) ends the capture.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import select
import socket
import struct
import threading
import time
from contextlib import suppress
from typing import Any

from vrrpcap.frames import Frame
from vrrpcap.live.errors import BackendMissing, CaptureFailed, CapturePermission, NoSuchInterface
from vrrpcap.live.ring import HORIZON_S, READ_LIMIT, RETIRE_S, Ring, ring_reader
from vrrpcap.live.source import (
    BUFFER_BYTES,
    QUEUE_FRAMES,
    CaptureSource,
    CaptureStats,
    InterfaceState,
    SourceEnded,
    check_interface,
    deleted,
    interface_gone,
    microseconds,
)

SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
MAX_FRAME = 65_535
SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
# Linux ARPHRD_* device types -> the link type of what a SOCK_RAW packet socket reads on them.
ETHERNET_LIKE = frozenset({1, 6, 772})  # ether, ieee802, loopback (lo has a zeroed Ethernet header)
RAW_IP = frozenset({512, 519, 768, 769, 776, 65534})  # ppp, rawip, ipip, ip6tnl, sit, none (tun, wireguard)


def linktype_of(hatype: int) -> int | None:
    if hatype in ETHERNET_LIKE:
        return LINKTYPE_ETHERNET
    if hatype in RAW_IP:
        return LINKTYPE_RAW
    return None


class SocketSource(CaptureSource):
    name = "scapy"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sock: Any = None
        self._received = 0
        self._dropped = 0
        self._stats_lock = threading.Lock()
        self._horizon = 0.0
        self._index = 0
        self._ring: Ring | None = None

    def open(self) -> None:
        self._index = check_interface(self.interface)
        try:
            # Only the Linux arch module: 0.3 s to import instead of 1.2 s for scapy.all.
            from scapy.arch.linux import L2ListenSocket
        except ImportError as exc:
            raise BackendMissing(f"the socket backend needs scapy ({exc}): pip install scapy") from None
        logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # "Unable to guess type": we never dissect
        try:
            sock = L2ListenSocket(iface=self.interface, filter=self.filter, promisc=True)
        except PermissionError:
            raise CapturePermission(self.interface, self.name) from None
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise CapturePermission(self.interface, self.name) from None
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                raise NoSuchInterface(self.interface) from None
            raise CaptureFailed(f"{self.interface}: cannot open a packet socket ({exc.strerror or exc})") from None
        except Exception as exc:  # scapy's own exceptions: the filter could not be compiled (no libpcap)
            raise CaptureFailed(
                f"{self.interface}: cannot set the capture filter ({exc}); scapy compiles it with libpcap "
                "(apt-get install libpcap0.8)"
            ) from None
        hatype = sock.ins.getsockname()[3]
        linktype = linktype_of(hatype)
        if linktype is None:
            sock.close()
            raise CaptureFailed(
                f"{self.interface}: link type ARPHRD {hatype} is not supported by the socket backend; "
                "try --backend tshark"
            )
        self.linktype = linktype
        for option in (SO_RCVBUFFORCE, socket.SO_RCVBUF):  # FORCE goes past rmem_max (CAP_NET_ADMIN)
            try:
                sock.ins.setsockopt(socket.SOL_SOCKET, option, BUFFER_BYTES)
                break
            except OSError:
                continue
        self._sock = sock
        read = ring_reader()
        if read is not None:
            try:
                self._ring = Ring(sock.ins, read, self.label, self.interface, linktype)
            except OSError:
                self._ring = None  # an old kernel, or no memory for the ring: one recvmsg per packet
            else:
                self._counters()  # what came before the ring (flushed, never read) is not received

    def _run(self) -> None:
        if self._ring is not None:
            self._run_ring(self._ring)
            return
        sock = self._sock
        fd = sock.ins.fileno()
        label, linktype, interface = self.label, self.linktype or LINKTYPE_ETHERNET, self.interface
        number = 0
        error = None
        down = False
        try:
            while not self._stopping.is_set():
                looked = time.time()
                ready, _, _ = select.select([fd], [], [], 0.2)
                if down or not ready:
                    if interface_gone(interface, self._index):
                        error = deleted(interface)
                        break
                    if down and self._is_up():
                        down = False
                        self._put(InterfaceState(interface, up=True))
                    if not ready:
                        self._horizon = looked  # the socket was empty then: all before it is queued
                        continue
                try:
                    _cls, data, ts = sock.recv_raw(MAX_FRAME)
                except OSError as exc:
                    if exc.errno != errno.ENETDOWN:
                        raise
                    if interface_gone(interface, self._index):
                        error = deleted(interface)
                        break
                    if not down:
                        down = True
                        self._put(InterfaceState(interface, up=False))
                    continue
                if not data:
                    continue
                number += 1
                self._put(Frame(label, number, microseconds(ts), linktype, data, len(data), interface))
        except (OSError, ValueError) as exc:
            if not self._stopping.is_set():
                error = f"{interface}: capture failed ({getattr(exc, 'strerror', None) or exc})"
        self._put(SourceEnded(error))

    def _run_ring(self, ring: Ring) -> None:
        """Take every block the kernel has handed over, a block's frames as one item on the queue; wait
        in select() for the next one. While the analysis is behind, frames stay in the ring (the kernel
        counts what it cannot keep there): the queue holds at most about QUEUE_FRAMES of them."""
        sock = self._sock.ins
        fd = sock.fileno()
        interface = self.interface
        behind = max(1, QUEUE_FRAMES // READ_LIMIT)
        error = None
        down = woke = False
        try:
            while not self._stopping.is_set():
                if self._queue.qsize() >= behind:
                    time.sleep(RETIRE_S / 4)
                    continue
                looked = time.time()
                frames, drained = ring.read()
                if drained:
                    self._horizon = looked - HORIZON_S  # all handed over is read; the rest is younger
                if frames:
                    self._put(frames)
                    woke = False
                    continue
                if woke:  # select() said readable and no block was: the socket has an error to tell
                    woke = False
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if code == errno.ENETDOWN:
                        if interface_gone(interface, self._index):
                            error = deleted(interface)
                            break
                        if not down:
                            down = True
                            self._put(InterfaceState(interface, up=False))
                    elif code:
                        raise OSError(code, os.strerror(code))
                    else:
                        time.sleep(RETIRE_S / 4)  # nothing after all: do not spin
                ready, _, _ = select.select([fd], [], [], 0.2)
                woke = bool(ready)
                if down or not ready:
                    if interface_gone(interface, self._index):
                        error = deleted(interface)
                        break
                    if down and self._is_up():
                        down = False
                        self._put(InterfaceState(interface, up=True))
        except (OSError, ValueError) as exc:
            if not self._stopping.is_set():
                error = f"{interface}: capture failed ({getattr(exc, 'strerror', None) or exc})"
        if error is None:
            self._last_blocks(ring)
        self._put(SourceEnded(error))

    def _last_blocks(self, ring: Ring) -> None:
        """Stopping: frames the kernel counted are still in its current block; stop taking new ones
        (bound to protocol 0, the socket gets none) and read that block once its timer hands it over."""
        with suppress(OSError):  # the interface is gone: nothing comes any more either
            self._sock.ins.bind((self.interface, 0))
        deadline = time.monotonic() + HORIZON_S + RETIRE_S
        give_up = deadline + 1.0  # the unbinding failed and frames keep coming: stop anyway
        try:
            while True:
                frames, drained = ring.read()
                if frames:
                    self._put(frames)
                now = time.monotonic()
                if (drained and now >= deadline) or now >= give_up:
                    return
                if drained:
                    time.sleep(RETIRE_S / 2)
        except (OSError, ValueError):
            return

    def _is_up(self) -> bool:
        request = struct.pack("16sH14x", self.interface.encode()[:15], 0)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                flags = struct.unpack_from("16sH", fcntl.ioctl(probe.fileno(), SIOCGIFFLAGS, request))[1]
        except OSError:
            return False
        return bool(flags & IFF_UP)

    def horizon(self) -> float:
        return self._horizon

    def _counters(self) -> tuple[int, int]:
        """The kernel's (packets, drops) since the last read, which resets them; (0, 0) when unreadable.
        The first 8 bytes are the same with or without the ring (tpacket_stats, tpacket_stats_v3)."""
        try:
            raw = self._sock.ins.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
        except OSError:
            return 0, 0
        packets, drops = struct.unpack("II", raw)
        return packets, drops

    def _poll(self) -> None:
        """Add the kernel's counters since the last read (reading resets them)."""
        if self._sock is None or self._sock.closed:
            return
        packets, drops = self._counters()
        # The kernel counts drops in tp_packets; `received` is what reached us, as dumpcap's isb_ifrecv.
        self._received += packets - drops
        self._dropped += drops

    def stats(self) -> CaptureStats:
        with self._stats_lock:
            self._poll()
            return CaptureStats(self._received, self._dropped)

    def stop(self) -> None:
        super().stop()
        with self._stats_lock:
            self._poll()
            if self._sock is not None:
                self._sock.close()
            if self._ring is not None and (self._thread is None or not self._thread.is_alive()):
                self._ring.close()
