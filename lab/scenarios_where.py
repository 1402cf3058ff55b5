"""Scenarios for issue 14 about where the capture is taken: a capture that loses adverts while the
routers lose none (a lossy monitor port), and one segment captured at three points at once.

The ``annotate`` functions compare the captures with each other (lab.expect): the bridge's own
lossless capture is the reference for what a monitor port or a router's interface missed.
"""

from __future__ import annotations

from typing import Any

from lab.expect import advert_json, adverts, ip_id_steps, master_periods, missing, router_names, within_capture
from lab.keepalived import Instance
from lab.kit import CLEAN, R1_MASTER, R2_BACKUP, TWO, VIP4, VIP4_B, pair, up, without
from lab.runner import Run, Scenario
from lab.scenarios_depth import CLAIM_LONGEST_S, dropped_by_rules

# -- capture loss ----------------------------------------------------------------------------

CAPTURE_LOSS_PERCENT = 20
VIP4_C = "192.0.2.153"


def _capture_loss_instances() -> dict[str, list[Instance]]:
    def inst(name: str, vrid: int, prio: int, vip: str) -> Instance:
        # The capture's 4.5 s outage splits each master's run on the wire in two.
        return Instance(name=name, vrid=vrid, priority=prio, vips=(vip,), wire_gaps=prio == 150)

    return {
        "r1": [inst("VI_51", 51, 150, VIP4), inst("VI_52", 52, 100, VIP4_B), inst("VI_53", 53, 150, VIP4_C)],
        "r2": [inst("VI_51", 51, 100, VIP4), inst("VI_52", 52, 150, VIP4_B), inst("VI_53", 53, 100, VIP4_C)],
    }


def play_capture_loss(r: Run) -> None:
    masters = [("r1", "VI_51"), ("r2", "VI_52"), ("r1", "VI_53")]
    backups = [("r2", "VI_51"), ("r1", "VI_52"), ("r2", "VI_53")]
    up(r, masters, backups)
    r.sleep(4)
    r.capture_loss(CAPTURE_LOSS_PERCENT)
    r.sleep(10)
    r.capture_outage(True)
    r.sleep(2.5)
    r.capture_outage(False)
    r.sleep(8)
    r.capture_outage(True)
    r.sleep(4.5)  # longer than a Master_Down_Interval: on the capture it looks like a dead master
    r.capture_outage(False)
    r.sleep(6)
    # A clean tail, as the head: what the capture ends with is then not a loss.
    r.capture_loss(0)
    r.sleep(4)
    for router, inst in masters:
        r.wait_current(router, inst, "MASTER", timeout=0.0)


def annotate_capture_loss(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    start, end = truth["capture"]["start"], truth["capture"]["end"]
    # The reference starts a moment before the monitor's capture and stops after it.
    reference = [p for p in adverts(r.captures["reference"].path) if start <= p.time <= end]
    observed = adverts(r.capture.path)
    names = router_names(truth)
    lost = missing(reference, observed)
    extra = missing(observed, reference)
    changes = [t for t in truth["transitions"] if start <= t["time"] <= end]
    outages = []
    starts = [a["time"] for a in truth["actions"] if a["action"] == "capture-outage-start"]
    stops = [a["time"] for a in truth["actions"] if a["action"] == "capture-outage-end"]
    for a, b in zip(starts, stops, strict=True):
        outages.append({"start": a, "end": b, "lost": sum(1 for p in lost if a <= p.time <= b)})
    if extra:
        r.warn(f"the monitor has {len(extra)} adverts the bridge does not")
    if changes:
        r.warn(f"a router changed state during the capture: {changes}")
    return {
        "expect_v2": {
            "findings": ["VRRP-MISSED-ADVERTS"],
            "forbidden_findings": ["VRRP-FAILOVER", "VRRP-SPLIT-BRAIN"],
            "missed_adverts_cause": "capture",
            "evidence": "every gap is in the monitor only: the routers changed no state, the IPv4 IDs of "
            "each sender skip exactly the missing adverts, and outages hit all three streams at once",
            "reference_adverts": len(reference),
            "captured_adverts": len(observed),
            "lost_adverts": [advert_json(p, names) for p in lost],
            "outages": outages,
            "ip_id_steps": ip_id_steps(reference),
        }
    }


# -- several vantage points ------------------------------------------------------------------

VANTAGE_LOSS_PERCENT = 35


def play_vantage(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    lossy = r.lose("r2", percent=VANTAGE_LOSS_PERCENT)
    r.sleep(12)
    r.restore(lossy)
    r.wait_current("r2", "VI_51", "BACKUP")
    r.sleep(2)
    cut = r.lose("r2", source="r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(5)
    r.restore(cut)
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(3)


def annotate_vantage(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    names = router_names(truth)
    bridge = adverts(r.capture.path)
    views: list[dict[str, object]] = []
    for key in ("r1", "r2"):
        seen = adverts(r.captures[key].path)
        lost = missing(bridge, seen)
        more = missing(seen, bridge)
        views.append({"vantage": key, "missed": [advert_json(p, names) for p in lost], "count": len(lost)})
        if more:
            r.warn(f"vantage {key} saw {len(more)} adverts the bridge did not")
    dropped = dropped_by_rules(truth)
    r2_missed = next(v["count"] for v in views if v["vantage"] == "r2")
    if r2_missed != dropped:
        r.warn(f"r2's capture misses {r2_missed} adverts, nftables dropped {dropped}")
    periods = within_capture(truth, master_periods(truth, "r2", "VI_51"))
    brief = [p for p in periods if p.end is not None and p.end - p.start <= CLAIM_LONGEST_S]
    return {
        "expect_v2": {
            "findings": ["VRRP-SPLIT-BRAIN", *(["VRRP-MASTER-CLAIM"] if brief else [])],
            "vantage_misses": views,
            "r2_masterships": [p.to_json() for p in periods],
            "located": "r2's host never saw some of r1's adverts (the bridge and r1 did): loss on the path into r2",
            "nft_dropped_into_r2": dropped,
        }
    }


WHERE_SCENARIOS = (
    Scenario(
        name="v2-capture-loss",
        description=f"Three VRRPv2 virtual routers (51 and 53 mastered by r1, 52 by r2). The capture is a "
        f"monitor port fed by nftables netdev dup rules: 4 s clean, then ~25 s skipping "
        f"{CAPTURE_LOSS_PERCENT} % of the adverts and, twice (2.5 s and 4.5 s), all of them, then 4 s "
        "clean. The routers lose nothing and change no "
        "state: every gap is the capture's. The bridge's own lossless capture is the reference.",
        notes="keepalived counts the IPv4 ID of its adverts up by one per advert, per instance (see "
        "expect_v2.ip_id_steps): the gaps in the IDs are exactly the adverts the capture lost. "
        "tcpdump's own drop counter is 0: the loss is before it, as on a SPAN port.",
        routers=TWO,
        instances=_capture_loss_instances(),
        play=play_capture_loss,
        capture_at="monitor",
        expected_findings=("VRRP-MISSED-ADVERTS",),
        forbidden_findings=without(CLEAN, "VRRP-MISSED-ADVERTS"),
        annotate=annotate_capture_loss,
    ),
    Scenario(
        name="v2-vantage",
        description=f"VRRPv2 multicast pair 150/100 captured at three points at once: the bridge and each "
        f"router's own interface. First {VANTAGE_LOSS_PERCENT} % of the adverts into r2 are dropped for "
        "12 s, then all of r1's to r2 for ~5 s (a split brain). r2's capture misses exactly the adverts "
        "nftables dropped; the bridge and r1 see them.",
        routers=TWO,
        instances=pair(),
        play=play_vantage,
        vantages=("r1", "r2"),
        expected_findings=("VRRP-SPLIT-BRAIN",),
        forbidden_findings=without(CLEAN, "VRRP-SPLIT-BRAIN", "VRRP-FLAPPING"),
        annotate=annotate_vantage,
    ),
)
