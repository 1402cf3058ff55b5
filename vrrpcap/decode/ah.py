"""IPsec AH (RFC 4302) as keepalived's auth_type AH uses it: the VRRP message follows the AH header.

next_header(1) payload_length(1, in 4-byte words minus 2) reserved(2) spi(4) sequence(4) icv
"""

from __future__ import annotations

from dataclasses import replace

from vrrpcap.decode.packet import IPPROTO_VRRP, IPPacket


def through_ah(packet: IPPacket) -> IPPacket | str:
    """The packet with its payload moved past the AH header, or why that cannot be done."""
    data = packet.payload
    if len(data) < 2:
        return "IPsec AH header truncated"
    if data[0] != IPPROTO_VRRP:
        return f"IPsec AH carrying protocol {data[0]}, not VRRP"
    length = (data[1] + 2) * 4
    if len(data) < length:
        return "IPsec AH header truncated"
    return replace(packet, payload=data[length:], declared=packet.declared - length, encapsulation="ah")
