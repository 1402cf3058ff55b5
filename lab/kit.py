"""Building blocks of the lab's scenarios: addresses, finding-code sets, a keepalived pair, start-up.

Router number i (1-based, in a scenario's ``routers`` order) has 192.0.2.i and 2001:db8::i.
"""

from __future__ import annotations

from typing import Any

from lab.keepalived import Instance
from lab.netns import router_ipv4, router_ipv6
from lab.runner import Run

VIP4 = "192.0.2.100"
VIP4_B = "192.0.2.200"
VIP6 = "2001:db8::100"

# Findings that a clean, steady capture must not produce.
CLEAN = (
    "VRRP-SPLIT-BRAIN",
    "VRRP-VRID-COLLISION",
    "VRRP-VIP-CONFLICT",
    "VRRP-OWNER-CONFLICT",
    "VRRP-BAD-TTL",
    "VRRP-BAD-CHECKSUM",
    "VRRP-MALFORMED",
    "VRRP-MISSED-ADVERTS",
    "VRRP-INTERVAL-MISMATCH",
    "VRRP-VIP-MISMATCH",
    "VRRP-AUTH-MISMATCH",
    "VRRP-VERSION-MISMATCH",
    "VRRP-MIXED-DELIVERY",
    "VRRP-UNICAST-ASYMMETRY",
    "VRRP-PEER-UNREACHABLE",
    "VRRP-PRIORITY-TIE",
    "VRRP-OWNER-MISMATCH",
    "VRRP-FLAPPING",
    "VRRP-CAPTURE-DROPS",
    "VRRP-VMAC-MISMATCH",
)
STEADY_FORBIDDEN = (*CLEAN, "VRRP-FAILOVER", "VRRP-PRIORITY-ZERO", "VRRP-PRIORITY-CHANGE")


def without(codes: tuple[str, ...], *drop: str) -> tuple[str, ...]:
    return tuple(c for c in codes if c not in drop)


def pair(
    *,
    name: str = "VI_51",
    vrid: int = 51,
    priorities: tuple[int, int] = (150, 100),
    unicast: bool = False,
    family: str = "ipv4",
    version: int = 2,
    vips: tuple[str, ...] | None = None,
    r1: dict[str, Any] | None = None,
    r2: dict[str, Any] | None = None,
    **common: Any,
) -> dict[str, list[Instance]]:
    """One virtual router on routers r1 (index 1) and r2 (index 2)."""
    addr = router_ipv4 if family == "ipv4" else router_ipv6
    if vips is None:
        vips = (VIP4,) if family == "ipv4" else (VIP6,)
    out: dict[str, list[Instance]] = {}
    for index, router, prio, extra in ((1, "r1", priorities[0], r1), (2, "r2", priorities[1], r2)):
        kw: dict[str, Any] = dict(common)
        if unicast:
            kw["delivery"] = "unicast"
            kw["unicast_peers"] = (addr(3 - index),)
        kw.update(extra or {})
        out[router] = [
            Instance(
                name=name,
                vrid=vrid,
                priority=prio,
                vips=vips,
                version=version,
                family=family,
                **kw,
            )
        ]
    return out


def up(
    r: Run,
    masters: list[tuple[str, str]],
    backups: list[tuple[str, str]],
    *,
    capture_first: bool = False,
) -> None:
    """Start every keepalived, wait for the expected masters and backups, start the capture
    (or start it first, when the start-up itself is part of the story)."""
    if capture_first:
        r.capture_start()
    r.start()
    for router, inst in masters:
        r.wait_state(router, inst, "MASTER", since=0.0, timeout=30.0)
    r.sleep(1.5)  # settle: start-up races are over
    for router, inst in masters:
        r.wait_current(router, inst, "MASTER")
    for router, inst in backups:
        r.wait_current(router, inst, "BACKUP")
    if not capture_first:
        r.capture_start()


R1_MASTER = [("r1", "VI_51")]
R2_BACKUP = [("r2", "VI_51")]
TWO = ("r1", "r2")
