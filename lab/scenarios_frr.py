"""FRR vrrpd scenarios (VRRPv3): FRR alone, and FRR with keepalived in one virtual router."""

from __future__ import annotations

from lab.frr import FrrVirtualRouter
from lab.kit import CLEAN, TWO, VIP4, VIP6, pair, up, without
from lab.runner import Run, Scenario

# -- FRR vrrpd (VRRPv3) ---------------------------------------------------------------------


def play_frr_dual_stack(r: Run) -> None:
    masters = [("r1", "VRID51-ipv4"), ("r1", "VRID51-ipv6")]
    up(r, masters, [("r2", "VRID51-ipv4"), ("r2", "VRID51-ipv6")])
    r.sleep(5)
    r.stop("r1")
    r.wait_state("r2", "VRID51-ipv4", "MASTER")
    r.wait_state("r2", "VRID51-ipv6", "MASTER")
    r.sleep(5)
    r.start("r1")
    r.wait_state("r1", "VRID51-ipv4", "MASTER")
    r.wait_state("r1", "VRID51-ipv6", "MASTER")
    r.sleep(5)


def play_frr_keepalived(r: Run) -> None:
    up(r, [("r1", "VRID51-ipv4")], [("r2", "VI_51")])
    r.sleep(5)
    r.stop("r1")
    r.wait_state("r2", "VI_51", "MASTER")
    r.sleep(5)
    r.start("r1")
    r.wait_state("r1", "VRID51-ipv4", "MASTER")
    r.wait_state("r2", "VI_51", "BACKUP")
    r.sleep(5)


FRR_SCENARIOS = (
    Scenario(
        name="frr-v3-dual-stack",
        description="FRR vrrpd pair 150/100, VRID 51 over IPv4 (192.0.2.100) and IPv6 "
        "(2001:db8::100) at once: two virtual routers, not a collision. Adverts leave from the "
        "virtual MACs; IPv6 from a random link-local of the macvlan. vrrpd on r1 (master) "
        "gets SIGTERM: a priority-0 advert per family, r2 takes over. r1 restarts and preempts.",
        notes="FRR does not send the first IPv6 advert after each move to master ('Failed to "
        "find address to bind'): IPv6 mastership shows on the wire one interval late.",
        routers=TWO,
        instances={},
        frr={
            "r1": [FrrVirtualRouter(51, 150, vips4=(VIP4,), vips6=(VIP6,))],
            "r2": [FrrVirtualRouter(51, 100, vips4=(VIP4,), vips6=(VIP6,))],
        },
        play=play_frr_dual_stack,
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=(*without(CLEAN, "VRRP-MISSED-ADVERTS"), "VRRP-VRID-COLLISION"),
    ),
    Scenario(
        name="v3-frr-keepalived",
        description="One VRRPv3 IPv4 virtual router (VRID 51, 192.0.2.100) shared by FRR vrrpd "
        "on r1 (150, sends from the virtual MAC) and keepalived on r2 (100, sends from its own "
        "MAC). FRR stops (priority 0), keepalived takes over; FRR returns and preempts.",
        routers=TWO,
        instances={"r2": pair(version=3)["r2"]},
        frr={"r1": [FrrVirtualRouter(51, 150, vips4=(VIP4,))]},
        play=play_frr_keepalived,
        expected_findings=("VRRP-FAILOVER", "VRRP-PRIORITY-ZERO"),
        forbidden_findings=CLEAN,
    ),
)
