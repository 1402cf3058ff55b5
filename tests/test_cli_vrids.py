"""`vrrpcap vrids`: the VRIDs on the lab's captures, who uses them, the free ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PCAPS
from vrrpcap.errors import ExitCode

COLLISION = PCAPS / "v2-vrid-collision.pcap"
UNICAST = "v2-unicast-pair"

pytestmark = pytest.mark.skipif(not COLLISION.exists(), reason="lab captures not in pcaps/")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vrrpcap", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def truth_vrids(scenario: str) -> set[int]:
    """The VRIDs the scenario's own configs set (the lab wrote them)."""
    configs = PCAPS / f"{scenario}.configs"
    return {int(m) for f in configs.glob("*.conf") for m in re.findall(r"virtual_router_id (\d+)", f.read_text())}


def test_a_vrid_collision_is_one_vrid_used_by_two_clusters() -> None:
    done = run("vrids", "-f", "json", str(COLLISION))
    assert done.returncode == ExitCode.OK
    [segment] = json.loads(done.stdout)["segments"]
    assert segment["family"] == "ipv4"
    assert [u["vrid"] for u in segment["used"]] == sorted(truth_vrids("v2-vrid-collision"))
    [used] = segment["used"]
    assert len(used["virtual_routers"]) == 2, "two clusters share the VRID"
    assert {v for vr in used["virtual_routers"] for v in vr["vips"]} == {"192.0.2.100", "192.0.2.200"}
    free = {n for a, b in segment["free"] for n in range(a, b + 1)}
    assert free == set(range(1, 256)) - {used["vrid"]} and segment["free_count"] == 254
    text = run("vrids", str(COLLISION)).stdout
    assert f"free: 1-{used['vrid'] - 1}, {used['vrid'] + 1}-255" in text


def test_families_are_counted_apart_and_configs_name_the_users(tmp_path: Path) -> None:
    document = json.loads(run("vrids", "-f", "json", str(PCAPS / "v3-ipv6.pcap"), str(PCAPS / "v3-ipv4.pcap")).stdout)
    assert sorted(s["family"] for s in document["segments"]) == ["ipv4", "ipv6"]
    configs = tmp_path / "configs"
    shutil.copytree(PCAPS / f"{UNICAST}.configs", configs)
    extra = (
        (configs / "r1.conf")
        .read_text()
        .replace("VI_51", "VI_60")
        .replace("virtual_router_id 51", "virtual_router_id 60")
    )
    (configs / "r3.conf").write_text(extra)
    done = run("vrids", "-f", "json", str(PCAPS / f"{UNICAST}.pcap"), "--config", str(configs))
    document = json.loads(done.stdout)
    [segment] = document["segments"]
    [used] = segment["used"]
    assert {i["name"] for vr in used["virtual_routers"] for i in vr["instances"]} == {"VI_51"}
    assert [(u["vrid"], u["instance"]) for u in document["configured_not_seen"]] == [(60, "VI_60")]
    free = {n for a, b in segment["free"] for n in range(a, b + 1)}
    assert 60 not in free and 51 not in free and len(free) == 253
