"""Who belongs together: the identity of a virtual router.

A VRID alone is not an identity. The guide's rule: capture interface + VLAN + address family + VRID
+ peer group, where unicast adverts group by the connected component of their source and destination
addresses, all multicast adverts of the VRID on the segment form one group, and a group holding both
is one virtual router in mixed mode. Within a group that has multicast adverts, routers announcing
disjoint VIP sets are two different virtual routers sharing the VRID (a VRID collision).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

MULTICAST = "*multicast*"  # the node every multicast sender of a segment's VRID joins


class Segment(NamedTuple):
    """Where a VRID is unique: one link (capture interface + VLAN stack) and one address family."""

    interface: str | None
    vlan: tuple[int, ...]
    family: str
    vrid: int

    def label(self) -> str:
        parts = [self.interface] if self.interface else []
        if self.vlan:
            parts.append("vlan" + ".".join(str(v) for v in self.vlan))
        parts += [self.family, f"vrid{self.vrid}"]
        return "/".join(parts)


class UnionFind:
    """Disjoint sets of hashable items, with path halving and union by size."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._size: dict[str, int] = {}
        self.generation = 0  # grows whenever membership changes: a cache key for derived names

    def __contains__(self, item: str) -> bool:
        return item in self._parent

    def add(self, item: str) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1
            self.generation += 1

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
        return root_a

    def members(self, root: str) -> list[str]:
        return [item for item in self._parent if self.find(item) == root]


@dataclass
class SegmentGroups:
    """Peer groups and VIP clusters of one segment, grown advert by advert."""

    peers: UnionFind = field(default_factory=UnionFind)
    vips: UnionFind = field(default_factory=UnionFind)

    def place(self, src: str, dst: str, multicast: bool, addresses: tuple[str, ...]) -> tuple[str, str | None]:
        """Record an advert; returns its (peer group root, VIP cluster root or None)."""
        group = self.peers.union(src, MULTICAST if multicast else dst)
        for address in addresses[1:]:
            self.vips.union(addresses[0], address)
        return group, self.cluster_of(group, addresses)

    def cluster_of(self, group: str, addresses: tuple[str, ...]) -> str | None:
        if not addresses or self.peers.find(MULTICAST) != self.peers.find(group):
            return None  # only multicast groups are split by VIP: unicast peers are configured pairs
        return self.vips.find(addresses[0])

    @property
    def generation(self) -> int:
        return self.peers.generation + self.vips.generation

    def group_of(self, address: str) -> str:
        return self.peers.find(address)

    def has_multicast(self, group: str) -> bool:
        return MULTICAST in self.peers and self.peers.find(MULTICAST) == self.peers.find(group)

    def canonical(self, group: str, cluster: str | None) -> tuple[str, str | None]:
        """The current roots of a (group, cluster) pair recorded earlier."""
        root = self.peers.find(group)
        if cluster is None or not self.has_multicast(root):
            return root, None
        return root, self.vips.find(cluster)
