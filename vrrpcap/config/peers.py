"""Which configured instances are peers of one virtual router, across configuration files.

Each configuration file is one router. Two instances in different files with the same address
family and VRID are peers when

* one lists an address of the other's router in ``unicast_peer`` (a router's addresses are the
  ``unicast_src_ip`` values of its configuration, plus any the caller knows), or
* their VIP sets overlap (a VIP lives on one segment, so sharing one means sharing the virtual
  router, whatever the interface is called on each side, and whether or not the delivery or the
  peer lists agree: that is what the lint then checks), or
* neither has a VIP and both are on an interface of the same name.

Multicast instances with one VRID on an interface of the same name (the best proxy for "one
segment" a configuration offers) and disjoint VIP sets are two clusters sharing a VRID: a
collision (see :func:`collisions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vrrpcap.config.model import (
    AnyConfig,
    Authentication,
    Delivery,
    Family,
    FrrConfig,
    FrrVrrpInstance,
    KeepalivedConfig,
    Location,
    VrrpInstance,
)

KEEPALIVED_KEYWORDS = {
    "interval": "advert_int",
    "vips": "virtual_ipaddress",
    "version": "version",
    "auth": "authentication",
    "delivery": "unicast_peer",
    "priority": "priority",
    "vrid": "virtual_router_id",
    "track": "track_script",
    "state": "state",
    "nopreempt": "nopreempt",
}


@dataclass(frozen=True, slots=True)
class Member:
    """One configured virtual router of one router, as the lint compares it."""

    config: KeepalivedConfig | FrrConfig
    instance: VrrpInstance | FrrVrrpInstance
    family: Family
    vrid: int
    interface: str | None
    version: int
    interval: float  # seconds
    vips: frozenset[str]
    delivery: Delivery
    peers: tuple[str, ...]
    addresses: frozenset[str]  # known addresses of this member's router
    priority: int
    auth: Authentication | None

    @property
    def path(self) -> str:
        return self.config.path

    @property
    def name(self) -> str:
        return self.instance.name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.path})"

    def where(self, field: str) -> Location:
        if isinstance(self.instance, VrrpInstance):
            return self.instance.where(KEEPALIVED_KEYWORDS.get(field, field))
        vrid = self.instance.vrid
        keyword = {
            "interval": f"vrrp {vrid} advertisement-interval",
            "vips": f"vrrp {vrid} {'ipv6' if self.family == 'ipv6' else 'ip'}",
            "priority": f"vrrp {vrid} priority",
        }.get(field, f"vrrp {vrid}")
        return self.instance.where(keyword)


def members(configs: Iterable[AnyConfig], addresses: Mapping[str, Sequence[str]] | None = None) -> list[Member]:
    out: list[Member] = []
    for config in configs:
        known = set((addresses or {}).get(config.path, ()))
        if isinstance(config, KeepalivedConfig):
            known |= {inst.unicast_src_ip for inst in config.instances if inst.unicast_src_ip}
            out += [_keepalived(config, inst, frozenset(known)) for inst in config.instances if inst.virtual_router_id]
        else:
            for vr in config.instances:
                out += _frr(config, vr, frozenset(known))
    return out


def _keepalived(config: KeepalivedConfig, inst: VrrpInstance, known: frozenset[str]) -> Member:
    return Member(
        config=config,
        instance=inst,
        family=inst.family,
        vrid=inst.virtual_router_id or 0,
        interface=inst.interface,
        version=inst.version,
        interval=inst.advert_int,
        vips=frozenset(inst.vips),
        delivery=inst.delivery,
        peers=inst.peer_addresses,
        addresses=known,
        priority=inst.priority,
        auth=inst.authentication,
    )


def _frr(config: FrrConfig, vr: FrrVrrpInstance, known: frozenset[str]) -> list[Member]:
    out = []
    for family, vips in (("ipv4", vr.ipv4), ("ipv6", vr.ipv6)):
        if not vips:
            continue
        out.append(
            Member(
                config=config,
                instance=vr,
                family="ipv6" if family == "ipv6" else "ipv4",
                vrid=vr.vrid,
                interface=vr.interface,
                version=vr.version,
                interval=vr.advertisement_interval_ms / 1000,
                vips=frozenset(vips),
                delivery="multicast",
                peers=(),
                addresses=known,
                priority=vr.priority,
                auth=None,
            )
        )
    return out


def _connected(a: Member, b: Member) -> bool:
    if a.path == b.path:
        return False
    if set(a.peers) & b.addresses or set(b.peers) & a.addresses or a.vips & b.vips:
        return True
    return not a.vips and not b.vips and a.interface is not None and a.interface == b.interface


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def peer_groups(all_members: Sequence[Member]) -> list[list[Member]]:
    """Connected components of the peer relation with more than one router."""
    groups: list[list[Member]] = []
    by_key: dict[tuple[str, int], list[Member]] = {}
    for member in all_members:
        by_key.setdefault((member.family, member.vrid), []).append(member)
    for candidates in by_key.values():
        parent = list(range(len(candidates)))
        for i, a in enumerate(candidates):
            for j in range(i + 1, len(candidates)):
                if _connected(a, candidates[j]):
                    parent[_find(parent, i)] = _find(parent, j)
        components: dict[int, list[Member]] = {}
        for i, member in enumerate(candidates):
            components.setdefault(_find(parent, i), []).append(member)
        groups += [group for group in components.values() if len({m.path for m in group}) > 1]
    return groups


def collisions(all_members: Sequence[Member]) -> list[list[list[Member]]]:
    """Sets of clusters (each a list of members) that share a VRID multicast on one interface
    name with disjoint VIPs."""
    out: list[list[list[Member]]] = []
    segments: dict[tuple[str, int, str], list[Member]] = {}
    for member in all_members:
        if member.delivery == "multicast" and member.interface is not None and member.vips:
            segments.setdefault((member.family, member.vrid, member.interface), []).append(member)
    for candidates in segments.values():
        clusters: list[list[Member]] = []
        for member in candidates:
            touching = [c for c in clusters if any(member.vips & other.vips for other in c)]
            merged = [member] + [m for c in touching for m in c]
            clusters = [c for c in clusters if c not in touching] + [merged]
        if len(clusters) > 1:
            ordered = [sorted(c, key=lambda m: m.path) for c in clusters]
            out.append(sorted(ordered, key=lambda c: c[0].path))
    return out
