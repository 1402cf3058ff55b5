"""Decode frames into adverts, one small module per layer (dpkt's way), header layouts as tables.

linklayer.py  Ethernet (+802.1Q/802.1ad stacks), Linux SLL/SLL2, raw IP, BSD null, Cisco HDLC, Frame Relay
ip.py         IPv4 or IPv6: ipv4.py (options, fragments), ipv6.py (extension headers)
ah.py         IPsec AH          icmp.py   ICMP/ICMPv6 errors quoting an advert
vrrp.py       VRRP v2 and v3    carp.py   CARP         checksum.py  the Internet checksum
packet.py     the typed hand-off between layers        advert.py    the advert record
frame.py      decode_frame: a frame walked link -> IP -> VRRP/CARP
cache.py      CachingDecoder: decode_frame with memory for repeated adverts
"""

from __future__ import annotations

from vrrpcap.decode.advert import (
    AUTH_TYPE_NAMES,
    FIELD_NAMES,
    REDACTED,
    STORED_FIELDS,
    Advert,
    AdvertKind,
    ChecksumVerdict,
    Delivery,
    Family,
    advert_to_dict,
    auth_data_text,
)
from vrrpcap.decode.cache import CachingDecoder, stamped
from vrrpcap.decode.frame import decode_frame, decode_frames

__all__ = [
    "AUTH_TYPE_NAMES",
    "FIELD_NAMES",
    "REDACTED",
    "STORED_FIELDS",
    "Advert",
    "AdvertKind",
    "CachingDecoder",
    "ChecksumVerdict",
    "Delivery",
    "Family",
    "advert_to_dict",
    "auth_data_text",
    "decode_frame",
    "decode_frames",
    "stamped",
]
