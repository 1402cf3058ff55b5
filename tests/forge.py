"""VRRP adverts built byte by byte for tests (RFC 3768 / RFC 5798 layouts, RFC 791 / RFC 894 headers),
written independently of vrrpcap's decoder, and the capture files that carry them (tests/support.py)."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tests.support import LT_ETHERNET, Record, epb, idb, ones_complement_checksum, pcap_bytes, shb

GROUP = "224.0.0.18"


def vrrp2(vrid: int, priority: int, vips: Sequence[str], *, interval: int = 1, password: bytes | None = None) -> bytes:
    """A VRRPv2 advertisement (RFC 3768 section 5.1), simple-text authentication when ``password``."""
    auth_type = 0 if password is None else 1
    head = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(vips), auth_type, interval, 0)
    body = b"".join(socket.inet_aton(v) for v in vips) + (password or b"").ljust(8, b"\x00")[:8]
    message = head + body
    checksum = ones_complement_checksum(message)
    return message[:6] + struct.pack("!H", checksum) + message[8:]


def ipv4(src: str, dst: str, payload: bytes, *, ttl: int = 255, tos: int = 0xC0, ident: int = 0) -> bytes:
    addresses = socket.inet_aton(src) + socket.inet_aton(dst)
    header = struct.pack("!BBHHHBBH", 0x45, tos, 20 + len(payload), ident, 0, ttl, 112, 0) + addresses
    checksum = ones_complement_checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


def _mac(text: str) -> bytes:
    return bytes(int(part, 16) for part in text.split(":"))


def ether(payload: bytes, src_mac: str, dst_mac: str = "01:00:5e:00:00:12") -> bytes:
    return _mac(dst_mac) + _mac(src_mac) + b"\x08\x00" + payload


@dataclass(frozen=True)
class Advert:
    """One advert to put on the wire."""

    time: float
    src: str
    vrid: int = 51
    priority: int = 100
    vips: tuple[str, ...] = ("192.0.2.100",)
    password: bytes | None = None
    tos: int = 0xC0
    ident: int = 0

    def frame(self) -> bytes:
        mac = f"00:00:5e:00:01:{self.vrid:02x}"
        message = vrrp2(self.vrid, self.priority, self.vips, password=self.password)
        return ether(ipv4(self.src, GROUP, message, tos=self.tos, ident=self.ident), mac)


def series(src: str, start: float, end: float, **fields: object) -> list[Advert]:
    """An advert a second from ``start`` to ``end`` (inclusive)."""
    return [Advert(start + i, src, **fields) for i in range(int(end - start) + 1)]  # type: ignore[arg-type]


def pcap_of(adverts: Iterable[Advert]) -> bytes:
    ordered = sorted(adverts, key=lambda a: a.time)
    return pcap_bytes([Record(round(a.time * 1e6) * 1000, a.frame()) for a in ordered], LT_ETHERNET)  # microseconds


def pcapng_of(adverts: Iterable[Advert], interface: str | None = None) -> bytes:
    """One section, one Ethernet interface (``interface`` as its if_name, none when None), microseconds."""
    ordered = sorted(adverts, key=lambda a: a.time)
    blocks = [shb(), idb(LT_ETHERNET, name=interface)]
    blocks += [epb(0, round(a.time * 1e6), a.frame()) for a in ordered]
    return b"".join(blocks)


def split_brain(t0: float = 1_700_000_000.0, **fields: object) -> list[Advert]:
    """192.0.2.1 master throughout; 192.0.2.2 claims mastership from t0+10 to t0+30 (a split brain)."""
    return series("192.0.2.1", t0, t0 + 40, priority=150, **fields) + series(
        "192.0.2.2", t0 + 10, t0 + 30, priority=100, **fields
    )
