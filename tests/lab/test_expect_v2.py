"""The ``expect_v2`` ground truth of the issue-14 recordings, held against their captures (no root).

Each check re-derives a claim of the truth file from the pcaps with the lab's own small parser
(lab.story), independently of how the recording derived it, and of vrrpcap.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from lab.story import Packet, read_pcap

PCAPS = Path(__file__).resolve().parents[2] / "pcaps"


def load(name: str) -> dict[str, Any]:
    path = PCAPS / f"{name}.truth.json"
    if not path.is_file():
        pytest.skip(f"{name} is not recorded in pcaps/")
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def wire(truth: dict[str, Any], file: str | None = None) -> list[Packet]:
    return [p for p in read_pcap(PCAPS / (file or truth["capture"]["file"])) if p.kind in ("vrrpv2", "vrrpv3", "carp")]


def _key(p: Packet) -> tuple[str, int, int | None]:
    return (p.src, p.vrid, p.ip_id)


def test_every_new_truth_has_expect_v2_and_configs() -> None:
    for path in sorted(PCAPS.glob("*.truth.json")):
        truth = json.loads(path.read_text())
        assert (PCAPS / f"{truth['scenario']}.configs").is_dir(), truth["scenario"]
        if "expect_v2" in truth:
            assert isinstance(truth["expect_v2"], dict) and truth["expect_v2"], truth["scenario"]
            assert "timing" in truth and truth["timing"]["max_late_s"] <= truth["timing"]["late_limit_s"]


def test_brief_claims_are_on_the_wire_and_brief() -> None:
    truth = load("v2-lossy-backup-claims")
    claims = truth["expect_v2"]["master_claims"]
    assert claims, "no claim recorded"
    packets = wire(truth)
    r1 = [p for p in packets if p.src == "192.0.2.1"]
    for claim in claims:
        assert claim["duration_s"] is not None and 0 <= claim["duration_s"] <= 2.5
        # The claimant's adverts (priority 100) lie in its claim, and r1 answered within 10 ms.
        mine = [p for p in packets if p.src == "192.0.2.2" and claim["start"] - 0.05 <= p.time <= claim["end"] + 0.05]
        assert mine and all(p.priority == 100 for p in mine)
        assert any(0 <= p.time - mine[0].time <= 0.01 for p in r1), "r1 did not answer the claim at once"
        assert claim["r1_rx_lower_pri"] >= 1
    # r1's own stream has no gap on the bridge: the loss was on the path into r2 only.
    gaps = [b.time - a.time for a, b in itertools.pairwise(r1)]
    assert max(gaps) < 1.5
    assert truth["expect_v2"]["loss"]["dropped"] > 0


@pytest.mark.parametrize(
    ("name", "answers"),
    [("v2-one-way-split", True), ("v2-two-way-split", False)],
)
def test_split_direction_shows_in_the_phase_of_the_adverts(name: str, answers: bool) -> None:
    """One-way: r1 hears r2 and answers each advert within milliseconds. Two-way: it never does."""
    truth = load(name)
    (split,) = truth["expect_v2"]["split_brains"]
    packets = wire(truth)
    r2 = [p for p in packets if p.src == "192.0.2.2" and split["start"] <= p.time <= split["end"]]
    r1 = [p for p in packets if p.src == "192.0.2.1" and split["start"] <= p.time <= split["end"] + 0.01]
    assert len(r2) >= 5
    answered = sum(1 for a in r2 if any(0 <= b.time - a.time <= 0.01 for b in r1))
    if answers:
        assert answered == len(r2) and split["hears"] == {"r1": ["r2"], "r2": []}
        assert split["r1_rx_lower_pri"] >= len(r2) - 1
    else:
        assert answered <= 1 and split["hears"] == {"r1": [], "r2": []}
        assert split["r1_rx_lower_pri"] == 0


def test_capture_loss_is_exactly_the_ip_id_gaps() -> None:
    truth = load("v2-capture-loss")
    expect = truth["expect_v2"]
    lost = {(a["src"], a["vrid"], a["ip_id"]) for a in expect["lost_adverts"]}
    monitor = wire(truth)
    reference = wire(truth, truth["reference_capture"]["file"])
    start, end = truth["capture"]["start"], truth["capture"]["end"]
    # Gaps in each sender's IP IDs on the monitor = the adverts the truth calls lost.
    from_ids = set()
    for stream in {(p.src, p.vrid) for p in monitor}:
        ids = [p.ip_id for p in monitor if (p.src, p.vrid) == stream]
        assert all(isinstance(i, int) for i in ids)
        for a, b in itertools.pairwise(ids):
            assert a is not None and b is not None
            from_ids |= {(stream[0], stream[1], i) for i in range(a + 1, b)}
    inside = {
        (p.src, p.vrid, p.ip_id) for p in reference if start <= p.time <= end and (p.src, p.vrid, p.ip_id) in from_ids
    }
    assert from_ids == inside, "an IP ID gap the reference capture does not fill"
    # Lost at the very edges leaves no ID gap; everything else must match.
    assert from_ids <= lost and len(lost - from_ids) <= 3
    assert not [t for t in truth["transitions"] if start <= t["time"] <= end], "a router changed state"
    # Each outage hits every master at once.
    for outage in expect["outages"]:
        hit = {(a["src"], a["vrid"]) for a in expect["lost_adverts"] if outage["start"] <= a["time"] <= outage["end"]}
        assert hit == {("192.0.2.1", 51), ("192.0.2.2", 52), ("192.0.2.1", 53)}
    assert expect["ip_id_steps"] == {"192.0.2.1/51": [1], "192.0.2.2/52": [1], "192.0.2.1/53": [1]}
    assert truth["capture"]["dropped"] == 0


def test_vantage_misses_are_what_nftables_dropped() -> None:
    truth = load("v2-vantage")
    files = {v["name"]: v["file"] for v in truth["vantages"]}
    assert set(files) == {"bridge", "r1", "r2"} and files["bridge"] == truth["capture"]["file"]
    bridge = wire(truth, files["bridge"])
    views = {name: wire(truth, file) for name, file in files.items()}
    misses = {
        v["vantage"]: {(a["src"], a["vrid"], a["ip_id"]) for a in v["missed"]}
        for v in truth["expect_v2"]["vantage_misses"]
    }
    for name in ("r1", "r2"):
        assert {_key(p) for p in bridge} - {_key(p) for p in views[name]} == misses[name]
    assert misses["r1"] == set()
    assert {src for src, _, _ in misses["r2"]} == {"192.0.2.1"}
    assert len(misses["r2"]) == truth["expect_v2"]["nft_dropped_into_r2"]


def test_carp_failover_from_ucarp_scripts_matches_the_wire() -> None:
    truth = load("carp-ucarp-failover")
    carp = {c["router"]: c for c in truth["carp_instances"]}
    packets = wire(truth)
    assert packets and all(p.kind == "carp" for p in packets)
    for p in packets:
        sender = next(c for c in carp.values() if c["srcip"] == p.src)
        assert (p.vrid, p.priority, p.ttl) == (sender["vhid"], sender["advskew"], 255)
    failovers = truth["expect_v2"]["carp_failovers"]
    assert [(f["from"], f["to"], f["cause"]) for f in failovers] == [("c1", "c2", "silence"), ("c2", "c1", "preempted")]
    silence = failovers[0]
    # ucarp is slower than the protocol, but within the bound its poll loop and libpcap give.
    assert silence["protocol_takeover_s"] < silence["takeover_s"] <= silence["ucarp_takeover_max_s"]
    first_c2 = min(p.time for p in packets if p.src == carp["c2"]["srcip"])
    assert abs(first_c2 - silence["at"]) < 0.1


def test_coexistence_gaps_are_on_the_wire() -> None:
    truth = load("carp-vrrp-coexist")
    expect = truth["expect_v2"]
    (co,) = expect["coexistence"]
    packets = wire(truth)
    r1 = [p.time for p in packets if p.src == "192.0.2.1"]
    before = [b - a for a, b in itertools.pairwise(r1) if b < co["start"]]
    during = [b - a for a, b in itertools.pairwise(r1) if co["start"] + 4 <= a and b <= co["end"]]
    assert max(before) < 1.1, "VRRP alone: regular adverts"
    assert min(during) > 1.5, "with CARP every one of r1's adverts comes late"
    assert len(expect["vrrp_master_gaps"]["r1"]) >= len(during)
    assert expect["keepalived_too_short"]["r1"] > 10


def test_preempt_delay_takeover_follows_the_measured_rule() -> None:
    truth = load("v2-preempt-delay")
    silence, preempt = truth["expect_v2"]["takeovers"]
    assert abs(silence["wire_takeover_s"] - silence["rfc_takeover_s"]) < 0.1
    low, high = preempt["takeover_window_s"]
    assert low <= preempt["takeover_after_backup_s"] <= high + 0.05
    assert abs(preempt["predicted_master_at"] - preempt["master_at"]) < 0.1
    r1_first = min(p.time for p in wire(truth) if p.src == "192.0.2.1" and p.time > preempt["restart_at"])
    assert abs(r1_first - preempt["first_advert_on_wire"]) < 1e-5
