"""Structured mutations (hypothesis) through the fuzz targets' contracts (fuzz/targets.py).

tests/test_fuzz.py flips bits and rewrites length fields of a few fixed files; here every field of the
pcap and pcapng headers (magic, version, zone, snaplen, link type, timestamps and their resolution and
offset, interface names, section lengths, interface ids) and of the VRRP message (version, type, VRID,
priority, address count against the addresses present, authentication, interval, checksum) takes any
value its width allows, inside files that are otherwise well formed, so the mutations reach past the
first check. The reader target compares the C scan, the Python scan and the full reading on each file.
"""

from __future__ import annotations

import socket
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import LINKTYPES, analyzer, analyzer_record, decoder, reader
from tests.forge import ether
from tests.support import LT_ETHERNET, epb, idb, isb, ones_complement_checksum, pcapng_block, pcapng_options, shb
from vrrpcap.decode import decode_frame
from vrrpcap.frames import Frame

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
U8, U16, U32 = (st.integers(0, 2**bits - 1) for bits in (8, 16, 32))


@st.composite
def vrrp_messages(draw: st.DrawFn) -> tuple[bytes, dict[str, int]]:
    """A VRRP message (RFC 3768 / RFC 5798 layout) whose every field is drawn; the checksum valid or not."""
    version = draw(st.sampled_from([2, 3, 0, 1, 4, 15]))
    kind = draw(st.sampled_from([1, 1, 1, 0, 2, 15]))
    fields = {"vrid": draw(U8), "priority": draw(U8), "version": version}
    addresses = draw(st.lists(st.integers(1, 2**32 - 1), max_size=4))
    count = draw(st.one_of(st.just(len(addresses)), U8))
    if version == 3:
        interval = draw(st.integers(0, 0xFFF)) | (draw(st.integers(0, 15)) << 12)
        head = struct.pack("!BBBBHH", version << 4 | kind, fields["vrid"], fields["priority"], count, interval, 0)
        tail = b""
    else:
        head = struct.pack(
            "!BBBBBBH", version << 4 | kind, fields["vrid"], fields["priority"], count, draw(U8), draw(U8), 0
        )
        tail = draw(st.one_of(st.just(b"secret\0\0"), st.binary(min_size=8, max_size=8), st.binary(max_size=7)))
    message = head + b"".join(struct.pack("!I", a) for a in addresses) + tail
    checksum = ones_complement_checksum(message) if draw(st.booleans()) else draw(U16)
    return message[:6] + struct.pack("!H", checksum) + message[8:], fields


@st.composite
def ipv4_frames(draw: st.DrawFn) -> tuple[bytes, dict[str, int]]:
    message, fields = draw(vrrp_messages())
    options = b"\x01" * 4 * draw(st.integers(0, 3))  # NOPs: a longer header the decoder must skip
    ihl = draw(st.one_of(st.just(5 + len(options) // 4), st.integers(0, 15)))
    total = draw(st.one_of(st.just(20 + len(options) + len(message)), U16))
    ttl, proto = draw(st.sampled_from([255, 254, 1, 0])), draw(st.sampled_from([112, 112, 51, 6]))
    flags = draw(st.sampled_from([0, 0x4000, 0x2000, 0x0001]))  # DF, more fragments, an offset
    src, dst = socket.inet_aton("192.0.2.1"), socket.inet_aton(draw(st.sampled_from(["224.0.0.18", "192.0.2.2"])))
    header = struct.pack("!BBHHHBBH", 0x40 | ihl, draw(U8), total, draw(U16), flags, ttl, proto, 0) + src + dst
    vlans = b"".join(b"\x81\x00" + struct.pack("!H", v) for v in draw(st.lists(st.integers(0, 0xFFFF), max_size=2)))
    frame = ether(b"", "00:00:5e:00:01:01")[:12] + vlans + b"\x08\x00" + header + options + message
    return frame, fields | {"checked": int(ihl == 5 + len(options) // 4 and proto == 112 and not flags & 0x2001)}


@SETTINGS
@given(ipv4_frames())
def test_vrrp_fields_of_any_value(drawn: tuple[bytes, dict[str, int]]) -> None:
    frame, fields = drawn
    decoder(bytes([LINKTYPES.index(LT_ETHERNET)]) + frame)
    advert = decode_frame(Frame("f.pcap", 1, 1.0, LT_ETHERNET, frame, len(frame), "eth0"))
    if advert is not None and fields["checked"] and advert.kind == "advert" and advert.version in (2, 3):
        # the message was read where it lies: its identifying fields come out as they went in
        assert (advert.vrid, advert.priority, advert.version) == (fields["vrid"], fields["priority"], fields["version"])


@st.composite
def pcap_files(draw: st.DrawFn) -> bytes:
    frames = draw(st.lists(ipv4_frames(), min_size=1, max_size=4))
    endian = draw(st.sampled_from(["<", ">"]))
    magic = draw(st.sampled_from([0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34, 0xA1B2C3D4]))
    linktype = draw(st.one_of(st.sampled_from([LT_ETHERNET, *LINKTYPES]), U32))  # upper bits: FCS length
    version = (draw(st.sampled_from([2, 1, 0xFFFF])), draw(U16))
    zone, sigfigs, snaplen = draw(st.integers(-(2**31), 2**31 - 1)), draw(U32), draw(st.one_of(st.just(65535), U32))
    header = struct.pack(endian + "IHHiIII", magic, *version, zone, sigfigs, snaplen, linktype)
    out = [header]
    extra = b"\0" * 8 if magic == 0xA1B2CD34 else b""  # the patched format's ifindex, protocol, type
    for data, _ in frames:
        caplen = draw(st.one_of(st.just(len(data)), U32))
        wirelen = draw(st.one_of(st.just(len(data)), U32))
        out.append(struct.pack(endian + "IIII", draw(U32), draw(U32), caplen, wirelen) + extra + data)
    return b"".join(out)


@SETTINGS
@given(pcap_files())
def test_pcap_header_and_record_fields_of_any_value(data: bytes) -> None:
    reader(data)


@st.composite
def pcapng_files(draw: st.DrawFn) -> bytes:
    endian = draw(st.sampled_from(["<", ">"]))
    name = draw(st.one_of(st.none(), st.text(max_size=20)))
    tsresol = draw(st.one_of(st.none(), U8))
    tsoffset = draw(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)))
    blocks = [shb(endian)]
    if draw(st.booleans()):  # a section header whose version and section length are drawn too
        body = struct.pack(endian + "IHHq", 0x1A2B3C4D, draw(U16), draw(U16), draw(st.integers(-(2**63), 2**63 - 1)))
        blocks = [pcapng_block(0x0A0D0D0A, body, endian)]
    linktype = draw(st.sampled_from([LT_ETHERNET, *LINKTYPES, 0xFFFF]))
    blocks.append(idb(linktype, name=name, tsresol=tsresol, tsoffset=tsoffset, snaplen=draw(U32), endian=endian))
    for data, _ in draw(st.lists(ipv4_frames(), min_size=1, max_size=3)):
        wire = draw(st.one_of(st.none(), U32))
        blocks.append(
            epb(
                draw(st.sampled_from([0, 0, 1, 2**32 - 1])),
                draw(st.integers(0, 2**64 - 1)),
                data,
                wire_length=wire,
                endian=endian,
            )
        )
    if draw(st.booleans()):
        blocks.append(
            isb(
                draw(st.sampled_from([0, 5])),
                draw(st.integers(0, 2**64 - 1)),
                ifdrop=draw(st.one_of(st.none(), st.integers(0, 2**64 - 1))),
                endian=endian,
            )
        )
    if draw(st.booleans()):  # an unknown block with options of any code
        options = pcapng_options([(draw(U16), draw(st.binary(max_size=12)))], endian)
        blocks.insert(draw(st.integers(1, len(blocks))), pcapng_block(draw(U32) | 0x80000000, options, endian))
    return b"".join(blocks)


@SETTINGS
@given(pcapng_files())
def test_pcapng_block_and_option_fields_of_any_value(data: bytes) -> None:
    reader(data)


@SETTINGS
@given(
    st.lists(
        st.tuples(ipv4_frames(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.booleans()),
        max_size=30,
    )
)
def test_analyzer_on_any_times_and_fields(steps: list[tuple[tuple[bytes, dict[str, int]], float, bool, bool]]) -> None:
    """Frames of drawn VRRP fields at drawn times (absolute ones of any double, steps back and forth)."""
    records = b""
    for (frame, _), time, absolute, tick in steps:
        when = time if absolute else max(-327.0, min(327.0, time)) if time == time else 0.0
        records += analyzer_record(when, LT_ETHERNET, frame, absolute=absolute, tick=tick, render=True)
    analyzer(records)
