"""CARP (OpenBSD/FreeBSD) on IP protocol 112, told apart from VRRP by Wireshark's rule.

The message is 36 bytes, laid out as the table says (an advskew/256 fraction of a second is added to
advbase seconds; the 20 bytes of HMAC-SHA1 are kept as the record's auth_secret).
"""

from __future__ import annotations

import struct

from vrrpcap.decode.advert import Advert, ChecksumVerdict
from vrrpcap.decode.checksum import internet_checksum
from vrrpcap.decode.packet import Envelope, IPPacket

LAYOUT = (
    ("version_type", "B"),  # version (2) in the high nibble, type (1: advertisement) in the low
    ("vhid", "B"),
    ("advskew", "B"),
    ("authlen", "B"),  # 7: the HMAC in 32-bit words
    ("demotion", "B"),
    ("advbase", "B"),  # seconds
    ("checksum", "H"),
    ("counter", "8s"),
    ("hmac", "20s"),
)
HEADER = struct.Struct("!" + "".join(code for _, code in LAYOUT))
CARP_LENGTH = HEADER.size  # 36
CARP_AUTHLEN = 7


def is_carp(message: bytes, declared: int) -> bool:
    """Wireshark's rule (36 bytes or more captured, version 1-2, type 1, authlen 7), and the message is
    exactly CARP's 36 bytes long: a VRRPv2 advert with seven addresses has the same byte 3 but is 44
    bytes, and stays VRRP even when a snaplen cuts it."""
    return (
        declared == CARP_LENGTH
        and len(message) >= CARP_LENGTH
        and message[3] == CARP_AUTHLEN
        and message[0] in (0x11, 0x21)
    )


def decode_carp(envelope: Envelope, packet: IPPacket) -> Advert:
    m = packet.payload
    checksum: ChecksumVerdict = "ok" if internet_checksum(m[:CARP_LENGTH]) == 0 else "bad"
    version_type, vhid, advskew, _authlen, demotion, advbase, checksum_value, _counter, hmac = HEADER.unpack_from(m)
    carp: Envelope = {**envelope, "kind": "carp"}
    return Advert(
        **carp,
        version=version_type >> 4,
        type=version_type & 0x0F,
        vrid=vhid,
        addr_count=0,
        interval=advbase + advskew / 256,
        advskew=advskew,
        demotion=demotion,
        checksum=checksum,
        checksum_value=checksum_value,
        length=packet.declared,
        auth_secret=hmac,
        malformed=None if advbase else "advert interval 0",
    )
