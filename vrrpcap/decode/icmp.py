"""ICMP and ICMPv6 errors quoting an advert (a router's unicast advert refused by its peer, say).

type(1) code(1) checksum(2) unused or pointer/mtu(4) quoted IP packet
"""

from __future__ import annotations

from vrrpcap.decode.ip import network
from vrrpcap.decode.packet import IPPROTO_VRRP, IPPacket

# Destination unreachable, source quench, redirect, time exceeded, parameter problem.
ICMP_ERRORS = frozenset({3, 4, 5, 11, 12})
# Destination unreachable, packet too big, time exceeded, parameter problem.
ICMPV6_ERRORS = frozenset({1, 2, 3, 4})


def icmp_quote(packet: IPPacket) -> tuple[IPPacket, int, int] | None:
    """The advert quoted by an ICMP/ICMPv6 error, with the error's type and code."""
    data = packet.payload
    if len(data) < 8:
        return None
    icmp_type, icmp_code = data[0], data[1]
    errors = ICMP_ERRORS if packet.family == "ipv4" else ICMPV6_ERRORS
    if icmp_type not in errors:
        return None
    inner = network(data, 8, 4 if packet.family == "ipv4" else 6)
    if inner is None or inner[1] != IPPROTO_VRRP or inner[0].broken:
        return None
    return inner[0], icmp_type, icmp_code
