"""An interface that goes down and comes back does not end `vrrpcap live`; a deleted one does, saying so.

Issue 13, defect 16: the scapy backend ended on the first ENETDOWN ("Network is down"), and neither
backend told a deleted interface from a downed one. Root only: the test's own namespaces (lab/netns.py,
per-run prefix), tcpreplay into a veth of the lab bridge, vrrpcap capturing on the bridge.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lab.netns import Lab, in_ns
from tests.live.conftest import ROOT, LiveProcess, ensure_tools

CAPTURE = ROOT / "pcaps" / "v2-failover-kill.pcap"
BACKENDS = ["scapy", "tshark"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "tshark":
        request.getfixturevalue("dumpcap")  # installs it, or skips saying why
    return name


@pytest.fixture
def replay_lab() -> Iterator[Lab]:
    why = ensure_tools({"tcpreplay": "tcpreplay", "ip": "iproute2"})
    if why:
        pytest.skip(f"replay lab: {why}")
    with Lab(["r1"]) as lab:
        yield lab


def replay(lab: Lab, capture: Path) -> None:
    router = lab.routers["r1"]
    argv = router.argv(["tcpreplay", "-q", "--topspeed", "-i", router.ifname, str(capture)])
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def link(ns: str, *args: str) -> None:
    subprocess.run(in_ns(ns, ["ip", "link", *args]), check=True, capture_output=True, timeout=30)


def adverts_of(live: LiveProcess) -> int:
    return sum(1 for _, r in live.records() if r.get("event") == "advert")


def test_a_link_that_goes_down_and_up_is_captured_again(
    replay_lab: Lab, live_process: Callable[..., LiveProcess], backend: str
) -> None:
    ns, bridge = replay_lab.bridge_ns, replay_lab.bridge_if
    live = live_process(ns, bridge, "--json", "--adverts", "--backend", backend, "--duration", "40")
    live.wait_for(lambda r: r.get("event") == "start", timeout=20)
    replay(replay_lab, CAPTURE)
    live.wait_for(lambda r: r.get("event") == "advert", timeout=20)
    link(ns, "set", bridge, "down")
    time.sleep(1.5)
    link(ns, "set", bridge, "up")
    time.sleep(1.5)
    before = adverts_of(live)
    replay(replay_lab, CAPTURE)
    deadline = time.monotonic() + 20
    while adverts_of(live) < before + 16 and time.monotonic() < deadline and live.proc.poll() is None:
        time.sleep(0.2)
    assert live.proc.poll() is None, f"live ended on the flap: {live.proc.returncode}"
    assert adverts_of(live) >= before + 16, "the adverts replayed after the link came back were not captured"
    events = [r["event"] for _, r in live.records()]
    assert "capture-error" not in events
    if backend == "scapy":  # dumpcap hides the flap from us: it keeps capturing and says nothing
        assert events.index("interface-down") < events.index("interface-up")
    live.signal(2)
    assert live.wait(timeout=30) in (0, 1)


def test_a_deleted_interface_ends_the_capture_saying_so(
    replay_lab: Lab, live_process: Callable[..., LiveProcess], backend: str
) -> None:
    ns = replay_lab.bridge_ns
    dummy = f"{replay_lab.prefix}-dm"  # a veth pair: the kernel here may have no dummy module
    link(ns, "add", dummy, "type", "veth", "peer", "name", f"{replay_lab.prefix}-dn")
    link(ns, "set", dummy, "up")
    live = live_process(ns, dummy, "--json", "--backend", backend, "--duration", "60")
    live.wait_for(lambda r: r.get("event") == "start", timeout=20)
    time.sleep(0.5)
    link(ns, "del", dummy)
    _, error = live.wait_for(lambda r: r.get("event") == "capture-error", timeout=20)
    assert error["error"] == f"{dummy}: the interface was deleted (or moved to another network namespace)"
    assert live.wait(timeout=30) != 0
