"""decode_frame: the headers of one captured frame walked from the link layer to VRRP or CARP.

Pure functions of the frame's bytes. Anything that cannot be read completely becomes an Advert with
``malformed`` set, never an exception: a hostile packet ends as a finding, not as a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from vrrpcap.decode.advert import Advert
from vrrpcap.decode.ah import through_ah
from vrrpcap.decode.carp import decode_carp, is_carp
from vrrpcap.decode.icmp import icmp_quote
from vrrpcap.decode.ip import is_multicast, network, ntoa
from vrrpcap.decode.linklayer import UNWRAPPERS, Link
from vrrpcap.decode.packet import IPPROTO_AH, IPPROTO_ICMP, IPPROTO_ICMPV6, Envelope
from vrrpcap.decode.vrrp import VRRP_GROUP_V4, VRRP_GROUP_V6, decode_vrrp
from vrrpcap.frames import Frame


def decode_frame(frame: Frame) -> Advert | None:
    """The advert carried by a frame, or None when the frame carries no VRRP/CARP at all."""
    unwrap = UNWRAPPERS.get(frame.linktype)
    if unwrap is None:
        return None
    link: Link | None = unwrap(frame.data)
    if link is None:
        return None
    found = network(frame.data, link.offset, link.ip_version)
    if found is None:
        return None
    packet, protocol = found
    icmp: tuple[str, int, int] | None = None
    if protocol in (IPPROTO_ICMP, IPPROTO_ICMPV6):
        quote = icmp_quote(packet)
        if quote is None:
            return None
        icmp = (ntoa(packet.family, packet.src), quote[1], quote[2])
        packet = quote[0]
    interface = frame.interface
    if interface is None and link.ifindex is not None:
        interface = f"ifindex{link.ifindex}"
    envelope: Envelope = {
        "file": frame.file,
        "frame": frame.number,
        "time": frame.time,
        "interface": interface,
        "vlan": link.vlan,
        "src_mac": link.src_mac,
        "dst_mac": link.dst_mac,
        "family": packet.family,
        "src": ntoa(packet.family, packet.src),
        "dst": ntoa(packet.family, packet.dst),
        "delivery": "multicast" if is_multicast(packet.family, packet.dst) else "unicast",
        "ttl": packet.ttl,
        "kind": "advert" if icmp is None else "icmp-quote",
        "icmp_from": None if icmp is None else icmp[0],
        "icmp_type": None if icmp is None else icmp[1],
        "icmp_code": None if icmp is None else icmp[2],
        "tos": packet.tos,
        "dscp": None if packet.tos is None else packet.tos >> 2,
        "ip_id": packet.ident,
    }
    if packet.broken:
        return Advert(**envelope, malformed=packet.broken)
    if protocol == IPPROTO_AH:
        through = through_ah(packet)
        if isinstance(through, str):
            return Advert(**envelope, encapsulation="ah", malformed=through)
        packet = through
    group = VRRP_GROUP_V4 if packet.family == "ipv4" else VRRP_GROUP_V6
    if envelope["delivery"] == "multicast" and packet.dst != group:
        packet = replace(packet, notes=(*packet.notes, f"multicast to {envelope['dst']}, not the VRRP group"))
    if is_carp(packet.payload, packet.declared):  # CARP shares protocol 112 (and AH, and ICMP quotes)
        return decode_carp(envelope, packet)
    return decode_vrrp(envelope, packet, quoted=icmp is not None)


def decode_frames(frames: Iterable[Frame]) -> Iterator[Advert]:
    for frame in frames:
        advert = decode_frame(frame)
        if advert is not None:
            yield advert
