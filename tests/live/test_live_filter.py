"""The capture filter: it keeps every record the decoder makes of real keepalived traffic (AH and ICMP
errors included), and live capture reads VLAN-tagged VRRP, IPv6 VRRPv3 and ICMP quotes with their tag."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lab.netns import Lab, run
from tests.live.conftest import ROOT, LiveProcess
from vrrpcap.decode import decode_frame
from vrrpcap.frames import CaptureReader
from vrrpcap.live.source import CAPTURE_FILTER

LAB_PCAPS = sorted((ROOT / "pcaps").glob("*.pcap"))


def _records(path: Path) -> list[tuple[int, str, str, int | None]]:
    reader = CaptureReader(str(path))
    try:
        out: list[tuple[int, str, str, int | None]] = []
        for frame in reader:
            advert = decode_frame(frame)
            if advert is not None:
                out.append((round(advert.time * 1e6), advert.kind, advert.src, advert.vrid))
        return out
    finally:
        reader.close()


@pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed (make system-deps)")
@pytest.mark.skipif(not LAB_PCAPS, reason="no lab captures in pcaps/")
def test_filter_keeps_every_record_of_the_lab_captures(tmp_path: Path) -> None:
    """libpcap compiles the filter here as scapy does for a packet socket (an Ethernet link type)."""
    kinds: set[str] = set()
    for pcap in LAB_PCAPS:
        out = tmp_path / pcap.name
        subprocess.run(["tcpdump", "-r", str(pcap), "-w", str(out), CAPTURE_FILTER], capture_output=True, check=True)
        expected = _records(pcap)
        assert _records(out) == expected, pcap.name
        kinds |= {kind for _, kind, _, _ in expected}
    assert {"advert", "icmp-quote"} <= kinds  # the ICMP clause was exercised, not just compiled


def _first(pcap: str, kind: str, family: str) -> bytes:
    reader = CaptureReader(str(ROOT / "pcaps" / pcap))
    try:
        for frame in reader:
            advert = decode_frame(frame)
            if advert is not None and advert.kind == kind and advert.family == family:
                return frame.data
    finally:
        reader.close()
    raise AssertionError(f"no {kind} in {pcap}")


def _tag(frame: bytes, *tags: tuple[int, int]) -> bytes:
    """The Ethernet frame with VLAN tags (TPID, VLAN id), outermost first, after the MAC addresses."""
    return frame[:12] + b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags) + frame[12:]


SEND = """
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for frame in sys.argv[2:]:
    s.send(bytes.fromhex(frame))
"""


@pytest.mark.parametrize("backend", ["scapy", "tshark"])
def test_vlan_tagged_frames_keep_their_tag(
    backend: str, lab_tools: None, live_process: Callable[..., LiveProcess], request: pytest.FixtureRequest
) -> None:
    """Real keepalived frames, VLAN-tagged, sent onto the lab bridge: Linux hands a packet socket the
    frame without its outer tag (it goes to auxiliary data); vrrpcap must put it back."""
    if backend == "tshark":
        request.getfixturevalue("dumpcap")
    needed = ["v2-multicast-steady.pcap", "v3-ipv6.pcap", "v2-unicast-peer-down.pcap"]
    if not all((ROOT / "pcaps" / name).exists() for name in needed):
        pytest.skip("the lab captures are not in pcaps/")
    frames = [
        _first("v2-multicast-steady.pcap", "advert", "ipv4"),
        _first("v3-ipv6.pcap", "advert", "ipv6"),
        _first("v2-unicast-peer-down.pcap", "icmp-quote", "ipv4"),
    ]
    # Tagged by hand (this kernel may have no 8021q module for a VLAN device): 802.1Q VLAN 100, and
    # QinQ, an 802.1ad VLAN 200 around 802.1Q VLAN 100.
    frames = [_tag(f, (0x8100, 100)) for f in frames] + [_tag(frames[0], (0x88A8, 200), (0x8100, 100))]
    with Lab(["r1"]) as lab:
        r1 = lab.routers["r1"]
        live = live_process(lab.bridge_ns, lab.bridge_if, "--json", "--adverts", "--count", "4", "--backend", backend)
        live.wait_for(lambda r: r["event"] == "start", timeout=15)
        run(r1.argv([sys.executable, "-c", SEND, r1.ifname, *(f.hex() for f in frames)]))
        code = live.wait(timeout=20)
    assert code == 0, live.stderr
    adverts = [r for _, r in live.records() if r["event"] == "advert"]
    assert [(a["kind"], a["family"], a["vlan"]) for a in adverts] == [
        ("advert", "ipv4", [100]),
        ("advert", "ipv6", [100]),
        ("icmp-quote", "ipv4", [100]),
        ("advert", "ipv4", [200, 100]),
    ]
    assert live.records()[-1][1]["reason"] == "count"
