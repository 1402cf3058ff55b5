"""What a capture reader hands on: frames, and what it learns about the interfaces they came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Frame(NamedTuple):
    """A captured frame. A NamedTuple, not a dataclass: one is made per packet read, and tuples are
    made three times faster than frozen dataclasses."""

    file: str
    number: int  # 1-based, as Wireshark numbers frames
    time: float  # epoch seconds
    linktype: int
    data: bytes
    wire_length: int
    interface: str | None  # pcapng if_name; "ifN" for a later unnamed interface; None: the file names none


@dataclass
class InterfaceInfo:
    """A pcapng interface description (and its statistics), or the one interface of a classic pcap."""

    name: str | None  # None: the file gives the link no name (a classic pcap, a pcapng's only unnamed IDB)
    linktype: int
    snaplen: int
    resolution: float = 1e-6
    offset: float = 0.0
    received: int | None = None  # isb_ifrecv
    dropped: int | None = None  # isb_ifdrop + isb_osdrop


@dataclass
class Anomaly:
    """Records that break a rule without stopping the reading (counted, with the first one's number)."""

    what: str
    count: int = 0
    first_frame: int = 0
