"""decode_frame on packets crafted with scapy (and by hand where scapy cannot say it).

Every expected value comes from the packet as built and the wire formats in RFC 3768 / RFC 5798 /
RFC 2338 and docs/VRRP-GUIDE (the checksum variants, Cisco MD5, CARP, ICMP quotes), never from
running the decoder.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
from typing import Any

import pytest
from scapy.contrib.carp import CARP  # note: unbinds IP->VRRP in scapy; every packet sets proto itself
from scapy.layers.inet import ICMP, IP, IPOption_Router_Alert
from scapy.layers.inet6 import (
    ICMPv6DestUnreach,
    ICMPv6ParamProblem,
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    PadN,
    RouterAlert,
)
from scapy.layers.l2 import CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Ether
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.packet import Padding, Raw

from tests.support import (
    LT_ETHERNET,
    LT_IPV4,
    LT_IPV6,
    LT_LINUX_SLL,
    LT_LINUX_SLL2,
    LT_LOOP,
    LT_NULL,
    LT_RAW,
    LT_RAW_BSD,
    LT_RAW_OPENBSD,
    ipv4_pseudo_header,
    ipv6_pseudo_header,
    ones_complement_checksum,
    to_frame,
    with_checksum,
)
from vrrpcap.decode import Advert, advert_to_dict, decode_frame

SRC4 = "192.0.2.1"
PEER4 = "192.0.2.2"
GROUP4 = "224.0.0.18"
SRC6 = "fe80::1"
PEER6 = "2001:db8::2"
GROUP6 = "ff02::12"
VIP4 = ["192.0.2.254", "192.0.2.253"]
VIP6 = ["2001:db8::fe", "fe80::fe"]
MAC = "00:11:22:33:44:55"
VMAC4 = "00:00:5e:00:01:33"  # VRID 51
MCAST_MAC4 = "01:00:5e:00:00:12"
MCAST_MAC6 = "33:33:00:00:00:12"


def a4(text: str) -> bytes:
    return socket.inet_aton(text)


def a6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


def decode(packet: object, linktype: int = LT_ETHERNET, **kw: object) -> Advert:
    advert = decode_frame(to_frame(packet, linktype, **kw))  # type: ignore[arg-type]
    assert advert is not None, "a VRRP frame decoded to nothing"
    return advert


def ip4(src: str = SRC4, dst: str = GROUP4, ttl: int = 255, **kw: Any) -> IP:
    kw.setdefault("proto", 112)
    return IP(src=src, dst=dst, ttl=ttl, **kw)


def ip6(src: str = SRC6, dst: str = GROUP6, hlim: int = 255, **kw: Any) -> IPv6:
    kw.setdefault("nh", 112)
    return IPv6(src=src, dst=dst, hlim=hlim, **kw)


def eth4(src: str = MAC, dst: str = MCAST_MAC4) -> Ether:
    return Ether(src=src, dst=dst, type=0x0800)


def eth6(src: str = MAC, dst: str = MCAST_MAC6) -> Ether:
    return Ether(src=src, dst=dst, type=0x86DD)


def v2_message(
    vrid: int = 51,
    priority: int = 100,
    addresses: list[str] = VIP4,
    auth_type: int = 0,
    auth_data: bytes = b"\x00" * 8,
    interval: int = 1,
    count: int | None = None,
    first_byte: int = 0x21,
    trailer: bytes = b"",
) -> bytes:
    """An RFC 3768 message built by hand, checksum over the message only (section 5.3.8)."""
    n = len(addresses) if count is None else count
    body = struct.pack("!BBBBBBH", first_byte, vrid, priority, n, auth_type, interval, 0)
    body += b"".join(a4(x) for x in addresses) + auth_data + trailer
    return with_checksum(body)


def v3_message(
    family: str,
    src: str,
    dst: str | None,
    vrid: int = 51,
    priority: int = 100,
    addresses: list[str] | None = None,
    interval_cs: int = 100,
    count: int | None = None,
    first_byte: int = 0x31,
) -> bytes:
    """An RFC 5798 message; checksum with the pseudo-header of (src, dst), or none when dst is None."""
    if addresses is None:
        addresses = VIP4 if family == "ipv4" else VIP6
    n = len(addresses) if count is None else count
    pack = a4 if family == "ipv4" else a6
    body = struct.pack("!BBBBHH", first_byte, vrid, priority, n, interval_cs & 0x0FFF, 0)
    body += b"".join(pack(x) for x in addresses)
    if dst is None:
        return with_checksum(body)
    if family == "ipv4":
        return with_checksum(body, ipv4_pseudo_header(a4(src), a4(dst), len(body)))
    return with_checksum(body, ipv6_pseudo_header(a6(src), a6(dst), len(body)))


def checksum_field(message: bytes) -> int:
    return int.from_bytes(message[6:8], "big")


# -- the common cases --------------------------------------------------------------------------------


def test_v2_multicast_over_ethernet_all_fields() -> None:
    pkt = eth4(src=VMAC4) / ip4() / VRRP(vrid=51, priority=150, adv=3, addrlist=VIP4)
    message = bytes(pkt[VRRP])
    a = decode(pkt, number=7, time=1_700_000_123.5, interface="eth0", file="x.pcap")
    assert (a.file, a.frame, a.time, a.interface) == ("x.pcap", 7, 1_700_000_123.5, "eth0")
    assert a.kind == "advert"
    assert a.family == "ipv4"
    assert (a.src, a.dst, a.delivery, a.ttl) == (SRC4, GROUP4, "multicast", 255)
    assert (a.src_mac, a.dst_mac, a.vlan) == (VMAC4, MCAST_MAC4, ())
    assert (a.version, a.type, a.vrid, a.priority, a.addr_count) == (2, 1, 51, 150, 2)
    assert a.interval == 3.0
    assert (a.auth_type, a.auth) == (0, "none")
    assert a.addresses == tuple(VIP4)
    assert a.checksum == "ok"
    assert a.checksum_value == checksum_field(message)
    assert a.length == 8 + 4 * 2 + 8
    assert a.encapsulation is None
    assert a.malformed is None
    assert a.ok


def test_v3_ipv4_multicast_interval_in_centiseconds() -> None:
    pkt = eth4() / ip4() / VRRPv3(vrid=200, priority=254, adv=150, addrlist=VIP4)
    a = decode(pkt)
    assert (a.family, a.version, a.vrid, a.priority, a.addr_count) == ("ipv4", 3, 200, 254, 2)
    assert a.interval == pytest.approx(1.5)
    assert a.auth_type is None and a.auth is None
    assert a.addresses == tuple(VIP4)
    assert a.checksum == "ok"
    assert a.length == 16
    assert a.delivery == "multicast"
    assert a.malformed is None


@pytest.mark.parametrize(("field", "seconds"), [(1, 0.01), (100, 1.0), (250, 2.5), (4095, 40.95)])
def test_v3_interval_field_is_12_bits_of_centiseconds(field: int, seconds: float) -> None:
    message = v3_message("ipv4", SRC4, GROUP4, interval_cs=field)
    # the 4 reserved bits set must not leak into the interval (RFC 5798 5.2.6: ignored on receipt)
    message = with_checksum(
        bytes([*message[:4], message[4] | 0xF0, *message[5:]]), ipv4_pseudo_header(a4(SRC4), a4(GROUP4), len(message))
    )
    a = decode(eth4() / ip4() / Raw(message))
    assert a.interval == pytest.approx(seconds)
    assert a.checksum == "ok"


def test_v3_ipv6_multicast() -> None:
    pkt = eth6() / ip6() / VRRPv3(vrid=9, priority=100, adv=100, addrlist=VIP6)
    a = decode(pkt)
    assert a.family == "ipv6"
    assert (a.src, a.dst, a.delivery, a.ttl) == (SRC6, GROUP6, "multicast", 255)
    assert (a.version, a.vrid, a.priority, a.addr_count) == (3, 9, 100, 2)
    assert a.interval == 1.0
    assert a.addresses == tuple(str(ipaddress.IPv6Address(x)) for x in VIP6)
    assert a.checksum == "ok"
    assert a.length == 8 + 16 * 2
    assert a.dst_mac == MCAST_MAC6
    assert a.malformed is None


def test_unicast_and_ttl_are_reported_as_on_the_wire() -> None:
    pkt = eth4(dst="00:aa:bb:cc:dd:ee") / ip4(dst=PEER4, ttl=64) / VRRPv3(vrid=51, addrlist=VIP4[:1])
    a = decode(pkt)
    assert (a.dst, a.delivery, a.ttl) == (PEER4, "unicast", 64)
    assert a.checksum == "ok"  # keepalived >= 1.3.7: pseudo-header with the peer's address
    pkt6 = eth6() / ip6(dst=PEER6, hlim=1) / VRRPv3(vrid=51, addrlist=VIP6[:1])
    a6_ = decode(pkt6)
    assert (a6_.dst, a6_.delivery, a6_.ttl) == (PEER6, "unicast", 1)
    assert a6_.checksum == "ok"


def test_v2_with_seven_addresses_is_vrrp_not_carp() -> None:
    """Byte 3 (count) 7 equals CARP's authlen: a real VRRPv2 message must still be VRRP."""
    addresses = [f"10.0.0.{i}" for i in range(1, 8)]
    a = decode(eth4() / ip4() / Raw(v2_message(addresses=addresses)))
    assert a.kind == "advert"
    assert a.addresses == tuple(addresses)
    assert a.addr_count == 7
    assert a.checksum == "ok"
    assert a.length == 44
    assert a.malformed is None


# -- checksum variants -------------------------------------------------------------------------------


def _checksum_case(variant: str, dst: str) -> bytes:
    if variant == "ok":
        return v3_message("ipv4", SRC4, dst)
    if variant == "v2-style":
        return v3_message("ipv4", SRC4, None)
    if variant == "old-unicast":
        return v3_message("ipv4", SRC4, GROUP4)  # pseudo-header names the group, packet goes to dst
    good = v3_message("ipv4", SRC4, dst)
    return good[:6] + struct.pack("!H", checksum_field(good) ^ 0x0101) + good[8:]


@pytest.mark.parametrize(
    ("variant", "dst"),
    [
        ("ok", GROUP4),
        ("ok", PEER4),
        ("v2-style", GROUP4),
        ("v2-style", PEER4),
        ("old-unicast", PEER4),
        ("bad", GROUP4),
        ("bad", PEER4),
    ],
)
def test_v3_ipv4_checksum_variants(variant: str, dst: str) -> None:
    message = _checksum_case(variant, dst)
    # The test's premise: the variants really differ for this packet.
    values = {checksum_field(_checksum_case(v, dst)) for v in ("ok", "v2-style", "bad")}
    assert len(values) == 3
    a = decode(eth4() / ip4(dst=dst) / Raw(message))
    assert a.checksum == variant
    assert a.checksum_value == checksum_field(message)
    assert a.vrid == 51 and a.addresses == tuple(VIP4)
    assert a.malformed is None  # a checksum problem is a finding of its own, not a malformation


def test_v3_ipv6_without_pseudo_header_is_bad() -> None:
    """The v2-style quirk exists for IPv4 only; IPv6 always needs the pseudo-header."""
    message = v3_message("ipv6", SRC6, None)
    a = decode(eth6() / ip6() / Raw(message))
    assert a.checksum == "bad"
    good = v3_message("ipv6", SRC6, GROUP6)
    assert decode(eth6() / ip6() / Raw(good)).checksum == "ok"


def test_v2_bad_checksum() -> None:
    message = bytearray(v2_message())
    message[7] ^= 0x40
    a = decode(eth4() / ip4() / Raw(bytes(message)))
    assert a.checksum == "bad"
    assert a.vrid == 51


# -- link layers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([Dot1Q(vlan=10)], (10,)),
        ([Dot1AD(vlan=100), Dot1Q(vlan=200)], (100, 200)),
        ([Dot1Q(vlan=4094), Dot1Q(vlan=1)], (4094, 1)),
        ([Dot1AD(vlan=7), Dot1Q(vlan=8), Dot1Q(vlan=9)], (7, 8, 9)),
    ],
)
def test_vlan_stacks_outer_first(tags: list[object], expected: tuple[int, ...]) -> None:
    outer_type = 0x88A8 if isinstance(tags[0], Dot1AD) else 0x8100
    stack: object = Ether(src=MAC, dst=MCAST_MAC4, type=outer_type)
    for tag in tags:
        stack = stack / tag  # type: ignore[operator]
    pkt = stack / ip4() / VRRP(vrid=51, priority=100, addrlist=VIP4)
    a = decode(pkt)
    assert a.vlan == expected
    assert (a.src_mac, a.dst_mac) == (MAC, MCAST_MAC4)
    assert (a.vrid, a.addresses, a.checksum) == (51, tuple(VIP4), "ok")


def test_vlan_with_priority_bits_and_ipv6() -> None:
    pkt = Ether(src=MAC, dst=MCAST_MAC6) / Dot1Q(vlan=300, prio=6, dei=1) / ip6() / VRRPv3(addrlist=VIP6)
    a = decode(pkt)
    assert a.vlan == (300,)
    assert a.family == "ipv6"
    assert a.checksum == "ok"


def test_linux_cooked_sll() -> None:
    sll = CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("00005e000133") + b"\0\0", proto=0x0800)
    a = decode(sll / ip4() / VRRP(vrid=51, addrlist=VIP4), LT_LINUX_SLL)
    assert a.src_mac == VMAC4
    assert a.dst_mac is None
    assert (a.vrid, a.version, a.addresses, a.checksum) == (51, 2, tuple(VIP4), "ok")


def test_linux_cooked_sll_with_vlan_tag_in_payload() -> None:
    sll = CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\0\0", proto=0x8100)
    a = decode(sll / Dot1Q(vlan=42, type=0x0800) / ip4() / VRRP(vrid=51, addrlist=VIP4), LT_LINUX_SLL)
    assert a.vlan == (42,)
    assert a.src_mac == MAC
    assert a.vrid == 51 and a.checksum == "ok"


def test_linux_cooked_sll2_ipv6() -> None:
    sll2 = CookedLinuxV2(
        proto=0x86DD, ifindex=7, lladdrtype=1, pkttype=0, lladdrlen=6, src=bytes.fromhex("001122334455") + b"\0\0"
    )
    raw = bytes(sll2 / ip6() / VRRPv3(vrid=12, priority=200, addrlist=VIP6))
    assert len(raw) - len(bytes(ip6() / VRRPv3(vrid=12, priority=200, addrlist=VIP6))) == 20
    a = decode(raw, LT_LINUX_SLL2)
    assert a.src_mac == MAC
    assert (a.family, a.vrid, a.priority, a.checksum) == ("ipv6", 12, 200, "ok")
    assert a.interface is not None and "7" in a.interface  # the ifindex stands in for a name


def test_linux_cooked_sll2_hand_built_header() -> None:
    """The 20-byte SLL2 header from its spec: protocol, reserved, ifindex, hatype, pkttype, halen, addr."""
    header = struct.pack("!HHIHBB8s", 0x0800, 0, 3, 1, 4, 6, bytes.fromhex("00005e000133"))
    a = decode(header + bytes(ip4() / VRRP(vrid=51, addrlist=VIP4)), LT_LINUX_SLL2)
    assert a.src_mac == VMAC4
    assert (a.vrid, a.addresses, a.checksum) == (51, tuple(VIP4), "ok")


@pytest.mark.parametrize("linktype", [LT_RAW, LT_RAW_BSD, LT_RAW_OPENBSD, LT_IPV4])
def test_raw_ipv4(linktype: int) -> None:
    a = decode(ip4() / VRRP(vrid=3, priority=1, addrlist=VIP4[:1]), linktype)
    assert (a.family, a.vrid, a.priority, a.addresses, a.checksum) == ("ipv4", 3, 1, (VIP4[0],), "ok")
    assert (a.src_mac, a.dst_mac, a.vlan) == (None, None, ())


@pytest.mark.parametrize("linktype", [LT_RAW, LT_IPV6])
def test_raw_ipv6(linktype: int) -> None:
    a = decode(ip6() / VRRPv3(vrid=4, addrlist=VIP6[:1]), linktype)
    assert (a.family, a.vrid, a.checksum, a.addr_count) == ("ipv6", 4, "ok", 1)


@pytest.mark.parametrize(
    ("linktype", "header"),
    [
        (LT_NULL, struct.pack("<I", 2)),  # AF_INET, little-endian capturing host
        (LT_NULL, struct.pack(">I", 2)),  # AF_INET, big-endian capturing host
        (LT_LOOP, struct.pack(">I", 2)),  # LOOP: network byte order
    ],
)
def test_bsd_loopback_ipv4(linktype: int, header: bytes) -> None:
    a = decode(header + bytes(ip4() / VRRP(vrid=77, addrlist=VIP4)), linktype)
    assert (a.family, a.vrid, a.addresses, a.checksum) == ("ipv4", 77, tuple(VIP4), "ok")


@pytest.mark.parametrize("af", [24, 28, 30])  # AF_INET6 on NetBSD/OpenBSD, FreeBSD, macOS
def test_bsd_null_ipv6(af: int) -> None:
    a = decode(struct.pack("<I", af) + bytes(ip6() / VRRPv3(vrid=78, addrlist=VIP6)), LT_NULL)
    assert (a.family, a.vrid, a.checksum) == ("ipv6", 78, "ok")


def test_frame_without_vrrp_is_none() -> None:
    from scapy.layers.inet import UDP

    assert decode_frame(to_frame(eth4() / IP(src=SRC4, dst=GROUP4) / UDP(sport=1, dport=2))) is None
    assert decode_frame(to_frame(Ether(type=0x0806) / Raw(b"\0" * 28))) is None
    # ICMP that is not an error quoting VRRP
    assert decode_frame(to_frame(eth4() / IP(src=SRC4, dst=PEER4) / ICMP(type=8))) is None


# -- IP layer details ----------------------------------------------------------------------------------------


def test_ipv4_options_are_noted_and_skipped() -> None:
    pkt = eth4() / ip4(options=[IPOption_Router_Alert()]) / VRRPv3(vrid=60, addrlist=VIP4)
    assert bytes(pkt[IP])[0] == 0x46  # premise: IHL 6
    a = decode(pkt)
    assert (a.vrid, a.addresses, a.length) == (60, tuple(VIP4), 16)
    assert a.checksum == "ok"
    assert any("option" in note.lower() for note in a.notes)
    assert a.malformed is None


def test_ipv6_extension_headers_before_vrrp() -> None:
    message = v3_message("ipv6", SRC6, GROUP6, vrid=61)
    pkt = (
        eth6()
        / ip6(nh=0)
        / IPv6ExtHdrHopByHop(nh=60, options=[RouterAlert()])
        / IPv6ExtHdrDestOpt(nh=112, options=[PadN(optdata=b"\0" * 4)])
        / Raw(message)
    )
    a = decode(pkt)
    assert (a.family, a.vrid, a.addresses) == ("ipv6", 61, tuple(str(ipaddress.IPv6Address(x)) for x in VIP6))
    assert a.length == len(message)
    assert a.checksum == "ok"
    assert a.malformed is None


def test_ipsec_ah_encapsulation() -> None:
    """keepalived auth_type AH: IP protocol 51, AH (RFC 4302, HMAC-96 ICV: length field 4), then VRRPv2."""
    message = v2_message(vrid=70, auth_type=2, addresses=VIP4[:1])
    ah = struct.pack("!BBHII", 112, 4, 0, 0x1234, 99) + b"\xaa" * 12
    a = decode(eth4() / ip4(proto=51) / Raw(ah + message))
    assert a.encapsulation == "ah"
    assert (a.version, a.vrid, a.addresses) == (2, 70, (VIP4[0],))
    assert (a.auth_type, a.auth) == (2, "ah")
    assert a.length == len(message)
    assert a.checksum == "ok"
    assert a.malformed is None


def test_ethernet_padding_does_not_change_length_or_checksum() -> None:
    v2 = eth4() / ip4() / VRRP(vrid=51, addrlist=VIP4[:1])
    v3 = eth4() / ip4() / VRRPv3(vrid=51, addrlist=VIP4[:1])
    for pkt, length in ((v2, 20), (v3, 12)):
        raw = bytes(pkt)
        padded = raw + b"\x5a" * (60 - len(raw))  # junk, not zeros: it must not be read at all
        assert len(raw) < 60 and len(padded) == 60
        a = decode(padded)
        assert a.length == length
        assert a.checksum == "ok"
        assert a.addresses == (VIP4[0],)
        assert a.notes == ()
        assert a.malformed is None


def test_ethernet_padding_with_scapy_padding_layer() -> None:
    pkt = eth4() / ip4() / VRRPv3(vrid=51, addrlist=VIP4[:1]) / Padding(b"\0" * 14)
    a = decode(pkt)
    assert (a.length, a.checksum, a.malformed) == (12, "ok", None)


# -- VRRPv2 variants: authentication, Cisco MD5, no auth field -------------------------------------------


def test_v2_simple_password_is_redacted_unless_asked() -> None:
    message = v2_message(auth_type=1, auth_data=b"secret\0\0")
    a = decode(eth4() / ip4() / Raw(message))
    assert (a.auth_type, a.auth) == (1, "simple")
    assert a.checksum == "ok"
    assert a.malformed is None
    shown = advert_to_dict(a)
    assert shown["auth_data"] == "<redacted>"
    assert "secret" not in json.dumps(shown)
    assert "secret" not in repr(a)
    assert advert_to_dict(a, show_secrets=True)["auth_data"] == "secret"


def test_v2_password_of_full_eight_bytes() -> None:
    a = decode(eth4() / ip4() / Raw(v2_message(auth_type=1, auth_data=b"abcdefgh")))
    assert advert_to_dict(a, show_secrets=True)["auth_data"] == "abcdefgh"
    assert advert_to_dict(a)["auth_data"] == "<redacted>"


def test_scapy_v2_password_via_auth_fields() -> None:
    pkt = (
        eth4()
        / ip4()
        / VRRP(
            vrid=51,
            authtype=1,
            addrlist=VIP4,
            auth1=int.from_bytes(b"pass", "big"),
            auth2=int.from_bytes(b"word", "big"),
        )
    )
    a = decode(pkt)
    assert a.auth == "simple"
    assert advert_to_dict(a, show_secrets=True)["auth_data"] == "password"


def test_cisco_md5_trailer_is_not_malformed() -> None:
    digest = bytes(range(0x10, 0x20))
    message = v2_message(vrid=7, priority=110, auth_type=254, addresses=["10.1.1.1"], trailer=digest)
    assert len(message) == 8 + 4 + 8 + 16
    a = decode(eth4() / ip4(src="10.1.1.2") / Raw(message))
    assert (a.auth_type, a.auth) == (254, "cisco-md5")
    assert a.addresses == ("10.1.1.1",)
    assert (a.vrid, a.priority, a.addr_count) == (7, 110, 1)
    assert a.length == 36
    assert a.checksum == "ok"  # computed over the whole message, as Wireshark verifies it
    assert a.malformed is None


def test_v2_without_auth_field() -> None:
    """8 + 4n bytes: the addresses are there, the auth data is not (synthetic captures)."""
    body = struct.pack("!BBBBBBH", 0x21, 51, 100, 2, 0, 1, 0) + a4(VIP4[0]) + a4(VIP4[1])
    message = with_checksum(body)
    a = decode(eth4() / ip4() / Raw(message))
    assert a.length == 16
    assert a.addresses == tuple(VIP4)
    assert a.addr_count == 2
    assert a.checksum == "ok"
    assert a.malformed is None
    assert a.notes, "the missing authentication data should be noted"


# -- CARP ----------------------------------------------------------------------------------------------


def test_carp_is_reported_as_carp() -> None:
    carp = CARP(
        version=2,
        type=1,
        vhid=5,
        advskew=100,
        authlen=7,
        demotion=3,
        advbase=1,
        counter1=1,
        counter2=2,
        hmac1=0xDEADBEEF,
    )
    raw_carp = bytes(carp)
    assert len(raw_carp) == 36 and ones_complement_checksum(raw_carp) == 0  # premise
    a = decode(Ether(src="00:00:5e:00:01:05", dst=MCAST_MAC4) / ip4() / carp)
    assert a.kind == "carp"
    assert a.vrid == 5
    assert a.advskew == 100
    assert a.demotion == 3
    assert a.interval == pytest.approx(1 + 100 / 256)
    assert a.checksum == "ok"
    assert a.malformed is None
    assert (a.src, a.dst, a.ttl) == (SRC4, GROUP4, 255)


def test_carp_advbase_and_zero_skew() -> None:
    carp = CARP(version=2, type=1, vhid=200, advskew=0, authlen=7, demotion=0, advbase=3)
    a = decode(eth4() / ip4() / carp)
    assert (a.kind, a.vrid, a.interval, a.advskew, a.demotion) == ("carp", 200, 3.0, 0, 0)


# -- ICMP quotes ----------------------------------------------------------------------------------------


def test_icmp_protocol_unreachable_quoting_unicast_advert() -> None:
    advert = ip4(dst=PEER4) / VRRPv3(vrid=51, priority=120, addrlist=VIP4)
    pkt = eth4(dst="00:aa:bb:cc:dd:ee") / IP(src=PEER4, dst=SRC4, ttl=64) / ICMP(type=3, code=2) / Raw(bytes(advert))
    a = decode(pkt)
    assert a.kind == "icmp-quote"
    assert (a.icmp_from, a.icmp_type, a.icmp_code) == (PEER4, 3, 2)
    assert (a.src, a.dst, a.delivery) == (SRC4, PEER4, "unicast")
    assert a.ttl == 255  # the quoted advert's TTL, not the error's 64
    assert (a.version, a.vrid, a.priority, a.addresses) == (3, 51, 120, tuple(VIP4))
    assert a.checksum == "ok"
    assert a.malformed is None


def test_icmp_quote_of_ip_header_plus_64_bits() -> None:
    """RFC 792 only promises the IP header and 8 bytes: a short quote is not a malformed advert."""
    advert = bytes(ip4(dst=PEER4) / VRRPv3(vrid=52, priority=99, addrlist=VIP4))
    pkt = eth4() / IP(src=PEER4, dst=SRC4) / ICMP(type=3, code=2) / Raw(advert[:28])
    a = decode(pkt)
    assert a.kind == "icmp-quote"
    assert (a.vrid, a.priority, a.version, a.src, a.dst) == (52, 99, 3, SRC4, PEER4)
    assert a.checksum != "bad"
    assert a.malformed is None


def test_icmpv6_quote_of_ipv6_advert() -> None:
    advert = bytes(ip6(src="2001:db8::1", dst=PEER6) / VRRPv3(vrid=53, addrlist=VIP6))
    pkt = eth6() / IPv6(src=PEER6, dst="2001:db8::1") / ICMPv6ParamProblem(code=1, ptr=6) / Raw(advert)
    a = decode(pkt)
    assert a.kind == "icmp-quote"
    assert (a.icmp_from, a.icmp_type, a.icmp_code) == (PEER6, 4, 1)
    assert (a.family, a.src, a.dst, a.delivery) == ("ipv6", "2001:db8::1", PEER6, "unicast")
    assert a.vrid == 53
    assert a.checksum == "ok"
    unreachable = eth6() / IPv6(src=PEER6, dst="2001:db8::1") / ICMPv6DestUnreach(code=4) / Raw(advert)
    b = decode(unreachable)
    assert (b.kind, b.icmp_type, b.icmp_code, b.vrid) == ("icmp-quote", 1, 4, 53)


# -- malformations: a record with `malformed`, never an exception ----------------------------------------


def assert_malformed(packet: object, linktype: int = LT_ETHERNET) -> Advert:
    a = decode(packet, linktype)
    assert a.malformed, f"expected a malformed record, got {a!r}"
    assert not a.ok
    return a


def test_empty_vrrp_payload() -> None:
    a = assert_malformed(eth4() / ip4())
    assert (a.src, a.dst, a.family) == (SRC4, GROUP4, "ipv4")
    assert_malformed(eth6() / ip6())


def test_truncated_capture() -> None:
    raw = bytes(eth4() / ip4() / VRRP(vrid=51, priority=100, addrlist=VIP4))
    for cut in (1, 6, 12, 20):
        a = assert_malformed(raw[:-cut])
        assert a.vrid == 51  # what was captured is still read
        assert a.checksum != "ok"
    raw6 = bytes(eth6() / ip6() / VRRPv3(vrid=9, addrlist=VIP6))
    a = assert_malformed(raw6[:-5])
    assert a.vrid == 9 and a.checksum != "ok"


def test_truncated_inside_vrrp_header() -> None:
    raw = bytes(eth4() / ip4() / VRRP(vrid=51, priority=100, addrlist=VIP4))
    a = assert_malformed(raw[: 14 + 20 + 3])
    assert a.vrid == 51


def test_address_count_beyond_the_message() -> None:
    # v2: count 5 needs 8 + 20 bytes of addresses, the message is 20 bytes (1 address + auth data)
    assert_malformed(eth4() / ip4() / Raw(v2_message(addresses=VIP4[:1], count=5)))
    # v3 IPv4: count 3, one address
    assert_malformed(eth4() / ip4() / Raw(v3_message("ipv4", SRC4, GROUP4, addresses=VIP4[:1], count=3)))
    # v3 IPv6: count 2, one 16-byte address
    assert_malformed(eth6() / ip6() / Raw(v3_message("ipv6", SRC6, GROUP6, addresses=VIP6[:1], count=2)))


def test_interval_zero() -> None:
    assert_malformed(eth4() / ip4() / Raw(v2_message(interval=0)))
    assert_malformed(eth4() / ip4() / Raw(v3_message("ipv4", SRC4, GROUP4, interval_cs=0)))
    assert_malformed(eth6() / ip6() / Raw(v3_message("ipv6", SRC6, GROUP6, interval_cs=0)))


@pytest.mark.parametrize("version", [0, 1, 4, 15])
def test_unknown_version(version: int) -> None:
    message = v2_message(first_byte=(version << 4) | 1)
    a = assert_malformed(eth4() / ip4() / Raw(message))
    assert a.version == version


@pytest.mark.parametrize(("version", "kind"), [(2, 0), (2, 2), (3, 2), (3, 15)])
def test_unknown_type(version: int, kind: int) -> None:
    first = (version << 4) | kind
    message = v2_message(first_byte=first) if version == 2 else v3_message("ipv4", SRC4, GROUP4, first_byte=first)
    a = assert_malformed(eth4() / ip4() / Raw(message))
    assert (a.version, a.type) == (version, kind)


def test_ipv4_fragment_more_fragments() -> None:
    assert_malformed(eth4() / ip4(flags="MF") / VRRP(vrid=51, addrlist=VIP4))


def test_ipv4_fragment_with_offset() -> None:
    assert_malformed(eth4() / ip4(frag=2) / Raw(b"\0" * 16))


def test_ipv6_fragment_header() -> None:
    pkt = eth6() / ip6(nh=44) / IPv6ExtHdrFragment(nh=112, m=1, offset=0, id=5) / Raw(v3_message("ipv6", SRC6, GROUP6))
    assert_malformed(pkt)


@pytest.mark.parametrize("ihl", [0, 1, 2, 3, 4])
def test_ipv4_header_length_below_five(ihl: int) -> None:
    raw = bytearray(bytes(ip4() / VRRP(vrid=51, addrlist=VIP4)))
    raw[0] = 0x40 | ihl
    a = assert_malformed(bytes(eth4()) + bytes(raw))
    assert "header length" in a.malformed.lower()  # type: ignore[union-attr]
    assert (a.src, a.dst) == (SRC4, GROUP4)


def test_ip_total_length_shorter_than_header() -> None:
    raw = bytearray(bytes(ip4() / VRRP(vrid=51, addrlist=VIP4)))
    raw[2:4] = (12).to_bytes(2, "big")
    assert_malformed(bytes(eth4()) + bytes(raw))


def test_ah_header_truncated() -> None:
    a = assert_malformed(eth4() / ip4(proto=51) / Raw(struct.pack("!BB", 112, 4)))
    assert a.encapsulation == "ah"


def test_truncated_v2_with_seven_addresses_is_truncated_vrrp_not_carp() -> None:
    """A VRRPv2 advert with 7 addresses (44 bytes) cut by the snaplen is still a truncated VRRP advert:
    the capture lost bytes, so it must be reported as malformed, not recognised as a CARP message."""
    addresses = [f"10.0.0.{i}" for i in range(1, 8)]
    message = v2_message(addresses=addresses, auth_type=1, auth_data=b"pw123456")
    raw = bytes(eth4() / ip4() / Raw(message))
    for cut in (2, 4, 8):
        a = decode(raw[:-cut])
        assert a.kind == "advert", f"cut {cut}: {a.kind}"
        assert a.malformed, f"cut {cut}"
        assert a.vrid == 51
