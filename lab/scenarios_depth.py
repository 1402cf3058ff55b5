"""Scenarios for issue 14 (analysis depth), keepalived: brief master claims, the direction of a
split brain, preempt_delay (capture loss and vantage points: lab.scenarios_where).

Faults are nftables rules in the bridge namespace (lab.faults): the routers and the bridge's own
capture are untouched, only the path into one port loses adverts. Each scenario's ``annotate``
writes ``expect_v2``: what a deeper analyzer should say, from the daemons' own reports, the lab's
counters and comparisons of captures (lab.expect), never from vrrpcap.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from lab.expect import (
    adverts,
    master_periods,
    within_capture,
)
from lab.kit import CLEAN, R1_MASTER, R2_BACKUP, TWO, pair, up, without
from lab.netns import LabError
from lab.runner import Run, Scenario

CLAIM_LOSS_PERCENT = 50
CLAIMS_WANTED = 3
CLAIMS_MAX_S = 75.0  # give up waiting for more claims after this long (the recording keeps what it has)
CLAIM_LONGEST_S = 2.5  # a longer claim is a split brain (settle window: 3 intervals): record again
MDI_100 = 3 + (256 - 100) / 256  # Master_Down_Interval of priority 100, 1 s adverts
MDI_150 = 3 + (256 - 150) / 256


def _truth_events(truth: dict[str, Any], router: str, event: str, start: float, end: float | None) -> int:
    """FIFO events of ``router`` during [start, end]. Each FIFO is stamped when the lab reads it,
    so two daemons' lines can be a millisecond out of order: allow 0.1 s either side."""
    until = (end or truth["capture"]["end"]) + 0.1
    return sum(
        1
        for e in truth["events"]
        if e["router"] == router and e["event"] == event and start - 0.1 <= e["time"] <= until
    )


# -- brief master claims -------------------------------------------------------------------


def _claims_done(r: Run, since: float) -> int:
    """r2's MASTER reports since ``since`` that were followed by BACKUP."""
    states = [t.state for t in r.transitions() if t.router == "r2" and t.time >= since]
    return sum(1 for a, b in itertools.pairwise(states) if (a, b) == ("MASTER", "BACKUP"))


def play_lossy_claims(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    rule = r.lose("r2", percent=CLAIM_LOSS_PERCENT)
    since = time.time()
    deadline = time.monotonic() + CLAIMS_MAX_S
    while _claims_done(r, since) < CLAIMS_WANTED and time.monotonic() < deadline:
        r.sleep(0.2)
        latest = [t for t in r.transitions() if t.router == "r2"][-1]
        if latest.state == "MASTER" and time.time() - latest.time > CLAIM_LONGEST_S:
            # Chance dropped every answer of r1 for too long: a split brain, not this story.
            raise LabError(f"r2's claim at {latest.time:.3f} outlasted {CLAIM_LONGEST_S} s; record again")
    r.restore(rule)
    r.wait_current("r2", "VI_51", "BACKUP")
    r.sleep(3)
    if _claims_done(r, since) == 0:
        raise LabError("v2-lossy-backup-claims: r2 never claimed master; record again")


def annotate_claims(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    claims = []
    for period in within_capture(truth, master_periods(truth, "r2", "VI_51")):
        entry = period.to_json()
        entry.update(
            {
                "vrid": 51,
                "claimant": "r2",
                "not_heard": "r1",
                # r1's FIFO reports each lower-priority advert it answered ("forcing new election").
                "r1_rx_lower_pri": _truth_events(truth, "r1", "MASTER_RX_LOWER_PRI", period.start, period.end),
            }
        )
        claims.append(entry)
    for c in claims:
        if c["duration_s"] is None or float(str(c["duration_s"])) > CLAIM_LONGEST_S:
            r.warn(f"claim at {c['start']} lasted {c['duration_s']} s: a split brain, not a brief claim")
    return {
        "expect_v2": {
            "findings": ["VRRP-MASTER-CLAIM"],
            "forbidden_findings": ["VRRP-SPLIT-BRAIN", "VRRP-FAILOVER", "VRRP-MISSED-ADVERTS"],
            "master_claims": claims,
            "inference": "192.0.2.2 (r2) is not receiving 192.0.2.1's (r1) adverts: loss on the path into r2",
            "loss": {"into": "r2", "percent": CLAIM_LOSS_PERCENT, "dropped": dropped_by_rules(truth)},
        }
    }


def dropped_by_rules(truth: dict[str, Any]) -> int:
    return sum(int(a.get("dropped", 0)) for a in truth["actions"] if a["action"] == "path-loss-end")


# -- the direction of a split brain --------------------------------------------------------


def play_one_way(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    rule = r.lose("r2", source="r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(8)
    r.restore(rule)
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(3)


def play_two_way(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    # r1 stops hearing r2 first: invisible, a backup is silent.
    into_r1 = r.lose("r1", source="r2")
    r.sleep(5)
    r.wait_current("r2", "VI_51", "BACKUP", timeout=0.0)
    into_r2 = r.lose("r2", source="r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(8)
    r.restore(into_r2)
    r.restore(into_r1)
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(3)


def _split(truth: dict[str, Any], hears: dict[str, list[str]], direction: str) -> dict[str, object]:
    splits = []
    for period in within_capture(truth, master_periods(truth, "r2", "VI_51")):
        entry: dict[str, object] = {
            "vrid": 51,
            "routers": ["r1", "r2"],
            "start": round(period.start, 6),
            "end": None if period.end is None else round(period.end, 6),
            "direction": direction,
            "hears": hears,
            "r1_rx_lower_pri": _truth_events(truth, "r1", "MASTER_RX_LOWER_PRI", period.start, period.end),
        }
        splits.append(entry)
    return {"findings": ["VRRP-SPLIT-BRAIN"], "split_brains": splits}


def annotate_one_way(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    expect = _split(truth, {"r1": ["r2"], "r2": []}, "r2 does not hear r1")
    expect["evidence"] = (
        "r1 (150) answers every r2 (100) advert within a millisecond (keepalived: lower priority received, "
        "forcing new election), so r1 hears r2; r2 keeps advertising, so it does not hear r1"
    )
    return {"expect_v2": expect}


def annotate_two_way(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    expect = _split(truth, {"r1": [], "r2": []}, "neither hears the other")
    expect["evidence"] = "both masters keep their own phase: neither answers the other's adverts"
    expect["invisible"] = [
        {
            "what": "r1 does not hear r2 while r2 is a silent backup",
            "start": next(a["time"] for a in truth["actions"] if a["action"] == "path-loss-start"),
        }
    ]
    return {"expect_v2": expect}


# -- preempt_delay -----------------------------------------------------------------------------

PREEMPT_DELAY_S = 4.0


def play_preempt_delay(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    r.kill("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(3)
    r.start("r1")
    r.wait_state("r1", "VI_51", "MASTER", timeout=30.0)
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(3)


def annotate_preempt_delay(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    acts = truth["actions"]
    kill = next(a["time"] for a in acts if a["action"] == "kill-keepalived")
    restart = next(a["time"] for a in acts if a["action"] == "restart-keepalived")
    r2_master = next(p for p in master_periods(truth, "r2", "VI_51") if p.start > kill)
    r1_back = next(t["time"] for t in truth["transitions"] if t["router"] == "r1" and t["time"] > restart)
    r1_master = next(p for p in master_periods(truth, "r1", "VI_51") if p.start > restart)
    wire = adverts(r.capture.path)
    last_r1 = max((p.time for p in wire if p.src == "192.0.2.1" and p.time < kill), default=None)
    r1_return = min((p.time for p in wire if p.src == "192.0.2.1" and p.time > restart), default=None)
    # Measured rule: for preempt_delay after it starts, the returning backup still takes a lower
    # priority advert as a master's (it re-arms its down timer); after that it ignores them, and
    # takes over one Master_Down_Interval after the last one it took.
    accepts_until = r1_back + PREEMPT_DELAY_S
    taken = [p.time for p in wire if p.src == "192.0.2.2" and r1_back <= p.time <= accepts_until]
    predicted = max(taken) + MDI_150 if taken else None
    if predicted is not None and abs(predicted - r1_master.start) > 0.1:
        r.warn(f"r1 took over at {r1_master.start:.3f}, the preempt_delay rule says {predicted:.3f}")
    return {
        "expect_v2": {
            "takeovers": [
                {
                    "router": "r2",
                    "from": "r1",
                    "cause": "silence",
                    "preempt_delay_s": PREEMPT_DELAY_S,
                    "rfc_takeover_s": round(MDI_100, 6),
                    "wire_takeover_s": None if last_r1 is None else round(r2_master.start - last_r1, 6),
                    "explained_by": "Master_Down_Interval (priority 100): preempt_delay does not apply when "
                    "the master falls silent",
                },
                {
                    "router": "r1",
                    "from": "r2",
                    "cause": "preempted",
                    "preempt_delay_s": PREEMPT_DELAY_S,
                    "restart_at": round(restart, 6),
                    "backup_at": round(r1_back, 6),
                    "master_at": round(r1_master.start, 6),
                    "first_advert_on_wire": None if r1_return is None else round(r1_return, 6),
                    "takeover_after_backup_s": round(r1_master.start - r1_back, 6),
                    "takeover_window_s": [
                        round(MDI_150 + PREEMPT_DELAY_S - 1.0, 6),
                        round(MDI_150 + PREEMPT_DELAY_S, 6),
                    ],
                    "last_lower_advert_taken": None if not taken else round(max(taken), 6),
                    "predicted_master_at": None if predicted is None else round(predicted, 6),
                    "explained_by": "preempt_delay: lower-priority adverts count as a master's for preempt_delay "
                    "after start-up, then the backup takes over Master_Down_Interval (priority 150) after the "
                    "last one it took: between MDI + delay - interval and MDI + delay after it started",
                    "on_the_wire": "an ordinary preemption (r1's first advert ~Skew_Time after r2's last); the "
                    "delay shows only against the restart time or the configs",
                },
            ],
        }
    }


DEPTH_SCENARIOS = (
    Scenario(
        name="v2-lossy-backup-claims",
        description=f"VRRPv2 multicast pair 150/100. nftables in the bridge drops {CLAIM_LOSS_PERCENT} % of "
        "the VRRP forwarded to r2's port (numgen random), nothing else: now and then r2 misses three "
        "adverts in a row, becomes MASTER, advertises, and r1 (which hears it) answers at once and "
        "pushes it back. The capture on the bridge sees all of r1's adverts.",
        notes="Brief claims: keepalived's master answers a lower-priority advert at once, so a claim "
        "lasts until one of r1's answers gets through the lossy path: milliseconds to a few seconds. "
        "expect_v2.master_claims has each claim from the FIFO (MASTER then BACKUP).",
        routers=TWO,
        instances=pair(),
        play=play_lossy_claims,
        forbidden_findings=(*without(CLEAN, "VRRP-FLAPPING"), "VRRP-SPLIT-BRAIN"),
        annotate=annotate_claims,
    ),
    Scenario(
        name="v2-one-way-split",
        description="VRRPv2 multicast pair 150/100. nftables in the bridge drops every advert r1 sends to "
        "r2 (one direction only): r2 becomes master while r1 stays master, for ~8 s. r1 still hears "
        "r2 and answers each of its adverts at once; r2 hears nothing. The rule is removed: r2 backs off.",
        routers=TWO,
        instances=pair(),
        play=play_one_way,
        expected_findings=("VRRP-SPLIT-BRAIN",),
        forbidden_findings=without(CLEAN, "VRRP-SPLIT-BRAIN"),
        annotate=annotate_one_way,
    ),
    Scenario(
        name="v2-two-way-split",
        description="VRRPv2 multicast pair 150/100. First r2's path to r1 is cut (invisible: r2 is a "
        "silent backup), then r1's to r2 too: neither hears the other, both are master for ~8 s with "
        "independent phases. The rules are removed: r2 backs off.",
        routers=TWO,
        instances=pair(),
        play=play_two_way,
        expected_findings=("VRRP-SPLIT-BRAIN",),
        forbidden_findings=without(CLEAN, "VRRP-SPLIT-BRAIN"),
        annotate=annotate_two_way,
    ),
    Scenario(
        name="v2-preempt-delay",
        description=f"VRRPv2 multicast pair 150/100, both with preempt_delay {PREEMPT_DELAY_S:g}. r1 (master) "
        "is SIGKILLed, r2 takes over; r1 restarts and, hearing r2's lower priority, waits "
        "Master_Down_Interval + preempt_delay before it preempts.",
        routers=TWO,
        instances=pair(preempt_delay=PREEMPT_DELAY_S),
        play=play_preempt_delay,
        expected_findings=("VRRP-FAILOVER",),
        forbidden_findings=(*without(CLEAN, "VRRP-MISSED-ADVERTS"), "VRRP-PRIORITY-ZERO"),
        annotate=annotate_preempt_delay,
    ),
)
