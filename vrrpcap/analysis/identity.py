"""Who belongs together: the identity of a virtual router.

A VRID alone is not an identity. The guide's rule: capture interface + VLAN + address family + VRID
+ peer group, where unicast adverts group by the connected component of their source and destination
addresses, all multicast adverts of the VRID on the segment form one group, and a group holding both
is one virtual router in mixed mode. Within a group that has multicast adverts, routers announcing
disjoint VIP sets are two different virtual routers sharing the VRID (a VRID collision).

CARP (OpenBSD/FreeBSD, ucarp) shares IP protocol 112 and 224.0.0.18 with VRRP but is another
protocol: its vhid is a segment of its own (``carp51`` beside ``vrid51``), so CARP vhid 51 and VRRP
VRID 51 on one link are two virtual routers, never one with a collision inside.

Groups grow while a capture is read, so the union-find roots that place an advert change; the key a
virtual router gets at its first sighting (`VirtualRouterKey`) never does. Its id is built from
escaped parts, so no interface name can forge another virtual router's id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from vrrpcap.decode import Advert, Family

Protocol = Literal["vrrp", "carp"]

MULTICAST = "*multicast*"  # the node every multicast sender of a segment's VRID joins


def escape_part(text: str) -> str:
    """A path component of an id: '/' and '%' and control characters percent-encoded."""
    if text.isprintable() and "/" not in text and "%" not in text and " " not in text:
        return text
    return "".join(
        f"%{ord(c):02X}" if c in "/% " or not c.isprintable() else c for c in text.encode("utf-8", "replace").decode()
    )


class Segment(NamedTuple):
    """Where a VRID (or CARP vhid) is unique: one link (capture interface + VLAN stack), one address
    family and one protocol. ``vrid`` holds the vhid for CARP."""

    interface: str | None
    vlan: tuple[int, ...]
    family: Family
    vrid: int
    protocol: Protocol = "vrrp"

    def label(self) -> str:
        parts = [escape_part(self.interface)] if self.interface else []
        if self.vlan:
            parts.append("vlan" + ".".join(str(v) for v in self.vlan))
        parts += [self.family, f"{'carp' if self.protocol == 'carp' else 'vrid'}{self.vrid}"]
        return "/".join(parts)


def segment_of(a: Advert) -> Segment | None:
    """The segment an advert is placed in; None for what the engine does not place (ICMP quotes,
    malformed packets, a VRRP message without VRID or priority, a CARP message without vhid)."""
    if a.malformed or a.vrid is None:
        return None
    if a.kind == "advert":
        return None if a.priority is None else Segment(a.interface, a.vlan, a.family, a.vrid)
    if a.kind == "carp" and a.advskew is not None and a.interval:
        return Segment(a.interface, a.vlan, a.family, a.vrid, "carp")
    return None


def quoted_segment(a: Advert) -> Segment | None:
    """The segment of the advert an ICMP error quotes, when the quote is whole enough to name it."""
    if a.kind != "icmp-quote" or a.malformed or a.vrid is None or a.priority is None:
        return None
    return Segment(a.interface, a.vlan, a.family, a.vrid)


@dataclass(frozen=True, slots=True)
class VirtualRouterKey:
    """A virtual router's identity from its first sighting: its segment and how its group first looked.

    ``group`` is ``multicast`` for the first multicast cluster of a segment, ``multicast[VIP]`` for a
    later cluster sharing the VRID (a collision; VIP is the first address it announced) and
    ``A+B`` (sorted addresses) for a unicast advert from A to B."""

    segment: Segment
    group: str

    @property
    def id(self) -> str:
        return f"{self.segment.label()}/{self.group}"


class UnionFind:
    """Disjoint sets of hashable items, with path halving and union by size."""

    def __init__(self, changed: Callable[[], None] | None = None) -> None:
        self._changed = changed
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}
        self.generation = 0  # grows whenever membership changes: a cache key for derived placements
        self._absorbed: list[str] = []  # roots that stopped being roots since the last drain

    def __contains__(self, item: str) -> bool:
        return item in self._parent

    def add(self, item: str) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1
            self.generation += 1
            if self._changed is not None:
                self._changed()

    def find(self, item: str) -> str:
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> str:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return root_a
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]
        self.generation += 1
        self._absorbed.append(root_b)
        if self._changed is not None:
            self._changed()
        return root_a

    def drain_absorbed(self) -> list[str]:
        """The roots absorbed by unions since the last call."""
        out, self._absorbed = self._absorbed, []
        return out

    def groups(self) -> dict[str, list[str]]:
        """Every root with its members, in one pass."""
        out: dict[str, list[str]] = {}
        for item in list(self._parent):
            out.setdefault(self.find(item), []).append(item)
        return out


class SegmentGroups:
    """Peer groups and VIP clusters of one segment, grown advert by advert; ``changed`` is called
    whenever either changes."""

    def __init__(self, changed: Callable[[], None] | None = None) -> None:
        self.peers = UnionFind(changed)
        self.vips = UnionFind(changed)

    def place(self, src: str, dst: str, multicast: bool, addresses: tuple[str, ...]) -> tuple[str, str | None]:
        """Record an advert; returns its (peer group root, VIP cluster root or None)."""
        group = self.peers.union(src, MULTICAST if multicast else dst)
        for address in addresses[1:]:
            self.vips.union(addresses[0], address)
        return group, self.cluster_of(group, addresses)

    def cluster_of(self, group: str, addresses: tuple[str, ...]) -> str | None:
        if not addresses or not self.has_multicast(group):
            return None  # only multicast groups are split by VIP: unicast peers are configured pairs
        return self.vips.find(addresses[0])

    @property
    def generation(self) -> int:
        return self.peers.generation + self.vips.generation

    def has_multicast(self, group: str) -> bool:
        return MULTICAST in self.peers and self.peers.find(MULTICAST) == self.peers.find(group)

    def canonical(self, group: str, cluster: str | None) -> tuple[str, str | None]:
        """The current roots of a (group, cluster) pair recorded earlier."""
        root = self.peers.find(group)
        if cluster is None or not self.has_multicast(root):
            return root, None
        return root, self.vips.find(cluster)
