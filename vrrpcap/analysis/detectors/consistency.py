"""Findings about configuration and capture health, from the summaries at report time.

What the routers of a virtual router (or of a segment) disagree on; inputs that dropped packets.

Pure functions of the summarized virtual routers: they need no packet and no time order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from vrrpcap.analysis.detectors.base import Detector, ReportView
from vrrpcap.findings import CODES, Evidence, Finding, Severity
from vrrpcap.report.model import RouterSummary, VirtualRouter


def _finding(
    code: str,
    vr: VirtualRouter | None,
    routers: Iterable[RouterSummary],
    message: str,
    span: tuple[float, float] | None = None,
) -> Finding:
    members = list(routers)
    if span is None and members:
        span = (min(r.first_seen for r in members), max(r.last_seen for r in members))
    return Finding(
        code=code,
        severity=CODES[code].severity,
        vr=vr.id if vr else None,
        start=span[0] if span else None,
        end=span[1] if span else None,
        routers=tuple(r.address for r in members),
        message=message,
        evidence=tuple(sorted(Evidence(r.first_file, r.first_frame) for r in members)),
        vrid=vr.vrid if vr else None,
    )


def _fmt(values: tuple[object, ...]) -> str:
    return "/".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values) or "-"


def contested_claims(vr: VirtualRouter) -> list[tuple[float, str, str]]:
    """(time, claimant, master): runs that began while another router was master and did not take over.

    A claim that never settles into a visible split brain still says the claimant did not hear the
    master: with different intervals, keepalived 2.2 drops the master's adverts, stays master itself
    and falls silent on the wire."""
    took_over = {(f.to_router, f.time) for f in vr.failovers}
    claims = []
    for run in vr.masters:
        if (run.router, run.start) in took_over:
            continue
        for other in vr.masters:
            if other.router != run.router and other.start < run.start <= other.end:
                claims.append((run.start, run.router, other.router))
                break
    return claims


def virtual_router_findings(vr: VirtualRouter) -> list[Finding]:
    out: list[Finding] = []
    routers = list(vr.routers)
    # CARP routers advertise every advbase + advskew/256 by design: different intervals are its order.
    if vr.protocol == "vrrp" and len({r.intervals for r in routers}) > 1:
        message = "advert intervals differ: " + ", ".join(f"{r.address} {_fmt(r.intervals)} s" for r in routers)
        if 2 in vr.versions:
            message += " (VRRPv2 routers drop adverts with another interval)"
        claims = contested_claims(vr)
        if claims:
            _, claimant, master = claims[0]
            message += (
                f"; {claimant} announced itself master while {master} was master: both consider "
                "themselves master, even where one falls silent on the wire"
            )
        out.append(_finding("VRRP-INTERVAL-MISMATCH", vr, routers, message))
    vip_sets = {s for r in routers for s in r.vip_sets}
    if len(vip_sets) > 1:
        out.append(
            _finding(
                "VRRP-VIP-MISMATCH",
                vr,
                routers,
                "VIP sets differ: " + "; ".join(f"{r.address} [{' '.join(r.vips)}]" for r in routers),
            )
        )
    v2_auth = {r.auth for r in routers if 2 in r.versions}
    if len(v2_auth) > 1:
        out.append(
            _finding(
                "VRRP-AUTH-MISMATCH",
                vr,
                routers,
                "authentication differs (passwords numbered, not shown): "
                + ", ".join(f"{r.address} {'/'.join(r.auth)}" for r in routers),
            )
        )
    if len(vr.versions) > 1:
        out.append(
            _finding(
                "VRRP-VERSION-MISMATCH",
                vr,
                routers,
                "VRRP versions differ: " + ", ".join(f"{r.address} v{_fmt(r.versions)}" for r in routers),
            )
        )
    if vr.delivery == "mixed":
        out.append(
            _finding(
                "VRRP-MIXED-DELIVERY",
                vr,
                routers,
                "seen both multicast and unicast: "
                + ", ".join(f"{r.address} {_fmt(r.deliveries)}" for r in routers)
                + " (each side ignores the other's adverts)",
            )
        )
    out += _asymmetry(vr, routers)
    owners = [r for r in routers if 255 in r.priorities]
    if len(owners) > 1:
        out.append(
            _finding(
                "VRRP-OWNER-CONFLICT",
                vr,
                owners,
                f"{' and '.join(r.address for r in owners)} both advertise priority 255 (address owner)",
            )
        )
    for r in owners:
        if r.address not in r.vips:
            out.append(
                _finding(
                    "VRRP-OWNER-MISMATCH",
                    vr,
                    [r],
                    f"{r.address} advertises priority 255 (address owner) but is not one of the VIPs "
                    f"[{' '.join(r.vips)}]",
                )
            )
    return out


def _asymmetry(vr: VirtualRouter, routers: list[RouterSummary]) -> list[Finding]:
    """A sends to B, but B (when master) does not send to A."""
    senders = {r.address: r for r in routers if r.unicast_peers}
    pairs = []
    for r in senders.values():
        for peer in r.unicast_peers:
            other = senders.get(peer)
            if other is not None and r.address not in other.unicast_peers:
                pairs.append((r, other))
    if not pairs:
        return []
    involved = {r.address: r for pair in pairs for r in pair}
    detail = "; ".join(
        f"{a.address} sends to {_fmt(a.unicast_peers)} but {b.address} sends to {_fmt(b.unicast_peers)}"
        for a, b in pairs
    )
    return [_finding("VRRP-UNICAST-ASYMMETRY", vr, involved.values(), f"unicast peers do not match: {detail}")]


def segment_findings(vrs: list[VirtualRouter]) -> list[Finding]:
    out: list[Finding] = []
    by_link: dict[tuple[str | None, tuple[int, ...], str], list[VirtualRouter]] = defaultdict(list)
    for vr in vrs:
        by_link[(vr.interface, vr.vlan, vr.family)].append(vr)
    for link_vrs in by_link.values():
        owners: dict[str, list[VirtualRouter]] = defaultdict(list)
        for vr in link_vrs:
            for vip in vr.vips:
                owners[vip].append(vr)
        for vip, holders in owners.items():
            if len(holders) > 1:
                routers = [r for vr in holders for r in vr.routers]
                out.append(
                    _finding(
                        "VRRP-VIP-CONFLICT",
                        None,
                        routers,
                        f"{vip} is announced by {len(holders)} virtual routers: " + ", ".join(vr.id for vr in holders),
                    )
                )
        # A VRRP VRID and a CARP vhid of one number are no collision of either (detectors/coexist.py).
        by_vrid: dict[tuple[str, int], list[VirtualRouter]] = defaultdict(list)
        for vr in link_vrs:
            if vr.delivery in ("multicast", "mixed"):
                by_vrid[(vr.protocol, vr.vrid)].append(vr)
        for (_, vrid), sharing in by_vrid.items():
            if len(sharing) > 1:
                routers = [r for vr in sharing for r in vr.routers]
                clusters = "; ".join(
                    f"{' '.join(r.address for r in vr.routers)} [{' '.join(vr.vips)}]" for vr in sharing
                )
                collision = _finding(
                    "VRRP-VRID-COLLISION",
                    None,
                    routers,
                    f"{sharing[0].number_name} {vrid} carries {len(sharing)} virtual routers with disjoint VIPs on one "
                    f"segment (not a split brain): {clusters}",
                )
                # Several virtual routers are concerned: name their common segment (ipv4/vrid51).
                out.append(replace(collision, vr=sharing[0].segment, vrid=vrid))
    return out


def consistency_findings(vrs: list[VirtualRouter]) -> list[Finding]:
    return [f for vr in vrs for f in virtual_router_findings(vr)] + segment_findings(vrs)


class Consistency(Detector):
    """What the routers of a virtual router (or of a segment) disagree on, from the summaries."""

    def report_findings(self, view: ReportView) -> list[Finding]:
        return consistency_findings(view.virtual_routers)


class CaptureDrops(Detector):
    """VRRP-CAPTURE-DROPS: an input that says it dropped packets."""

    def report_findings(self, view: ReportView) -> list[Finding]:
        return [
            Finding(
                "VRRP-CAPTURE-DROPS",
                Severity.WARNING,
                None,
                item.first_time,
                item.last_time,
                (),
                f"{item.path}: the capture dropped {item.capture_drops} packet(s): missed adverts may be the "
                "capture's fault",
                (),
            )
            for item in view.inputs
            if item.capture_drops
        ]
