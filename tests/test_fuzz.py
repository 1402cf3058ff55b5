"""Property tests: hostile bytes never become a traceback.

decode_frame must return None or an Advert for any bytes under any link type; the capture reader
must raise nothing but VrrpcapError subclasses, and a file cut at any offset must yield a prefix of
the intact file's frames (flagging the damage unless the cut falls between records).
"""

from __future__ import annotations

import gzip
import socket
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.inet import ICMP, IP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
from scapy.layers.l2 import CookedLinux, CookedLinuxV2, Dot1AD, Dot1Q, Ether
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.packet import Raw

from tests.support import (
    LT_ETHERNET,
    LT_LINUX_SLL,
    LT_LINUX_SLL2,
    LT_LOOP,
    LT_NULL,
    LT_RAW,
    Record,
    epb,
    idb,
    ipv6_pseudo_header,
    isb,
    pcap_bytes,
    pcap_record_offsets,
    shb,
    to_frame,
    with_checksum,
)
from vrrpcap.decode import Advert, advert_to_dict, decode_frame
from vrrpcap.decode.linklayer import UNWRAPPERS
from vrrpcap.errors import VrrpcapError
from vrrpcap.frames import CaptureReader, Frame

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

V4: dict[str, Any] = dict(src="192.0.2.1", dst="224.0.0.18", ttl=255, proto=112)
V6: dict[str, Any] = dict(src="fe80::1", dst="ff02::12", hlim=255, nh=112)
VIPS4 = ["192.0.2.254", "192.0.2.253"]
VIPS6 = ["2001:db8::fe"]


def _v2_password() -> VRRP:
    return VRRP(vrid=51, authtype=1, addrlist=VIPS4, auth1=0x73656372, auth2=0x65740000)


def _ah_v2() -> bytes:
    ah = struct.pack("!BBHII", 112, 4, 0, 1, 1) + b"\x11" * 12
    return bytes(IP(src="192.0.2.1", dst="224.0.0.18", ttl=255, proto=51) / Raw(ah + bytes(_v2_password())))


def _icmp_quote() -> bytes:
    advert = IP(src="192.0.2.1", dst="192.0.2.2", ttl=255, proto=112) / VRRPv3(vrid=5, addrlist=VIPS4)
    return bytes(IP(src="192.0.2.2", dst="192.0.2.1") / ICMP(type=3, code=2) / Raw(bytes(advert)))


def _v3_ipv6_message(vrid: int) -> bytes:
    """Built by hand: scapy's VRRPv3 reads its addresses wrongly when an extension header precedes it."""
    body = struct.pack("!BBBBHH", 0x31, vrid, 100, 1, 100, 0) + socket.inet_pton(socket.AF_INET6, VIPS6[0])
    src, dst = (socket.inet_pton(socket.AF_INET6, a) for a in ("fe80::1", "ff02::12"))
    return with_checksum(body, ipv6_pseudo_header(src, dst, len(body)))


def _carp() -> bytes:
    body = struct.pack("!BBBBBBH", 0x21, 5, 100, 7, 0, 1, 0) + bytes(range(1, 29))
    return bytes(IP(**V4) / Raw(with_checksum(body)))


# Valid frames of several link types: the seeds the mutations start from.
VALID: list[tuple[int, bytes]] = [
    (LT_ETHERNET, bytes(Ether() / IP(**V4) / VRRP(vrid=51, addrlist=VIPS4))),
    (LT_ETHERNET, bytes(Ether() / IP(**V4) / _v2_password())),
    (LT_ETHERNET, bytes(Ether() / IP(**V4) / VRRPv3(vrid=51, adv=150, addrlist=VIPS4))),
    (LT_ETHERNET, bytes(Ether() / IPv6(**V6) / VRRPv3(vrid=52, addrlist=VIPS6))),
    (
        LT_ETHERNET,
        bytes(Ether(type=0x88A8) / Dot1AD(vlan=10) / Dot1Q(vlan=20) / IP(**V4) / VRRPv3(vrid=53, addrlist=VIPS4)),
    ),
    (
        LT_ETHERNET,
        bytes(
            Ether()
            / IPv6(src="fe80::1", dst="ff02::12", hlim=255, nh=0)
            / IPv6ExtHdrHopByHop(nh=112)
            / Raw(_v3_ipv6_message(54))
        ),
    ),
    (LT_ETHERNET, bytes(Ether(type=0x0800)) + _ah_v2()),
    (LT_ETHERNET, bytes(Ether(type=0x0800)) + _icmp_quote()),
    (LT_ETHERNET, bytes(Ether(type=0x0800)) + _carp()),
    (
        LT_LINUX_SLL,
        bytes(
            CookedLinux(lladdrlen=6, src=b"\x00\x11\x22\x33\x44\x55\0\0", proto=0x0800)
            / IP(**V4)
            / VRRP(vrid=55, addrlist=VIPS4)
        ),
    ),
    (
        LT_LINUX_SLL2,
        bytes(
            CookedLinuxV2(proto=0x86DD, ifindex=3, lladdrlen=6, src=b"\x00\x11\x22\x33\x44\x55")
            / IPv6(**V6)
            / VRRPv3(vrid=56, addrlist=VIPS6)
        ),
    ),
    (LT_RAW, bytes(IP(**V4) / VRRPv3(vrid=57, addrlist=VIPS4))),
    (LT_NULL, struct.pack("<I", 2) + bytes(IP(**V4) / VRRP(vrid=58, addrlist=VIPS4))),
    (LT_LOOP, struct.pack(">I", 30) + bytes(IPv6(**V6) / VRRPv3(vrid=59, addrlist=VIPS6))),
]
LINKTYPES = sorted({*UNWRAPPERS, 9999})


def check_decode(linktype: int, data: bytes) -> Advert | None:
    advert = decode_frame(to_frame(data, linktype))
    assert advert is None or isinstance(advert, Advert)
    if advert is not None:
        # rendering must not fail either (JSON output of every record)
        advert_to_dict(advert)
        advert_to_dict(advert, show_secrets=True)
    return advert


def test_seeds_are_valid() -> None:
    """The premise of the mutation tests: every seed decodes cleanly."""
    for linktype, data in VALID:
        advert = check_decode(linktype, data)
        assert advert is not None and advert.malformed is None, (linktype, advert)
        assert advert.checksum == "ok", (linktype, advert)


@FAST
@given(st.sampled_from(LINKTYPES), st.binary(max_size=200))
def test_random_bytes_never_raise(linktype: int, data: bytes) -> None:
    check_decode(linktype, data)


@FAST
@given(st.sampled_from(VALID), st.lists(st.integers(min_value=0, max_value=8 * 200 - 1), max_size=6))
def test_bit_flips_never_raise(seed: tuple[int, bytes], bits: list[int]) -> None:
    linktype, data = seed
    buffer = bytearray(data)
    for bit in bits:
        if bit // 8 < len(buffer):
            buffer[bit // 8] ^= 1 << (bit % 8)
    check_decode(linktype, bytes(buffer))


@FAST
@given(st.sampled_from(VALID), st.data())
def test_truncations_never_raise_and_are_never_clean(seed: tuple[int, bytes], data: st.DataObject) -> None:
    """A frame cut anywhere either carries no advert or is flagged (the seeds have no padding, so every
    cut loses bytes of the packet). ICMP quotes are exempt: a quote is a prefix by design."""
    linktype, frame = seed
    cut = data.draw(st.integers(min_value=0, max_value=len(frame) - 1))
    advert = check_decode(linktype, frame[:cut])
    if advert is not None and advert.kind != "icmp-quote":
        assert advert.malformed, (linktype, cut, advert)


@FAST
@given(st.sampled_from(VALID), st.data())
def test_length_and_count_field_edits_never_raise(seed: tuple[int, bytes], data: st.DataObject) -> None:
    """Overwrite the bytes that say how long things are (IP total/payload length, IHL, extension header
    and AH lengths, the VRRP address count) with any value, anywhere in the first 120 bytes too."""
    linktype, frame = seed
    buffer = bytearray(frame)
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        offset = data.draw(st.integers(min_value=0, max_value=min(len(buffer), 120) - 1))
        width = data.draw(st.sampled_from([1, 2]))
        value = data.draw(st.sampled_from([0, 1, 4, 5, 7, 8, 15, 20, 0x45, 0xFF, 0x7FFF, 0xFFFF]))
        if width == 2 and offset + 1 < len(buffer):
            buffer[offset : offset + 2] = (value & 0xFFFF).to_bytes(2, "big")
        else:
            buffer[offset] = value & 0xFF
    extra = data.draw(st.binary(max_size=40))
    check_decode(linktype, bytes(buffer) + extra)


# -- capture files -------------------------------------------------------------------------------------


RECORDS = [Record(1_700_000_000 * 10**9 + i * 1_234_567_000, VALID[i][1]) for i in range(3)]
PCAP = pcap_bytes(RECORDS)
PCAPNG_BLOCKS = [
    shb(),
    idb(LT_ETHERNET, name="eth0"),
    idb(LT_RAW, name="tun0", tsresol=9),
    epb(0, RECORDS[0].time_ns // 1000, RECORDS[0].data),
    epb(1, RECORDS[0].time_ns + 5, VALID[11][1]),
    isb(0, ifdrop=1, osdrop=2),
    epb(0, RECORDS[2].time_ns // 1000, RECORDS[2].data),
]
PCAPNG = b"".join(PCAPNG_BLOCKS)


def frame_key(frame: Frame) -> tuple[object, ...]:
    return (frame.number, frame.time, frame.linktype, frame.data, frame.wire_length, frame.interface)


def read(path: Path) -> tuple[list[Frame], CaptureReader | None]:
    """Frames read, and the reader (None when it refused the file). Any non-VrrpcapError fails the test."""
    frames: list[Frame] = []
    try:
        reader = CaptureReader(str(path))
    except VrrpcapError:
        return frames, None
    try:
        for frame in reader:
            frames.append(frame)
            decode_frame(frame)
    except VrrpcapError:
        return frames, None
    finally:
        reader.close()
    return frames, reader


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "capture"


@FILES
@given(
    st.sampled_from([PCAP[:4], PCAP[:24], PCAPNG[:4], PCAPNG[:28], b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b""]),
    st.binary(max_size=300),
)
def test_headers_plus_garbage(scratch: Path, head: bytes, garbage: bytes) -> None:
    scratch.write_bytes(head + garbage)
    read(scratch)


@FILES
@given(st.sampled_from([PCAP, PCAPNG, gzip.compress(PCAP)]), st.data())
def test_mutated_capture_files(scratch: Path, original: bytes, data: st.DataObject) -> None:
    buffer = bytearray(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=5))):
        offset = data.draw(st.integers(min_value=0, max_value=len(buffer) - 1))
        if data.draw(st.booleans()):
            buffer[offset] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
        else:
            buffer[offset] = data.draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF]))
    scratch.write_bytes(bytes(buffer))
    read(scratch)


LENGTH_VALUES = [0, 1, 3, 4, 8, 11, 12, 13, 16, 20, 24, 28, 0xFFFF, 0x40000, 0x7FFFFFFF, 0xFFFFFFFF]


def _length_positions(kind: str) -> list[int]:
    """Offsets of the 32-bit length fields: pcap snaplen, caplen, wirelen; pcapng block total lengths
    (leading and trailing), EPB captured/wire lengths, the IDB snaplen."""
    if kind == "pcap":
        ends = pcap_record_offsets(RECORDS)
        return [16] + [end + 8 for end in ends[:-1]] + [end + 12 for end in ends[:-1]]
    starts = [sum(len(b) for b in PCAPNG_BLOCKS[:i]) for i in range(len(PCAPNG_BLOCKS))]
    trailers = [start + len(block) - 4 for start, block in zip(starts, PCAPNG_BLOCKS, strict=True)]
    epbs = [start for start, block in zip(starts, PCAPNG_BLOCKS, strict=True) if block[:4] == b"\x06\0\0\0"]
    return (
        [start + 4 for start in starts]
        + trailers
        + [start + 20 for start in epbs]
        + [start + 24 for start in epbs]
        + [starts[1] + 12]
    )


@pytest.mark.parametrize("kind", ["pcap", "pcapng"])
def test_every_length_field_with_every_awkward_value(tmp_path: Path, kind: str) -> None:
    """Rewrite each 32-bit length field with values around the formats' minimums and limits; every
    combination, so a failure here is reproducible without a seed."""
    original = PCAP if kind == "pcap" else PCAPNG
    path = tmp_path / "lengths"
    failures = []
    for position in _length_positions(kind):
        for value in LENGTH_VALUES:
            buffer = bytearray(original)
            buffer[position : position + 4] = struct.pack("<I", value)
            path.write_bytes(bytes(buffer))
            try:
                read(path)
            except Exception as exc:  # collected, so the report names every failing field
                failures.append(f"offset {position} = {value:#x}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


def _block_ends() -> list[int]:
    ends, total = [], 0
    for block in PCAPNG_BLOCKS:
        total += len(block)
        ends.append(total)
    return ends


@pytest.mark.parametrize(
    ("original", "clean_cuts"),
    [(PCAP, pcap_record_offsets(RECORDS)), (PCAPNG, _block_ends())],
    ids=["pcap", "pcapng"],
)
def test_truncation_at_every_offset_yields_a_prefix(tmp_path: Path, original: bytes, clean_cuts: list[int]) -> None:
    path = tmp_path / "cut"
    path.write_bytes(original)
    intact, reader = read(path)
    assert reader is not None and reader.damage is None and len(intact) == 3
    expected = [frame_key(f) for f in intact]
    for cut in range(len(original)):
        path.write_bytes(original[:cut])
        frames, reader = read(path)
        got = [frame_key(f) for f in frames]
        assert got == expected[: len(got)], f"cut at {cut}: not a prefix"
        if reader is not None and cut not in clean_cuts:
            assert reader.damage, f"cut at {cut} (inside a record) was not reported"


def test_truncated_gzip_at_many_offsets_yields_a_prefix(tmp_path: Path) -> None:
    original = gzip.compress(PCAP * 1)
    path = tmp_path / "cut.gz"
    path.write_bytes(original)
    intact, _ = read(path)
    expected = [frame_key(f) for f in intact]
    assert len(expected) == 3
    for cut in range(0, len(original), 3):
        path.write_bytes(original[:cut])
        frames, reader = read(path)
        got = [frame_key(f) for f in frames]
        assert got == expected[: len(got)], f"cut at {cut}: not a prefix"
        if reader is not None:
            assert reader.damage, f"gzip cut at {cut} was not reported"
