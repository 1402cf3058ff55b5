"""The capture reader (CaptureReader, CaptureSet) and `vrrpcap decode` on files built byte by byte.

The files come from tests/support.py, written from pcap-savefile(5) and the pcapng specification; the
expected frames, times, interface names and counters are the ones written into them.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import selectors
import struct
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import CookedLinux, Ether
from scapy.layers.vrrp import VRRP, VRRPv3
from scapy.utils import EDecimal, PcapWriter

from tests.support import (
    LT_ETHERNET,
    LT_LINUX_SLL,
    LT_RAW,
    Record,
    epb,
    idb,
    isb,
    nrb_empty,
    pcap_bytes,
    pcap_record_offsets,
    shb,
    spb,
    write,
)
from vrrpcap.decode import decode_frame
from vrrpcap.errors import ExitCode, InputUnavailable, NotACapture
from vrrpcap.frames import CaptureReader, CaptureSet, Frame

BASE_NS = 1_700_000_000 * 10**9
SRC = "192.0.2.1"


def v2_frame(vrid: int, priority: int = 100, src: str = SRC) -> bytes:
    return bytes(
        Ether(src="00:11:22:33:44:55", dst="01:00:5e:00:00:12")
        / IP(src=src, dst="224.0.0.18", ttl=255, proto=112)
        / VRRP(vrid=vrid, priority=priority, addrlist=["192.0.2.254"])
    )


def v3_raw6(vrid: int) -> bytes:
    ip = IPv6(src="fe80::2", dst="ff02::12", hlim=255, nh=112)
    return bytes(ip / VRRPv3(vrid=vrid, addrlist=["fe80::fe"]))


def v3_sll(vrid: int) -> bytes:
    sll = CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=bytes.fromhex("00005e000101") + b"\0\0", proto=0x0800)
    return bytes(
        sll / IP(src="192.0.2.3", dst="224.0.0.18", ttl=255, proto=112) / VRRPv3(vrid=vrid, addrlist=["192.0.2.250"])
    )


# Three records: 2 µs apart would not tell µs from ns; these differ in every digit that matters.
RECORDS = [
    Record(BASE_NS + 123_456_000, v2_frame(1)),
    Record(BASE_NS + 1_000_001_000, v2_frame(2)),
    Record(BASE_NS + 2_999_999_000, v2_frame(3, priority=200)),
]


def read_all(path: str) -> tuple[list[Frame], CaptureReader]:
    reader = CaptureReader(path)
    try:
        frames = list(reader)
    finally:
        reader.close()
    return frames, reader


def assert_exact_us(time: float, time_ns: int) -> None:
    assert round(time * 1_000_000) == time_ns // 1000, (time, time_ns)


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=120,
        check=False,
    )
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    result = subprocess.CompletedProcess(done.args, done.returncode, stdout, stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def jsonl(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# -- classic pcap -------------------------------------------------------------------------------------


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("nano", [False, True])
def test_pcap_endianness_and_resolution(tmp_path: Path, endian: str, nano: bool) -> None:
    path = write(tmp_path, "a.pcap", pcap_bytes(RECORDS, endian=endian, nano=nano))
    frames, reader = read_all(path)
    assert reader.format == "pcap"
    assert reader.damage is None and not reader.anomalies
    assert [f.number for f in frames] == [1, 2, 3]
    assert [f.data for f in frames] == [r.data for r in RECORDS]
    assert [f.wire_length for f in frames] == [len(r.data) for r in RECORDS]
    assert all(f.linktype == LT_ETHERNET and f.interface is None and f.file == path for f in frames)
    for frame, record in zip(frames, RECORDS, strict=True):
        assert_exact_us(frame.time, record.time_ns)
    adverts = [decode_frame(f) for f in frames]
    assert [(a.vrid, a.priority) for a in adverts if a] == [(1, 100), (2, 100), (3, 200)]


def test_pcap_nanosecond_digits_are_not_read_as_microseconds(tmp_path: Path) -> None:
    """0.000000999 s in a ns file is below one µs; read as µs it would be 0.000999 s."""
    record = Record(BASE_NS + 999, v2_frame(1))
    frames, _ = read_all(write(tmp_path, "n.pcap", pcap_bytes([record], nano=True)))
    assert abs(frames[0].time - (BASE_NS + 999) / 1e9) < 1e-6
    frames, _ = read_all(write(tmp_path, "u.pcap", pcap_bytes([Record(BASE_NS + 999_000, v2_frame(1))])))
    assert_exact_us(frames[0].time, BASE_NS + 999_000)


@pytest.mark.parametrize(("endian", "nano"), [("<", False), (">", False), ("<", True), (">", True)])
def test_pcap_written_by_scapy(tmp_path: Path, endian: str, nano: bool) -> None:
    """A second, independent writer: scapy's PcapWriter."""
    path = tmp_path / "scapy.pcap"
    packets = []
    for record in RECORDS:
        packet = Ether(record.data)
        packet.time = EDecimal(Decimal(record.time_ns) / Decimal(10**9))
        packets.append(packet)
    writer = PcapWriter(str(path), linktype=LT_ETHERNET, endianness=endian, nano=nano, sync=True)
    for packet in packets:
        writer.write(packet)
    writer.close()
    frames, reader = read_all(str(path))
    assert reader.damage is None
    assert [f.data for f in frames] == [r.data for r in RECORDS]
    for frame, record in zip(frames, RECORDS, strict=True):
        assert_exact_us(frame.time, record.time_ns)


def test_pcap_linktype_field_with_fcs_length_bits(tmp_path: Path) -> None:
    """The link type is the low 16 bits of the header's field; bits 26-31 say an FCS of n 16-bit words
    ends every frame (libpcap's LT_LINKTYPE / LT_FCS_DATALINK_EXT). 0x24000001: Ethernet, 4-byte FCS."""
    fcs = b"\xde\xad\xbe\xef"
    records = [Record(r.time_ns, r.data + fcs) for r in RECORDS]
    frames, _ = read_all(write(tmp_path, "fcs.pcap", pcap_bytes(records, 0x24000001)))
    assert [f.linktype for f in frames] == [LT_ETHERNET] * 3
    adverts = [decode_frame(f) for f in frames]
    got = [(a.vrid, a.checksum, a.length) for a in adverts if a]
    assert got == [(1, "ok", 20), (2, "ok", 20), (3, "ok", 20)]


def test_pcap_raw_ip_linktype(tmp_path: Path) -> None:
    records = [Record(BASE_NS, v3_raw6(40))]
    frames, _ = read_all(write(tmp_path, "raw.pcap", pcap_bytes(records, LT_RAW)))
    assert frames[0].linktype == LT_RAW
    advert = decode_frame(frames[0])
    assert advert is not None and (advert.family, advert.vrid) == ("ipv6", 40)


# -- pcapng --------------------------------------------------------------------------------------------


def pcapng_blocks(endian: str = "<") -> tuple[list[bytes], list[tuple[str, int, int, str]]]:
    """Ethernet 'eth0' (µs), raw IP 'tun0' (ns), SLL 'any' (2^-20 s); statistics blocks with drops.

    Returns the blocks and, per packet, (interface name, vrid, expected time in ns, family)."""
    e = endian
    blocks = [
        shb(e),
        idb(LT_ETHERNET, name="eth0", snaplen=262144, endian=e),
        idb(LT_RAW, name="tun0", tsresol=9, endian=e),
        nrb_empty(e),
        epb(0, (BASE_NS + 100_000_000) // 1000, v2_frame(10), endian=e),
        epb(1, BASE_NS + 200_000_000, v3_raw6(11), endian=e),
        isb(0, ifrecv=5, ifdrop=1, osdrop=0, endian=e),
        idb(LT_LINUX_SLL, name="any", tsresol=0x80 | 20, endian=e),
        epb(2, (1_700_000_000 << 20) + (1 << 19), v3_sll(12), endian=e),  # .5 s in 2^-20 units
        epb(0, (BASE_NS + 700_001_000) // 1000, v2_frame(13), endian=e),
        isb(0, ifrecv=9, ifdrop=3, osdrop=4, endian=e),  # cumulative: replaces the first one
        isb(1, osdrop=2, endian=e),
    ]
    expected = [
        ("eth0", 10, BASE_NS + 100_000_000, "ipv4"),
        ("tun0", 11, BASE_NS + 200_000_000, "ipv6"),
        ("any", 12, BASE_NS + 500_000_000, "ipv4"),
        ("eth0", 13, BASE_NS + 700_001_000, "ipv4"),
    ]
    return blocks, expected


FOURTH_PACKET_BLOCK = 9


def two_interface_pcapng(endian: str = "<") -> tuple[bytes, list[tuple[str, int, int, str]]]:
    blocks, expected = pcapng_blocks(endian)
    return b"".join(blocks), expected


@pytest.mark.parametrize("endian", ["<", ">"])
def test_pcapng_interfaces_linktypes_resolutions_and_drops(tmp_path: Path, endian: str) -> None:
    data, expected = two_interface_pcapng(endian)
    path = write(tmp_path, "multi.pcapng", data)
    frames, reader = read_all(path)
    assert reader.format == "pcapng"
    assert reader.damage is None and not reader.anomalies
    assert [f.interface for f in frames] == [x[0] for x in expected]
    assert [f.linktype for f in frames] == [LT_ETHERNET, LT_RAW, LT_LINUX_SLL, LT_ETHERNET]
    assert [f.number for f in frames] == [1, 2, 3, 4]
    for frame, (_, _, time_ns, _) in zip(frames, expected, strict=True):
        assert_exact_us(frame.time, time_ns)
    adverts = [decode_frame(f) for f in frames]
    assert all(a is not None for a in adverts)
    got = [(a.interface, a.vrid, a.family) for a in adverts if a is not None]
    assert got == [(name, vrid, family) for name, vrid, _, family in expected]
    assert [a.checksum for a in adverts if a is not None] == ["ok"] * 4
    # isb_ifdrop + isb_osdrop, latest block per interface: eth0 3 + 4, tun0 2
    assert reader.drops == 9
    assert [i.name for i in reader.interfaces] == ["eth0", "tun0", "any"]


def test_pcapng_without_statistics_has_no_drop_count(tmp_path: Path) -> None:
    data = shb() + idb(LT_ETHERNET) + epb(0, BASE_NS // 1000, v2_frame(1))
    frames, reader = read_all(write(tmp_path, "nostats.pcapng", data))
    assert len(frames) == 1
    assert reader.drops is None
    assert frames[0].interface is None  # no if_name: the same link as a classic pcap of it (pcapng.py)


def test_pcapng_zero_drops_is_zero_not_none(tmp_path: Path) -> None:
    data = shb() + idb(LT_ETHERNET, name="eth0") + epb(0, 0, v2_frame(1)) + isb(0, ifdrop=0, osdrop=0)
    _, reader = read_all(write(tmp_path, "zero.pcapng", data))
    assert reader.drops == 0


def test_pcapng_tsoffset(tmp_path: Path) -> None:
    """if_tsoffset: seconds added to every timestamp of the interface."""
    data = shb() + idb(LT_ETHERNET, name="eth0", tsoffset=1_700_000_000) + epb(0, 1_250_000, v2_frame(1))
    frames, _ = read_all(write(tmp_path, "offset.pcapng", data))
    assert_exact_us(frames[0].time, BASE_NS + 1_250_000_000)


def test_pcapng_several_sections(tmp_path: Path) -> None:
    """Concatenated pcapng files (cat a.pcapng b.pcapng): every section has its own interfaces and byte
    order; interface ids restart; the drops of every section count."""
    first = (
        shb("<")
        + idb(LT_ETHERNET, name="eth0", endian="<")
        + epb(0, BASE_NS // 1000, v2_frame(1))
        + isb(0, ifdrop=2, endian="<")
    )
    second = (
        shb(">")
        + idb(LT_RAW, name="tun0", tsresol=9, endian=">")
        + epb(0, BASE_NS + 10**9, v3_raw6(2), endian=">")
        + isb(0, osdrop=5, endian=">")
    )
    frames, reader = read_all(write(tmp_path, "sections.pcapng", first + second))
    assert reader.damage is None
    got = [(f.number, f.interface, f.linktype) for f in frames]
    assert got == [(1, "eth0", LT_ETHERNET), (2, "tun0", LT_RAW)]
    assert_exact_us(frames[1].time, BASE_NS + 10**9)
    adverts = [decode_frame(f) for f in frames]
    assert [(a.vrid, a.family) for a in adverts if a] == [(1, "ipv4"), (2, "ipv6")]
    assert reader.drops == 7


def test_pcapng_simple_packet_block(tmp_path: Path) -> None:
    data = shb() + idb(LT_ETHERNET, name="eth9") + spb(v2_frame(21))
    frames, reader = read_all(write(tmp_path, "spb.pcapng", data))
    assert reader.damage is None
    assert len(frames) == 1 and frames[0].data == v2_frame(21) and frames[0].interface == "eth9"


def test_pcapng_drops_reach_the_cli_json(tmp_path: Path) -> None:
    data, expected = two_interface_pcapng()
    path = write(tmp_path, "multi.pcapng", data)
    done = run_cli("decode", "-f", "json", path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [a["vrid"] for a in document["adverts"]] == [x[1] for x in expected]
    assert [a["interface"] for a in document["adverts"]] == [x[0] for x in expected]
    assert document["inputs"][0]["capture_drops"] == 9


# -- compressed files and stdin ------------------------------------------------------------------------


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.mark.parametrize("name", sorted(COMPRESSORS))
@pytest.mark.parametrize("kind", ["pcap", "pcapng"])
def test_compressed_captures(tmp_path: Path, name: str, kind: str) -> None:
    plain = pcap_bytes(RECORDS) if kind == "pcap" else two_interface_pcapng()[0]
    expected_frames, _ = read_all(write(tmp_path, "plain", plain))
    path = write(tmp_path, "capture.bin", COMPRESSORS[name](plain))  # sniffed, not guessed from the name
    frames, reader = read_all(path)
    assert reader.compression == name
    assert reader.format == kind
    assert reader.damage is None
    assert [(f.data, f.time, f.interface) for f in frames] == [(f.data, f.time, f.interface) for f in expected_frames]
    assert len(frames) in (3, 4)


def test_stdin(tmp_path: Path) -> None:
    done = run_cli("decode", "-f", "jsonl", "-", stdin=pcap_bytes(RECORDS))
    assert done.returncode == 0, done.stderr
    records = jsonl(done.stdout)
    got = [(r["vrid"], r["priority"], r["frame"]) for r in records]
    assert got == [(1, 100, 1), (2, 100, 2), (3, 200, 3)]
    for record, expected in zip(records, RECORDS, strict=True):
        assert_exact_us(float(record["time"]), expected.time_ns)  # type: ignore[arg-type]
        assert record["src"] == SRC and record["checksum"] == "ok"


@pytest.mark.parametrize("kind", ["pcap", "pcapng"])
def test_stdin_streams_records_before_the_input_ends(kind: str) -> None:
    """docs/usage.md: `tcpdump -U -w - ... | vrrpcap decode -f jsonl -`. A live pipe never ends, so a
    record written (and flushed) into stdin must come out as a line without waiting for EOF. Run as a
    user runs it: without PYTHONUNBUFFERED, which would hide output buffering."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if kind == "pcap":
        head = pcap_bytes([RECORDS[0]])
    else:
        head = shb() + idb(LT_ETHERNET, name="eth0") + epb(0, RECORDS[0].time_ns // 1000, RECORDS[0].data)
    process = subprocess.Popen(
        [sys.executable, "-m", "vrrpcap", "decode", "-f", "jsonl", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(head)
        process.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=10)
        line = process.stdout.readline() if ready else b""
    finally:
        process.kill()
        process.wait(timeout=30)
    assert line, "nothing was printed while stdin stayed open"
    assert json.loads(line)["vrid"] == 1


def test_stdin_compressed_pcapng() -> None:
    data, expected = two_interface_pcapng()
    done = run_cli("decode", "-f", "jsonl", "-", stdin=gzip.compress(data))
    assert done.returncode == 0, done.stderr
    assert [(r["interface"], r["vrid"]) for r in jsonl(done.stdout)] == [(x[0], x[1]) for x in expected]


# -- several files -------------------------------------------------------------------------------------


def test_several_files_merged_by_time(tmp_path: Path) -> None:
    a = [Record(BASE_NS + t * 10**9, v2_frame(1)) for t in (1, 3, 5)]
    b = [Record(BASE_NS + t * 10**9 + 500_000_000, v2_frame(2)) for t in (0, 2, 4, 6)]
    path_a = write(tmp_path, "a.pcap", pcap_bytes(a))
    path_b = write(
        tmp_path,
        "b.pcapng",
        shb() + idb(LT_ETHERNET, name="eth1", tsresol=9) + b"".join(epb(0, r.time_ns, r.data) for r in b),
    )
    with CaptureSet([path_a, path_b]) as captures:
        frames = list(captures)
    order = [(Path(f.file).name, f.number) for f in frames]
    assert order == [
        ("b.pcapng", 1),
        ("a.pcap", 1),
        ("b.pcapng", 2),
        ("a.pcap", 2),
        ("b.pcapng", 3),
        ("a.pcap", 3),
        ("b.pcapng", 4),
    ]
    times = [f.time for f in frames]
    assert times == sorted(times)
    done = run_cli("decode", "-f", "jsonl", path_a, path_b)
    assert done.returncode == 0, done.stderr
    assert [r["vrid"] for r in jsonl(done.stdout)] == [2, 1, 2, 1, 2, 1, 2]


# -- damage --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["mid-record", "record-header"])
def test_truncated_pcap(tmp_path: Path, where: str) -> None:
    data = pcap_bytes(RECORDS)
    ends = pcap_record_offsets(RECORDS)
    cut = ends[2] + 16 + 20 if where == "mid-record" else ends[2] + 7
    path = write(tmp_path, "cut.pcap", data[:cut])
    frames, reader = read_all(path)
    assert [f.data for f in frames] == [r.data for r in RECORDS[:2]]
    assert reader.damage
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == int(ExitCode.DAMAGED_CAPTURE) == 5
    assert [r["vrid"] for r in jsonl(done.stdout)] == [1, 2]
    assert done.stderr.strip()


def test_truncated_pcapng(tmp_path: Path) -> None:
    blocks, expected = pcapng_blocks()
    data = b"".join(blocks)
    assert len(blocks[FOURTH_PACKET_BLOCK]) == 12 + 20 + 56  # premise: the 4th packet's EPB
    cut = len(b"".join(blocks[:FOURTH_PACKET_BLOCK])) + 40  # inside the 4th packet's block
    path = write(tmp_path, "cut.pcapng", data[:cut])
    frames, reader = read_all(path)
    assert [f.interface for f in frames] == [x[0] for x in expected[:3]]
    assert reader.damage
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == 5
    assert [r["vrid"] for r in jsonl(done.stdout)] == [10, 11, 12]


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(pcap_bytes(RECORDS * 20))
    path = write(tmp_path, "cut.pcap.gz", data[: len(data) * 2 // 3])
    frames, reader = read_all(path)
    intact = [r.data for r in RECORDS * 20]
    assert [f.data for f in frames] == intact[: len(frames)]
    assert reader.damage
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == 5


def test_record_longer_than_snaplen(tmp_path: Path) -> None:
    data = pcap_bytes(RECORDS, snaplen=40)  # each frame is 54 bytes
    path = write(tmp_path, "snap.pcap", data)
    frames, reader = read_all(path)
    assert len(frames) == 3  # reading goes on
    assert reader.anomalies
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == 5
    assert len(jsonl(done.stdout)) == 3
    assert "snaplen" in done.stderr


def test_record_with_more_captured_than_on_the_wire(tmp_path: Path) -> None:
    records = [RECORDS[0], Record(RECORDS[1].time_ns, RECORDS[1].data, wire_length=20), RECORDS[2]]
    path = write(tmp_path, "wire.pcap", pcap_bytes(records))
    frames, reader = read_all(path)
    assert [f.data for f in frames] == [r.data for r in RECORDS]
    assert reader.anomalies
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == 5
    assert [r["vrid"] for r in jsonl(done.stdout)] == [1, 2, 3]


def test_record_claiming_an_impossible_length(tmp_path: Path) -> None:
    bad = Record(BASE_NS, b"\0" * 8, captured_length=0x7FFFFFFF)
    path = write(tmp_path, "huge.pcap", pcap_bytes([RECORDS[0], bad, RECORDS[1]]))
    frames, reader = read_all(path)
    assert [f.data for f in frames] == [RECORDS[0].data]
    assert reader.damage
    done = run_cli("decode", "-f", "jsonl", path)
    assert done.returncode == 5
    assert [r["vrid"] for r in jsonl(done.stdout)] == [1]


def one_line(stderr: str) -> str:
    """docs/exit-codes.md: an error is one line, `vrrpcap: error: <file>: <cause>`."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("vrrpcap: error: "), lines[0]
    return lines[0]


def test_not_a_capture(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", b"this is a text file, not a capture\n" * 10)
    with pytest.raises(NotACapture):
        CaptureReader(path)
    done = run_cli("decode", path)
    assert done.returncode == int(ExitCode.NOT_A_CAPTURE) == 4
    assert "notes.txt" in one_line(done.stderr)
    assert done.stdout == ""


def test_compressed_non_capture(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.gz", gzip.compress(b"hello, world " * 50))
    done = run_cli("decode", path)
    assert done.returncode == 4
    one_line(done.stderr)


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.pcap")
    with pytest.raises(InputUnavailable):
        CaptureReader(path)
    done = run_cli("decode", path)
    assert done.returncode == int(ExitCode.INPUT_UNAVAILABLE) == 3
    assert "nope.pcap" in one_line(done.stderr)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.pcap", b"")
    with pytest.raises(NotACapture):
        CaptureReader(path)
    done = run_cli("decode", path)
    assert done.returncode == 4
    one_line(done.stderr)


def test_empty_stdin() -> None:
    done = run_cli("decode", "-", stdin=b"")
    assert done.returncode == 4
    one_line(done.stderr)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputUnavailable):
        CaptureReader(str(tmp_path))
    done = run_cli("decode", str(tmp_path))
    assert done.returncode == 3
    one_line(done.stderr)


def test_one_bad_file_among_good_ones(tmp_path: Path) -> None:
    good = write(tmp_path, "good.pcap", pcap_bytes(RECORDS))
    done = run_cli("decode", "-f", "jsonl", good, str(tmp_path / "missing.pcap"))
    assert done.returncode == 3
    one_line(done.stderr)


def _shb_of_length_12(tmp_path: Path) -> str:
    blocks, _ = pcapng_blocks()
    data = bytearray(b"".join(blocks))
    data[4:8] = struct.pack("<I", 12)
    return write(tmp_path, "shb12.pcapng", bytes(data))


def test_pcapng_section_header_with_impossible_length(tmp_path: Path) -> None:
    """An SHB is at least 28 bytes; a block length of 12 is an impossible length (docs/exit-codes.md:
    a damaged capture). The reader must report it as damage, never crash."""
    frames, reader = read_all(_shb_of_length_12(tmp_path))
    assert frames == []
    assert reader.damage


def test_cli_on_section_header_with_impossible_length(tmp_path: Path) -> None:
    done = run_cli("decode", "-f", "jsonl", _shb_of_length_12(tmp_path))
    assert done.returncode == ExitCode.DAMAGED_CAPTURE, done.stderr
    assert done.stderr.strip()


@pytest.mark.parametrize(
    ("name", "interface", "timestamp"),
    [
        ("far-future", idb(LT_ETHERNET, name="eth0"), (1 << 64) - 1),  # 2^64 µs: year ~586,000
        ("far-past", idb(LT_ETHERNET, name="eth0", tsoffset=-(1 << 62)), 5),
    ],
    ids=["far-future", "far-past"],
)
def test_cli_table_with_timestamps_beyond_the_calendar(
    tmp_path: Path, name: str, interface: bytes, timestamp: int
) -> None:
    """A hostile or corrupt file can hold any 64-bit timestamp; printing it must not end in a traceback."""
    path = write(tmp_path, f"{name}.pcapng", shb() + interface + epb(0, timestamp, v2_frame(1)))
    frames, _ = read_all(path)
    assert len(frames) == 1
    done = run_cli("decode", path)  # the table, which prints wall-clock times
    assert done.returncode in (ExitCode.OK, ExitCode.DAMAGED_CAPTURE), done.stderr
