"""VRRP-CARP-COEXIST: a CARP vhid and a VRRP VRID of one number on one link at the same time.

Both protocols use IP protocol 112 and 224.0.0.18; neither takes the other's adverts. keepalived
2.2 logs "vrrp packet too short" for each CARP advert and drops it, but re-arms its advert timer on
it first, so its master's adverts come late or not at all while CARP runs (the guide; seen in the lab:
every 2-3 s instead of 1 s), and a backup, whose timer is not re-armed, may claim mastership.

From the summaries only (when each virtual router was seen), so a sharded audit, whose CARP and VRRP
virtual routers may sit in different shards, finds the same.
"""

from __future__ import annotations

from collections import defaultdict

from vrrpcap.analysis.detectors.base import Detector, ReportView
from vrrpcap.analysis.options import ip_key
from vrrpcap.findings import CODES, Evidence, Finding
from vrrpcap.report.model import VirtualRouter

CODE = "VRRP-CARP-COEXIST"

_Link = tuple[str | None, tuple[int, ...], str, int]  # interface, VLANs, family, VRID = vhid


def coexistence_findings(vrs: list[VirtualRouter]) -> list[Finding]:
    by_link: dict[_Link, dict[str, list[VirtualRouter]]] = defaultdict(lambda: defaultdict(list))
    for vr in vrs:
        by_link[(vr.interface, vr.vlan, vr.family, vr.vrid)][vr.protocol].append(vr)
    out = []
    for protocols in by_link.values():
        for carp in protocols.get("carp", []):
            for vrrp in protocols.get("vrrp", []):
                finding = _coexisting(carp, vrrp)
                if finding is not None:
                    out.append(finding)
    return out


def _coexisting(carp: VirtualRouter, vrrp: VirtualRouter) -> Finding | None:
    start, end = max(carp.first_seen, vrrp.first_seen), min(carp.last_seen, vrrp.last_seen)
    if start > end:
        return None  # one after the other: no advert of one was there to disturb the other
    changes = sum(1 for f in vrrp.failovers if start <= f.time <= end)
    carp_routers = [r.address for r in carp.routers]
    vrrp_routers = [r.address for r in vrrp.routers]
    message = (
        f"CARP vhid {carp.vrid} ({', '.join(carp_routers)}) and VRRP VRID {vrrp.vrid} "
        f"({', '.join(vrrp_routers)}) advertise on one link for {end - start:.1f} s: keepalived drops each CARP "
        "advert as 'packet too short' but re-arms its advert timer on it, so the VRRP master's adverts come "
        "late or not at all (VRRP-MISSED-ADVERTS) and a backup may claim mastership"
        + (f" ({changes} VRRP master change(s) meanwhile)" if changes else "")
        + "; give one of them another number"
    )
    members = [*carp.routers, *vrrp.routers]
    return Finding(
        CODE,
        CODES[CODE].severity,
        None,  # two virtual routers with no common segment: the routers name both lanes
        start,
        end,
        tuple(sorted({*carp_routers, *vrrp_routers}, key=ip_key)),
        message,
        tuple(sorted(Evidence(r.first_file, r.first_frame) for r in members)),
        1,
        vrrp.vrid,
    )


class Coexistence(Detector):
    def report_findings(self, view: ReportView) -> list[Finding]:
        return coexistence_findings(view.virtual_routers)
