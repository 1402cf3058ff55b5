"""From working state to report values: virtual routers with routers, runs and failovers, and labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from vrrpcap.analysis.identity import Segment, SegmentGroups
from vrrpcap.analysis.options import ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import AUTH_TYPE_NAMES
from vrrpcap.report.model import Mastership, RouterSummary, VirtualRouterDelivery
from vrrpcap.report.model import VirtualRouter as VirtualRouterSummary


def numbered(auth_type: int | None, secret: bytes | None) -> bytes | None:
    """The secret a report numbers ('simple#1'): authentication data of a VRRPv2 advert other than none."""
    return None if secret is None or auth_type in (0, None) else secret


def number_secrets(first_seen: Mapping[bytes, float], start: int = 1) -> dict[bytes, int]:
    """Numbers for secrets in order of their first appearance (the bytes break a tie, never shown)."""
    ordered = sorted(first_seen, key=lambda secret: (first_seen[secret], secret))
    return {secret: number for number, secret in enumerate(ordered, start)}


def report_order(v: VirtualRouterSummary) -> tuple[object, ...]:
    """The order of the report's virtual routers: by link, family, VRID and id."""
    return (v.interface or "", v.vlan, v.family, v.vrid, v.id)


class Summarizer:
    """Builds the report's virtual routers. Keeps the numbering of secrets across snapshots, so a
    password is 'simple#1' in every report of a run without being shown; secrets new to a snapshot are
    numbered in order of first appearance, after those numbered before."""

    def __init__(self) -> None:
        self._secret_numbers: dict[bytes, int] = {}

    def preset(self, numbers: Mapping[bytes, int]) -> None:
        """Numbers decided elsewhere (a shard's summaries use the whole stream's)."""
        self._secret_numbers.update(numbers)

    def virtual_routers(
        self, vrs: list[VirtualRouter], groups: dict[Segment, SegmentGroups]
    ) -> list[VirtualRouterSummary]:
        self._number_new_secrets(r for vr in vrs for r in vr.routers.values())
        labels = _Labels(vrs, groups)
        out = [self._virtual_router(vr, labels.of(vr)) for vr in vrs if vr.routers]
        return sorted(out, key=report_order)

    def _number_new_secrets(self, routers: Iterable[Router]) -> None:
        first: dict[bytes, float] = {}
        for r in routers:
            for (auth_type, secret), seen in r.auth.items():
                key = numbered(auth_type, secret)
                if key is not None and key not in self._secret_numbers and seen < first.get(key, float("inf")):
                    first[key] = seen
        self._secret_numbers.update(number_secrets(first, len(self._secret_numbers) + 1))

    def _virtual_router(self, vr: VirtualRouter, label: str) -> VirtualRouterSummary:
        vid = vr.id
        segment = vr.key.segment
        routers = sorted(vr.routers.values(), key=lambda r: ip_key(r.address))
        runs = [m for r in routers for m in [*r.runs, *_open_run(r, vid)]]
        masters = sorted((m if m.vr == vid else replace(m, vr=vid) for m in runs), key=lambda m: m.start)
        failovers = tuple(f if f.vr == vid else replace(f, vr=vid) for f in vr.failovers)
        deliveries = {d for r in routers for d in r.deliveries}
        delivery: VirtualRouterDelivery = (
            "mixed" if len(deliveries) > 1 else "unicast" if deliveries == {"unicast"} else "multicast"
        )
        vips = sorted({v for r in routers for s in r.vip_sets for v in s}, key=ip_key)
        adverts = sum(r.adverts for r in routers)
        multicast = sum(r.multicast_adverts for r in routers)
        return VirtualRouterSummary(
            id=vid,
            label=label,
            segment=segment.label(),
            interface=segment.interface,
            vlan=segment.vlan,
            family=segment.family,
            vrid=segment.vrid,
            delivery=delivery,
            versions=tuple(sorted({v for r in routers for v in r.versions})),
            vips=tuple(vips),
            routers=tuple(self._router(r) for r in routers),
            masters=tuple(masters),
            failovers=failovers,
            adverts=adverts,
            multicast_adverts=multicast,
            unicast_adverts=adverts - multicast,
            first_seen=min(r.first_seen for r in routers),
            last_seen=max(r.last_seen for r in routers),
            protocol=segment.protocol,
        )

    def _router(self, r: Router) -> RouterSummary:
        return RouterSummary(
            address=r.address,
            macs=tuple(sorted(r.macs)),
            priorities=tuple(sorted(r.priorities)),
            intervals=tuple(sorted(r.intervals)),
            versions=tuple(sorted(r.versions)),
            deliveries=tuple(sorted(r.deliveries)),
            unicast_peers=tuple(sorted(r.unicast_peers, key=ip_key)),
            vips=tuple(sorted({v for s in r.vip_sets for v in s}, key=ip_key)),
            vip_sets=tuple(sorted(r.vip_sets)),
            auth=tuple(sorted(self._auth_label(kind, secret) for kind, secret in r.auth)),
            adverts=r.adverts,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            first_frame=r.first_frame,
            first_file=r.first_file,
            advskews=tuple(sorted(r.advskews)),
            advbases=tuple(sorted(r.advbases)),
            demotions=tuple(sorted(r.demotions)),
        )

    def _auth_label(self, auth_type: int | None, secret: bytes | None) -> str:
        """'simple#1', 'cisco-md5#2', 'none': secrets become numbers in order of appearance, so a
        report can say two routers use different passwords without printing either."""
        name = AUTH_TYPE_NAMES.get(auth_type, str(auth_type)) if auth_type is not None else "none"
        key = numbered(auth_type, secret)
        if key is None:
            return name
        number = self._secret_numbers.setdefault(key, len(self._secret_numbers) + 1)
        return f"{name}#{number}"


def _open_run(r: Router, vid: str) -> list[Mastership]:
    run = r.run
    return [] if run is None else [run.mastership(vid, r.address, False, "open")]


class _Labels:
    """Labels for people: a peer group's members as they ended up, 'mixed:' for a group with both
    deliveries, the lowest VIP of a cluster where clusters share a VRID."""

    def __init__(self, vrs: list[VirtualRouter], groups: dict[Segment, SegmentGroups]) -> None:
        self._groups = groups
        self._members: dict[Segment, dict[str, list[str]]] = {}
        self._multicast_senders: dict[Segment, set[str]] = {}
        self._clusters: dict[tuple[Segment, str], int] = {}
        for vr in vrs:
            if vr.roots[1] is not None:
                key = (vr.key.segment, vr.roots[0])
                self._clusters[key] = self._clusters.get(key, 0) + 1
            senders = self._multicast_senders.setdefault(vr.key.segment, set())
            senders.update(r.address for r in vr.routers.values() if "multicast" in r.deliveries)

    def _members_of(self, segment: Segment, root: str) -> list[str]:
        members = self._members.get(segment)
        if members is None:
            members = self._members[segment] = self._groups[segment].peers.groups()
        return sorted((m for m in members.get(root, []) if not m.startswith("*")), key=ip_key)

    def of(self, vr: VirtualRouter) -> str:
        segment = vr.key.segment
        group, cluster = vr.roots
        groups = self._groups[segment]
        members = self._members_of(segment, groups.peers.find(group))
        if groups.has_multicast(group):
            unicast = [m for m in members if m not in self._multicast_senders[segment]]
            label = "multicast" if not unicast else "mixed:" + "+".join(members)
            if self._clusters.get((segment, group), 0) > 1 and cluster is not None:
                vips = sorted(groups.vips.groups().get(groups.vips.find(cluster), []), key=ip_key)
                label += f"[{vips[0]}]"
        else:
            shown = members if len(members) <= 4 else [*members[:3], f"{len(members) - 3}more"]
            label = "+".join(shown)
        return f"{segment.label()}/{label}"
