"""The network layer: IPv4 or IPv6, chosen by the link layer's protocol field or the version nibble."""

from __future__ import annotations

import socket

from vrrpcap.decode.advert import Family
from vrrpcap.decode.ipv4 import ipv4
from vrrpcap.decode.ipv6 import ipv6
from vrrpcap.decode.packet import IPPacket


def network(data: bytes, offset: int, version: int) -> tuple[IPPacket, int] | None:
    """(packet, protocol) of the IP packet at offset; version 0: read it from the header."""
    if version == 0 and len(data) > offset:
        version = data[offset] >> 4
    if version == 4:
        return ipv4(data, offset)
    if version == 6:
        return ipv6(data, offset)
    return None


def ntoa(family: Family, raw: bytes) -> str:
    if family == "ipv4":
        return f"{raw[0]}.{raw[1]}.{raw[2]}.{raw[3]}"
    return socket.inet_ntop(socket.AF_INET6, raw)


def is_multicast(family: Family, raw: bytes) -> bool:
    return (raw[0] & 0xF0) == 0xE0 if family == "ipv4" else raw[0] == 0xFF
