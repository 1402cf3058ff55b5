"""Which reader opens a capture: vrrpcap's own (pcap, pcapng) or Wireshark's (any format it reads).

``auto`` reads pcap and pcapng itself and hands anything else (snoop, ERF, NetMon, 5View...) to tshark
through pyshark (vrrpcap/frames/tshark.py); ``tshark`` always uses Wireshark; ``native`` never does.
"""

from __future__ import annotations

from typing import Literal

from vrrpcap.errors import NotACapture
from vrrpcap.frames.reader import CaptureReader

ReaderChoice = Literal["auto", "native", "tshark"]


def open_reader(path: str, choice: ReaderChoice = "auto") -> CaptureReader:
    """The reader for one input; NotACapture names every format tried when none can read it."""
    if choice == "tshark" and path != "-":
        from vrrpcap.frames.tshark import TsharkReader

        return TsharkReader(path)
    try:
        return CaptureReader(path)
    except NotACapture as native:
        if choice == "native" or path == "-":
            raise
        from vrrpcap.frames.tshark import TsharkReader, unreadable

        try:
            return TsharkReader(path, asked=False)
        except NotACapture as wireshark:
            raise unreadable(path, native, wireshark) from None
