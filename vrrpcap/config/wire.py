"""Configurations held against the wire (``audit --config``): which configured instance each virtual
router is, and where the wire and the configs disagree.

The matching rule, per configured instance (a :class:`~vrrpcap.config.peers.Member`):

1. candidates are the virtual routers of its address family and VRID;
2. a router address of its config (``unicast_src_ip``, or pinned with ``--config FILE=ADDRESS``) seen
   advertising in a candidate, or named there as a unicast destination, picks that candidate, and
   the router when it advertised;
3. otherwise a candidate whose VIPs overlap the instance's; otherwise the only candidate;
4. within the virtual router, a router not claimed by address is the instance's when every priority
   it advertised (0 aside) is reachable from the instance's priority and track weights and no other
   unclaimed instance of the virtual router could explain it.

More than one candidate left is ambiguous: no match, not a guess (and no VRRP-CONFIG-NOT-SEEN).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from vrrpcap.config.model import AnyConfig, KeepalivedConfig, VrrpInstance
from vrrpcap.config.peers import Member, members
from vrrpcap.config.priority import reachable_priorities
from vrrpcap.findings import Finding, Severity, SourceLine
from vrrpcap.report import Report
from vrrpcap.report.model import ConfiguredInstance, RouterSummary, VirtualRouter

_SEVERITY = {
    "VRRP-CONFIG-NOT-SEEN": Severity.WARNING,
    "VRRP-CONFIG-PRIORITY": Severity.WARNING,
    "VRRP-CONFIG-INTERVAL": Severity.ERROR,
    "VRRP-CONFIG-VIPS": Severity.WARNING,
    "VRRP-CONFIG-VERSION": Severity.ERROR,
    "VRRP-CONFIG-AUTH": Severity.ERROR,
    "VRRP-CONFIG-DELIVERY": Severity.ERROR,
    "VRRP-CONFIG-PEERS": Severity.WARNING,
}


@dataclass(frozen=True, slots=True)
class Match:
    member: Member
    vr: VirtualRouter | None
    router: RouterSummary | None
    ambiguous: bool = False


def _reachable(member: Member) -> dict[int, str]:
    """Priority -> how the config explains it."""
    inst = member.instance
    if isinstance(inst, VrrpInstance) and isinstance(member.config, KeepalivedConfig):
        return {r.priority: r.explanation for r in reachable_priorities(inst, member.config)}
    return {member.priority: str(member.priority)}


def _addresses(vr: VirtualRouter) -> set[str]:
    return {r.address for r in vr.routers} | {p for r in vr.routers for p in r.unicast_peers}


def _candidate(member: Member, vrs: Sequence[VirtualRouter]) -> tuple[VirtualRouter | None, bool]:
    mine = [vr for vr in vrs if vr.family == member.family and vr.vrid == member.vrid]
    for narrowed in (
        [vr for vr in mine if member.addresses & _addresses(vr)],
        [vr for vr in mine if member.vips & set(vr.vips)],
        mine,
    ):
        if len(narrowed) == 1:
            return narrowed[0], False
        if len(narrowed) > 1:
            return None, True
    return None, False


def match(configs: Sequence[AnyConfig], report: Report, addresses: Mapping[str, Sequence[str]] | None) -> list[Match]:
    everyone = members(configs, addresses)
    picked = {id(m): _candidate(m, report.virtual_routers) for m in everyone}
    routers: dict[int, RouterSummary] = {}
    for m in everyone:
        vr = picked[id(m)][0]
        if vr is not None:
            routers.update({id(m): r for r in vr.routers if r.address in m.addresses})
    for vr in report.virtual_routers:
        claimed = {r.address for m in everyone if (r := routers.get(id(m))) is not None}
        loose = [m for m in everyone if picked[id(m)][0] is vr and id(m) not in routers and not m.addresses]
        for router in vr.routers:
            if router.address in claimed:
                continue
            seen = {p for p in router.priorities if p}
            fits = [m for m in loose if seen and seen <= set(_reachable(m))]
            if len(fits) == 1 and id(fits[0]) not in routers:
                routers[id(fits[0])] = router
    return [Match(m, picked[id(m)][0], routers.get(id(m)), picked[id(m)][1]) for m in everyone]


def _finding(code: str, m: Match, field: str, message: str) -> Finding:
    where = m.member.where(field)
    return Finding(
        code=code,
        severity=_SEVERITY[code],
        vr=m.vr.id if m.vr else None,
        start=m.vr.first_seen if m.vr else None,
        end=m.vr.last_seen if m.vr else None,
        routers=(m.router.address,) if m.router else (),
        message=f"{m.member.name} ({where}): {message}",
        vrid=m.member.vrid,
        locations=(SourceLine(where.file, where.line),),
    )


def _auth_word(member: Member) -> str:
    if member.auth is None:
        return "none"
    return "ah" if member.auth.auth_type == "AH" else "simple"


def _checks(m: Match) -> list[Finding]:
    vr, router, member = m.vr, m.router, m.member
    if vr is None:
        return []
    out: list[Finding] = []
    where = f"router {router.address}" if router else "the wire"
    versions = set(router.versions if router else vr.versions)
    if versions and versions != {member.version}:
        text = "/".join(f"v{v}" for v in sorted(versions))
        out.append(_finding("VRRP-CONFIG-VERSION", m, "version", f"configured v{member.version}, {where} {text}"))
    intervals = set(router.intervals) if router else {i for r in vr.routers for i in r.intervals}
    if any(abs(i - member.interval) > 0.005 for i in intervals):
        text = ", ".join(f"{i:g} s" for i in sorted(intervals))
        out.append(_finding("VRRP-CONFIG-INTERVAL", m, "interval", f"configured {member.interval:g} s, {where} {text}"))
    seen_vips = set(router.vips) if router else set(vr.vips)
    if seen_vips and seen_vips != set(member.vips):
        missing, extra = sorted(set(member.vips) - seen_vips), sorted(seen_vips - set(member.vips))
        parts = [f"not on the wire: {', '.join(missing)}" if missing else "", f"not configured: {', '.join(extra)}"]
        text = "; ".join(p for p in parts if p and not p.endswith(": "))
        out.append(_finding("VRRP-CONFIG-VIPS", m, "vips", f"VIPs differ from {where}'s ({text})"))
    deliveries = set(router.deliveries) if router else ({"multicast", "unicast"} & {vr.delivery} or set())
    if vr.delivery == "mixed" and router is None:
        deliveries = {"multicast", "unicast"}
    if deliveries and deliveries != {member.delivery}:
        text = " and ".join(sorted(deliveries))
        out.append(_finding("VRRP-CONFIG-DELIVERY", m, "delivery", f"configured {member.delivery}, {where} {text}"))
    elif router is not None and member.delivery == "unicast" and set(router.unicast_peers) != set(member.peers):
        missing = sorted(set(member.peers) - set(router.unicast_peers))
        extra = sorted(set(router.unicast_peers) - set(member.peers))
        parts = [f"configured, not sent to: {', '.join(missing)}" if missing else ""]
        parts.append(f"sent to, not configured: {', '.join(extra)}" if extra else "")
        text = "; ".join(p for p in parts if p)
        out.append(
            _finding("VRRP-CONFIG-PEERS", m, "delivery", f"unicast destinations differ from unicast_peer ({text})")
        )
    if router is not None:
        kinds = {a.split("#")[0] for a in router.auth}
        if member.version == 2 and kinds and kinds != {_auth_word(member)}:
            text = "/".join(sorted(kinds))
            message = f"configured authentication {_auth_word(member)}, {where} {text} (passwords never shown)"
            out.append(_finding("VRRP-CONFIG-AUTH", m, "auth", message))
        reachable = _reachable(member)
        wrong = [p for p in router.priorities if p and p not in reachable]
        if wrong:
            can = ", ".join(str(p) for p in sorted(reachable, reverse=True))
            message = (
                f"{where} advertised priority {', '.join(map(str, wrong))}, which its config cannot reach "
                f"(reachable: {can})"
            )
            out.append(_finding("VRRP-CONFIG-PRIORITY", m, "priority", message))
    return out


def held_against(
    report: Report, configs: Sequence[AnyConfig], addresses: Mapping[str, Sequence[str]] | None = None
) -> Report:
    """``report`` with each virtual router named by its configured instances, and the config
    findings: the static ones (config/findings.py) and the wire-versus-config ones."""
    from vrrpcap.config.findings import static_findings

    matches = match(configs, report, addresses)
    findings = static_findings(configs, addresses=addresses)
    named: dict[str, list[ConfiguredInstance]] = {}
    for m in matches:
        if m.vr is None:
            if not m.ambiguous:
                findings.append(
                    _finding(
                        "VRRP-CONFIG-NOT-SEEN",
                        m,
                        "vrid",
                        f"VRID {m.member.vrid} ({m.member.family}) is configured, but no advert of it is on the wire",
                    )
                )
            continue
        loc = m.member.instance.location
        named.setdefault(m.vr.id, []).append(
            ConfiguredInstance(m.member.name, loc.file, loc.line, m.router.address if m.router else None)
        )
        findings += _checks(m)
    vrs = [replace(vr, instances=tuple(named.get(vr.id, ()))) for vr in report.virtual_routers]
    return replace(report, virtual_routers=vrs, findings=[*report.findings, *findings])
