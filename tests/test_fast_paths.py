"""Every fast path gives what the reference path gives: same adverts, same reader verdicts, same audit.

Paths compared, on every capture in pcaps/ and ../shared/pcaps-public/ and on crafted ones:
- reference: every frame read and decoded in Python (AdvertStream(scan=False), no decode cache), and the
  analyzer with its repeat fast path off;
- C scan: the C scanner (vrrpcap/_scan.c) over a mapped file or read chunks, the decode cache with the C
  slot copy, the analyzer's repeat fast path (what `vrrpcap audit` runs);
- Python scan: the same without the extension (what an install without a compiler runs).
"""

from __future__ import annotations

import gzip
import random
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scapy.layers.inet import ICMP, IP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
from scapy.layers.l2 import Dot1Q, Ether
from scapy.layers.vrrp import VRRP, VRRPv3

import vrrpcap.decode.cache as decode_module
import vrrpcap.frames.reader as capture_module
from benchmarks.generate import dense_adverts, mixed_packets, write_pcap, write_pcapng
from tests.conftest import lab_captures, public_captures
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
    isb,
    nrb_empty,
    pcap_bytes,
    shb,
    spb,
    write,
)
from vrrpcap.analysis import Engine
from vrrpcap.decode import Advert, CachingDecoder, decode_frame
from vrrpcap.frames import CaptureReader, CaptureSet, Frame
from vrrpcap.pipeline import AdvertStream, Pipeline

BASE_NS = 1_700_000_000 * 10**9
HAVE_C = capture_module.scanner is not None


def v2(vrid: int = 1, priority: int = 100, src: str = "192.0.2.1", ident: int = 1, ttl: int = 255) -> Any:
    return IP(src=src, dst="224.0.0.18", ttl=ttl, proto=112, id=ident) / VRRP(
        vrid=vrid, priority=priority, addrlist=["192.0.2.254"]
    )


def v3_6(vrid: int = 2, priority: int = 100) -> Any:
    return IPv6(src="fe80::2", dst="ff02::12", hlim=255, nh=112) / VRRPv3(
        vrid=vrid, priority=priority, addrlist=["fe80::fe"]
    )


def eth(payload: Any, *vlans: int) -> bytes:
    frame: Any = Ether(src="02:00:00:00:00:01", dst="01:00:5e:00:00:12")
    for vlan in vlans:
        frame = frame / Dot1Q(vlan=vlan)
    return bytes(frame / payload)


def sll(payload: Any, proto: int = 0x0800) -> bytes:
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\x00\x00\x00\x00\x02\x00\x00", proto) + bytes(payload)


def sll2(payload: Any, proto: int = 0x0800, ifindex: int = 3) -> bytes:
    return struct.pack("!HHIHBB8s", proto, 0, ifindex, 1, 0, 6, b"\x02\x00\x00\x00\x00\x03\x00\x00") + bytes(payload)


def other_traffic(k: int) -> bytes:
    return bytes(Ether() / IP(src=f"10.0.0.{k % 250 + 1}", dst="10.0.1.1", proto=6) / (b"x" * (40 + k % 300)))


def unreachable(quoted: Any) -> bytes:
    return eth(IP(src="192.0.2.9", dst="192.0.2.1", ttl=64) / ICMP(type=3, code=2) / bytes(quoted)[:28])


def ethernet_frames() -> list[bytes]:
    """A mix of every kind of Ethernet frame the decoder handles, and ones it does not."""
    frames = []
    for k in range(60):
        frames.append(eth(v2(vrid=1, ident=k)))  # keepalived-style: only the IP ID changes
        frames.append(other_traffic(k))
        if k % 5 == 0:
            frames.append(eth(v2(vrid=3, priority=120), 100))  # VLAN
            frames.append(eth(v3_6(vrid=4), 100, 200))  # QinQ, IPv6
        if k % 7 == 0:
            frames.append(unreachable(IP(src="192.0.2.1", dst="192.0.2.9", ttl=255, proto=112) / VRRP(vrid=5)))
            frames.append(eth(IPv6(src="fe80::5", dst="ff02::12", hlim=255) / IPv6ExtHdrHopByHop() / VRRPv3(vrid=6)))
            frames.append(eth(IP(src="192.0.2.7", dst="224.0.0.18", ttl=255, proto=51) / (b"\x70\x04" + bytes(22))))
            frames.append(eth(v2(vrid=8, ttl=64)))  # bad TTL: per-advert finding, no fast path
            frames.append(eth(IP(src="192.0.2.8", dst="10.0.0.1") / ICMP(type=8)))  # echo: not an error
    frames.append(eth(v2(vrid=9, priority=0)))
    return frames


def records(frames: list[bytes], step_ns: int = 10_000_000, start: int = BASE_NS) -> list[Record]:
    return [Record(start + i * step_ns, data) for i, data in enumerate(frames)]


# -- running the paths ---------------------------------------------------------------------------------------


def run_path(paths: list[str], path_kind: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Adverts, reader verdicts and the audit report of one path."""
    with monkeypatch.context() as patch:
        if path_kind == "python-scan":
            patch.setattr(capture_module, "scanner", None)
            patch.setattr(decode_module, "_clone", decode_module._slow_clone)
            patch.setattr(decode_module, "_content_key", decode_module._content_key_py)
        engine = Engine()
        engine.caching = path_kind != "reference"
        pipeline = Pipeline(engine=engine)
        with CaptureSet(paths) as captures:
            stream = AdvertStream(captures, scan=path_kind != "reference")
            adverts = []
            for advert in stream:
                adverts.append(advert)
                pipeline.advert(advert)
            inputs = stream.inputs()
            readers = [
                (r.frames, r.damage, r.anomalies, r.drops, r.interfaces, r._retired, r.problems())
                for r in captures.readers
            ]
        report = pipeline.finish(inputs)
    return {"adverts": adverts, "inputs": inputs, "readers": readers, "report": report.as_dict()}


PATHS = ["c-scan", "python-scan"] if HAVE_C else ["python-scan"]


def assert_same_everywhere(paths: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    reference = run_path(paths, "reference", monkeypatch)
    for kind in PATHS:
        got = run_path(paths, kind, monkeypatch)
        assert len(got["adverts"]) == len(reference["adverts"]), kind
        for a, b in zip(got["adverts"], reference["adverts"], strict=True):
            assert a == b, kind
            assert a.auth_secret == b.auth_secret
        assert got["readers"] == reference["readers"], kind
        assert got["inputs"] == reference["inputs"], kind
        assert got["report"] == reference["report"], kind
    return reference


# -- every capture in the repository and in shared/ -----------------------------------------------------------


def all_captures() -> list[Path]:
    return lab_captures() + public_captures()


@pytest.mark.parametrize("path", all_captures(), ids=lambda p: p.name)
def test_same_results_on_recorded_captures(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_everywhere([str(path)], monkeypatch)


def test_public_captures_present_or_skip() -> None:
    if not public_captures():
        pytest.skip("../shared/pcaps-public is absent")


def test_all_lab_captures_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(p) for p in lab_captures()]
    if len(paths) < 2:
        pytest.skip("fewer than two lab captures")
    assert_same_everywhere(paths, monkeypatch)


# -- crafted captures -----------------------------------------------------------------------------------------


def test_ethernet_mix_with_vlans_icmp_ah_extension_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = assert_same_everywhere([write(tmp_path, "mix.pcap", pcap_bytes(records(ethernet_frames())))], monkeypatch)
    kinds = {a.kind for a in result["adverts"]}
    assert {"advert", "icmp-quote"} <= kinds


@pytest.mark.parametrize(
    "linktype, frames",
    [
        (LT_LINUX_SLL, [sll(v2(vrid=k % 3 + 1, ident=k)) for k in range(20)] + [sll(b"\x00" * 30, 0x0806)]),
        (LT_LINUX_SLL2, [sll2(v2(ident=k)) for k in range(20)] + [sll2(v3_6(), 0x86DD), sll2(b"x" * 8, 0x0806)]),
        (LT_RAW, [bytes(v2(ident=k)) for k in range(10)] + [bytes(v3_6()), b"\x45" + bytes(30), b""]),
        (LT_NULL, [struct.pack("<I", 2) + bytes(v2(ident=k)) for k in range(10)] + [struct.pack("<I", 24)]),
        (LT_LOOP, [struct.pack(">I", 2) + bytes(v2(ident=k)) for k in range(10)]),
        (147, [bytes(v2()), b"\x00" * 10]),  # a link type the decoder does not know: all frames pass the scanner
    ],
    ids=["sll", "sll2", "raw", "null", "loop", "unknown"],
)
def test_link_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, linktype: int, frames: list[bytes]) -> None:
    path = write(tmp_path, "link.pcap", pcap_bytes(records(frames), linktype))
    assert_same_everywhere([path], monkeypatch)


def test_pcap_anomalies_among_ordinary_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = ethernet_frames()[:40]
    recs = records(frames)
    recs[5] = Record(recs[5].time_ns, recs[5].data, wire_length=10)  # more captured than on the wire
    data = pcap_bytes(recs, snaplen=80)  # most frames are longer than the snaplen
    result = assert_same_everywhere([write(tmp_path, "anomalies.pcap", data)], monkeypatch)
    assert result["readers"][0][2]  # anomalies were counted


@pytest.mark.parametrize("cut", [10, 100, 1000, -3])
def test_truncated_pcap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut: int) -> None:
    data = pcap_bytes(records(ethernet_frames()))
    data = data[: 24 + 16 + 5] if cut == 10 else data[:cut]
    result = assert_same_everywhere([write(tmp_path, "cut.pcap", data)], monkeypatch)
    assert result["readers"][0][1]  # damage


def test_impossible_record_length(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recs = records(ethernet_frames()[:30])
    data = pcap_bytes(recs)
    offset = 24 + sum(16 + len(r.data) for r in recs[:12])
    bad = data[:offset] + struct.pack("<IIII", 1, 2, 300_000, 300_000) + data[offset + 16 :]
    result = assert_same_everywhere([write(tmp_path, "bad.pcap", bad)], monkeypatch)
    assert "claims" in (result["readers"][0][1] or "")


def pcapng_file(endian: str = "<", damage: bool = False) -> bytes:
    e = endian
    blocks = [
        shb(e),
        idb(LT_ETHERNET, name="eth0", snaplen=262144, endian=e),
        idb(LT_RAW, name="tun0", tsresol=9, endian=e),
        nrb_empty(e),
    ]
    for k, frame in enumerate(ethernet_frames()):
        blocks.append(epb(0, BASE_NS // 1000 + k * 1000, frame, endian=e))
        if k % 17 == 0:
            blocks.append(epb(1, BASE_NS + k * 10**6, bytes(v3_6(vrid=12)), endian=e))
        if k == 50:
            blocks.append(isb(0, ifrecv=50, ifdrop=2, endian=e))
            blocks.append(idb(LT_LINUX_SLL2, name="any", tsresol=6, snaplen=96, endian=e))
            blocks.append(epb(2, BASE_NS // 1000 + k * 1000 + 1, sll2(v2(vrid=13)) + bytes(80), endian=e))
            blocks.append(spb(eth(v2(vrid=14)), endian=e))
    # A second section: interface ids start again, drops of the first section still count.
    blocks += [shb(e), idb(LT_ETHERNET, name="eth1", endian=e)]
    blocks += [epb(0, BASE_NS // 1000 + 10**7 + k, eth(v2(vrid=15, ident=k)), endian=e) for k in range(30)]
    blocks.append(isb(0, osdrop=3, endian=e))
    data = b"".join(blocks)
    return data[:-7] if damage else data


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("damage", [False, True])
def test_pcapng_interfaces_sections_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, endian: str, damage: bool
) -> None:
    result = assert_same_everywhere([write(tmp_path, "many.pcapng", pcapng_file(endian, damage))], monkeypatch)
    _frames, found_damage, _anomalies, drops, *_ = result["readers"][0]
    assert drops == (2 if damage else 5)  # the damage cuts the last statistics block
    assert bool(found_damage) == damage
    assert {a.interface for a in result["adverts"]} >= {"eth0", "tun0", "eth1"}


def test_pcapng_block_of_impossible_length(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = pcapng_file()
    cut = len(shb()) + 2000
    position = 0
    while position < cut:  # find the block boundary after `cut`
        position += struct.unpack_from("<I", data, position + 4)[0]
    bad = data[:position] + struct.pack("<II", 6, 13) + data[position + 8 :]
    result = assert_same_everywhere([write(tmp_path, "bad.pcapng", bad)], monkeypatch)
    assert "impossible length" in (result["readers"][0][1] or "")


def test_larger_than_a_scan_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Several MiB of mixed traffic: windows, chunk edges and the records that straddle them."""
    pcap = tmp_path / "mixed.pcap"
    pcapng = tmp_path / "mixed.pcapng"
    write_pcap(pcap, mixed_packets(6000, vrrp_share=0.02))
    write_pcapng(pcapng, mixed_packets(6000, vrrp_share=0.02))
    assert pcap.stat().st_size > 3 * capture_module.SCAN_WINDOW
    for path in (pcap, pcapng):
        result = assert_same_everywhere([str(path)], monkeypatch)
        assert result["readers"][0][0] == 6000
    gz = tmp_path / "mixed.pcap.gz"
    gz.write_bytes(gzip.compress(pcap.read_bytes(), compresslevel=1))
    assert_same_everywhere([str(gz)], monkeypatch)  # the scanner over read chunks, no map


def test_dense_capture_with_failovers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dense.pcap"
    write_pcap(path, dense_adverts(4000, vr_count=40))
    result = assert_same_everywhere([str(path)], monkeypatch)
    assert result["report"]["findings"]


def test_merge_of_files_out_of_time_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files whose timestamps go backwards: the scan's merge keys give the order of a merge of all frames."""
    rng = random.Random(6)
    paths = []
    for n in range(3):
        frames = []
        for k in range(200):
            frames.append(eth(v2(vrid=20 + n, ident=k)) if rng.random() < 0.3 else other_traffic(k))
        times = [BASE_NS + rng.randrange(0, 5 * 10**9) for _ in frames]
        data = pcap_bytes([Record(t, f) for t, f in zip(times, frames, strict=True)])
        paths.append(write(tmp_path, f"part{n}.pcap", data))
    assert_same_everywhere(paths, monkeypatch)


# -- the pieces ---------------------------------------------------------------------------------------------


def mutations(frames: list[bytes], count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for _ in range(count):
        data = bytearray(rng.choice(frames))
        for _ in range(rng.randint(1, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data) + 1)]
        yield bytes(data)


@pytest.mark.skipif(not HAVE_C, reason="the C extension is not built")
@pytest.mark.parametrize(
    "linktype", [LT_ETHERNET, LT_LINUX_SLL, LT_LINUX_SLL2, LT_RAW, LT_NULL, LT_LOOP, 12, 14, 228, 229]
)
def test_scanner_filter_passes_everything_the_decoder_reads(linktype: int) -> None:
    assert capture_module.scanner is not None
    may_carry = capture_module.scanner.may_carry_vrrp
    payloads = [bytes(v2()), bytes(v3_6()), bytes(unreachable(v2()))[14:]]
    frames = ethernet_frames() + [sll(p) for p in payloads] + [sll2(p) for p in payloads] + payloads
    frames += [struct.pack("<I", 2) + p for p in payloads]
    for data in [*frames, *mutations(frames, 4000, linktype)]:
        frame = Frame("f", 1, 1.0, linktype, data, len(data), None)
        if decode_frame(frame) is not None:
            assert may_carry(linktype, data), data.hex()


@pytest.mark.skipif(not HAVE_C, reason="the C extension is not built")
def test_scanner_filter_drops_other_traffic() -> None:
    assert capture_module.scanner is not None
    assert not capture_module.scanner.may_carry_vrrp(LT_ETHERNET, other_traffic(1))
    assert capture_module.scanner.may_carry_vrrp(LT_ETHERNET, eth(v2(), 7))


def test_decode_cache_ignores_only_what_the_decoder_never_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames that differ in the IPv4 ID and header checksum share a cache entry; the results are still
    those of a full decode, frame by frame, with and without the extension."""
    frames = ethernet_frames()
    frames += list(mutations(frames, 3000, 7))
    for kind in PATHS:
        with monkeypatch.context() as patch:
            if kind == "python-scan":
                patch.setattr(decode_module, "_clone", decode_module._slow_clone)
                patch.setattr(decode_module, "_content_key", decode_module._content_key_py)
            decode = CachingDecoder()
            for number, data in enumerate(frames, 1):
                frame = Frame("f.pcap", number, 1e9 + number / 7, LT_ETHERNET, data, len(data), None)
                got = decode(frame)
                want = decode_frame(frame)
                assert got == want
                assert (got is None) or (type(got) is Advert and got.auth_secret == want.auth_secret)  # type: ignore[union-attr]


def test_reader_scan_counts_every_frame(tmp_path: Path) -> None:
    frames = ethernet_frames()
    path = write(tmp_path, "count.pcap", pcap_bytes(records(frames)))
    reader = CaptureReader(path)
    try:
        scanned = list(reader.scan_frames())
    finally:
        reader.close()
    assert reader.frames == len(frames)
    if HAVE_C:
        assert len(scanned) < len(frames)  # the other traffic stayed in C
    assert {f.number for f in scanned} >= {
        n for n, data in enumerate(frames, 1) if decode_frame(Frame(path, n, 0.0, 1, data, 0, None))
    }
