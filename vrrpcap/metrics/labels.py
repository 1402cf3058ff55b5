"""The label sets that identify a virtual router, a router and a segment, escaped once and kept.

A virtual router is more than its VRID: ``interface``, ``vlan`` (the tag stack, ``100`` or
``100.200``; absent when untagged), ``family``, ``vrid`` and ``group`` (its peer group as vrrpcap's id
ends: ``multicast``, or ``192.0.2.1+192.0.2.2`` for a unicast pair) tell it apart; ``vrrp_instance``
and ``vrrp_sync_group`` name it as keepalived's configuration does when a `NameLookup` is given (the
hook `--config` fills). Labels with an empty value are left out, as Prometheus would drop them.

The strings are built when a virtual router is first exported and kept, so a scrape formats numbers,
not labels; with a lookup they are looked at again when the virtual router gains routers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vrrpcap.analysis.identity import Segment
from vrrpcap.analysis.options import ip_key
from vrrpcap.analysis.state import Router, VirtualRouter
from vrrpcap.decode import Family
from vrrpcap.metrics.templates import RouterLines, VirtualRouterLines


@dataclass(frozen=True, slots=True)
class VirtualRouterFacts:
    """What the wire says about a virtual router: what a configuration is matched against."""

    interface: str | None
    vlan: tuple[int, ...]
    family: Family
    vrid: int
    routers: tuple[str, ...]  # addresses, sorted
    vips: tuple[str, ...]  # every address any of its routers announced, sorted


@dataclass(frozen=True, slots=True)
class ConfiguredName:
    """How keepalived's configuration names a virtual router."""

    instance: str  # its vrrp_instance
    sync_group: str = ""  # the vrrp_sync_group holding that instance, if any


NameLookup = Callable[[VirtualRouterFacts], ConfiguredName | None]


def escape(value: str) -> str:
    """A label value as both text formats want it: backslash, double quote and newline escaped."""
    if "\\" in value or '"' in value or "\n" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value


def render(pairs: Sequence[tuple[str, str]]) -> str:
    """``name="value",...`` for the non-empty values, in the given order."""
    return ",".join(f'{name}="{escape(value)}"' for name, value in pairs if value)


def segment_pairs(segment: Segment) -> list[tuple[str, str]]:
    return [
        ("interface", segment.interface or ""),
        ("vlan", ".".join(str(v) for v in segment.vlan)),
        ("family", segment.family),
        ("vrid", str(segment.vrid)),
        # CARP vhid N and VRRP VRID N on one link are two virtual routers: VRRP series keep their labels.
        ("protocol", "carp" if segment.protocol == "carp" else ""),
    ]


def facts(vr: VirtualRouter) -> VirtualRouterFacts:
    segment = vr.key.segment
    vips = {vip for r in vr.routers.values() for vips in r.vip_sets for vip in vips}
    return VirtualRouterFacts(
        segment.interface,
        segment.vlan,
        segment.family,
        segment.vrid,
        tuple(sorted(vr.routers, key=ip_key)),
        tuple(sorted(vips, key=ip_key)),
    )


class Labels:
    """The escaped labels of every virtual router, router and segment seen, as line templates kept
    per object (templates.py)."""

    def __init__(self, names: NameLookup | None = None) -> None:
        self._names = names
        self._vrs: dict[VirtualRouter, tuple[int, VirtualRouterLines]] = {}
        self._routers: dict[Router, tuple[str, RouterLines]] = {}  # made for that virtual router's labels
        self._segments: dict[Segment, str] = {}

    def segment(self, segment: Segment) -> str:
        text = self._segments.get(segment)
        if text is None:
            text = self._segments[segment] = render(segment_pairs(segment))
        return text

    def virtual_router(self, vr: VirtualRouter) -> VirtualRouterLines:
        known = self._vrs.get(vr)
        size = len(vr.routers)
        if known is not None and (known[0] == size or self._names is None):
            return known[1]
        pairs = [*segment_pairs(vr.key.segment), ("group", vr.key.group)]
        name = self._names(facts(vr)) if self._names is not None else None
        if name is not None:
            pairs += [("vrrp_instance", name.instance), ("vrrp_sync_group", name.sync_group)]
        text = render(pairs)
        lines = known[1] if known is not None and known[1].labels == text else VirtualRouterLines.make(text, vr.id)
        self._vrs[vr] = (size, lines)
        return lines

    def router(self, vr: VirtualRouterLines, router: Router) -> RouterLines:
        known = self._routers.get(router)
        if known is not None and known[0] == vr.labels:
            return known[1]
        lines = RouterLines.make(vr.labels, f'{vr.labels},router="{escape(router.address)}"')
        self._routers[router] = (vr.labels, lines)
        return lines
