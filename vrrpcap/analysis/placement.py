"""Placing adverts: which router sent it, which virtual router it belongs to (vrrpcap/analysis/identity.py).

A virtual router is found by the union-find roots of its peer group and VIP cluster. Roots change as
adverts join groups; only the virtual routers under a root that stopped being one are looked at again,
so the cost per advert does not grow with the number of virtual routers on a segment. Two virtual
routers that end up under one pair of roots merge: the older keeps its id, and the merge is told.
"""

from __future__ import annotations

from collections.abc import Callable

from vrrpcap.analysis.identity import Segment, SegmentGroups, VirtualRouterKey
from vrrpcap.analysis.options import ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Advert

Merged = Callable[[VirtualRouter, VirtualRouter], None]  # (absorbed, survivor), after the merge

# Bounds that keep a flood of spoofed sources from stalling the engine (docs/reliability.md): a VRRP
# virtual router has a handful of routers; what is beyond these is counted, not analysed.
MAX_ROUTERS_PER_SEGMENT = 4096  # per link, family and VRID (hundreds of unicast pairs may share one)
MAX_ROUTERS_PER_VIRTUAL_ROUTER = 255


class SegmentIndex:
    """The virtual routers of one segment by their roots.

    ``version`` grows whenever a placement on the segment may come out differently (groups joined,
    virtual routers created, merged or moved): the engine's cache key for placements."""

    def __init__(self) -> None:
        self.version = 0
        self.groups = SegmentGroups(self._changed)
        self.by_roots: dict[tuple[str, str | None], VirtualRouter] = {}
        self.under: dict[str, set[VirtualRouter]] = {}  # group or cluster root -> virtual routers
        self.generation = 0  # groups.generation when by_roots was last made current
        self.clusters = 0  # multicast clusters seen: the second one on a VRID is a collision
        self.routers = 0  # routers tracked on the segment
        self.groups_named: set[str] = set()  # ids are never reused within a run, even after a merge
        self.created = 0  # virtual routers made on this segment: a reused group name gets '#<this + 1>'

    def _changed(self) -> None:
        self.version += 1

    def index(self, vr: VirtualRouter) -> None:
        self.version += 1
        self.by_roots[vr.roots] = vr
        group, cluster = vr.roots
        self.under.setdefault(group, set()).add(vr)
        if cluster is not None:
            self.under.setdefault(cluster, set()).add(vr)

    def unindex(self, vr: VirtualRouter) -> None:
        if self.by_roots.get(vr.roots) is vr:
            del self.by_roots[vr.roots]
        for root in vr.roots:
            if root is not None:
                members = self.under.get(root)
                if members is not None:
                    members.discard(vr)
                    if not members:
                        del self.under[root]


class Placement:
    def __init__(self, merged: Merged) -> None:
        self._segments: dict[Segment, SegmentIndex] = {}
        self.routers: dict[tuple[Segment, str], Router] = {}
        self.virtual_routers: list[VirtualRouter] = []  # live ones, in order of first sighting
        self._serial = 0
        self._merged = merged

    def index(self, segment: Segment) -> SegmentIndex:
        return self._segments[segment]

    def version(self, segment: Segment) -> int | None:
        """The segment index's version (None: nothing placed on it yet)."""
        index = self._segments.get(segment)
        return None if index is None else index.version

    def groups(self, segment: Segment) -> SegmentGroups:
        return self._segments[segment].groups

    def place(self, segment: Segment, a: Advert) -> tuple[VirtualRouter, Router, bool] | None:
        """The advert's virtual router and router; True when the router joined that virtual router now.
        None: a new router beyond the bounds above, not analysed."""
        index = self._segments.get(segment)
        if index is None:
            index = self._segments[segment] = SegmentIndex()
        router = self.routers.get((segment, a.src))
        if router is None and index.routers >= MAX_ROUTERS_PER_SEGMENT:
            return None
        multicast = a.delivery == "multicast"
        roots = index.groups.place(a.src, a.dst, multicast, a.addresses)
        if index.groups.generation != index.generation:
            self._rekey(index)
        vr = index.by_roots.get(roots)
        if router is None and vr is not None and len(vr.routers) >= MAX_ROUTERS_PER_VIRTUAL_ROUTER:
            return None
        if router is None:
            router = self.routers[(segment, a.src)] = Router(segment, a.src, a.time, a.frame, a.file)
            index.routers += 1
        if vr is None:
            vr = self._new(index, segment, roots, a)
        if router.home is vr:
            return vr, router, False
        old = router.home
        if old is not None:
            del old.routers[a.src]
            old.changes += 1
            if router.run is not None:
                old.open_runs -= 1
                vr.open_runs += 1
            if not old.routers:  # else the router moved (its VIPs changed) and the rest stays
                vr = self._merge(index, old, vr)
        vr.routers[a.src] = router
        vr.changes += 1
        router.home = vr
        return vr, router, True

    def _new(self, index: SegmentIndex, segment: Segment, roots: tuple[str, str | None], a: Advert) -> VirtualRouter:
        if a.delivery == "multicast" or roots[1] is not None:
            index.clusters += 1
            first = a.addresses[0] if a.addresses else "-"
            group = "multicast" if index.clusters == 1 else f"multicast[{first}]"
        else:
            group = "+".join(sorted({a.src, a.dst}, key=ip_key))
        if group in index.groups_named:
            # Numbered within the segment, so an id never depends on other segments (a sharded audit
            # sees one segment's adverts without the others').
            group += f"#{index.created + 1}"
        index.groups_named.add(group)
        index.created += 1
        self._serial += 1
        vr = VirtualRouter(VirtualRouterKey(segment, group), self._serial, roots)
        index.index(vr)
        self.virtual_routers.append(vr)
        return vr

    def _rekey(self, index: SegmentIndex) -> None:
        """Groups were joined: look again at the virtual routers under roots that are roots no more."""
        groups = index.groups
        index.generation = groups.generation
        stale = groups.peers.drain_absorbed() + groups.vips.drain_absorbed()
        affected = {vr for root in stale for vr in index.under.get(root, ())}
        for vr in sorted(affected, key=lambda v: v.serial):
            if vr not in index.under.get(vr.roots[0], ()):
                continue  # merged away while this loop ran
            canonical = groups.canonical(*vr.roots)
            if canonical == vr.roots:
                continue
            target = index.by_roots.get(canonical)
            index.unindex(vr)
            if target is None or target is vr:
                vr.roots = canonical
                index.index(vr)
            else:
                self._merge(index, vr, target)

    def _merge(self, index: SegmentIndex, a: VirtualRouter, b: VirtualRouter) -> VirtualRouter:
        """Make one virtual router of two; the older keeps its id and takes the other's place."""
        survivor, absorbed = (a, b) if a.serial < b.serial else (b, a)
        place = b.roots  # b is the one under the current roots
        index.unindex(a)
        index.unindex(b)
        for address, router in absorbed.routers.items():
            survivor.routers[address] = router
            router.home = survivor
        absorbed.routers.clear()
        survivor.changes += 1
        absorbed.changes += 1
        absorbed.successor = survivor
        survivor.open_runs += absorbed.open_runs
        absorbed.open_runs = 0
        survivor.failovers = sorted(survivor.failovers + absorbed.failovers, key=lambda f: f.time)
        survivor.merged += [absorbed.id, *absorbed.merged]
        if survivor.last_master is None:
            survivor.last_master = absorbed.last_master
        survivor.roots = place
        index.index(survivor)
        self.virtual_routers.remove(absorbed)
        self._merged(absorbed, survivor)
        return survivor
