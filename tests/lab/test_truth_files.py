"""The recorded lab captures in pcaps/ and their truth files agree (no root needed)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import pytest

from lab.story import read_pcap

ROOT = Path(__file__).resolve().parents[2]
PCAPS = ROOT / "pcaps"
TRUTHS = sorted(PCAPS.glob("*.truth.json"))

# The finding codes of VRRP-GUIDE.md's table.
CODES = {
    "VRRP-SPLIT-BRAIN", "VRRP-VRID-COLLISION", "VRRP-VIP-CONFLICT", "VRRP-OWNER-CONFLICT",
    "VRRP-BAD-TTL", "VRRP-BAD-CHECKSUM", "VRRP-MALFORMED", "VRRP-MISSED-ADVERTS",
    "VRRP-INTERVAL-MISMATCH", "VRRP-VIP-MISMATCH", "VRRP-AUTH-MISMATCH", "VRRP-VERSION-MISMATCH",
    "VRRP-CHECKSUM-VARIANT", "VRRP-CLEARTEXT-PASSWORD", "VRRP-MIXED-DELIVERY",
    "VRRP-UNICAST-ASYMMETRY", "VRRP-PEER-UNREACHABLE", "VRRP-PRIORITY-TIE", "VRRP-OWNER-MISMATCH",
    "VRRP-FLAPPING", "VRRP-CAPTURE-DROPS", "VRRP-VMAC-MISMATCH", "VRRP-FAILOVER",
    "VRRP-PRIORITY-CHANGE", "VRRP-PRIORITY-ZERO",
}  # fmt: skip
DOC_NETS = [ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8::/32")]
KEYS = {
    "scenario", "description", "recorded_at", "keepalived_version", "capture", "routers",
    "instances", "transitions", "actions", "expected_findings", "forbidden_findings",
}  # fmt: skip


def _documentation(addr: str) -> bool:
    ip = ipaddress.ip_address(addr)
    return ip.is_link_local or any(ip in net for net in DOC_NETS)


@pytest.mark.skipif(not TRUTHS, reason="no lab recordings in pcaps/")
@pytest.mark.parametrize("path", TRUTHS, ids=[p.name.removesuffix(".truth.json") for p in TRUTHS])
def test_truth_matches_capture(path: Path) -> None:
    truth = json.loads(path.read_text())
    assert truth.keys() >= KEYS
    assert truth["scenario"] == path.name.removesuffix(".truth.json")
    pcap = PCAPS / truth["capture"]["file"]
    assert pcap.is_file() and pcap.stat().st_size < 1_000_000

    assert set(truth["expected_findings"]) <= CODES
    assert set(truth["forbidden_findings"]) <= CODES
    assert not set(truth["expected_findings"]) & set(truth["forbidden_findings"])
    assert truth.get("lab_warnings", []) == []

    for router in truth["routers"]:
        assert _documentation(router["ipv4"]) and _documentation(router["ipv6"])
    for inst in truth["instances"]:
        assert all(_documentation(vip) for vip in inst["vips"]), inst
    times = [t["time"] for t in truth["transitions"]]
    assert times == sorted(times)
    assert any(t["state"] == "MASTER" for t in truth["transitions"])

    # Every advert comes from a lab router, inside the capture window, and every router
    # that the truth says was master during the capture shows up on the wire.
    addresses = {}
    for router in truth["routers"]:
        for key in ("ipv4", "ipv6", "ipv6_link_local"):
            addresses[router[key]] = router["name"]
        for macvlan in router.get("frr_macvlans", []):
            addresses[macvlan["ipv6_link_local"]] = router["name"]
    packets = read_pcap(pcap)
    adverts = [p for p in packets if p.kind.startswith("vrrp") or p.kind == "carp"]
    assert adverts, "no VRRP or CARP adverts in the capture"
    start, end = truth["capture"]["start"], truth["capture"]["end"]
    senders = set()
    for advert in adverts:
        assert advert.src in addresses, advert
        assert start - 0.01 <= advert.time <= end + 0.01
        senders.add(addresses[advert.src])
    # Routers master at some moment of the capture (a second before its end at the latest).
    masters = set()
    state: dict[tuple[str, str], str] = {}
    for tr in truth["transitions"]:
        if tr["time"] > start:
            masters |= {router for (router, _), st in state.items() if st == "MASTER"}
            if tr["time"] <= end - 1 and tr["state"] == "MASTER":
                masters.add(tr["router"])
        state[(tr["router"], tr["instance"])] = tr["state"]
    masters |= {router for (router, _), st in state.items() if st == "MASTER"}
    killed_early = {a["router"] for a in truth["actions"] if a["action"].startswith("kill") and a["time"] < start}
    assert masters - killed_early <= senders
