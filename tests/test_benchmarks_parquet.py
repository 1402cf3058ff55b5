"""The Parquet benchmark works end to end on tiny files, DuckDB included. No timing is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("duckdb", reason="duckdb is in the dev extra that make test installs")


def test_parquet_quick_runs_the_queries(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.parquet", "--quick", "--data", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "parquet-quick.json").read_text())
    assert result["day"]["adverts"] == 20_000  # every generated advert is a row
    hourly = result["queries"]["adverts per router and hour"]["rows"]
    assert hourly >= 200  # 200 masters, some failing over: at least one row each
    assert result["queries"]["VRIDs in use per segment"]["rows"] > 1
