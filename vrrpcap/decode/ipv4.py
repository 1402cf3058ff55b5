"""IPv4 (RFC 791): the header walked as far as an advert needs, options noted, fragments flagged.

version/ihl(1) tos(1) total_length(2) id(2) flags/fragment(2) ttl(1) protocol(1) checksum(2)
src(4) dst(4) options
"""

from __future__ import annotations

from vrrpcap.decode.packet import IPPROTO_AH, IPPROTO_ICMP, IPPROTO_VRRP, IPPacket

PROTOCOLS = (IPPROTO_VRRP, IPPROTO_AH, IPPROTO_ICMP)  # the protocols that may carry or quote an advert


def ipv4(data: bytes, offset: int) -> tuple[IPPacket, int] | None:
    """(packet, protocol) for the protocols we read; None for anything else."""
    if len(data) < offset + 20 or data[offset] >> 4 != 4:
        return None
    ihl = (data[offset] & 0x0F) * 4
    total_length = (data[offset + 2] << 8) | data[offset + 3]
    flags_fragment = (data[offset + 6] << 8) | data[offset + 7]
    ttl = data[offset + 8]
    protocol = data[offset + 9]
    if protocol not in PROTOCOLS:
        return None
    src = data[offset + 12 : offset + 16]
    dst = data[offset + 16 : offset + 20]
    if ihl < 20:
        broken = f"IPv4 header length {ihl} is below 20"
        return IPPacket("ipv4", src, dst, ttl, b"", 0, None, None, (), broken), protocol
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
    return IPPacket("ipv4", src, dst, ttl, data[start:end], declared, None, fragment, notes), protocol
