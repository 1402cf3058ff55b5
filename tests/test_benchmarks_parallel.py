"""The -j scaling benchmark works end to end on tiny rotated sets. No timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_parallel_quick_prints_the_curve(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.parallel", "--quick", "--jobs", "2", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # 1 would mean a -j report differed from -j 1's
    assert "| set | files | GB | -j |" in done.stdout
    rows = json.loads((tmp_path / "parallel-quick.json").read_text())["rows"]
    assert {(r["set"], r["jobs"]) for r in rows} == {("mixed", 1), ("mixed", 2), ("dense", 1), ("dense", 2)}
    assert all(r["identical"] for r in rows)
    mixed = sorted((tmp_path / "rotated-mixed-quick").glob("sensor-*"))
    assert [p.suffix for p in mixed].count(".pcapng") == 4 and len(mixed) == 8
