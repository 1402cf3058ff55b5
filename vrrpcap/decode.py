"""Decode frames into adverts: IP (options, extension headers, IPsec AH, ICMP quotes), then VRRP or CARP.

Pure functions of the frame's bytes. Anything that cannot be read completely becomes an Advert with
``malformed`` set, never an exception: a hostile packet ends as a finding, not as a traceback.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TypedDict, cast

from vrrpcap.advert import AUTH_TYPE_NAMES, Advert
from vrrpcap.capture import Frame
from vrrpcap.checksum import internet_checksum
from vrrpcap.linklayer import UNWRAPPERS, Link

IPPROTO_VRRP = 112
IPPROTO_AH = 51
IPPROTO_ICMP = 1
IPPROTO_ICMPV6 = 58
IPV6_EXTENSIONS = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options
IPV6_FRAGMENT = 44
ICMP_ERRORS = frozenset({3, 4, 5, 11, 12})
ICMPV6_ERRORS = frozenset({1, 2, 3, 4})

VRRP_GROUP_V4 = b"\xe0\x00\x00\x12"  # 224.0.0.18
VRRP_GROUP_V6 = socket.inet_pton(socket.AF_INET6, "ff02::12")
CARP_LENGTH = 36


class Envelope(TypedDict):
    """The fields every record of a frame shares, whatever its VRRP message turns out to be."""

    file: str
    frame: int
    time: float
    interface: str | None
    vlan: tuple[int, ...]
    src_mac: str | None
    dst_mac: str | None
    family: str
    src: str
    dst: str
    delivery: str
    ttl: int
    kind: str
    icmp_from: str | None
    icmp_type: int | None
    icmp_code: int | None


@dataclass(frozen=True, slots=True)
class _Packet:
    """The IP facts an advert needs, found by walking the headers."""

    family: str
    src: bytes
    dst: bytes
    ttl: int
    payload: bytes  # VRRP message as captured (at most `declared` bytes)
    declared: int  # VRRP message length according to the IP header(s)
    encapsulation: str | None
    fragment: str | None  # why the packet is a fragment, if it is
    notes: tuple[str, ...]
    broken: str | None = None  # a header too damaged to find the VRRP message


def _ntoa(family: str, raw: bytes) -> str:
    if family == "ipv4":
        return f"{raw[0]}.{raw[1]}.{raw[2]}.{raw[3]}"
    return socket.inet_ntop(socket.AF_INET6, raw)


def _is_multicast(family: str, raw: bytes) -> bool:
    return (raw[0] & 0xF0) == 0xE0 if family == "ipv4" else raw[0] == 0xFF


# -- IP ---------------------------------------------------------------------------------------------


def _ipv4(data: bytes, offset: int) -> tuple[_Packet, int] | None:
    """(packet, protocol) for the protocols we read; None for anything else."""
    if len(data) < offset + 20 or data[offset] >> 4 != 4:
        return None
    ihl = (data[offset] & 0x0F) * 4
    total_length = (data[offset + 2] << 8) | data[offset + 3]
    flags_fragment = (data[offset + 6] << 8) | data[offset + 7]
    ttl = data[offset + 8]
    protocol = data[offset + 9]
    if protocol not in (IPPROTO_VRRP, IPPROTO_AH, IPPROTO_ICMP):
        return None
    src = data[offset + 12 : offset + 16]
    dst = data[offset + 16 : offset + 20]
    if ihl < 20:
        broken = f"IPv4 header length {ihl} is below 20"
        return _Packet("ipv4", src, dst, ttl, b"", 0, None, None, (), broken), protocol
    notes: tuple[str, ...] = ("IPv4 options",) if ihl > 20 else ()
    fragment = None
    if flags_fragment & 0x1FFF:
        fragment = f"IP fragment at offset {(flags_fragment & 0x1FFF) * 8}"
    elif flags_fragment & 0x2000:
        fragment = "IP fragment (more-fragments flag set)"
    start = offset + ihl
    # Ethernet pads short frames: the IP total length, not the frame, says where the packet ends.
    declared = total_length - ihl
    end = min(len(data), offset + total_length)
    return _Packet("ipv4", src, dst, ttl, data[start:end], declared, None, fragment, notes), protocol


def _ipv6(data: bytes, offset: int) -> tuple[_Packet, int] | None:
    if len(data) < offset + 40 or data[offset] >> 4 != 6:
        return None
    payload_length = (data[offset + 4] << 8) | data[offset + 5]
    next_header = data[offset + 6]
    hop_limit = data[offset + 7]
    src = data[offset + 8 : offset + 24]
    dst = data[offset + 24 : offset + 40]
    position = offset + 40
    end = position + payload_length
    notes: list[str] = []
    fragment = None
    # Walk extension headers; bounded by the packet, each at least 8 bytes, so the loop ends.
    while next_header in IPV6_EXTENSIONS or next_header == IPV6_FRAGMENT:
        if len(data) < position + 8:
            return None
        if next_header == IPV6_FRAGMENT:
            offset_flags = (data[position + 2] << 8) | data[position + 3]
            if offset_flags & 0xFFF8:
                fragment = f"IPv6 fragment at offset {offset_flags & 0xFFF8}"
            elif offset_flags & 1:
                fragment = "IPv6 fragment (more-fragments flag set)"
            length = 8
        else:
            length = (data[position + 1] + 1) * 8
        notes.append(f"IPv6 extension header {next_header}")
        next_header = data[position]
        position += length
    if next_header not in (IPPROTO_VRRP, IPPROTO_AH, IPPROTO_ICMPV6):
        return None
    declared = end - position
    payload = data[position : min(len(data), end)]
    packet = _Packet("ipv6", src, dst, hop_limit, payload, declared, None, fragment, tuple(notes))
    return packet, next_header


def _through_ah(packet: _Packet) -> _Packet | str:
    """IPsec AH (keepalived auth_type AH): the VRRP message follows the AH header."""
    data = packet.payload
    if len(data) < 2:
        return "IPsec AH header truncated"
    if data[0] != IPPROTO_VRRP:
        return f"IPsec AH carrying protocol {data[0]}, not VRRP"
    length = (data[1] + 2) * 4
    if len(data) < length:
        return "IPsec AH header truncated"
    return replace(packet, payload=data[length:], declared=packet.declared - length, encapsulation="ah")


# -- VRRP / CARP ------------------------------------------------------------------------------------


def _pseudo_header(packet: _Packet, dst: bytes, length: int) -> bytes:
    if packet.family == "ipv4":
        return packet.src + dst + struct.pack("!BBH", 0, IPPROTO_VRRP, length)
    return packet.src + dst + struct.pack("!IxxxB", length, IPPROTO_VRRP)


def _v3_checksum(packet: _Packet, message: bytes) -> str:
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


def _is_carp(message: bytes, declared: int) -> bool:
    """Wireshark's rule (36 bytes or more captured, version 1-2, type 1, authlen 7), and the message is
    exactly CARP's 36 bytes long: a VRRPv2 advert with seven addresses has the same byte 3 but is 44
    bytes, and stays VRRP even when a snaplen cuts it."""
    return declared == CARP_LENGTH and len(message) >= CARP_LENGTH and message[3] == 7 and message[0] in (0x11, 0x21)


def _decode_carp(envelope: Envelope, packet: _Packet) -> Advert:
    m = packet.payload
    checksum = "ok" if internet_checksum(m[:CARP_LENGTH]) == 0 else "bad"
    advbase, advskew = m[5], m[2]
    carp: Envelope = {**envelope, "kind": "carp"}
    return Advert(
        **carp,
        version=m[0] >> 4,
        type=m[0] & 0x0F,
        vrid=m[1],
        addr_count=0,
        interval=advbase + advskew / 256,
        advskew=advskew,
        demotion=m[4],
        checksum=checksum,
        checksum_value=(m[6] << 8) | m[7],
        length=packet.declared,
        auth_secret=bytes(m[16:CARP_LENGTH]),
        malformed=None if advbase else "advert interval 0",
    )


def _addresses(family: str, data: bytes, start: int, count: int) -> tuple[str, ...]:
    size = 4 if family == "ipv4" else 16
    usable = max(0, min(count, (len(data) - start) // size))
    return tuple(_ntoa(family, data[start + i * size : start + (i + 1) * size]) for i in range(usable))


def _interval(version: int, m: bytes) -> float | None:
    """Advert interval in seconds: v2 whole seconds in byte 5, v3 12-bit centiseconds in bytes 4-5."""
    if len(m) < 6:
        return None
    if version == 2:
        return float(m[5])
    if version == 3:
        return (((m[4] & 0x0F) << 8) | m[5]) / 100
    return None


def _short_header(envelope: Envelope, packet: _Packet, notes: list[str], problems: list[str]) -> Advert:
    """A message shorter than VRRP's 8-byte header: keep every field that was captured."""
    m, declared = packet.payload, packet.declared
    version = m[0] >> 4
    auth_type = m[4] if len(m) >= 6 and version == 2 else None
    if declared < 8:
        problems.append(f"VRRP message of {declared} bytes is shorter than its 8-byte header")
    return Advert(
        **envelope,
        version=version,
        type=m[0] & 0x0F,
        vrid=m[1] if len(m) >= 2 else None,
        priority=m[2] if len(m) >= 3 else None,
        addr_count=m[3] if len(m) >= 4 else None,
        interval=_interval(version, m),
        auth_type=auth_type,
        auth=_auth_name(auth_type),
        length=declared,
        encapsulation=packet.encapsulation,
        notes=tuple(notes),
        malformed="; ".join(problems) or None,
    )


def _auth_name(auth_type: int | None) -> str | None:
    return None if auth_type is None else AUTH_TYPE_NAMES.get(auth_type, str(auth_type))


def _v2_auth(
    m: bytes, declared: int, count: int, auth_type: int, notes: list[str], problems: list[str]
) -> bytes | None:
    """The authentication data after the addresses: 8 bytes, or Cisco's MD5 trailer for type 254."""
    end_of_addresses = 8 + 4 * count
    if declared < end_of_addresses:
        problems.append(f"{count} addresses need {end_of_addresses} bytes, the message has {declared}")
        return None
    if declared == end_of_addresses:
        notes.append("no authentication data (message is 8 + 4n bytes)")
        return None
    if declared < end_of_addresses + 8:
        problems.append(f"authentication data cut short ({declared - end_of_addresses} of 8 bytes)")
        return None
    if auth_type == 254 and declared > end_of_addresses + 8:
        return bytes(m[end_of_addresses + 8 : declared])
    if declared > end_of_addresses + 8:
        notes.append(f"{declared - end_of_addresses - 8} bytes after the authentication data")
    secret = bytes(m[end_of_addresses : end_of_addresses + 8])
    return None if auth_type == 0 and not any(secret) else secret


def _v2_checksum(message: bytes, count: int, auth_type: int) -> str:
    if internet_checksum(message) == 0:
        return "ok"
    rfc_length = 16 + 4 * count
    # Cisco MD5 (type 254): the checksum may cover only the RFC part, not the digest trailer.
    if auth_type == 254 and len(message) > rfc_length and internet_checksum(message[:rfc_length]) == 0:
        return "ok"
    return "bad"


def _decode_vrrp(envelope: Envelope, packet: _Packet, quoted: bool) -> Advert:
    m = packet.payload
    declared = packet.declared
    notes = list(packet.notes)
    if declared <= 0 or not m:
        return Advert(**envelope, length=max(declared, 0), notes=tuple(notes), malformed="empty VRRP message")
    if _is_carp(m, declared):
        return _decode_carp(envelope, packet)
    problems: list[str] = []
    if packet.fragment:
        problems.append(packet.fragment)
    complete = len(m) >= declared
    if not complete:
        if quoted:  # ICMP errors quote a prefix of the packet by design
            notes.append(f"ICMP quote holds {len(m)} of {declared} bytes")
        else:
            problems.append(f"truncated: {len(m)} of {declared} bytes captured")
    if len(m) < 8 or declared < 8:
        return _short_header(envelope, packet, notes, problems)
    version, kind = m[0] >> 4, m[0] & 0x0F
    vrid, priority, count = m[1], m[2], m[3]
    if kind != 1:
        problems.append(f"unknown packet type {kind}")
    message = m[:declared]
    interval = _interval(version, m)
    auth_type: int | None = None
    auth_secret: bytes | None = None
    checksum = "unverified"
    if version == 2:
        auth_type = m[4]
        if packet.family != "ipv4":
            problems.append("VRRPv2 over IPv6")
        auth_secret = _v2_auth(m, declared, count, auth_type, notes, problems)
        if complete:
            checksum = _v2_checksum(message, count, auth_type)
    elif version == 3:
        needed = 8 + (4 if packet.family == "ipv4" else 16) * count
        if declared < needed:
            problems.append(f"{count} addresses need {needed} bytes, the message has {declared}")
        elif declared > needed:
            notes.append(f"{declared - needed} bytes after the addresses")
        if complete:
            checksum = _v3_checksum(packet, message)
    else:
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
        addresses=_addresses(packet.family, m, 8, count) if version in (2, 3) else (),
        checksum=checksum,
        checksum_value=(m[6] << 8) | m[7],
        length=declared,
        encapsulation=packet.encapsulation,
        notes=tuple(notes),
        malformed="; ".join(problems) or None,
        auth_secret=auth_secret,
    )


# -- frames -----------------------------------------------------------------------------------------


def _network(data: bytes, offset: int, version: int) -> tuple[_Packet, int] | None:
    if version == 0 and len(data) > offset:
        version = data[offset] >> 4
    if version == 4:
        return _ipv4(data, offset)
    if version == 6:
        return _ipv6(data, offset)
    return None


def _icmp_quote(packet: _Packet) -> tuple[_Packet, int, int] | None:
    """The advert quoted by an ICMP/ICMPv6 error, with the error's type and code."""
    data = packet.payload
    if len(data) < 8:
        return None
    icmp_type, icmp_code = data[0], data[1]
    errors = ICMP_ERRORS if packet.family == "ipv4" else ICMPV6_ERRORS
    if icmp_type not in errors:
        return None
    inner = _network(data, 8, 4 if packet.family == "ipv4" else 6)
    if inner is None or inner[1] != IPPROTO_VRRP or inner[0].broken:
        return None
    return inner[0], icmp_type, icmp_code


# -- the decode cache (CachingDecoder) ------------------------------------------------------------------
# Frames of a repeated advert differ only in their time, and for IPv4 in the IP identification and header
# checksum (keepalived counts the ID up), which the decoder never reads. The content key is the frame's
# bytes with those four IPv4 header bytes zeroed (for Ethernet, with at most one VLAN tag), plus the link
# type and interface.
def _slow_clone(template: Advert, file: str, number: int, time: float) -> Advert:
    return replace(template, file=file, frame=number, time=time)


def _fast_clone() -> Callable[[Advert, str, int, float], Advert]:
    """The C extension's slot copy when it is there and gives what the dataclass would; else replace()."""
    from vrrpcap.capture import scanner

    if scanner is None:
        return _slow_clone
    clone = cast(Callable[[Advert, str, int, float], Advert], scanner.clone)
    probe = Advert("a", 1, 1.0, "if0", (1,), "m", "n", "ipv4", "s", "d", "unicast", 9, auth_secret=b"x")
    try:
        copy = clone(probe, "b", 2, 2.5)
    except TypeError:
        return _slow_clone
    expected = _slow_clone(probe, "b", 2, 2.5)
    same = copy == expected and copy.auth_secret == expected.auth_secret and type(copy) is Advert
    return clone if same else _slow_clone


_clone = _fast_clone()


def _content_key_py(linktype: int, data: bytes) -> bytes:
    if linktype == 1:
        if data[12:14] == b"\x08\x00":
            ip = 14
        elif data[12:14] == b"\x81\x00" and data[16:18] == b"\x08\x00":
            ip = 18
        else:
            ip = 0
        if ip and len(data) >= ip + 20:
            return data[: ip + 4] + b"\x00\x00" + data[ip + 6 : ip + 10] + b"\x00\x00" + data[ip + 12 :]
    return data


def _content_key_function() -> Callable[[int, bytes], bytes]:
    from vrrpcap.capture import scanner

    return cast(Callable[[int, bytes], bytes], scanner.content_key) if scanner is not None else _content_key_py


_content_key = _content_key_function()


class CachingDecoder:
    """decode_frame with memory: a router repeats the same advert every interval, so the advert decoded
    from each distinct frame content is kept (at most `size`) and the next one is made from it with the
    new file, frame number and time. One per stream of frames: the cache is its own, never global."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._cache: dict[tuple[int, str | None, bytes], Advert | None] = {}

    def __call__(self, frame: Frame) -> Advert | None:
        key = (frame.linktype, frame.interface, _content_key(frame.linktype, frame.data))
        try:
            template = self._cache[key]
        except KeyError:
            advert = decode_frame(frame)
            if len(self._cache) >= self.size:
                self._cache.clear()
            self._cache[key] = advert
            return advert
        if template is None:
            return None
        return _clone(template, frame.file, frame.number, frame.time)


def decode_frame(frame: Frame) -> Advert | None:
    """The advert carried by a frame, or None when the frame carries no VRRP/CARP at all."""
    unwrap = UNWRAPPERS.get(frame.linktype)
    if unwrap is None:
        return None
    link: Link | None = unwrap(frame.data)
    if link is None:
        return None
    found = _network(frame.data, link.offset, link.ip_version)
    if found is None:
        return None
    packet, protocol = found
    icmp: tuple[str, int, int] | None = None
    if protocol in (IPPROTO_ICMP, IPPROTO_ICMPV6):
        quote = _icmp_quote(packet)
        if quote is None:
            return None
        icmp = (_ntoa(packet.family, packet.src), quote[1], quote[2])
        packet = quote[0]
    interface = frame.interface
    if interface is None and link.ifindex is not None:
        interface = f"ifindex{link.ifindex}"
    envelope: Envelope = {
        "file": frame.file,
        "frame": frame.number,
        "time": frame.time,
        "interface": interface,
        "vlan": link.vlan,
        "src_mac": link.src_mac,
        "dst_mac": link.dst_mac,
        "family": packet.family,
        "src": _ntoa(packet.family, packet.src),
        "dst": _ntoa(packet.family, packet.dst),
        "delivery": "multicast" if _is_multicast(packet.family, packet.dst) else "unicast",
        "ttl": packet.ttl,
        "kind": "advert" if icmp is None else "icmp-quote",
        "icmp_from": None if icmp is None else icmp[0],
        "icmp_type": None if icmp is None else icmp[1],
        "icmp_code": None if icmp is None else icmp[2],
    }
    if packet.broken:
        return Advert(**envelope, malformed=packet.broken)
    if protocol == IPPROTO_AH:
        through = _through_ah(packet)
        if isinstance(through, str):
            return Advert(**envelope, encapsulation="ah", malformed=through)
        packet = through
    group = VRRP_GROUP_V4 if packet.family == "ipv4" else VRRP_GROUP_V6
    if envelope["delivery"] == "multicast" and packet.dst != group:
        packet = replace(packet, notes=(*packet.notes, f"multicast to {envelope['dst']}, not the VRRP group"))
    return _decode_vrrp(envelope, packet, quoted=icmp is not None)


def decode_frames(frames: Iterable[Frame]) -> Iterator[Advert]:
    for frame in frames:
        advert = decode_frame(frame)
        if advert is not None:
            yield advert
