"""Resource bounds (docs/reliability.md): a flood of spoofed sources is counted, not analysed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vrrpcap.analysis.engine as engine_module
from benchmarks.generate import write_pcap
from benchmarks.spoofed import spoofed_adverts
from tests.forge import ether, ipv4, vrrp2
from vrrpcap.analysis.placement import MAX_ROUTERS_PER_SEGMENT, MAX_ROUTERS_PER_VIRTUAL_ROUTER
from vrrpcap.analysis.state import MAX_PRIORITY_STEPS
from vrrpcap.decode import CachingDecoder
from vrrpcap.frames import Frame
from vrrpcap.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]


def test_ten_thousand_spoofed_sources_are_bounded_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "spoofed.pcap"
    write_pcap(path, spoofed_adverts(10_000))
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "audit", "-f", "json", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    report = json.loads(done.stdout)
    (vr,) = report["virtual_routers"]
    assert len(vr["routers"]) == MAX_ROUTERS_PER_VIRTUAL_ROUTER
    assert vr["adverts"] == MAX_ROUTERS_PER_VIRTUAL_ROUTER
    (flood,) = [f for f in report["findings"] if f["code"] == "VRRP-TOO-MANY-ROUTERS"]
    assert flood["count"] == 10_000 - MAX_ROUTERS_PER_VIRTUAL_ROUTER
    assert flood["severity"] == "warning" and flood["vr"] == "ipv4/vrid51"
    assert "10.0.0.255" in flood["message"]  # the first refused source: the 256th (sources start at 10.0.0.0)
    assert len(report["findings"]) < 300  # bounded: not one finding per spoofed source


# -- bounds checked in-process: frames forged here (tests/forge.py), decoded and fed as `audit` does -------


def _unicast_pair_frames(pairs: int, t0: float = 1_800_000_000.0) -> list[Frame]:
    """``pairs`` unicast VRRPv2 pairs on VRID 51, each its own virtual IP: as many virtual routers, two
    routers each (a.b.c.1 -> a.b.c.2 and back), all on one link, family and VRID: one segment."""
    frames: list[Frame] = []
    for i in range(pairs):
        net = f"10.{i >> 8 & 0xFF}.{i & 0xFF}"
        vip = (f"172.{16 + (i >> 16)}.{i >> 8 & 0xFF}.{i & 0xFF}",)
        for host, peer in ((1, 2), (2, 1)):
            message = vrrp2(51, 100 + host, vip)
            data = ether(ipv4(f"{net}.{host}", f"{net}.{peer}", message), "00:00:5e:00:01:33", "02:00:00:00:00:01")
            frames.append(Frame("pairs.pcap", len(frames) + 1, t0 + len(frames) * 0.001, 1, data, len(data), None))
    return frames


def test_routers_per_segment_are_bounded_and_reported() -> None:
    """Past MAX_ROUTERS_PER_SEGMENT routers on one segment, new sources are counted, not analysed, even
    when no virtual router reaches MAX_ROUTERS_PER_VIRTUAL_ROUTER (many small unicast groups)."""
    pairs = MAX_ROUTERS_PER_SEGMENT // 2 + 100
    pipeline = Pipeline()
    for frame in _unicast_pair_frames(pairs):
        pipeline.frame(frame)
    report = pipeline.finish(())
    assert sum(len(vr.routers) for vr in report.virtual_routers) == MAX_ROUTERS_PER_SEGMENT
    assert all(len(vr.routers) == 2 for vr in report.virtual_routers)
    (flood,) = [f for f in report.findings if f.code == "VRRP-TOO-MANY-ROUTERS"]
    assert flood.count == 2 * pairs - MAX_ROUTERS_PER_SEGMENT


def test_decode_cache_and_engine_memo_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both caches are cleared when full: distinct contents beyond their size never grow them. The
    engine's CACHE_SIZE is made small here so that the clearing is reached with a few hundred adverts."""
    monkeypatch.setattr(engine_module, "CACHE_SIZE", 50)
    pipeline = Pipeline()
    pipeline.decode = CachingDecoder(size=40)
    sizes = []
    for frame in _unicast_pair_frames(150):
        pipeline.frame(frame)
        sizes.append((len(pipeline.decode._cache), len(pipeline.engine._memo)))
    assert max(s[0] for s in sizes) == 40 and max(s[1] for s in sizes) == 50
    assert len(pipeline.finish(()).virtual_routers) == 150  # cleared caches lose nothing of the analysis
    assert CachingDecoder().size == 4096 and engine_module.CACHE_SIZE == 50


def test_time_per_advert_does_not_grow_with_history() -> None:
    """The same 2,000 adverts (a full virtual router's worth of routers, each repeating) cost about as
    much after 2,000 adverts of history as after 60,000: no per-advert rescan of what came before."""
    sources = [f"10.1.{i >> 8}.{i & 0xFF}" for i in range(MAX_ROUTERS_PER_VIRTUAL_ROUTER)]
    frames = [
        ether(
            ipv4(src, "224.0.0.18", vrrp2(51, 1 + i % 254, ("192.0.2.100",))),
            f"02:00:0a:01:{i >> 8:02x}:{i & 0xFF:02x}",
        )
        for i, src in enumerate(sources)
    ]

    def block(pipeline: Pipeline, start: int, n: int) -> float:
        began = time.perf_counter()
        for k in range(start, start + n):
            data = frames[k % len(frames)]
            pipeline.frame(Frame("h.pcap", k + 1, 1_800_000_000.0 + k * 0.004, 1, data, len(data), None))
        return time.perf_counter() - began

    pipeline = Pipeline()
    block(pipeline, 0, 2_000)
    early = min(block(pipeline, 2_000 + 2_000 * r, 2_000) for r in range(3))
    block(pipeline, 8_000, 52_000)
    late = min(block(pipeline, 60_000 + 2_000 * r, 2_000) for r in range(3))
    assert late < 3 * early, (early, late)  # generous: two shared cores; a rescan would be ~30 times


def test_priorities_kept_per_run_are_bounded() -> None:
    """A master whose priority changes with every advert keeps MAX_PRIORITY_STEPS of them per run."""
    pipeline = Pipeline()
    for k in range(200):
        data = ether(ipv4("192.0.2.1", "224.0.0.18", vrrp2(51, 1 + k % 254, ("192.0.2.100",))), "00:00:5e:00:01:33")
        pipeline.frame(Frame("p.pcap", k + 1, 1_800_000_000.0 + k, 1, data, len(data), None))
    (vr,) = pipeline.finish(()).virtual_routers
    (run,) = vr.masters
    assert len(run.priorities) == MAX_PRIORITY_STEPS and run.priorities_elided == 200 - MAX_PRIORITY_STEPS, run
    assert run.priorities[-1] == 200  # the latest is kept
