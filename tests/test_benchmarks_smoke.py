"""The benchmark runner works end to end on tiny generated files. No timing is asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    for case in ("mixed-pcap", "mixed-pcapng", "dense", "dense-big", "help", "fallback"):
        assert f"| {case}" in out
    assert "| target | measured | met |" in out
    assert (tmp_path / "results-quick.json").exists()
    assert (tmp_path / "dense-quick.pcap").exists() and (tmp_path / "mixed-quick.pcapng").exists()
