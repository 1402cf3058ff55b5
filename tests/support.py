"""Test helpers: capture files built byte by byte, and scapy packets turned into frames.

Everything here is written from the file format specifications (libpcap's pcap-savefile(5) and the
pcapng draft, draft-ietf-opsawg-pcapng), never from vrrpcap's own reader, so the reader is checked
against an independent writer.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vrrpcap.frames import Frame

# Link types (https://www.tcpdump.org/linktypes.html)
LT_NULL = 0
LT_ETHERNET = 1
LT_RAW_BSD = 12
LT_RAW_OPENBSD = 14
LT_RAW = 101
LT_LOOP = 108
LT_LINUX_SLL = 113
LT_IPV4 = 228
LT_IPV6 = 229
LT_LINUX_SLL2 = 276

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D


# -- checksums, written from RFC 1071 independently of vrrpcap.decode.checksum -------------------------


def ones_complement_checksum(data: bytes) -> int:
    """RFC 1071: the complement of the one's-complement sum of big-endian 16-bit words."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def with_checksum(message: bytes, pseudo_header: bytes = b"") -> bytes:
    """The VRRP message with bytes 6-7 set to the checksum over pseudo_header + message."""
    zeroed = message[:6] + b"\x00\x00" + message[8:]
    value = ones_complement_checksum(pseudo_header + zeroed)
    return zeroed[:6] + struct.pack("!H", value) + zeroed[8:]


def ipv4_pseudo_header(src: bytes, dst: bytes, length: int, protocol: int = 112) -> bytes:
    """RFC 768 / RFC 5798 section 5.2.8: source, destination, zero, protocol, upper-layer length."""
    return src + dst + struct.pack("!BBH", 0, protocol, length)


def ipv6_pseudo_header(src: bytes, dst: bytes, length: int, next_header: int = 112) -> bytes:
    """RFC 8200 section 8.1: source, destination, 32-bit length, 3 zero bytes, next header."""
    return src + dst + struct.pack("!I3xB", length, next_header)


# -- frames ------------------------------------------------------------------------------------------


def to_frame(
    packet: object,
    linktype: int = LT_ETHERNET,
    *,
    number: int = 1,
    time: float = 1_700_000_000.0,
    interface: str | None = None,
    file: str = "crafted.pcap",
) -> Frame:
    """A reader Frame holding a scapy packet's (or raw bytes') wire bytes."""
    data = packet if isinstance(packet, bytes | bytearray) else bytes(packet)  # type: ignore[call-overload]
    data = bytes(data)
    return Frame(file, number, time, linktype, data, len(data), interface)


# -- classic pcap --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One packet to write: time in integer nanoseconds since the epoch, so nothing is rounded."""

    time_ns: int
    data: bytes
    wire_length: int | None = None
    captured_length: int | None = None  # to write a lying record header


def pcap_bytes(
    records: Iterable[Record],
    linktype: int = LT_ETHERNET,
    *,
    endian: str = "<",
    nano: bool = False,
    snaplen: int = 65535,
) -> bytes:
    """A classic pcap file (pcap-savefile(5)): 24-byte header, then 16-byte record headers."""
    magic = PCAP_MAGIC_NS if nano else PCAP_MAGIC_US
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for rec in records:
        seconds, ns = divmod(rec.time_ns, 1_000_000_000)
        fraction = ns if nano else ns // 1000
        caplen = len(rec.data) if rec.captured_length is None else rec.captured_length
        wirelen = len(rec.data) if rec.wire_length is None else rec.wire_length
        out.append(struct.pack(endian + "IIII", seconds, fraction, caplen, wirelen))
        out.append(rec.data)
    return b"".join(out)


def pcap_record_offsets(records: Sequence[Record]) -> list[int]:
    """File offsets where each record ends (the clean cut points), the header's end first."""
    offsets = [24]
    for rec in records:
        offsets.append(offsets[-1] + 16 + len(rec.data))
    return offsets


# -- pcapng --------------------------------------------------------------------------------------------


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def pcapng_options(options: Iterable[tuple[int, bytes]], endian: str = "<") -> bytes:
    """Options as (code, value) pairs, each padded to 32 bits, ended by opt_endofopt."""
    out = b""
    for code, value in options:
        out += struct.pack(endian + "HH", code, len(value)) + _pad4(value)
    if out:
        out += struct.pack(endian + "HH", 0, 0)
    return out


def pcapng_block(block_type: int, body: bytes, endian: str = "<") -> bytes:
    body = _pad4(body)
    total = 12 + len(body)
    return struct.pack(endian + "II", block_type, total) + body + struct.pack(endian + "I", total)


def shb(endian: str = "<", options: Iterable[tuple[int, bytes]] = ()) -> bytes:
    """Section Header Block: byte-order magic, version 1.0, section length -1 (unknown)."""
    body = struct.pack(endian + "IHHq", 0x1A2B3C4D, 1, 0, -1) + pcapng_options(options, endian)
    return pcapng_block(0x0A0D0D0A, body, endian)


def idb(
    linktype: int,
    *,
    name: str | None = None,
    tsresol: int | None = None,
    tsoffset: int | None = None,
    snaplen: int = 0,
    endian: str = "<",
) -> bytes:
    """Interface Description Block with if_name (2), if_tsresol (9), if_tsoffset (14, seconds)."""
    options: list[tuple[int, bytes]] = []
    if name is not None:
        options.append((2, name.encode()))
    if tsresol is not None:
        options.append((9, bytes([tsresol])))
    if tsoffset is not None:
        options.append((14, struct.pack(endian + "q", tsoffset)))
    body = struct.pack(endian + "HHI", linktype, 0, snaplen) + pcapng_options(options, endian)
    return pcapng_block(1, body, endian)


def epb(
    interface: int,
    timestamp: int,
    data: bytes,
    *,
    wire_length: int | None = None,
    endian: str = "<",
) -> bytes:
    """Enhanced Packet Block; timestamp in units of the interface's if_tsresol."""
    wirelen = len(data) if wire_length is None else wire_length
    high, low = timestamp >> 32, timestamp & 0xFFFFFFFF
    head = struct.pack(endian + "IIIII", interface, high, low, len(data), wirelen)
    return pcapng_block(6, head + _pad4(data), endian)


def spb(data: bytes, *, endian: str = "<") -> bytes:
    """Simple Packet Block (interface 0, no timestamp)."""
    return pcapng_block(3, struct.pack(endian + "I", len(data)) + _pad4(data), endian)


def isb(
    interface: int,
    timestamp: int = 0,
    *,
    ifrecv: int | None = None,
    ifdrop: int | None = None,
    osdrop: int | None = None,
    endian: str = "<",
) -> bytes:
    """Interface Statistics Block with isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7)."""
    options: list[tuple[int, bytes]] = []
    for code, value in ((4, ifrecv), (5, ifdrop), (7, osdrop)):
        if value is not None:
            options.append((code, struct.pack(endian + "Q", value)))
    body = struct.pack(endian + "III", interface, timestamp >> 32, timestamp & 0xFFFFFFFF)
    return pcapng_block(5, body + pcapng_options(options, endian), endian)


def nrb_empty(endian: str = "<") -> bytes:
    """A Name Resolution Block with only the end-of-records record (a block the reader must skip)."""
    return pcapng_block(4, struct.pack(endian + "HH", 0, 0), endian)


def write(tmp_path: object, name: str, data: bytes) -> str:
    """Write bytes to tmp_path/name and return the path as a string."""
    from pathlib import Path

    path = Path(str(tmp_path)) / name
    path.write_bytes(data)
    return str(path)
