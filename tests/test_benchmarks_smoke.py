"""The benchmark runner works end to end on tiny generated files. No timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_runner_quick_prints_the_table(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| case" in out and "median s" in out and "peak RSS MB" in out
    for case in ("mixed-pcap", "mixed-pcapng", "dense", "dual", "dense-big", "help", "start-up", "fallback"):
        assert f"| {case}" in out
    assert "| target | measured | met |" in out
    assert (tmp_path / "results-quick.json").exists()
    assert (tmp_path / "dense-quick.pcap").exists() and (tmp_path / "mixed-quick.pcapng").exists()


def test_live_rate_quick_accounts_for_every_packet(tmp_path: Path) -> None:
    """benchmarks/live_rate.py end to end at 2,000 adverts/s: what tcpreplay sent is what vrrpcap received
    plus what the kernel dropped, for every backend. Root only (namespaces, packet capture)."""
    from tests.live.conftest import ensure_tools

    why = ensure_tools({"tcpreplay": "tcpreplay", "ip": "iproute2"})
    if why:
        pytest.skip(f"live rate benchmark: {why}")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.live_rate", "--quick", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| adverts/s | backend | sent |" in done.stdout
    results = json.loads((tmp_path / "live-results-quick.json").read_text())["results"]
    assert {r["backend"] for r in results} >= {"recv"}
    for r in results:
        assert r["error"] is None and r["sent"] == 4000, r
        assert r["received"] + r["dropped"] == r["sent"], r
