"""What the header walk hands from one layer to the next: the IP facts an advert needs, and the fields
every record of a frame shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from vrrpcap.decode.advert import AdvertKind, Delivery, Family

IPPROTO_ICMP = 1
IPPROTO_AH = 51
IPPROTO_ICMPV6 = 58
IPPROTO_VRRP = 112


class Envelope(TypedDict):
    """The fields every record of a frame shares, whatever its VRRP message turns out to be."""

    file: str
    frame: int
    time: float
    interface: str | None
    vlan: tuple[int, ...]
    src_mac: str | None
    dst_mac: str | None
    family: Family
    src: str
    dst: str
    delivery: Delivery
    ttl: int
    kind: AdvertKind
    icmp_from: str | None
    icmp_type: int | None
    icmp_code: int | None
    tos: int | None
    dscp: int | None
    ip_id: int | None


@dataclass(frozen=True, slots=True)
class IPPacket:
    """The IP facts an advert needs, found by walking the headers."""

    family: Family
    src: bytes
    dst: bytes
    ttl: int
    payload: bytes  # VRRP message as captured (at most `declared` bytes)
    declared: int  # VRRP message length according to the IP header(s)
    encapsulation: str | None
    fragment: str | None  # why the packet is a fragment, if it is
    notes: tuple[str, ...]
    broken: str | None = None  # a header too damaged to find the VRRP message
    tos: int | None = None  # IPv4 type of service / IPv6 traffic class byte
    ident: int | None = None  # IPv4 identification; IPv6 has none
