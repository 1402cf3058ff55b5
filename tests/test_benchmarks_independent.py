"""The independent generator's captures (benchmarks/independent.py, scapy-built) decode as it says they should.

tshark and vrrpcap count the same adverts as the generator wrote; the dense file has the generator's
virtual routers with one master each; in the dual file every virtual router is a split brain."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

KINDS = ("dense", "dual", "mixed")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("independent")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.independent", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {kind: json.loads((out / f"independent-{kind}-quick.json").read_text()) for kind in KINDS}


@functools.cache  # each file audited once
def audit(path: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", "audit", "--no-progress", "--format", "json", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: error findings (the dual file's split brains)
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_the_files_exist(made: dict[str, dict[str, Any]]) -> None:
    for kind, info in made.items():
        path = Path(info["path"])
        assert path.name == f"independent-{kind}-quick.pcap"
        assert path.stat().st_size == info["bytes"] > 0
        assert info["packets"] >= info["adverts"] > 0


@pytest.mark.parametrize("kind", KINDS)
def test_tshark_and_vrrpcap_count_the_same_adverts(made: dict[str, dict[str, Any]], kind: str, tshark: str) -> None:
    info = made[kind]
    fields = subprocess.run(
        [tshark, "-r", info["path"], "-n", "-Y", "vrrp", "-T", "fields", "-e", "vrrp.virt_rtr_id"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    seen = [line for line in fields.stdout.splitlines() if line.strip()]
    (given,) = audit(info["path"])["inputs"]
    assert len(seen) == given["adverts"] == info["adverts"]
    assert given["packets"] == info["packets"]


def test_dense_has_the_generators_virtual_routers_with_one_master_each(made: dict[str, dict[str, Any]]) -> None:
    report = audit(made["dense"]["path"])
    assert report["summary"]["virtual_routers"] == len(report["virtual_routers"]) == made["dense"]["virtual_routers"]
    codes = {finding["code"] for finding in report["findings"]}
    assert "VRRP-SPLIT-BRAIN" not in codes
    assert report["summary"]["failovers"] > 0  # the few failovers at random times


def test_every_dual_virtual_router_is_a_split_brain(made: dict[str, dict[str, Any]]) -> None:
    report = audit(made["dual"]["path"])
    routers = {vr["id"] for vr in report["virtual_routers"]}
    split = {finding["vr"] for finding in report["findings"] if finding["code"] == "VRRP-SPLIT-BRAIN"}
    assert len(routers) == made["dual"]["virtual_routers"]
    assert split == routers
