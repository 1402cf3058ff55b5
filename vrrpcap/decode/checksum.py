"""The Internet checksum (RFC 1071), as VRRP, CARP, ICMP and the IP pseudo-header use it."""

from __future__ import annotations


def internet_checksum(data: bytes) -> int:
    """One's-complement sum of 16-bit words, complemented.

    Over a message that includes its own checksum field the result is 0 exactly when the checksum is
    right, which is the only use here. The words are summed in host byte order (a memoryview cast,
    the fastest pure-Python route); RFC 1071 shows the sum is byte-order independent up to a byte
    swap, so the zero test holds on any host, but a non-zero result is in host order.
    """
    if len(data) % 2:
        data += b"\x00"
    total = sum(memoryview(data).cast("H"))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF
