"""Link layers: find the IP packet inside a captured frame.

Each unwrapper takes the frame bytes and returns where the network layer starts, with the link-layer
facts worth keeping (MACs, VLAN ids, the Linux ifindex of `tcpdump -i any` SLL2 captures).
Offsets follow the wire formats; nothing here allocates more than the returned record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
VLAN_ETHERTYPES = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW_BSD = 12  # DLT_RAW on some BSDs
LINKTYPE_RAW_OPENBSD = 14
LINKTYPE_RAW = 101
LINKTYPE_C_HDLC = 104
LINKTYPE_FRELAY = 107
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276


class Link(NamedTuple):
    offset: int  # where the IP header starts
    ip_version: int  # 4 or 6, from the link layer's protocol field (0: look at the IP header)
    src_mac: str | None = None
    dst_mac: str | None = None
    vlan: tuple[int, ...] = ()
    ifindex: int | None = None


def _mac(data: bytes, offset: int) -> str:
    return data[offset : offset + 6].hex(":")


def _ip_version_of(ethertype: int) -> int:
    if ethertype == ETHERTYPE_IPV4:
        return 4
    if ethertype == ETHERTYPE_IPV6:
        return 6
    return -1


def _skip_vlans(data: bytes, offset: int, ethertype: int) -> tuple[int, int, tuple[int, ...]]:
    """Walk any stack of 802.1Q / 802.1ad tags; returns (offset, inner ethertype, VLAN ids outer first)."""
    vlans: list[int] = []
    while ethertype in VLAN_ETHERTYPES and len(data) >= offset + 4:
        vlans.append(int.from_bytes(data[offset : offset + 2], "big") & 0x0FFF)
        ethertype = int.from_bytes(data[offset + 2 : offset + 4], "big")
        offset += 4
    return offset, ethertype, tuple(vlans)


def ethernet(data: bytes) -> Link | None:
    if len(data) < 14:
        return None
    ethertype = (data[12] << 8) | data[13]
    offset = 14
    vlans: tuple[int, ...] = ()
    if ethertype in VLAN_ETHERTYPES:
        offset, ethertype, vlans = _skip_vlans(data, offset, ethertype)
    if ethertype <= 1500 and data[offset : offset + 3] == b"\xaa\xaa\x03" and len(data) >= offset + 8:
        # 802.3 length field with LLC/SNAP: the ethertype follows the OUI.
        ethertype = int.from_bytes(data[offset + 6 : offset + 8], "big")
        offset += 8
    version = _ip_version_of(ethertype)
    if version < 0:
        return None
    return Link(offset, version, _mac(data, 6), _mac(data, 0), vlans)


def linux_sll(data: bytes) -> Link | None:
    if len(data) < 16:
        return None
    address_length = (data[4] << 8) | data[5]
    src = _mac(data, 6) if address_length == 6 else None
    ethertype = (data[14] << 8) | data[15]
    offset, ethertype, vlans = _skip_vlans(data, 16, ethertype)
    version = _ip_version_of(ethertype)
    return Link(offset, version, src, None, vlans) if version > 0 else None


def linux_sll2(data: bytes) -> Link | None:
    if len(data) < 20:
        return None
    ethertype = (data[0] << 8) | data[1]
    ifindex = int.from_bytes(data[4:8], "big")
    address_length = data[11]
    src = _mac(data, 12) if address_length == 6 else None
    offset, ethertype, vlans = _skip_vlans(data, 20, ethertype)
    version = _ip_version_of(ethertype)
    return Link(offset, version, src, None, vlans, ifindex) if version > 0 else None


def raw_ip(data: bytes) -> Link | None:
    return Link(0, 0) if data else None


def bsd_null(data: bytes) -> Link | None:
    # The 4-byte address family is in the capturing host's byte order (LOOP: network order); the IP
    # header's own version nibble settles it without guessing the order.
    return Link(4, 0) if len(data) > 4 else None


def cisco_hdlc(data: bytes) -> Link | None:
    if len(data) < 4:
        return None
    version = _ip_version_of((data[2] << 8) | data[3])
    return Link(4, version) if version > 0 else None


def frame_relay(data: bytes) -> Link | None:
    """Q.922 address (2-4 octets, EA bit ends it), then RFC 2427 NLPID or a Cisco ethertype."""
    offset = 0
    while offset < min(len(data), 4):
        offset += 1
        if data[offset - 1] & 0x01:
            break
    else:
        return None
    if len(data) < offset + 2:
        return None
    if data[offset] == 0x03:  # UI control: an NLPID follows, maybe after one pad byte
        offset += 1
        if data[offset] == 0x00:
            offset += 1
        if offset >= len(data):
            return None
        nlpid = data[offset]
        if nlpid == 0xCC:
            return Link(offset + 1, 4)
        if nlpid == 0x8E:
            return Link(offset + 1, 6)
        if nlpid == 0x80 and len(data) >= offset + 6:  # SNAP: OUI, then ethertype
            version = _ip_version_of(int.from_bytes(data[offset + 4 : offset + 6], "big"))
            return Link(offset + 6, version) if version > 0 else None
        return None
    version = _ip_version_of((data[offset] << 8) | data[offset + 1])
    return Link(offset + 2, version) if version > 0 else None


UNWRAPPERS: dict[int, Callable[[bytes], Link | None]] = {
    LINKTYPE_ETHERNET: ethernet,
    LINKTYPE_LINUX_SLL: linux_sll,
    LINKTYPE_LINUX_SLL2: linux_sll2,
    LINKTYPE_RAW: raw_ip,
    LINKTYPE_RAW_BSD: raw_ip,
    LINKTYPE_RAW_OPENBSD: raw_ip,
    LINKTYPE_IPV4: raw_ip,
    LINKTYPE_IPV6: raw_ip,
    LINKTYPE_NULL: bsd_null,
    LINKTYPE_LOOP: bsd_null,
    LINKTYPE_C_HDLC: cisco_hdlc,
    LINKTYPE_FRELAY: frame_relay,
}
