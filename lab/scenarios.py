"""The lab's scenarios: who runs what, what the lab does, what an analyzer should report.

Deterministic in what happens, not in exact timestamps: every step waits for keepalived's own
notify report (steady state) before the next action, then a short settle sleep.
Router number i (1-based, in ``routers`` order) has 192.0.2.i and 2001:db8::i.
"""

from __future__ import annotations

from collections.abc import Callable

from lab.keepalived import Instance, TrackFile
from lab.kit import (
    CLEAN,
    R1_MASTER,
    R2_BACKUP,
    STEADY_FORBIDDEN,
    TWO,
    VIP4,
    VIP4_B,
    pair,
    up,
    without,
)
from lab.netns import LabError, router_ipv4, router_ipv6
from lab.runner import Run, Scenario
from lab.scenarios_carp import CARP_SCENARIOS
from lab.scenarios_depth import DEPTH_SCENARIOS
from lab.scenarios_frr import FRR_SCENARIOS
from lab.scenarios_where import WHERE_SCENARIOS


def play_steady(seconds: float) -> Callable[[Run], None]:
    def play(r: Run) -> None:
        up(r, R1_MASTER, R2_BACKUP)
        r.sleep(seconds)

    return play


def play_failover_kill(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(4)
    r.kill("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(4)
    r.start("r1")
    r.wait_state("r1", "VI_51", "MASTER")
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(4)


def play_graceful_stop(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(4)
    r.stop("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(4)
    r.start("r1")
    r.wait_state("r1", "VI_51", "MASTER")
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(4)


def play_track(state_on_fail: str) -> Callable[[Run], None]:
    def play(r: Run) -> None:
        up(r, R1_MASTER, R2_BACKUP)
        r.sleep(4)
        r.track("r1", "chk_r1", ok=False)
        r.wait_state("r1", "VI_51", state_on_fail)
        r.wait_state("r2", "VI_51", "MASTER")
        r.sleep(4)
        r.track("r1", "chk_r1", ok=True)
        r.wait_state("r1", "VI_51", "MASTER")
        r.wait_state("r2", "VI_51", "BACKUP")
        r.sleep(4)

    return play


def play_nopreempt(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(4)
    r.stop("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(3)
    r.start("r1")
    r.wait_state("r1", "VI_51", "BACKUP")
    r.sleep(8)  # more than a Master_Down_Interval: r1 (150) must stay backup
    r.wait_current("r1", "VI_51", "BACKUP", timeout=0.0)
    r.wait_current("r2", "VI_51", "MASTER", timeout=0.0)


def play_split_brain(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(4)
    r.block_vrrp("r2")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(8)
    r.unblock_vrrp("r2")
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(4)


def play_dual_master(seconds: float, *, capture_first: bool = False) -> Callable[[Run], None]:
    """Both routers become master because each ignores the other (a misconfiguration)."""

    def play(r: Run) -> None:
        up(r, [("r1", "VI_51"), ("r2", "VI_51")], [], capture_first=capture_first)
        r.sleep(seconds)

    return play


def play_collision(r: Run) -> None:
    up(r, [("a1", "VI_A"), ("b1", "VI_B")], [("a2", "VI_A"), ("b2", "VI_B")])
    r.sleep(15)


def play_v3_ipv4(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(6)
    r.stop("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(5)


def play_v3_ipv6(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(6)
    r.kill("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(5)


def play_peer_down(r: Run) -> None:
    up(r, R1_MASTER, R2_BACKUP)
    r.sleep(3)
    r.kill("r2")
    r.sleep(8)
    r.start("r2")
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(4)
    r.wait_current("r1", "VI_51", "MASTER", timeout=0.0)


# -- many unicast instances reusing VRIDs on one segment ------------------------------------

MANY_PAIRS = 3
MANY_VRIDS = 100


def many_unicast() -> tuple[tuple[str, ...], dict[str, list[Instance]]]:
    routers: list[str] = []
    instances: dict[str, list[Instance]] = {}
    for p in range(MANY_PAIRS):
        letter = "abcdefgh"[p]
        names = (f"{letter}1", f"{letter}2")
        idx = (2 * p + 1, 2 * p + 2)
        routers += names
        for side in (0, 1):
            peer = router_ipv6(idx[1 - side])
            instances[names[side]] = [
                Instance(
                    name=f"VI_{vrid}",
                    vrid=vrid,
                    priority=150 if side == 0 else 100,
                    vips=(f"2001:db8::{p + 1}:{vrid:x}",),
                    version=3,
                    family="ipv6",
                    delivery="unicast",
                    unicast_peers=(peer,),
                    unicast_ttl=255,
                )
                for vrid in range(1, MANY_VRIDS + 1)
            ]
    return tuple(routers), instances


def play_many(r: Run) -> None:
    r.start()
    firsts = [name for name in r.scenario.routers if name.endswith("1")]
    for router in firsts:
        for vrid in (1, MANY_VRIDS // 2, MANY_VRIDS):
            r.wait_state(router, f"VI_{vrid}", "MASTER", since=0.0, timeout=60.0)
    r.sleep(3)
    for router in firsts:
        masters = {t.instance for t in r.transitions() if t.router == router}
        if len(masters) != MANY_VRIDS:
            raise LabError(f"{router}: only {len(masters)} instances reported")
    r.capture_start()
    r.sleep(6)


MANY_ROUTERS, MANY_INSTANCES = many_unicast()


def _collision() -> dict[str, list[Instance]]:
    def inst(name: str, prio: int, vip: str) -> list[Instance]:
        return [Instance(name=name, vrid=51, priority=prio, vips=(vip,), wire_gaps=True)]

    return {
        "a1": inst("VI_A", 150, VIP4),
        "a2": inst("VI_A", 100, VIP4),
        "b1": inst("VI_B", 140, VIP4_B),
        "b2": inst("VI_B", 90, VIP4_B),
    }


SCENARIOS: dict[str, Scenario] = {}


def _add(sc: Scenario) -> None:
    SCENARIOS[sc.name] = sc


_add(
    Scenario(
        name="v2-multicast-steady",
        description="VRRPv2 multicast pair, VRID 51, priorities 150/100, one VIP: r1 is master "
        "throughout, r2 a silent backup. About 15 s of steady adverts.",
        routers=TWO,
        instances=pair(),
        play=play_steady(15),
        forbidden_findings=STEADY_FORBIDDEN,
    )
)
_add(
    Scenario(
        name="v2-unicast-pair",
        description="VRRPv2 unicast pair (unicast_src_ip + unicast_peer), VRID 51, 150/100: r1 "
        "sends its adverts to 192.0.2.2 only. About 15 s steady.",
        routers=TWO,
        instances=pair(unicast=True),
        play=play_steady(15),
        forbidden_findings=STEADY_FORBIDDEN,
    )
)
_add(
    Scenario(
        name="v2-failover-kill",
        description="VRRPv2 multicast pair 150/100. r1 (master) is SIGKILLed: silence, r2 takes "
        "over after its Master_Down_Interval (~3.6 s). r1 is restarted and preempts r2.",
        routers=TWO,
        instances=pair(),
        play=play_failover_kill,
        expected_findings=("VRRP-FAILOVER",),
        forbidden_findings=(*without(CLEAN, "VRRP-MISSED-ADVERTS"), "VRRP-PRIORITY-ZERO"),
    )
)
_add(
    Scenario(
        name="v2-graceful-stop",
        description="VRRPv2 multicast pair 150/100. keepalived on r1 (master) gets SIGTERM: it "
        "sends a priority-0 advert and r2 takes over after Skew_Time. r1 restarts, preempts.",
        routers=TWO,
        instances=pair(),
        play=play_graceful_stop,
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=CLEAN,
    )
)
_add(
    Scenario(
        name="v2-track-fault",
        description="VRRPv2 multicast pair 150/100; r1 tracks a script without weight. The check "
        "fails: r1 enters FAULT (priority-0 advert), r2 takes over. The check recovers: r1 "
        "returns and preempts.",
        routers=TWO,
        instances=pair(r1={"track": ("chk_r1",)}),
        scripts={"r1": {"chk_r1": TrackFile("chk_r1")}},
        play=play_track("FAULT"),
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=CLEAN,
    )
)
_add(
    Scenario(
        name="v2-track-weight",
        description="VRRPv2 multicast pair 150/100; r1 tracks a script with weight -60. The check "
        "fails: r1 keeps advertising at 90, r2 (100) takes over one Master_Down_Interval later. "
        "The check recovers: r1 is back at 150 and preempts.",
        routers=TWO,
        instances=pair(r1={"track": ("chk_r1",)}),
        scripts={"r1": {"chk_r1": TrackFile("chk_r1", weight=-60)}},
        play=play_track("BACKUP"),
        expected_findings=("VRRP-PRIORITY-CHANGE", "VRRP-FAILOVER"),
        forbidden_findings=(*without(CLEAN, "VRRP-MISSED-ADVERTS"), "VRRP-PRIORITY-ZERO"),
    )
)
_add(
    Scenario(
        name="v2-nopreempt",
        description="VRRPv2 multicast pair 150/100, both nopreempt. r1 (master) stops "
        "gracefully, r2 takes over; r1 restarts and stays a silent backup although its "
        "priority is higher.",
        routers=TWO,
        instances=pair(nopreempt=True),
        play=play_nopreempt,
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=CLEAN,
    )
)
_add(
    Scenario(
        name="v2-split-brain",
        description="VRRPv2 multicast pair 150/100. nftables in r2's namespace drops incoming "
        "VRRP: r2 hears nothing, becomes master while r1 still is (both advertise for ~8 s). "
        "The rule is removed: r2 hears r1 and returns to backup.",
        routers=TWO,
        instances=pair(),
        play=play_split_brain,
        expected_findings=("VRRP-SPLIT-BRAIN",),
        forbidden_findings=without(CLEAN, "VRRP-SPLIT-BRAIN"),
    )
)
_add(
    Scenario(
        name="v2-vrid-collision",
        description="Two independent multicast clusters on one segment share VRID 51 with "
        "disjoint VIPs: a1/a2 (150/100, 192.0.2.100) and b1/b2 (140/90, 192.0.2.200). Both "
        "a1 and b1 are master at once: a VRID collision, not a split brain.",
        notes="keepalived 2.2.7 re-arms a MASTER's advert timer on every packet of its VRID, even the "
        "other cluster's (rejected: VIPs differ), so the two masters starve each other: gaps of 2-4 s "
        "on the wire, and a backup (b2) may time out and claim master for a moment. Missed adverts, a "
        "brief failover and back are therefore allowed, not required.",
        routers=("a1", "a2", "b1", "b2"),
        instances=_collision(),
        play=play_collision,
        expected_findings=("VRRP-VRID-COLLISION",),
        forbidden_findings=without(
            STEADY_FORBIDDEN, "VRRP-VRID-COLLISION", "VRRP-MISSED-ADVERTS", "VRRP-FAILOVER", "VRRP-FLAPPING"
        ),
    )
)
_add(
    Scenario(
        name="v3-ipv4",
        description="VRRPv3 over IPv4, multicast pair 150/100, VRID 51, advert_int 1 s "
        "(100 centiseconds). Steady, then r1 stops gracefully (priority 0) and r2 takes over.",
        routers=TWO,
        instances=pair(version=3),
        play=play_v3_ipv4,
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=(*CLEAN, "VRRP-CHECKSUM-VARIANT"),
    )
)
_add(
    Scenario(
        name="v3-ipv6",
        description="VRRPv3 over IPv6 (ff02::12, link-local sources), multicast pair 150/100, "
        "VRID 51, VIP 2001:db8::100. Steady, then r1 is SIGKILLed and r2 takes over.",
        routers=TWO,
        instances=pair(version=3, family="ipv6"),
        play=play_v3_ipv6,
        expected_findings=("VRRP-FAILOVER",),
        forbidden_findings=(*without(CLEAN, "VRRP-MISSED-ADVERTS"), "VRRP-PRIORITY-ZERO"),
    )
)
_add(
    Scenario(
        name="v2-auth-pass",
        description="VRRPv2 multicast pair 150/100 with auth_type PASS, password 's3cret': the "
        "cleartext password is in every advert.",
        routers=TWO,
        instances=pair(auth_type="PASS", auth_pass="s3cret"),
        play=play_steady(12),
        expected_findings=("VRRP-CLEARTEXT-PASSWORD",),
        forbidden_findings=STEADY_FORBIDDEN,
    )
)
_add(
    Scenario(
        name="v2-auth-ah",
        description="VRRPv2 multicast pair 150/100 with keepalived auth_type AH: adverts are "
        "wrapped in an IPsec AH header (IP protocol 51, next header 112).",
        routers=TWO,
        instances=pair(auth_type="AH", auth_pass="s3cret"),
        play=play_steady(12),
        forbidden_findings=STEADY_FORBIDDEN,
    )
)
_add(
    Scenario(
        name="v2-interval-mismatch",
        description="VRRPv2 multicast pair 150/100, r1 advert_int 1 s, r2 advert_int 2 s, "
        "captured from before start-up. keepalived drops adverts with another interval, so "
        "both become master (r1 after ~3.4 s, r2 after ~6.6 s) and stay so. On the wire r2 "
        "sends ONE advert (interval 2) and then falls silent while still master: each advert "
        "it receives from r1, although dropped, re-arms its 2 s advert timer.",
        notes="keepalived 2.2.7 vrrp_dispatcher_read() calls vrrp_init_instance_sands() after "
        "every packet delivered to a MASTER instance, accepted or not (unless "
        "lower_prio_no_advert), so the slower master is starved. The split brain is real "
        "(truth: both MASTER, both hold the VIP) but the wire shows r2 only once.",
        routers=TWO,
        instances=pair(r2={"interval_s": 2.0, "silent_on_wire": True}),
        play=play_dual_master(12, capture_first=True),
        expected_findings=("VRRP-INTERVAL-MISMATCH",),
        forbidden_findings=without(CLEAN, "VRRP-INTERVAL-MISMATCH", "VRRP-SPLIT-BRAIN", "VRRP-MISSED-ADVERTS"),
    )
)
_add(
    Scenario(
        name="v2-mixed-delivery",
        description="VRRPv2 pair 150/100, VRID 51: r1 is configured unicast (peer 192.0.2.2), "
        "r2 multicast. Each ignores the other's adverts, both are master.",
        routers=TWO,
        instances=pair(
            r1={"delivery": "unicast", "unicast_peers": (router_ipv4(2),)},
        ),
        play=play_dual_master(15),
        expected_findings=("VRRP-MIXED-DELIVERY", "VRRP-SPLIT-BRAIN"),
        forbidden_findings=without(CLEAN, "VRRP-MIXED-DELIVERY", "VRRP-SPLIT-BRAIN"),
    )
)
_add(
    Scenario(
        name="v2-unicast-peer-down",
        description="VRRPv2 unicast pair 150/100. keepalived on r2 (backup) is SIGKILLed: r1 "
        "keeps sending unicast adverts to 192.0.2.2, whose kernel answers each with ICMP "
        "protocol unreachable quoting the advert. r2 restarts; the ICMP errors stop.",
        routers=TWO,
        instances=pair(unicast=True),
        play=play_peer_down,
        expected_findings=("VRRP-PEER-UNREACHABLE",),
        forbidden_findings=without(STEADY_FORBIDDEN, "VRRP-PEER-UNREACHABLE"),
    )
)
_add(
    Scenario(
        name="v3-ipv6-unicast-pair",
        description="VRRPv3 over IPv6, unicast pair 150/100 (unicast_src_ip 2001:db8::1, peer "
        "2001:db8::2), keepalived defaults: the adverts leave with hop limit 64, not 255, "
        "because keepalived leaves the IPv6 unicast hop limit to the kernel unless unicast_ttl "
        "is set (receivers do not check it for unicast).",
        routers=TWO,
        instances=pair(version=3, family="ipv6", unicast=True),
        play=play_steady(10),
        expected_findings=("VRRP-BAD-TTL",),
        forbidden_findings=without(STEADY_FORBIDDEN, "VRRP-BAD-TTL"),
    )
)
_add(
    Scenario(
        name="v3-ipv6-unicast-many",
        description=f"{MANY_PAIRS} router pairs on one segment, each running {MANY_VRIDS} "
        f"VRRPv3 IPv6 unicast instances with VRIDs 1..{MANY_VRIDS} "
        f"({MANY_PAIRS * MANY_VRIDS} virtual routers, more than 256): every VRID is reused by "
        "each pair, legitimately, because unicast pairs never hear each other. First router "
        "of each pair is master (150) of all its instances.",
        notes="IPv6, because 300 distinct VIPs do not fit in 192.0.2.0/24 (the only IPv4 range "
        "the lab uses); the VIPs are 2001:db8::<pair>:<vrid hex>. unicast_ttl 255 is set, "
        "because keepalived's IPv6 unicast adverts otherwise leave with hop limit 64 (see "
        "v3-ipv6-unicast-pair). At start-up some instances of the second router of each pair "
        "are master for a moment (before the capture starts).",
        routers=MANY_ROUTERS,
        instances=MANY_INSTANCES,
        play=play_many,
        forbidden_findings=STEADY_FORBIDDEN,
        heavy=True,
    )
)

for _scenario in (*FRR_SCENARIOS, *DEPTH_SCENARIOS, *WHERE_SCENARIOS, *CARP_SCENARIOS):
    _add(_scenario)
