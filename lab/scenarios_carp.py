"""CARP scenarios (ucarp 1.5.2): a ucarp failover, and ucarp beside keepalived with vhid = VRID.

CARP shares IP protocol 112 and 224.0.0.18 with VRRP. The truth's ``carp_instances`` hold ucarp's
configuration (its command line), its transitions come from ucarp's up/down scripts (ucarp waits
for them, so they are in order); ``priority`` of a ucarp transition is its advskew.
"""

from __future__ import annotations

from typing import Any

from lab.expect import adverts, gaps, master_periods, overlapping, router_names, within_capture
from lab.keepalived import Instance
from lab.kit import CLEAN, VIP4, VIP4_B, pair, up, without
from lab.runner import Run, Scenario
from lab.story import Packet
from lab.ucarp import CarpVhid

VHID = 51
CARP_PAIR = {"c1": CarpVhid(VHID, advskew=0, vip=VIP4), "c2": CarpVhid(VHID, advskew=100, vip=VIP4)}


def play_carp_failover(r: Run) -> None:
    up(r, [("c1", "vhid51")], [("c2", "vhid51")])
    r.sleep(5)
    r.kill("c1")
    r.wait_state("c2", "vhid51", "MASTER")
    r.sleep(5)
    r.start("c1")
    r.wait_state("c1", "vhid51", "MASTER")
    r.wait_state("c2", "vhid51", "BACKUP")
    r.sleep(5)


def _carp_failovers(r: Run, truth: dict[str, Any]) -> list[dict[str, object]]:
    """Every change of CARP master in the capture, from the scripts' reports, with the wire's view."""
    wire = [p for p in adverts(r.capture.path) if p.kind == "carp"]
    addr = {str(x["name"]): str(x["ipv4"]) for x in truth["routers"]}
    periods = sorted(
        (p for name in ("c1", "c2") for p in within_capture(truth, master_periods(truth, name, "vhid51"))),
        key=lambda p: p.start,
    )
    out: list[dict[str, object]] = []
    for period in periods:
        earlier = [p for p in wire if p.time < period.start and p.src != addr[period.router]]
        if not earlier:
            continue
        last = earlier[-1]
        name = next(n for n, a in addr.items() if a == last.src)
        old = r.scenario.ucarp[name]
        new = r.scenario.ucarp[period.router]
        killed = [a for a in truth["actions"] if a["router"] == name and a["action"] == "kill-ucarp"]
        cause = "silence" if killed and killed[-1]["time"] < period.start else "preempted"
        entry: dict[str, object] = {
            "vhid": VHID,
            "from": name,
            "to": period.router,
            "cause": cause,
            "at": round(period.start, 6),
            "old_master_last_advert": round(last.time, 6),
            "takeover_s": round(period.start - last.time, 6),
        }
        if cause == "silence":
            # CARP: master down after 3 x advbase + advskew/256 of the backup. ucarp checks its timer only
            # when poll() returns (every advbase + advskew/256 s) and libpcap may hand it a packet up to
            # its 1 s read timeout late, so ucarp takes over later than the protocol says.
            entry["protocol_takeover_s"] = round(3 * new.advbase + new.advskew / 256, 6)
            entry["ucarp_takeover_max_s"] = round(3 * new.advbase + new.advskew / 256 + new.interval_s + 1.0, 6)
        else:
            entry["why"] = f"advskew {new.advskew} < {old.advskew} with --preempt: takes over at its first advert heard"
        out.append(entry)
    return out


def carp_counter_runs(wire: list[Packet], names: dict[str, str]) -> list[dict[str, object]]:
    """Stretches of consecutive CARP adverts (any sender) whose counter is the previous one + 1.
    ucarp draws a random counter per advert until it has heard another router's advert, then
    adopts the last counter heard: the count carries over a failover."""
    runs: list[dict[str, object]] = []
    seq = [p for p in wire if p.carp_counter is not None]
    i = 0
    while i < len(seq):
        j = i
        while j + 1 < len(seq) and seq[j + 1].carp_counter == (seq[j].carp_counter or 0) + 1:
            j += 1
        if j > i:
            runs.append(
                {
                    "first": round(seq[i].time, 6),
                    "last": round(seq[j].time, 6),
                    "adverts": j - i + 1,
                    "routers": sorted({names.get(p.src, p.src) for p in seq[i : j + 1]}),
                }
            )
        i = j + 1
    return runs


def _carp_masterships(truth: dict[str, Any], routers: tuple[str, ...]) -> list[dict[str, object]]:
    periods = [p for n in routers for p in overlapping(truth, master_periods(truth, n, f"vhid{VHID}"))]
    return [p.to_json() for p in sorted(periods, key=lambda p: p.start)]


def annotate_carp_failover(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    wire = [p for p in adverts(r.capture.path) if p.kind == "carp"]
    return {
        "expect_v2": {
            "findings": ["VRRP-FAILOVER"],
            "forbidden_findings": ["VRRP-SPLIT-BRAIN", "VRRP-MALFORMED"],
            "carp_virtual_routers": [{"vhid": VHID, "vips": [VIP4], "routers": ["c1", "c2"]}],
            "carp_masterships": _carp_masterships(truth, ("c1", "c2")),
            "carp_failovers": _carp_failovers(r, truth),
            "carp_counter_runs": carp_counter_runs(wire, router_names(truth)),
        }
    }


# -- CARP and VRRP on one segment with vhid = VRID ---------------------------------------------


def _coexist_instances() -> dict[str, list[Instance]]:
    return pair(r1={"wire_gaps": True}, r2={"wire_gaps": True})


def play_coexist(r: Run) -> None:
    r.start("r1", "r2")
    r.wait_state("r1", "VI_51", "MASTER", since=0.0, timeout=30.0)
    r.sleep(1.5)
    r.wait_current("r2", "VI_51", "BACKUP")
    r.capture_start()
    r.sleep(5)
    r.start("c1", "c2")
    r.wait_state("c1", "vhid51", "MASTER", timeout=30.0)
    r.sleep(25)
    r.kill("c1")
    r.kill("c2")
    r.sleep(6)


def _count_in_log(r: Run, router: str, text: str) -> int:
    daemon = r.daemons[router]
    log = getattr(daemon, "log", None)
    if log is None or not log.exists():
        return 0
    return sum(1 for line in log.read_text(errors="replace").splitlines() if text in line)


def annotate_coexist(r: Run, truth: dict[str, Any]) -> dict[str, object]:
    wire = adverts(r.capture.path)
    carp = [p for p in wire if p.kind == "carp"]
    first = min((p.time for p in carp), default=None)
    last = max((p.time for p in carp), default=None)
    if first is None or last is None:
        r.warn("no CARP advert on the wire")
    vrrp_periods = {
        name: [p.to_json() for p in overlapping(truth, master_periods(truth, name, "VI_51"))] for name in ("r1", "r2")
    }
    return {
        "expect_v2": {
            "coexistence": [
                {
                    "vrid": 51,
                    "vhid": VHID,
                    "family": "ipv4",
                    "carp_routers": ["c1", "c2"],
                    "vrrp_routers": ["r1", "r2"],
                    "start": None if first is None else round(first, 6),
                    "end": None if last is None else round(last, 6),
                }
            ],
            "vrrp_master_gaps": {
                "r1": gaps(wire, "192.0.2.1", 51),
                "r2": gaps(wire, "192.0.2.2", 51),
            },
            "vrrp_masterships": vrrp_periods,
            "carp_masterships": _carp_masterships(truth, ("c1", "c2")),
            "keepalived_too_short": {name: _count_in_log(r, name, "too short") for name in ("r1", "r2")},
        }
    }


CARP_SCENARIOS = (
    Scenario(
        name="carp-ucarp-failover",
        description=f"Two ucarp (CARP) routers, vhid {VHID}, advbase 1, advskew 0 (c1) and 100 (c2), both "
        "--preempt, VIP 192.0.2.100. c1 (master) is SIGKILLed: c2 takes over; c1 restarts, hears c2's "
        "slower adverts and preempts at once.",
        notes="ucarp sends from 00:00:5e:00:00:<vhid> with a random IPv4 ID per advert; its 64-bit CARP "
        "counter counts up by one per advert (expect_v2.carp_counter_steps). ucarp takes over later than "
        "3 x advbase + advskew/256: it checks its timer only when poll() returns, and libpcap may hand it "
        "packets up to 1 s late. A preempted ucarp master sends one more advert, then goes BACKUP.",
        routers=("c1", "c2"),
        instances={},
        ucarp=CARP_PAIR,
        play=play_carp_failover,
        forbidden_findings=CLEAN,
        annotate=annotate_carp_failover,
    ),
    Scenario(
        name="carp-vrrp-coexist",
        description=f"keepalived VRRPv2 pair r1/r2 (VRID 51, 150/100, 192.0.2.100) and a ucarp pair c1/c2 "
        f"(vhid {VHID}, advskew 0/100, 192.0.2.200) on one segment. 5 s of VRRP alone, then ucarp starts "
        "(~25 s together), then both ucarp are SIGKILLed.",
        notes="keepalived drops each CARP advert ('packet too short') but re-arms its advert timer on it, "
        "so the VRRP master's adverts come late or not at all while CARP runs (expect_v2.vrrp_master_gaps), "
        "and r2 may claim master in between. ucarp ignores VRRP adverts (shorter than a CARP header).",
        routers=("r1", "r2", "c1", "c2"),
        instances=_coexist_instances(),
        ucarp={"c1": CarpVhid(VHID, advskew=0, vip=VIP4_B), "c2": CarpVhid(VHID, advskew=100, vip=VIP4_B)},
        play=play_coexist,
        # CARP's adverts starve the VRRP master: 2 s gaps, and longer than Master_Down_Interval at times.
        expected_findings=("VRRP-MISSED-ADVERTS",),
        forbidden_findings=without(CLEAN, "VRRP-MISSED-ADVERTS", "VRRP-SPLIT-BRAIN", "VRRP-FLAPPING", "VRRP-MALFORMED"),
        annotate=annotate_coexist,
    ),
)
