"""What every live capture backend shares: the kernel filter, the frame queue, the drop counters.

A backend opens its capture in ``open()`` (raising one of ``vrrpcap.live.errors`` when it cannot),
then reads in its own thread and puts ``Frame``s (or lists of them: one read of a ring, in order) on a
bounded queue for the session's main loop, ending with one ``SourceEnded``. When the queue is full the
reader waits, the kernel's buffer fills and the kernel drops and counts: the drops show as
VRRP-CAPTURE-DROPS, never as a silent loss.

Timestamps are rounded to microseconds when a frame is made, so a frame written with ``--write`` (a
microsecond pcapng) reads back with exactly the time the live analysis used.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from abc import ABC, abstractmethod
from typing import NamedTuple

from vrrpcap.live.errors import NoSuchInterface

# IP protocol 112 (VRRP, and CARP) over IPv4 and IPv6; VRRP inside IPsec AH (keepalived auth_type AH);
# ICMP/ICMPv6 errors that quote a VRRP packet (a unicast peer with no listener: VRRP-PEER-UNREACHABLE).
# The quoted IP header starts 8 bytes into the ICMP message: its protocol byte is icmp[17], and for
# IPv6 (no extension headers) the quoted next header is at ip6[40 + 8 + 6].
_VRRP = "ip proto 112 or ip6 proto 112"
_AH = "(ip proto 51 and ip[(ip[0] & 0xf) << 2] = 112)"
_ICMP = "(icmp and (icmp[0] = 3 or icmp[0] = 4 or icmp[0] = 5 or icmp[0] = 11 or icmp[0] = 12) and icmp[17] = 112)"
_ICMP6 = "(icmp6 and ip6[40] < 128 and ip6[54] = 112)"
_ANY = f"{_VRRP} or {_AH} or {_ICMP} or {_ICMP6}"
# Linux hands a packet socket a tagged frame with its outer tag removed (it comes back as auxiliary
# data, and scapy or libpcap put it back). What `vlan` tests depends on who compiles the filter:
# scapy compiles for a "dead" Ethernet handle, where every `vlan` reads a tag in the frame; dumpcap's
# live handle makes the first `vlan` test the removed tag and a second one read a tag in the frame.
# And each `vlan` shifts the offsets of everything after it, even across `or`, so the nesting matters:
# untagged or single-tagged (tag removed) frames match the first clause; one tag, or QinQ's inner
# tag left in the frame, match `vlan and (...)`; QinQ for dumpcap needs `vlan and vlan and (...)`.
# Checked with real frames, both backends, in tests/live/test_live_filter.py.
CAPTURE_FILTER = f"({_ANY}) or (vlan and (({_ANY}) or (vlan and ({_ANY}))))"

QUEUE_FRAMES = 50_000  # frames waiting for the analyzer before the reader thread waits in turn
BUFFER_BYTES = 4 << 20  # kernel receive buffer asked for (the socket's or dumpcap's -B)


class SourceEnded(NamedTuple):
    """The last item a backend puts on the queue; ``error`` is None when it stopped as asked."""

    error: str | None = None


class InterfaceState(NamedTuple):
    """Put on the queue when a captured interface goes down or comes back up (the capture goes on)."""

    interface: str
    up: bool


def interface_gone(name: str, index: int) -> bool:
    """True when the interface no longer exists here, or its name now belongs to another one (deleted
    and made again, or moved to another network namespace): a capture bound to it can never resume."""
    try:
        return socket.if_nametoindex(name) != index
    except OSError:
        return True


def deleted(name: str) -> str:
    return f"{name}: the interface was deleted (or moved to another network namespace)"


class CaptureStats(NamedTuple):
    # Both backends alike: received + dropped = the packets that passed the filter.
    received: int | None  # packets that reached vrrpcap, drops excluded (None: cannot tell yet)
    dropped: int | None  # packets that passed the filter but were dropped by the kernel or the tool


def check_interface(name: str) -> int:
    """The interface's index; NoSuchInterface when it does not exist (in this network namespace)."""
    try:
        return socket.if_nametoindex(name)
    except OSError:
        raise NoSuchInterface(name) from None


def microseconds(epoch: float) -> float:
    """The time as a multiple of one microsecond, computed as the pcapng reader computes it."""
    return round(epoch * 1e6) * 1e-6


class CaptureSource(ABC):
    """One live capture on one interface."""

    name = "abstract"

    def __init__(self, interface: str, frames: queue.Queue[object], bpf: str = CAPTURE_FILTER) -> None:
        self.interface = interface
        self.label = interface
        self.filter = bpf
        self.linktype: int | None = None
        self._queue = frames
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @abstractmethod
    def open(self) -> None:
        """Start capturing (packets from now on are kept); raise a VrrpcapError when impossible."""

    @abstractmethod
    def _run(self) -> None:
        """The reader thread: put frames on the queue until stopped, then one SourceEnded."""

    def horizon(self) -> float:
        """Every frame captured before this wall-clock time has been put on the queue. A backend that
        cannot tell says now (the session's grace then covers its buffering)."""
        return time.time()

    @abstractmethod
    def stats(self) -> CaptureStats:
        """Counters so far (cumulative)."""

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading; returns once the reader thread has ended (or gave up waiting for it)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _put(self, item: object) -> None:
        """Hand an item to the main loop; wait while the queue is full, unless stopping."""
        while True:
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                if self._stopping.is_set():
                    return
