"""Any capture format Wireshark reads (snoop, ERF, NetMon, 5View, nettl, pcap variants...), through pyshark.

capinfos tells the file's type, frame count and time bounds (and whether Wireshark can read it at
all); pyshark runs tshark with a display filter that keeps the frames that may carry VRRP (a superset,
as the C scanner's) and hands each one's bytes, number and time; the link layer comes from the first
protocol tshark dissects (a pseudo-header such as ERF's or nettl's is not part of the bytes). The
frames then go through vrrpcap's own decoder, so the advert records are those of any other reader.

Slower than the native readers (tshark formats every kept frame as JSON): for formats they do not read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vrrpcap.errors import InputUnavailable, NotACapture
from vrrpcap.frames.frame import Frame, InterfaceInfo
from vrrpcap.frames.reader import CaptureReader
from vrrpcap.frames.state import ReadState

# Frames the decoder may turn into records: VRRP/CARP (IP protocol 112), AH, ICMP errors, IPv6 with
# extension headers (the next header may be 112 further on).
DISPLAY_FILTER = (
    "vrrp or carp or ah or icmp or icmpv6 or ip.proto == 112 or ip.proto == 51 or ipv6.nxt == 112"
    " or ipv6.nxt == 51 or ipv6.hopopts or ipv6.dstopts or ipv6.routing or ipv6.fraghdr"
)
# tshark's protocol name for a link layer -> the tcpdump link type vrrpcap's decoder reads it as.
LINK_TYPES = {"eth": 1, "sll": 113, "ip": 101, "ipv6": 101, "null": 0, "loop": 108, "chdlc": 104, "fr": 107}
TIMEOUT = 600  # seconds for capinfos to read a file
# Link layers (capinfos -E short names) of files worth reading when the format was not asked for:
# Wireshark also opens an empty file (as ERF), two bytes (as MP4), JSON and pictures.
NETWORK_ENCAPSULATIONS = ("ether", "erf", "rawip", "linux-sll", "null", "loop", "chdlc", "fr", "per-packet")


@dataclass(frozen=True)
class FileInfo:
    """What capinfos says: Wireshark's short name of the file type, frames, earliest and latest time."""

    format: str
    encapsulation: str
    frames: int
    first_time: float | None
    last_time: float | None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise NotACapture(f"{name} is not installed (Wireshark's tools read formats other than pcap/pcapng)")
    return path


def file_info(path: str) -> FileInfo:
    """capinfos -T: one tab-separated line; an error line when Wireshark cannot read the file."""
    command = [_tool("capinfos"), "-T", "-r", "-t", "-E", "-c", "-a", "-e", "-S", path]
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotACapture(f"{path}: capinfos failed ({exc})") from None
    cells = done.stdout.strip().split("\t")
    if done.returncode != 0 or len(cells) < 6:
        why = next((line for line in done.stderr.splitlines() if line.strip()), "capinfos failed")
        raise NotACapture(why.removeprefix("capinfos: "))

    def when(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            return None  # "n/a": no frames

    frames = int(cells[3]) if cells[3].isdigit() else 0
    return FileInfo(cells[1], cells[2], frames, when(cells[4]), when(cells[5]))


def unreadable(path: str, native: NotACapture, wireshark: NotACapture) -> NotACapture:
    """The error for a file nothing reads: what each reader said."""
    ours = str(native).removeprefix(f"{path}: ")
    theirs = str(wireshark).removeprefix(f"{path}: ")
    return NotACapture(
        f"{path}: not a capture file: tried pcap and pcapng ({ours}) and every format Wireshark reads ({theirs})"
    )


def link_of(protocols: str) -> int | None:
    """The link type of a frame from tshark's protocol list ('erf:eth:ethertype:ip:vrrp' -> Ethernet)."""
    return next((LINK_TYPES[name] for name in protocols.split(":") if name in LINK_TYPES), None)


def damage_of(crash: str, read_to_the_end: bool) -> str | None:
    """What pyshark's "TShark seems to have crashed" means for the file, or None when it does not.

    tshark says why it stopped on stderr ("tshark: The file ... appears to have been cut short").
    Exit status 255 with no such line after the whole output was read is asyncio's stand-in for a
    status it could not collect (its child watcher found the process already reaped), not a crash.
    """
    said = [line for line in crash.splitlines() if line.startswith("Last error line") and "tshark: " in line]
    if said:
        return said[0].split("tshark: ", 1)[-1]
    if read_to_the_end and "(retcode: 255)" in crash:
        return None
    return "tshark stopped reading"


class TsharkReader(CaptureReader):
    """One capture file read by Wireshark: the frames that may carry VRRP, with their file numbers."""

    def __init__(self, path: str, asked: bool = True) -> None:
        """``asked``: the user chose tshark; otherwise (auto) only a network capture is read this way."""
        ReadState.__init__(self, path)
        self.path = path
        if not os.path.exists(path):
            raise InputUnavailable(f"{path}: no such file")
        if not os.access(path, os.R_OK):
            raise InputUnavailable(f"{path}: cannot read (Permission denied)")
        self.size = os.path.getsize(path)
        self._info = info = file_info(path)
        if not asked and (not info.frames or not info.encapsulation.startswith(NETWORK_ENCAPSULATIONS)):
            what = f"{info.frames} frames of {info.encapsulation}" if info.frames else "no frames"
            raise NotACapture(f"{path}: Wireshark reads it as {info.format} with {what}: not a network capture")
        self.format = self._info.format  # Wireshark's name: snoop, erf, netmon2, ...
        self.compression = None
        # tshark prints nanoseconds whatever the format holds.
        self.interfaces = [InterfaceInfo("tshark", 1, 0, 1e-9)]
        self._pcapng = self._info.format.startswith("pcapng")
        self._done = 0

    def close(self) -> None:
        pass

    def position(self) -> int:
        return (self.size or 0) if self._done else 0

    def scan(self) -> Iterator[tuple[float, Frame]]:
        latest: float | None = None
        for frame in self._frames():
            latest = frame.time if latest is None or frame.time > latest else latest
            yield latest, frame

    def scan_frames(self) -> Iterator[Frame]:
        return self._frames()

    def scan_batches(self) -> Iterator[list[Frame]]:
        return ([frame] for frame in self._frames())  # tshark's pace: no list worth waiting for

    def __iter__(self) -> Iterator[Frame]:
        return self._frames()

    def _frames(self) -> Iterator[Frame]:
        import pyshark

        capture = pyshark.FileCapture(
            self.path,
            display_filter=DISPLAY_FILTER,
            include_raw=True,
            use_json=True,
            keep_packets=False,
            custom_parameters=["-j", "frame"],  # only the frame's fields and bytes in tshark's JSON
        )
        crash = pyshark.capture.capture.TSharkCrashException
        try:
            for packet in capture:
                frame = self._frame(packet)
                if frame is not None:
                    yield frame
        except crash as exc:
            self.damage = damage_of(str(exc), getattr(capture, "_eof_reached", False))
        finally:
            try:
                capture.close()
            except crash as exc:
                self.damage = self.damage or damage_of(str(exc), getattr(capture, "_eof_reached", False))
                # pyshark forgets the process only when close succeeds; its __del__ would raise again.
                capture._running_processes.clear()
            info = self._info
            self.frames, self.first_time, self.last_time, self._done = info.frames, info.first_time, info.last_time, 1
            if self.progress is not None:
                self.progress()

    def _frame(self, packet: Any) -> Frame | None:
        fields = packet.frame_info
        linktype = link_of(str(fields.protocols))
        if linktype is None:
            return None
        name = getattr(fields, "interface_name", None)
        if name is None and self._pcapng:
            number = getattr(fields, "interface_id", None)
            name = None if number is None else f"if{number}"
        data = bytes.fromhex(packet.frame_raw.value)
        return Frame(self.label, int(fields.number), float(fields.time_epoch), linktype, data, int(fields.len), name)
