"""Repeats counted in bulk (vrrpcap/folding.py, vrrpcap/_fold.c) change nothing: the folded audit is the
reference audit (every frame decoded in Python, no cache, one `Engine.feed` per advert).

Compared: the whole report, and what the report does not show but later adverts would read (each
router's counters, last advert, deadline and open run; the timing detector's per-stream times, IPv4
IDs and ID steps). On every capture in pcaps/ and ../shared/pcaps-public/, on generated dense and
mixed captures, and on crafted ones aimed at the fold's edges: gaps exactly at the limit, silences
exactly at the Master_Down_Interval, another router's deadline inside a fold, content changing inside
a run, priority 0, IPv4 ID jumps and wraps, time going backwards, scan windows and batches, rotated
and interleaved files, options that put the gap limit beyond the deadline, and random streams.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

import vrrpcap.folding as folding_module
import vrrpcap.frames.reader as capture_module
from benchmarks.generate import dense_adverts, dual_adverts, mixed_packets, write_pcap, write_pcapng
from tests.conftest import lab_captures, public_captures
from tests.support import Record, ones_complement_checksum, pcap_bytes, with_checksum, write
from vrrpcap.analysis import Engine, Options
from vrrpcap.analysis.detectors.overlap import Overlap
from vrrpcap.analysis.detectors.timing import MissedAdverts
from vrrpcap.frames import CaptureSet
from vrrpcap.pipeline import AdvertStream, Pipeline

BASE_NS = 1_700_000_000 * 10**9
SECOND = 10**9
HAVE_FOLD = folding_module.folder is not None
pytestmark = pytest.mark.skipif(not HAVE_FOLD, reason="the C extension vrrpcap._fold is not built")


# -- frames, byte by byte -------------------------------------------------------------------------------------


def ip4(text: str) -> bytes:
    return bytes(int(x) for x in text.split("."))


def v2_frame(
    src: str,
    vrid: int = 1,
    priority: int = 100,
    ident: int = 0,
    *,
    dst: str = "224.0.0.18",
    vips: Sequence[str] = ("192.0.2.254",),
    interval: int = 1,
    ttl: int = 255,
    mac: bytes = b"\x02\x00\x00\x00\x00\x01",
    vlan: int | None = None,
) -> bytes:
    """An Ethernet frame carrying a VRRPv2 advert (RFC 3768), checksums right."""
    addresses = b"".join(ip4(v) for v in vips)
    body = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(vips), 0, interval, 0) + addresses + bytes(8)
    message = with_checksum(body)
    length = 20 + len(message)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, length, ident & 0xFFFF, 0, ttl, 112, 0, ip4(src), ip4(dst))
    header = header[:10] + struct.pack("!H", ones_complement_checksum(header)) + header[12:]
    tag = b"" if vlan is None else struct.pack("!HH", 0x8100, vlan)
    dst_mac = b"\x01\x00\x5e\x00\x00\x12" if dst.startswith("224.") else b"\x02\x00\x00\x00\x00\xfe"
    frame = dst_mac + mac + tag + b"\x08\x00" + header + message
    return frame + bytes(max(0, 60 - len(frame)))


def other_frame(k: int) -> bytes:
    """Traffic the scanner drops (TCP) or passes but the decoder does not make an advert of (ICMP echo)."""
    proto = 6 if k % 2 else 1
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 48, k & 0xFFFF, 0, 64, proto, 0, ip4("10.0.0.1"), ip4("10.0.0.2"))
    payload = b"\x08\x00" + bytes(26) if proto == 1 else bytes(28)
    return b"\x02\x00\x00\x00\x00\x09" * 2 + b"\x08\x00" + header + payload


class Stream:
    """One router's adverts: ``beats`` at ``interval`` seconds from ``start``, its IPv4 IDs counting."""

    def __init__(self, src: str, vrid: int = 1, priority: int = 100, **frame: Any) -> None:
        self.src, self.vrid, self.priority, self.frame = src, vrid, priority, frame
        self.ident = 1000

    def at(self, time_ns: int, priority: int | None = None, skip_ids: int = 0, **frame: Any) -> Record:
        self.ident += 1 + skip_ids
        options = {**self.frame, **frame}
        prio = self.priority if priority is None else priority
        return Record(time_ns, v2_frame(self.src, self.vrid, prio, self.ident, **options))

    def beats(self, start_ns: int, count: int, interval_ns: int = SECOND) -> list[Record]:
        return [self.at(start_ns + i * interval_ns) for i in range(count)]


def capture(tmp_path: Path, name: str, records: list[Record], *, order: bool = True) -> str:
    if order:
        records = sorted(records, key=lambda r: r.time_ns)
    return write(tmp_path, name, pcap_bytes(records, nano=True))


# -- the paths ------------------------------------------------------------------------------------------------


def engine_state(engine: Engine) -> list[Any]:
    """What later adverts would read and the report does not show."""
    timing = next(d for d in engine.detectors if isinstance(d, MissedAdverts))
    routers = sorted(
        (
            (r.segment, r.address),
            r.adverts,
            r.multicast_adverts,
            r.last_seen,
            r.deadline if r.run is not None else None,
            None if r.run is None else (r.run.last, r.run.last_frame, r.run.adverts, tuple(r.run.priorities)),
            sorted(r.per_peer_last.items()),
        )
        for r in engine.placement.routers.values()
    )
    streams = sorted(
        ((r.segment, r.address, dst), s.last_time, s.last_id, s.pairs, s.steps_of_one)
        for (r, dst), s in timing._streams.items()
    )
    overlap = next(d for d in engine.detectors if isinstance(d, Overlap))
    episodes = sorted(
        (
            *(vr.id, e.start, e.last, sorted(e.routers), e.crowded, e.lower_adverts, e.answered, e.off_phase),
            *(e.pending, e.high_last, None if e.high is None else e.high.address, len(e.evidence)),
        )
        for vr, e in overlap._open.items()
    )
    return [routers, streams, episodes, engine.now]


def audit(paths: list[str], kind: str, options: Options | None = None) -> tuple[dict[str, Any], list[Any], int]:
    """The report, the engine's hidden state and the adverts fed as repeats, of one path."""
    pipeline = Pipeline(options)
    pipeline.engine.caching = kind != "reference"
    pipeline.fold = kind != "unfolded"
    folded = 0
    feed_repeats = pipeline.engine.feed_repeats

    def counting(offer: Any, repeats: Any) -> None:
        nonlocal folded
        folded += repeats.count
        feed_repeats(offer, repeats)

    pipeline.engine.feed_repeats = counting  # type: ignore[method-assign]
    with CaptureSet(paths) as captures:
        report = pipeline.run(AdvertStream(captures, scan=kind != "reference"))
    return report.as_dict(), engine_state(pipeline.engine), folded


def assert_folds_agree(
    paths: list[str], monkeypatch: pytest.MonkeyPatch, options: Options | None = None, python_scan: bool = True
) -> tuple[dict[str, Any], int]:
    """The folded audit (C scan, and the pure-Python scan) equals the reference; returns the report and
    how many adverts the C-scan audit fed as repeats."""
    reference, reference_state, none = audit(paths, "reference", options)
    assert none == 0
    report, state, folded = audit(paths, "folded", options)
    assert report == reference
    assert state == reference_state
    if python_scan:
        with monkeypatch.context() as patch:
            patch.setattr(capture_module, "scanner", None)
            report_py, state_py, folded_py = audit(paths, "folded", options)
        assert report_py == reference
        assert state_py == reference_state
        assert folded_py == folded
    return reference, folded


# -- recorded and generated captures ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", lab_captures() + public_captures(), ids=lambda p: p.name)
def test_recorded_captures(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_folds_agree([str(path)], monkeypatch)


def test_lab_captures_merged(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(p) for p in lab_captures() if p.suffix in (".pcap", ".pcapng")][:12]
    assert_folds_agree(paths, monkeypatch, python_scan=False)


def test_steady_lab_capture_is_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    steady = [p for p in lab_captures() if p.name == "v2-multicast-steady.pcap"]
    if not steady:
        pytest.skip("pcaps/v2-multicast-steady.pcap is not there")
    report, folded = assert_folds_agree([str(steady[0])], monkeypatch)
    total = sum(i["adverts"] for i in report["inputs"])
    assert folded > total // 2


@pytest.mark.parametrize("writer", [write_pcap, write_pcapng], ids=["pcap", "pcapng"])
def test_dense_and_mixed_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: Any) -> None:
    dense = tmp_path / "dense"
    writer(dense, dense_adverts(6000, vr_count=60))
    report, folded = assert_folds_agree([str(dense)], monkeypatch)
    assert report["findings"]
    assert folded > 6000 * 0.8  # the failovers and each content's first advert go one by one
    mixed = tmp_path / "mixed"
    writer(mixed, mixed_packets(20000, vrrp_share=0.05))
    assert_folds_agree([str(mixed)], monkeypatch)


def test_dual_master_generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every virtual router a split brain (neither hears the other, the higher answering the lower,
    interval mismatches, ties): both masters' repeats are counted as pairs, with the same report,
    direction counts and episode state as the reference."""
    path = tmp_path / "dual.pcap"
    write_pcap(path, dual_adverts(12_000, vr_count=40))
    report, folded = assert_folds_agree([str(path)], monkeypatch)
    assert paired_adverts(str(path)) == folded  # every repeat folded is a pair's
    splits = [f for f in report["findings"] if f["code"] == "VRRP-SPLIT-BRAIN"]
    assert len(splits) == 40
    assert {f["direction"] for f in splits} > {"neither hears the other"}
    assert any(f["code"] == "VRRP-PRIORITY-TIE" for f in report["findings"])
    assert folded > 12_000 * 0.6


def test_folds_across_scan_windows_and_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dense.pcap"
    write_pcap(path, dense_adverts(4 * folding_module.BATCH, vr_count=30))
    assert path.stat().st_size > 2 * capture_module.SCAN_WINDOW
    _, folded = assert_folds_agree([str(path)], monkeypatch, python_scan=False)
    assert folded > 2 * folding_module.BATCH


def test_folds_across_rotated_and_interleaved_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    adverts = list(dense_adverts(3000, vr_count=20))
    # Rotated: consecutive pieces of one capture, given in reverse order.
    third = len(adverts) // 3
    rotated = []
    for n in range(3):
        path = tmp_path / f"rotated{n}.pcap"
        write_pcap(path, iter(adverts[n * third : (n + 1) * third if n < 2 else None]))
        rotated.append(str(path))
    _, folded = assert_folds_agree(rotated[::-1], monkeypatch, python_scan=False)
    assert folded > 2000
    # Interleaved: a router's adverts alternate between two files (two capture points of one link).
    odd, even = tmp_path / "odd.pcap", tmp_path / "even.pcap"
    write_pcap(odd, iter(adverts[1::2]))
    write_pcap(even, iter(adverts[::2]))
    assert_folds_agree([str(odd), str(even)], monkeypatch, python_scan=False)


# -- crafted edges -------------------------------------------------------------------------------------------------


def test_gaps_at_the_limit_and_silences_at_the_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interval 1 s, priority 100: the gap limit is 1.5 s, Master_Down_Interval 3.609375 s (exact in binary)."""
    a = Stream("192.0.2.1")
    mdi_ns = 3 * SECOND + 609_375_000
    records, t = [], BASE_NS
    for gap in (SECOND, 1_500_000_000, 1_500_000_001, 1_499_999_999, mdi_ns, mdi_ns + 1, mdi_ns - 1, SECOND):
        records += a.beats(t, 20)
        t += 19 * SECOND + gap
    records += a.beats(t, 20)
    # A second virtual router whose adverts fall between, so the engine's clock moves meanwhile.
    records += Stream("192.0.2.9", vrid=2).beats(BASE_NS + 300_000_000, 200)
    path = capture(tmp_path, "edges.pcap", records)
    report, folded = assert_folds_agree([path], monkeypatch)
    assert folded > 100
    assert any(f["code"] == "VRRP-MISSED-ADVERTS" for f in report["findings"])


def test_another_routers_deadline_inside_a_fold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    steady = Stream("192.0.2.1", vrid=1).beats(BASE_NS, 120)
    # vrid 2: the master falls silent at 30 s; the backup takes over one Master_Down_Interval later.
    master, backup = Stream("192.0.2.2", vrid=2, priority=200), Stream("192.0.2.3", vrid=2, priority=100)
    failover = master.beats(BASE_NS + 100_000_000, 30) + backup.beats(BASE_NS + 29_100_000_000 + 3_609_375_000, 80)
    # vrid 3: the master falls silent for good at 50 s, and nobody takes over.
    gone = Stream("192.0.2.4", vrid=3).beats(BASE_NS + 200_000_000, 50)
    path = capture(tmp_path, "deadlines.pcap", steady + failover + gone)
    report, folded = assert_folds_agree([path], monkeypatch)
    assert folded > 200
    assert any(f["code"] == "VRRP-FAILOVER" for f in report["findings"])


def paired_adverts(path: str) -> int:
    """How many adverts the folded audit of ``path`` counted as a pair's (`Engine.feed_pair`)."""
    pipeline = Pipeline()
    paired = 0
    feed_pair = pipeline.engine.feed_pair

    def counting(pair: Any) -> None:
        nonlocal paired
        paired += pair.adverts
        feed_pair(pair)

    pipeline.engine.feed_pair = counting  # type: ignore[method-assign]
    with CaptureSet([path]) as captures:
        pipeline.run(AdvertStream(captures))
    return paired


def split_brain(high_priority: int = 200) -> tuple[Stream, Stream]:
    return Stream("192.0.2.2", vrid=5, priority=high_priority), Stream("192.0.2.3", vrid=5, priority=100)


def test_pair_edges(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A split brain counted as a pair, at the pair's edges: the lower overdue but back before its
    Master_Down_Interval (the higher's repeats meanwhile end the episode), the lower silent for longer,
    the higher losing adverts, the higher answering the lower, a third master joining, and the last
    frame of the capture earlier than the other master's latest."""
    high, low = split_brain()
    records = high.beats(BASE_NS, 40) + high.beats(BASE_NS + 44 * SECOND, 20)  # 4 s lost at 40 s
    # From 64 s the higher hears the lower: it answers each advert at once, off its own phase.
    records += [high.at(BASE_NS + k * SECOND + 400_500_000) for k in range(64, 84)]
    records += high.beats(BASE_NS + 64 * SECOND, 20)
    records += high.beats(BASE_NS + 84 * SECOND, 6)
    # Paired once the episode's evidence is full (40 adverts, about 20 s).
    records += low.beats(BASE_NS + 400_000_000, 30)  # until 29.4 s; overdue at 30.9, back at 31.9
    records += low.beats(BASE_NS + 31_900_000_000, 5)  # until 35.9 s; silent until 40.4 s
    records += low.beats(BASE_NS + 40_400_000_000, 50)  # until 89.4 s
    records += Stream("192.0.2.4", vrid=5, priority=150).beats(BASE_NS + 80_700_000_000, 5)
    back_in_time = high.at(BASE_NS + 89_200_000_000)  # the capture's last frame, before the lower's 89.4 s
    path = capture(tmp_path, "pair-edges.pcap", [*sorted(records, key=lambda r: r.time_ns), back_in_time], order=False)
    report, _ = assert_folds_agree([path], monkeypatch)
    assert paired_adverts(path) > 30
    assert sum(f["code"] == "VRRP-SPLIT-BRAIN" for f in report["findings"]) >= 2


def test_pair_tie_and_interval_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    high, low = split_brain(high_priority=100)  # a tie, decided by the higher address
    records = high.beats(BASE_NS, 80) + [low.at(BASE_NS + 300_000_000 + 2 * k * SECOND, interval=2) for k in range(40)]
    path = capture(tmp_path, "pair-tie.pcap", records)
    report, _ = assert_folds_agree([path], monkeypatch)
    assert paired_adverts(path) > 60
    tie = next(f for f in report["findings"] if f["code"] == "VRRP-PRIORITY-TIE")
    assert tie["count"] == 79 + 40  # every advert from the lower's first on (the higher's first came alone)


def test_content_changes_inside_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, records = Stream("192.0.2.1"), []
    t = BASE_NS
    changes: list[dict[str, Any]] = [
        {}, {"priority": 90}, {}, {"mac": b"\x02\x00\x00\x00\x00\x07"}, {"ttl": 64}, {}, {"interval": 2},
    ]  # fmt: skip
    for change in changes:
        for _ in range(50):  # over MAX_EVIDENCE: the TTL finding's evidence fills, then it folds too
            records.append(a.at(t, **change))
            t += SECOND * int(change.get("interval", 1))
    records += Stream("192.0.2.5", vrid=4).beats(BASE_NS, 360)
    report, folded = assert_folds_agree([capture(tmp_path, "changes.pcap", records)], monkeypatch)
    assert folded > 200
    codes = {f["code"] for f in report["findings"]}
    assert {"VRRP-PRIORITY-CHANGE", "VRRP-BAD-TTL"} <= codes


def test_priority_zero_and_preemption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    master, backup = Stream("192.0.2.1", priority=200), Stream("192.0.2.2", priority=100)
    records = master.beats(BASE_NS, 40)
    records.append(master.at(BASE_NS + 40 * SECOND, priority=0))
    records += backup.beats(BASE_NS + 40 * SECOND + 609_375_000, 40)
    records += master.beats(BASE_NS + 80 * SECOND + 300_000_000, 40)  # back: preempts at once
    records += Stream("192.0.2.7", vrid=9).beats(BASE_NS + 5_000_000, 125)
    report, _ = assert_folds_agree([capture(tmp_path, "resign.pcap", records)], monkeypatch)
    assert any(f["code"] == "VRRP-PRIORITY-ZERO" for f in report["findings"])


def test_ip_id_jumps_and_wraps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, records, t = Stream("192.0.2.1"), [], BASE_NS
    a.ident = 65_500  # wraps inside a fold
    records += a.beats(t, 60)
    t += 60 * SECOND + 2 * SECOND  # a gap of 3 s whose IDs skip 2: the capture lost them
    records.append(a.at(t, skip_ids=2))
    records += a.beats(t + SECOND, 30)
    t += 31 * SECOND + 2 * SECOND  # a gap of 3 s whose IDs step by one: the router did not send them
    records.append(a.at(t))
    records += a.beats(t + SECOND, 30)
    t += 31 * SECOND
    for k in range(30):  # no gap, but the IDs jump (another counter)
        records.append(a.at(t + k * SECOND, skip_ids=1000 if k % 7 == 3 else 0))
    report, folded = assert_folds_agree([capture(tmp_path, "ids.pcap", records)], monkeypatch)
    assert folded > 100
    missed = [f for f in report["findings"] if f["code"] == "VRRP-MISSED-ADVERTS"]
    assert missed


def test_time_going_backwards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = Stream("192.0.2.1").beats(BASE_NS, 80) + Stream("192.0.2.2", vrid=2).beats(BASE_NS, 80)
    records.sort(key=lambda r: r.time_ns)
    for i in (30, 31, 90, 120):  # a few records out of order
        records[i], records[i + 5] = records[i + 5], records[i]
    assert_folds_agree([capture(tmp_path, "backwards.pcap", records, order=False)], monkeypatch)


def test_unicast_router_with_two_peers_and_other_traffic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = Stream("192.0.2.1", vrid=5)
    records = []
    for i in range(60):  # one advert to each peer per interval: two contents of one router, alternating
        records.append(a.at(BASE_NS + i * SECOND, dst="192.0.2.2"))
        records.append(a.at(BASE_NS + i * SECOND + 1000, dst="192.0.2.3"))
        records.append(Record(BASE_NS + i * SECOND + 5000, other_frame(i)))
    records += Stream("192.0.2.8", vrid=6, vlan=30).beats(BASE_NS + 7000, 60)
    assert_folds_agree([capture(tmp_path, "unicast.pcap", records)], monkeypatch)


def test_gap_limit_beyond_the_deadline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """missed_factor 5: a gap of 4 s is within the gap limit but past the Master_Down_Interval."""
    a = Stream("192.0.2.1")
    records = a.beats(BASE_NS, 30) + a.beats(BASE_NS + 33 * SECOND, 30)
    records += Stream("192.0.2.2", vrid=2).beats(BASE_NS + 1000, 70)
    path = capture(tmp_path, "factor.pcap", records)
    assert_folds_agree([path], monkeypatch, Options(missed_factor=5.0))


def test_without_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dense.pcap"
    write_pcap(path, dense_adverts(2000, vr_count=20))
    reference, state, _ = audit([str(path)], "reference")
    monkeypatch.setattr(folding_module, "folder", None)
    report, state_unfolded, folded = audit([str(path)], "folded")
    assert (report, state_unfolded, folded) == (reference, state, 0)


# -- random streams ---------------------------------------------------------------------------------------------

ROUTERS = [f"192.0.2.{i}" for i in range(1, 6)]

bursts = st.tuples(
    st.sampled_from(ROUTERS),
    st.sampled_from(["224.0.0.18", "224.0.0.18", "224.0.0.18", *ROUTERS[:3]]),  # dst
    st.sampled_from([1, 1, 2, 3]),  # vrid
    st.sampled_from([0, 50, 100, 100, 100, 150, 255]),  # priority
    st.sampled_from([1, 1, 1, 2]),  # interval
    st.sampled_from([("192.0.2.100",), ("192.0.2.200",), ("192.0.2.100", "192.0.2.101")]),
    st.integers(0, 90_000),  # start, ms
    st.integers(1, 70),  # count
    st.sampled_from([255, 255, 255, 64]),  # ttl
    st.sampled_from(["count", "count", "zero", "random"]),  # IPv4 IDs
    st.lists(st.integers(-400, 2700), min_size=6, max_size=6),  # gaps' jitter, ms (2.7 s: past the limit)
)


def burst_records(plan: list[tuple[Any, ...]], seed: int) -> Iterator[Record]:
    rng = random.Random(seed)
    for src, dst, vrid, priority, interval, vips, start, count, ttl, ids, jitter in plan:
        if dst == src:
            continue
        t = BASE_NS + start * 1_000_000
        ident = rng.randrange(65536)
        for i in range(count):
            ident = {"count": ident + 1, "zero": 0, "random": rng.randrange(65536)}[ids]
            yield Record(t, v2_frame(src, vrid, priority, ident, dst=dst, vips=vips, interval=interval, ttl=ttl))
            t += interval * SECOND + (jitter[i % 6] * 1_000_000 if i % 9 == 4 else rng.randint(-2, 2) * 1_000_000)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(bursts, min_size=1, max_size=8), st.integers(0, 2**16), st.booleans())
def test_random_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: Any, seed: int, split: bool) -> None:
    records = sorted(burst_records(plan, seed), key=lambda r: r.time_ns)
    if not records:
        return
    if split:  # two files: the routers' adverts alternate between them in blocks
        paths = [
            capture(tmp_path, f"part{n}.pcap", [r for i, r in enumerate(records) if (i // 17) % 2 == n])
            for n in range(2)
        ]
    else:
        paths = [capture(tmp_path, "random.pcap", records)]
    _, folded = assert_folds_agree(paths, monkeypatch, python_scan=False)
    target(float(folded))  # towards streams with long runs of repeats
