"""Capture sources: pcap and pcapng files (plain, gzip, bzip2, xz, or stdin), read as a stream of frames.

Readers hold one record at a time. Damage (a truncated file, an impossible record length) ends the
file's stream without an exception: every frame before it has already been yielded, and the reader's
``damage`` says what happened. Oddities that do not stop reading (a record longer than the file's
snaplen, a captured length above the wire length) are counted in ``anomalies``.

Measured before writing this (2 cores, 2,000,000 small frames): scapy's RawPcapReader reads about
0.25 M records/s and RawPcapNgReader less, while these readers do about 0.5-0.8 M/s, and scapy's
readers give no way to tell a truncated file from a clean end, nor pcapng interface statistics.
"""

from __future__ import annotations

import bz2
import gzip
import heapq
import importlib
import io
import lzma
import mmap
import os
import stat
import struct
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from types import ModuleType
from typing import Any, BinaryIO, NamedTuple, cast

from vrrpcap.errors import InputUnavailable, NotACapture


def _load_scanner() -> ModuleType | None:
    """The C scanner (vrrpcap/_scan.c), or None: not built, or VRRPCAP_NO_EXTENSION is set."""
    if os.environ.get("VRRPCAP_NO_EXTENSION"):
        return None
    try:
        return importlib.import_module("vrrpcap._scan")
    except ImportError:
        return None


# Module-level so that tests can set it to None to exercise the pure-Python scan.
scanner: ModuleType | None = _load_scanner()

# libpcap refuses records above 256 KiB (its MAXIMUM_SNAPLEN); a larger claim means a corrupt header.
MAX_RECORD = 262_144
MAX_PCAPNG_BLOCK = 16 * 1024 * 1024
CHUNK = 1 << 20
# The scanner walks at most this much of a mapped file per call: the frames of one call are held at once,
# and the pages behind it are let go (the file's pages would otherwise count in the process's memory).
SCAN_WINDOW = 1 << 20

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6, 16),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6, 16),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9, 16),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9, 16),
    # Alexey Kuznetzov's patched libpcap: 8 more bytes per record header (ifindex, protocol, type).
    b"\x34\xcd\xb2\xa1": ("<", 1e-6, 24),
    b"\xa1\xb2\xcd\x34": (">", 1e-6, 24),
}
PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
COMPRESSED_MAGICS = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\xfd7zX": "xz"}


class Frame(NamedTuple):
    """A captured frame. A NamedTuple, not a dataclass: one is made per packet read, and tuples are
    made three times faster than frozen dataclasses."""

    file: str
    number: int  # 1-based, as Wireshark numbers frames
    time: float  # epoch seconds
    linktype: int
    data: bytes
    wire_length: int
    interface: str | None  # pcapng if_name (or "ifN"); None for classic pcap


@dataclass
class InterfaceInfo:
    name: str
    linktype: int
    snaplen: int
    resolution: float = 1e-6
    offset: float = 0.0
    received: int | None = None  # isb_ifrecv
    dropped: int | None = None  # isb_ifdrop + isb_osdrop


@dataclass
class Anomaly:
    what: str
    count: int = 0
    first_frame: int = 0


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read from it put back in front (stdin cannot seek)."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def _decompressor(name: str, stream: BinaryIO) -> BinaryIO:
    if name == "gzip":
        return cast(BinaryIO, gzip.GzipFile(fileobj=stream))
    if name == "bzip2":
        return cast(BinaryIO, bz2.BZ2File(stream))
    return cast(BinaryIO, lzma.LZMAFile(stream))


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    """Read n bytes, or fewer only at the end of the stream (pipes may return short reads)."""
    if n <= 0:
        return b""
    data = stream.read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = stream.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class CaptureReader:
    """One capture file (or stdin), iterated as frames in file order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.label = "<stdin>" if path == "-" else path
        self.format = ""
        self.compression: str | None = None
        self.size: int | None = None
        self.frames = 0
        self.damage: str | None = None
        self.anomalies: dict[str, Anomaly] = {}
        self.interfaces: list[InterfaceInfo] = []
        self._retired: list[InterfaceInfo] = []  # interfaces of earlier pcapng sections
        # Scan mode (see scan()): only frames that may carry VRRP come out, the rest are only counted;
        # the earliest and latest timestamps of all frames, and the merge key of the latest frame.
        self.first_time: float | None = None
        self.last_time: float | None = None
        self.progress: Callable[[], None] | None = None  # called after each scanned chunk
        self._scanning = False
        self._keyed = False
        self._key = 0.0
        self._buf: bytes | mmap.mmap = b""  # read-ahead: the (decompressed) stream from _pos on, not yet parsed
        self._pos = 0
        self._map: mmap.mmap | None = None
        self._released = 0  # pages of the map before this offset were let go
        self._raw = self._open_raw(path)
        self._stream: BinaryIO = self._raw
        try:
            self._magic = self._sniff()
        except BaseException:
            self.close()
            raise

    # -- opening -------------------------------------------------------------------------------
    def _open_raw(self, path: str) -> BinaryIO:
        if path == "-":
            return sys.stdin.buffer
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise InputUnavailable(f"{path}: no such file") from None
        except OSError as exc:
            raise InputUnavailable(f"{path}: cannot read ({exc.strerror})") from None
        if stat.S_ISDIR(st.st_mode):
            raise InputUnavailable(f"{path}: is a directory, not a capture file")
        if stat.S_ISREG(st.st_mode):
            self.size = st.st_size
        try:
            return open(path, "rb")
        except OSError as exc:
            raise InputUnavailable(f"{path}: cannot read ({exc.strerror})") from None

    def _sniff(self) -> bytes:
        head = self._read_head(self._raw)
        for magic, name in COMPRESSED_MAGICS.items():
            if head.startswith(magic):
                self.compression = name
                prefixed = io.BufferedReader(_Prefixed(head, self._raw))
                self._stream = _decompressor(name, prefixed)
                head = self._read_head(self._stream)
                break
        if head in PCAP_MAGICS:
            self.format = "pcap"
        elif head == PCAPNG_SHB:
            self.format = "pcapng"
        else:
            what = f"{self.compression}-compressed data" if self.compression else "file"
            shown = head.hex() if head else "nothing"
            raise NotACapture(f"{self.label}: not a pcap or pcapng {what} (starts with {shown})")
        return head

    def _read_head(self, stream: BinaryIO) -> bytes:
        try:
            head = _read_exact(stream, 4)
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            raise NotACapture(f"{self.label}: cannot decompress ({exc})") from None
        if not head:
            raise NotACapture(f"{self.label}: empty file, not a capture")
        if len(head) < 4:
            raise NotACapture(f"{self.label}: only {len(head)} bytes, not a capture")
        return head

    def close(self) -> None:
        if self._map is not None:
            self._buf = b""
            self._map.close()
            self._map = None
        if self._stream is not self._raw:
            self._stream.close()
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    def position(self) -> int:
        """Bytes consumed of the file on disk (compressed bytes for a compressed file), for progress."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    # -- problems ------------------------------------------------------------------------------
    def _anomaly(self, key: str, what: str, frame: int) -> None:
        found = self.anomalies.get(key)
        if found is None:
            found = self.anomalies[key] = Anomaly(what, 0, frame)
        found.count += 1

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

    # -- reading -------------------------------------------------------------------------------
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
        self._map_file()
        return cast(Iterator[tuple[float, Frame]], self._records())

    def scan_frames(self) -> Iterator[Frame]:
        """scan() without the keys (one file needs no merge)."""
        self._scanning, self._keyed = True, False
        self._map_file()
        return cast(Iterator[Frame], self._records())

    def _release(self, buffer: bytes | mmap.mmap, position: int) -> None:
        """Let go of the mapped pages before position (they stay in the page cache)."""
        mapped = self._map
        if mapped is None or buffer is not mapped or not hasattr(mmap, "MADV_DONTNEED"):
            return
        done = position - position % mmap.PAGESIZE
        if done - self._released >= SCAN_WINDOW:
            mapped.madvise(mmap.MADV_DONTNEED, self._released, done - self._released)
            self._released = done

    def _map_file(self) -> None:
        """A plain capture file on disk becomes the read-ahead buffer whole, as a read-only mmap: the
        scanner walks it with no copy (reading 1 MiB chunks into fresh bytes cost more than the scan).
        Reading goes on from the mapped size, so a file that grows is still read to its end."""
        if scanner is None or self.compression is not None or self.size is None or self._map is not None:
            return
        if self._buf or self._pos or self._stream is not self._raw or self._raw is sys.stdin.buffer:
            return  # only before reading starts
        try:
            mapped = mmap.mmap(self._raw.fileno(), 0, access=mmap.ACCESS_READ)
            position = self._raw.tell()
            self._raw.seek(len(mapped))
        except (OSError, ValueError, io.UnsupportedOperation):
            return
        if hasattr(mmap, "MADV_SEQUENTIAL"):
            mapped.madvise(mmap.MADV_SEQUENTIAL)
        self._map, self._buf, self._pos = mapped, mapped, position

    def _records(self) -> Iterator[Any]:
        try:
            if self.format == "pcap":
                yield from self._pcap_frames()
            else:
                yield from self._pcapng_frames()
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            # Damaged compressed stream or a read error: what was yielded stands.
            self.damage = f"read error after frame {self.frames} ({exc})"

    def _see(self, t: float) -> None:
        """Scan mode: a frame handled in Python; keep the time bounds and the merge key."""
        if self.first_time is None or self.last_time is None:
            self.first_time = self.last_time = t
        else:
            if t < self.first_time:
                self.first_time = t
            if t > self.last_time:
                self.last_time = t
        self._key = self.last_time

    def _read(self, n: int) -> bytes:
        """n bytes, or fewer only at the end of the stream; served from the read-ahead buffer."""
        if n <= 0:
            return b""
        end = self._pos + n
        if end > len(self._buf):
            self._buf, self._pos = self._fill(self._buf, self._pos, n)
            end = n
        data = self._buf[self._pos : end]
        self._pos = min(end, len(self._buf))
        return data

    def _fill(self, buffer: bytes | mmap.mmap, position: int, need: int) -> tuple[bytes, int]:
        """The unread rest of buffer plus more input, at least `need` bytes unless the input ends.

        From a pipe, take what has arrived (read1) rather than wait for a full chunk: records from
        `tcpdump -U -w - | vrrpcap decode -` must come out as they come in."""
        parts = [buffer[position:]]
        have = len(parts[0])
        read = getattr(self._stream, "read1", None) if self.size is None else None
        while have < need:
            more = read(max(CHUNK, need - have)) if read else _read_exact(self._stream, max(CHUNK, need - have))
            if not more:
                break
            parts.append(more)
            have += len(more)
        return b"".join(parts), 0

    def _pcap_frames(self) -> Iterator[Any]:
        endian, resolution, record_header = PCAP_MAGICS[self._magic]
        header = self._read(20)
        if len(header) < 20:
            raise NotACapture(f"{self.label}: pcap file header cut short ({4 + len(header)} of 24 bytes)")
        _major, _minor, _zone, _sigfigs, snaplen, linktype_field = struct.unpack(endian + "HHiIII", header)
        linktype = linktype_field & 0xFFFF  # upper bits: FCS length, as libpcap reads it
        self.interfaces = [InterfaceInfo("if0", linktype, snaplen, resolution)]
        unpack_record = struct.Struct(endian + "IIII").unpack_from
        label = self.label
        number = 0
        # Records are parsed out of large reads: two small reads per record cost more than the parsing.
        buffer, position = self._buf, self._pos
        self._buf, self._pos = b"", 0
        scanning, keyed = self._scanning, self._keyed
        scan_pcap = scanner.scan_pcap if scanning and scanner is not None else None
        big = endian == ">"
        while True:
            if scan_pcap is not None:
                # Ordinary records at C speed; the record it stops at is handled below, in Python.
                position, number, found, keys, self.first_time, self.last_time = scan_pcap(
                    buffer,
                    position,
                    number,
                    big,
                    record_header,
                    linktype,
                    snaplen,
                    resolution,
                    self.first_time,
                    self.last_time,
                    Frame,
                    label,
                    keyed,
                    SCAN_WINDOW,
                )
                self.frames = number
                self._release(buffer, position)
                if found:
                    yield from zip(keys, found, strict=True) if keyed else found
                if self.progress is not None:
                    self.progress()
            if len(buffer) - position < record_header:
                buffer, position = self._fill(buffer, position, record_header)
                if not buffer:
                    return
                if len(buffer) < record_header:
                    self.damage = (
                        f"truncated in the header of record {number + 1} ({len(buffer)} of {record_header} bytes)"
                    )
                    return
            seconds, fraction, caplen, wirelen = unpack_record(buffer, position)
            number += 1
            if caplen > MAX_RECORD:
                self.damage = f"record {number} claims {caplen} captured bytes (the limit is {MAX_RECORD})"
                return
            if len(buffer) - position < record_header + caplen:
                buffer, position = self._fill(buffer, position, record_header + caplen)
                if len(buffer) < record_header + caplen:
                    self.damage = f"truncated in record {number} ({len(buffer) - record_header} of {caplen} bytes)"
                    return
            start = position + record_header
            end = start + caplen
            position = end
            if caplen > snaplen and snaplen:
                self._anomaly("snaplen", f"longer than the file's snaplen {snaplen}", number)
            if caplen > wirelen:
                self._anomaly("wirelen", "with more bytes captured than were on the wire", number)
            self.frames = number
            frame = Frame(label, number, seconds + fraction * resolution, linktype, buffer[start:end], wirelen, None)
            if scanning:
                self._see(frame.time)
                if keyed:
                    yield self._key, frame
                    continue
            yield frame

    def _pcapng_frames(self) -> Iterator[Any]:
        block_type_bytes: bytes | None = self._magic
        label = self.label
        endian = "<"
        number = 0
        scanning, keyed = self._scanning, self._keyed
        scan_pcapng = scanner.scan_pcapng if scanning and scanner is not None else None
        while True:
            if block_type_bytes is None and scan_pcapng is not None:
                # Enhanced packet blocks at C speed; the block it stops at is handled below, in Python.
                self._pos, number, found, keys, self.first_time, self.last_time = scan_pcapng(
                    self._buf,
                    self._pos,
                    number,
                    endian == ">",
                    [(i.linktype, i.snaplen, i.resolution, i.offset, i.name) for i in self.interfaces],
                    self.first_time,
                    self.last_time,
                    Frame,
                    label,
                    keyed,
                    SCAN_WINDOW,
                )
                self.frames = number
                self._release(self._buf, self._pos)
                if found:
                    yield from zip(keys, found, strict=True) if keyed else found
                if self.progress is not None:
                    self.progress()
            if block_type_bytes is None:
                block_type_bytes = self._read(4)
                if not block_type_bytes:
                    return
                if len(block_type_bytes) < 4:
                    self.damage = f"truncated in a block header after frame {number}"
                    return
            length_bytes = self._read(4)
            if block_type_bytes == PCAPNG_SHB:
                bom = self._read(4)
                if len(length_bytes) < 4 or len(bom) < 4:
                    self.damage = f"truncated in a section header after frame {number}"
                    return
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    if number == 0:
                        raise NotACapture(f"{label}: pcapng section header with a bad byte-order magic")
                    self.damage = f"section header with a bad byte-order magic after frame {number}"
                    return
                (total,) = struct.unpack(endian + "I", length_bytes)
                if total < 28:
                    self.damage = f"section header of impossible length {total} after frame {number}"
                    return
                body_length = total - 16
                self._retired += self.interfaces  # their drop counters still count
                self.interfaces = []  # interface ids restart in every section
            else:
                if len(length_bytes) < 4:
                    self.damage = f"truncated in a block header after frame {number}"
                    return
                (total,) = struct.unpack(endian + "I", length_bytes)
                body_length = total - 12
            if total < 12 or total % 4 or total > MAX_PCAPNG_BLOCK:
                self.damage = f"block of impossible length {total} after frame {number}"
                return
            body = self._read(body_length)
            trailer = self._read(4)
            if len(body) < body_length or len(trailer) < 4:
                self.damage = f"truncated in a block after frame {number}"
                return
            (block_type,) = struct.unpack(endian + "I", block_type_bytes)
            block_type_bytes = None
            if block_type == 6 or block_type == 2 or block_type == 3:  # enhanced, obsolete, simple packet
                frame = self._pcapng_packet(block_type, body, endian, number + 1)
                if frame is None:
                    return
                number += 1
                self.frames = number
                if scanning:
                    self._see(frame.time)
                    if keyed:
                        yield self._key, frame
                        continue
                yield frame
            elif block_type == 1:
                self._pcapng_interface(body, endian, number)
            elif block_type == 5:
                self._pcapng_statistics(body, endian)
            # other blocks (section header options, name resolution, secrets, custom) carry nothing for us

    def _pcapng_packet(self, block_type: int, body: bytes, endian: str, number: int) -> Frame | None:
        if block_type == 6:
            if len(body) < 20:
                self.damage = f"enhanced packet block {number} shorter than its header"
                return None
            iface, ts_high, ts_low, caplen, wirelen = struct.unpack_from(endian + "IIIII", body)
            data_offset = 20
        elif block_type == 2:
            if len(body) < 20:
                self.damage = f"packet block {number} shorter than its header"
                return None
            iface, _drops, ts_high, ts_low, caplen, wirelen = struct.unpack_from(endian + "HHIIII", body)
            data_offset = 20
        else:
            if len(body) < 4:
                self.damage = f"simple packet block {number} shorter than its header"
                return None
            iface, ts_high, ts_low = 0, 0, 0
            (wirelen,) = struct.unpack_from(endian + "I", body)
            data_offset = 4
            caplen = min(wirelen, len(body) - 4)
            if self.interfaces and self.interfaces[0].snaplen:
                caplen = min(caplen, self.interfaces[0].snaplen)
        if iface >= len(self.interfaces):
            self.damage = f"frame {number} names interface {iface}, which no interface block described"
            return None
        if caplen > len(body) - data_offset:
            self.damage = f"frame {number} claims {caplen} captured bytes, its block holds fewer"
            return None
        info = self.interfaces[iface]
        if info.snaplen and caplen > info.snaplen:
            self._anomaly("snaplen", f"longer than the interface's snaplen {info.snaplen}", number)
        if caplen > wirelen:
            self._anomaly("wirelen", "with more bytes captured than were on the wire", number)
        ts = ((ts_high << 32) | ts_low) * info.resolution + info.offset
        data = body[data_offset : data_offset + caplen]
        return Frame(self.label, number, ts, info.linktype, data, wirelen, info.name)

    def _pcapng_interface(self, body: bytes, endian: str, number: int) -> None:
        if len(body) < 8:
            self.damage = f"interface block shorter than its header after frame {number}"
            return
        linktype, _reserved, snaplen = struct.unpack_from(endian + "HHI", body)
        info = InterfaceInfo(f"if{len(self.interfaces)}", linktype, snaplen)
        for code, value in _options(body, 8, endian):
            if code == 2:  # if_name
                info.name = value.decode("utf-8", errors="replace").rstrip("\x00") or info.name
            elif code == 9 and value:  # if_tsresol
                exponent = value[0] & 0x7F
                info.resolution = 2.0**-exponent if value[0] & 0x80 else 10.0**-exponent
            elif code == 14 and len(value) >= 8:  # if_tsoffset, seconds
                info.offset = float(struct.unpack_from(endian + "q", value)[0])
        self.interfaces.append(info)

    def _pcapng_statistics(self, body: bytes, endian: str) -> None:
        if len(body) < 12:
            return
        (iface,) = struct.unpack_from(endian + "I", body)
        if iface >= len(self.interfaces):
            return
        info = self.interfaces[iface]
        dropped = None
        for code, value in _options(body, 12, endian):
            if len(value) < 8:
                continue
            (count,) = struct.unpack_from(endian + "Q", value)
            if code == 4:  # isb_ifrecv
                info.received = count
            elif code in (5, 7):  # isb_ifdrop, isb_osdrop
                dropped = (dropped or 0) + count
        if dropped is not None:
            # Counters are cumulative: the latest block is the total so far.
            info.dropped = dropped


def _options(body: bytes, offset: int, endian: str) -> Iterator[tuple[int, bytes]]:
    """pcapng options (code, value) from offset to the end of a block body."""
    end = len(body)
    unpack = struct.Struct(endian + "HH").unpack_from
    while offset + 4 <= end:
        code, length = unpack(body, offset)
        if code == 0:
            return
        offset += 4
        if offset + length > end:
            return
        yield code, body[offset : offset + length]
        offset += (length + 3) & ~3


@dataclass
class CaptureSet:
    """Several captures read as one stream, merged by timestamp (rotated tcpdump -G/-C files)."""

    paths: Iterable[str]
    readers: list[CaptureReader] = field(default_factory=list)

    def open(self) -> CaptureSet:
        try:
            for path in self.paths:
                self.readers.append(CaptureReader(path))
        except BaseException:
            self.close()
            raise
        return self

    def __iter__(self) -> Iterator[Frame]:
        if len(self.readers) == 1:
            return iter(self.readers[0])
        return heapq.merge(*self.readers, key=_frame_time)

    def scan(self) -> Iterator[Frame]:
        """The frames that may carry VRRP (CaptureReader.scan), merged as __iter__ merges all frames."""
        if len(self.readers) == 1:
            return self.readers[0].scan_frames()
        merged = heapq.merge(*(reader.scan() for reader in self.readers), key=itemgetter(0))
        return (frame for _, frame in merged)

    def close(self) -> None:
        for reader in self.readers:
            reader.close()

    def __enter__(self) -> CaptureSet:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def problems(self) -> list[str]:
        return [line for reader in self.readers for line in reader.problems()]

    @property
    def damaged(self) -> bool:
        return any(reader.damage or reader.anomalies for reader in self.readers)


def _frame_time(frame: Frame) -> float:
    return frame.time
