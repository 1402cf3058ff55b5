"""`vrrpcap live --json` on replayed lab captures: tcpreplay (Debian's package) into a veth of the
test's own namespaces, vrrpcap capturing on the bridge. Root only; tcpreplay is installed on demand.

What it proves: every finding's first sighting is told exactly once, under the virtual router's id
as the final report has it (the id is set at the first sighting and never changes).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lab.netns import Lab
from tests.live.conftest import ROOT, LiveProcess, ensure_tools


@pytest.fixture(scope="module")
def replay_lab() -> Iterator[Lab]:
    why = ensure_tools({"tcpreplay": "tcpreplay", "ip": "iproute2"})
    if why:
        pytest.skip(f"replay lab: {why}")
    with Lab(["r1"]) as lab:
        yield lab


def replay(lab: Lab, capture: Path) -> None:
    router = lab.routers["r1"]
    subprocess.run(
        router.argv(["tcpreplay", "-q", "-i", router.ifname, str(capture)]),
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.mark.parametrize(("scenario", "code"), [("v2-unicast-peer-down", "VRRP-PEER-UNREACHABLE")])
def test_each_first_sighting_is_told_once_under_the_final_id(
    replay_lab: Lab, live_process: Callable[..., LiveProcess], scenario: str, code: str
) -> None:
    capture = ROOT / "pcaps" / f"{scenario}.pcap"
    live = live_process(replay_lab.bridge_ns, replay_lab.bridge_if, "--json", "--duration", "22")
    live.wait_for(lambda r: r.get("event") == "start", timeout=15)
    replay(replay_lab, capture)
    assert live.wait(timeout=60) in (0, 1)
    records = [r for _, r in live.records()]
    told = [(r["code"], r["vr"]) for r in records if r.get("event") == "finding"]
    assert len(told) == len(set(told)), told
    assert [vr for c, vr in told if c == code] == [f"{replay_lab.bridge_if}/ipv4/vrid51/192.0.2.1+192.0.2.2"]
    (stop,) = [r for r in records if r.get("event") == "stop"]
    ids = {vr["id"] for vr in stop["report"]["virtual_routers"]}
    assert {vr for c, vr in told if vr is not None and c != "VRRP-VRID-COLLISION"} <= ids
    started = {r["vr"] for r in records if r.get("event") == "master-started"}
    assert started <= ids
