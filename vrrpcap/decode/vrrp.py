"""VRRP messages: version 2 (RFC 3768) and version 3 (RFC 5798, RFC 9568), over IPv4 or IPv6.

Both versions share an 8-byte header, laid out as the tables say; the virtual addresses follow (4 or 16
bytes each), then for v2 eight bytes of authentication data (or Cisco's MD5 trailer for auth type 254).
The v3 checksum covers an IP pseudo-header; the v2 checksum covers the message only.
"""

from __future__ import annotations

import socket
import struct

from vrrpcap.decode.advert import AUTH_TYPE_NAMES, Advert, ChecksumVerdict, Family
from vrrpcap.decode.checksum import internet_checksum
from vrrpcap.decode.ip import ntoa
from vrrpcap.decode.packet import IPPROTO_VRRP, Envelope, IPPacket

V2_LAYOUT = (
    ("version_type", "B"),  # version in the high nibble, type (1: advertisement) in the low
    ("vrid", "B"),
    ("priority", "B"),
    ("count", "B"),  # virtual addresses
    ("auth_type", "B"),
    ("interval", "B"),  # seconds
    ("checksum", "H"),
)
V3_LAYOUT = (
    ("version_type", "B"),
    ("vrid", "B"),
    ("priority", "B"),
    ("count", "B"),
    ("interval", "H"),  # 4 reserved bits, then 12 bits of centiseconds
    ("checksum", "H"),
)
V2_HEADER = struct.Struct("!" + "".join(code for _, code in V2_LAYOUT))
V3_HEADER = struct.Struct("!" + "".join(code for _, code in V3_LAYOUT))
HEADER_LENGTH = V2_HEADER.size  # 8, as V3_HEADER.size
V2_AUTH_LENGTH = 8
AUTH_CISCO_MD5 = 254

VRRP_GROUP_V4 = b"\xe0\x00\x00\x12"  # 224.0.0.18
VRRP_GROUP_V6 = socket.inet_pton(socket.AF_INET6, "ff02::12")


def decode_vrrp(envelope: Envelope, packet: IPPacket, quoted: bool) -> Advert:
    """The advert of a VRRP message; an ICMP quote (quoted) may hold only a prefix of it by design."""
    m = packet.payload
    declared = packet.declared
    notes = list(packet.notes)
    if declared <= 0 or not m:
        return Advert(**envelope, length=max(declared, 0), notes=tuple(notes), malformed="empty VRRP message")
    problems: list[str] = []
    if packet.fragment:
        problems.append(packet.fragment)
    complete = len(m) >= declared
    if not complete:
        if quoted:  # ICMP errors quote a prefix of the packet by design
            notes.append(f"ICMP quote holds {len(m)} of {declared} bytes")
        else:
            problems.append(f"truncated: {len(m)} of {declared} bytes captured")
    if len(m) < HEADER_LENGTH or declared < HEADER_LENGTH:
        return _short_header(envelope, packet, notes, problems)
    version, kind = m[0] >> 4, m[0] & 0x0F
    if kind != 1:
        problems.append(f"unknown packet type {kind}")
    message = m[:declared]
    interval: float | None
    auth_type: int | None = None
    auth_secret: bytes | None = None
    checksum: ChecksumVerdict = "unverified"
    if version == 2:
        _, vrid, priority, count, v2_auth_type, seconds, checksum_value = V2_HEADER.unpack_from(m)
        interval = float(seconds)
        auth_type = v2_auth_type
        if packet.family != "ipv4":
            problems.append("VRRPv2 over IPv6")
        auth_secret = _v2_auth(m, declared, count, v2_auth_type, notes, problems)
        if complete:
            checksum = _v2_checksum(message, count, v2_auth_type)
    elif version == 3:
        _, vrid, priority, count, centiseconds, checksum_value = V3_HEADER.unpack_from(m)
        interval = (centiseconds & 0x0FFF) / 100
        needed = HEADER_LENGTH + (4 if packet.family == "ipv4" else 16) * count
        if declared < needed:
            problems.append(f"{count} addresses need {needed} bytes, the message has {declared}")
        elif declared > needed:
            notes.append(f"{declared - needed} bytes after the addresses")
        if complete:
            checksum = _v3_checksum(packet, message)
    else:
        _, vrid, priority, count, _, checksum_value = V3_HEADER.unpack_from(m)  # the fields all versions share
        interval = None
        problems.append(f"unknown VRRP version {version}")
    if interval == 0:
        problems.append("advert interval 0")
    if version in (2, 3) and count == 0:
        problems.append("no virtual addresses")
    return Advert(
        **envelope,
        version=version,
        type=kind,
        vrid=vrid,
        priority=priority,
        addr_count=count,
        interval=interval,
        auth_type=auth_type,
        auth=_auth_name(auth_type),
        addresses=_addresses(packet.family, m, HEADER_LENGTH, count) if version in (2, 3) else (),
        checksum=checksum,
        checksum_value=checksum_value,
        length=declared,
        encapsulation=packet.encapsulation,
        notes=tuple(notes),
        malformed="; ".join(problems) or None,
        auth_secret=auth_secret,
    )


def _short_header(envelope: Envelope, packet: IPPacket, notes: list[str], problems: list[str]) -> Advert:
    """A message shorter than VRRP's 8-byte header: keep every field that was captured."""
    m, declared = packet.payload, packet.declared
    version = m[0] >> 4
    auth_type = m[4] if len(m) >= 6 and version == 2 else None
    if declared < HEADER_LENGTH:
        problems.append(f"VRRP message of {declared} bytes is shorter than its 8-byte header")
    return Advert(
        **envelope,
        version=version,
        type=m[0] & 0x0F,
        vrid=m[1] if len(m) >= 2 else None,
        priority=m[2] if len(m) >= 3 else None,
        addr_count=m[3] if len(m) >= 4 else None,
        interval=_short_interval(version, m),
        auth_type=auth_type,
        auth=_auth_name(auth_type),
        length=declared,
        encapsulation=packet.encapsulation,
        notes=tuple(notes),
        malformed="; ".join(problems) or None,
    )


def _short_interval(version: int, m: bytes) -> float | None:
    """The advert interval of a cut header, when its bytes 4-5 were captured."""
    if len(m) < 6:
        return None
    if version == 2:
        return float(m[5])
    if version == 3:
        return (((m[4] & 0x0F) << 8) | m[5]) / 100
    return None


def _auth_name(auth_type: int | None) -> str | None:
    return None if auth_type is None else AUTH_TYPE_NAMES.get(auth_type, str(auth_type))


def _addresses(family: Family, data: bytes, start: int, count: int) -> tuple[str, ...]:
    size = 4 if family == "ipv4" else 16
    usable = max(0, min(count, (len(data) - start) // size))
    return tuple(ntoa(family, data[start + i * size : start + (i + 1) * size]) for i in range(usable))


def _v2_auth(
    m: bytes, declared: int, count: int, auth_type: int, notes: list[str], problems: list[str]
) -> bytes | None:
    """The authentication data after the addresses: 8 bytes, or Cisco's MD5 trailer for type 254."""
    end_of_addresses = HEADER_LENGTH + 4 * count
    end_of_auth = end_of_addresses + V2_AUTH_LENGTH
    if declared < end_of_addresses:
        problems.append(f"{count} addresses need {end_of_addresses} bytes, the message has {declared}")
        return None
    if declared == end_of_addresses:
        notes.append("no authentication data (message is 8 + 4n bytes)")
        return None
    if declared < end_of_auth:
        problems.append(f"authentication data cut short ({declared - end_of_addresses} of 8 bytes)")
        return None
    if auth_type == AUTH_CISCO_MD5 and declared > end_of_auth:
        return bytes(m[end_of_auth:declared])
    if declared > end_of_auth:
        notes.append(f"{declared - end_of_auth} bytes after the authentication data")
    secret = bytes(m[end_of_addresses:end_of_auth])
    return None if auth_type == 0 and not any(secret) else secret


def _v2_checksum(message: bytes, count: int, auth_type: int) -> ChecksumVerdict:
    if internet_checksum(message) == 0:
        return "ok"
    rfc_length = HEADER_LENGTH + 4 * count + V2_AUTH_LENGTH
    # Cisco MD5 (type 254): the checksum may cover only the RFC part, not the digest trailer.
    if auth_type == AUTH_CISCO_MD5 and len(message) > rfc_length and internet_checksum(message[:rfc_length]) == 0:
        return "ok"
    return "bad"


def _pseudo_header(packet: IPPacket, dst: bytes, length: int) -> bytes:
    if packet.family == "ipv4":
        return packet.src + dst + struct.pack("!BBH", 0, IPPROTO_VRRP, length)
    return packet.src + dst + struct.pack("!IxxxB", length, IPPROTO_VRRP)


def _v3_checksum(packet: IPPacket, message: bytes) -> ChecksumVerdict:
    length = len(message)
    if internet_checksum(_pseudo_header(packet, packet.dst, length) + message) == 0:
        return "ok"
    if packet.family == "ipv4":
        if internet_checksum(message) == 0:
            return "v2-style"
        old_unicast = _pseudo_header(packet, VRRP_GROUP_V4, length) + message
        if packet.dst != VRRP_GROUP_V4 and internet_checksum(old_unicast) == 0:
            return "old-unicast"
    return "bad"
