"""IPv6 (RFC 8200): the fixed header, then hop-by-hop, routing, destination options and fragment headers
walked to the upper-layer protocol.

    version/class/flow(4) payload_length(2) next_header(1) hop_limit(1) src(16) dst(16)
"""

from __future__ import annotations

from vrrpcap.decode.packet import IPPROTO_AH, IPPROTO_ICMPV6, IPPROTO_VRRP, IPPacket

IPV6_EXTENSIONS = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options
IPV6_FRAGMENT = 44
PROTOCOLS = (IPPROTO_VRRP, IPPROTO_AH, IPPROTO_ICMPV6)  # the protocols that may carry or quote an advert


def ipv6(data: bytes, offset: int) -> tuple[IPPacket, int] | None:
    """(packet, protocol) for the protocols we read; None for anything else."""
    if len(data) < offset + 40 or data[offset] >> 4 != 6:
        return None
    traffic_class = ((data[offset] & 0x0F) << 4) | (data[offset + 1] >> 4)
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
    if next_header not in PROTOCOLS:
        return None
    declared = end - position
    payload = data[position : min(len(data), end)]
    packet = IPPacket("ipv6", src, dst, hop_limit, payload, declared, None, fragment, tuple(notes), None, traffic_class)
    return packet, next_header
