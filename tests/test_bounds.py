"""Resource bounds (docs/reliability.md): a flood of spoofed sources is counted, not analysed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.generate import write_pcap
from benchmarks.spoofed import spoofed_adverts
from vrrpcap.analysis.placement import MAX_ROUTERS_PER_VIRTUAL_ROUTER

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
