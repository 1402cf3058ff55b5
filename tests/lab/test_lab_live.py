"""Live test of the recording lab: real keepalived in network namespaces (root only).

Records short scenarios into tmp_path and checks the capture, the ground truth, and that nothing
with the run's prefix is left behind: a steady keepalived pair, nftables path loss seen from a
router's own interface, a ucarp pair. About 40 s.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest

from lab.expect import missing
from lab.kit import pair, up
from lab.netns import leftovers, new_prefix, which
from lab.record import main as record_main
from lab.runner import Run, Scenario, record
from lab.scenarios import SCENARIOS, play_steady
from lab.story import read_pcap
from lab.ucarp import CarpVhid


def _lab_available() -> str | None:
    """Why the live lab cannot run here, or None."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, tcpdump)"
    tools = {"keepalived": "keepalived", "tcpdump": "tcpdump", "nft": "nftables", "ip": "iproute2"}
    missing = [pkg for tool, pkg in tools.items() if which(tool) is None]
    if missing and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", *missing],
            capture_output=True,
            check=False,
            timeout=300,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        missing = [pkg for tool, pkg in tools.items() if which(tool) is None]
    if missing:
        return f"not installed: {', '.join(missing)}"
    return None


SKIP = _lab_available()
live = pytest.mark.skipif(SKIP is not None, reason=f"live lab: {SKIP}")


def ip_protocols(pcap: Path) -> list[int]:
    """IP protocol numbers of the Ethernet/IPv4 and IPv6 frames in a classic pcap file."""
    data = pcap.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    assert struct.unpack(endian + "I", data[20:24])[0] == 1, "link type is not Ethernet"
    protos, offset = [], 24
    while offset + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[offset + 8 : offset + 12])[0]
        frame = data[offset + 16 : offset + 16 + incl]
        offset += 16 + incl
        ethertype = struct.unpack("!H", frame[12:14])[0]
        if ethertype == 0x0800:
            protos.append(frame[14 + 9])
        elif ethertype == 0x86DD:
            protos.append(frame[14 + 6])
    return protos


def test_scenarios_are_listed() -> None:
    assert record_main(["--list"]) == 0
    assert "v2-multicast-steady" in SCENARIOS
    assert "v2-unicast-pair" in SCENARIOS


@live
def test_record_short_scenario(tmp_path: Path) -> None:
    scenario = Scenario(
        name="live-test",
        description="short v2 multicast pair",
        routers=("r1", "r2"),
        instances=pair(),
        play=play_steady(3),
    )
    truth = record(scenario, tmp_path)

    pcap = tmp_path / "live-test.pcap"
    assert pcap.is_file() and 0 < pcap.stat().st_size < 1_000_000
    protos = ip_protocols(pcap)
    assert protos.count(112) >= 2, f"too few VRRP packets: {protos}"

    on_disk = json.loads((tmp_path / "live-test.truth.json").read_text())
    assert on_disk["scenario"] == "live-test"
    masters = [t for t in on_disk["transitions"] if t["state"] == "MASTER"]
    assert masters and masters[0]["router"] == "r1" and masters[0]["priority"] == 150
    assert on_disk["lab_warnings"] == []
    assert {r["ipv4"] for r in on_disk["routers"]} == {"192.0.2.1", "192.0.2.2"}

    lab = truth["lab"]
    assert isinstance(lab, dict)
    assert leftovers(str(lab["prefix"])) == []


@live
def test_teardown_after_failure(tmp_path: Path) -> None:
    def explode(r: Run) -> None:
        r.start()
        assert leftovers(prefix), "the lab should exist while the scenario runs"
        raise RuntimeError("scenario failed")

    prefix = new_prefix()
    scenario = Scenario("boom", "fails", ("r1", "r2"), pair(), explode)
    with pytest.raises(RuntimeError, match="scenario failed"):
        record(scenario, tmp_path, prefix=prefix)
    assert leftovers(prefix) == []
    assert list(tmp_path.iterdir()) == []


def _vantage_loss(r: Run) -> None:
    up(r, [("r1", "VI_51")], [("r2", "VI_51")])
    rule = r.lose("r2", source="r1")
    r.sleep(2.5)  # fewer than three adverts lost: r2 stays backup
    r.restore(rule)
    r.sleep(1.5)


@live
def test_path_loss_cuts_one_port_only(tmp_path: Path) -> None:
    """nftables in the bridge drops r1's adverts into r2's port: r2's own capture lacks exactly the
    adverts the rule counted, the bridge's capture has them all."""
    scenario = Scenario(
        name="live-loss",
        description="path loss into r2",
        routers=("r1", "r2"),
        instances=pair(),
        play=_vantage_loss,
        vantages=("r2",),
    )
    truth = record(scenario, tmp_path)
    bridge = [p for p in read_pcap(tmp_path / "live-loss.bridge.pcap") if p.kind == "vrrpv2"]
    at_r2 = [p for p in read_pcap(tmp_path / "live-loss.r2.pcap") if p.kind == "vrrpv2"]
    end = next(a for a in cast(list[dict[str, Any]], truth["actions"]) if a["action"] == "path-loss-end")
    # Only while both captures ran: on a loaded machine one tcpdump may start or stop an advert later.
    first, last = at_r2[0].time, at_r2[-1].time
    dropped = missing([p for p in bridge if first <= p.time <= last], at_r2)
    assert len(dropped) == end["dropped"] >= 2
    assert {p.src for p in dropped} == {"192.0.2.1"}
    assert (tmp_path / "live-loss.configs" / "r1.conf").read_text().startswith("global_defs {")


def _ucarp_up(r: Run) -> None:
    up(r, [("c1", "vhid51")], [("c2", "vhid51")])
    r.sleep(3)


@live
@pytest.mark.skipif(which("ucarp") is None, reason="ucarp is not installed (apt-get install -y ucarp)")
def test_ucarp_pair(tmp_path: Path) -> None:
    """Two ucarp daemons: the up/down scripts give the transitions, CARP adverts reach the capture."""
    scenario = Scenario(
        name="live-carp",
        description="ucarp pair",
        routers=("c1", "c2"),
        instances={},
        play=_ucarp_up,
        ucarp={"c1": CarpVhid(51, advskew=0, vip="192.0.2.100"), "c2": CarpVhid(51, advskew=100, vip="192.0.2.100")},
    )
    truth = record(scenario, tmp_path)
    carp = [p for p in read_pcap(tmp_path / "live-carp.pcap") if p.kind == "carp"]
    assert len(carp) >= 2 and {(p.src, p.vrid, p.priority) for p in carp} == {("192.0.2.1", 51, 0)}
    states = [(t["router"], t["state"]) for t in cast(list[dict[str, Any]], truth["transitions"])]
    assert ("c1", "MASTER") in states and ("c2", "MASTER") not in states
    assert truth["lab_warnings"] == []
    cmdline = (tmp_path / "live-carp.configs" / "c1.cmdline").read_text()
    assert "--vhid=51" in cmdline and "--advskew=0" in cmdline
