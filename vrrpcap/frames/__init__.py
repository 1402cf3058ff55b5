"""Capture sources: pcap and pcapng files (plain, gzip, bzip2, xz, or stdin), read as a stream of frames.

    open.py    open the file or stdin, sniff compression and format, the read-ahead / mapped byte window
    pcap.py    classic pcap records            pcapng.py  pcapng blocks, interfaces, statistics
    state.py   what reading found so far       reader.py  CaptureReader, driving the optional C scanner
    merge.py   CaptureSet: files merged by time    frame.py   Frame, InterfaceInfo, Anomaly

The C scanner handle is ``vrrpcap.frames.reader.scanner`` (None without the extension); it is not
re-exported here, because setting a re-exported copy would not reach the reader.
"""

from __future__ import annotations

from vrrpcap.frames.frame import Anomaly, Frame, InterfaceInfo
from vrrpcap.frames.merge import CaptureSet
from vrrpcap.frames.reader import CaptureReader

__all__ = ["Anomaly", "CaptureReader", "CaptureSet", "Frame", "InterfaceInfo"]
