"""The streaming analyzer: adverts in, events out, a report at the end.

Fed one advert at a time in time order (a capture file or a live interface alike). State is kept per
router and per virtual router, so memory grows with the number of routers, mastership changes and
findings, never with the number of packets. Events (mastership start/end, failovers, the first
sighting of a finding) are returned as soon as they are certain; `finish()` builds the report.

The rules come from ../shared/VRRP-GUIDE.md; docs/findings.md explains every code.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from vrrpcap.decode import AUTH_TYPE_NAMES, Advert
from vrrpcap.findings import CODES, MAX_EVIDENCE, Finding, Severity
from vrrpcap.identity import Segment, SegmentGroups, UnionFind
from vrrpcap.model import (
    Event,
    Failover,
    FailoverEvent,
    FindingEvent,
    MasterEnded,
    Mastership,
    MasterStarted,
    RouterSummary,
    VirtualRouter,
)


@dataclass(frozen=True, slots=True)
class Options:
    settle_intervals: float = 3.0  # overlap longer than this many intervals is a split brain
    missed_factor: float = 1.5  # a gap longer than this many intervals misses adverts
    flap_window: float = 60.0  # seconds
    flap_changes: int = 3  # more master changes than this within the window is flapping


def master_down_interval(version: int | None, priority: int, interval: float) -> float:
    """RFC 3768/5798: 3 * interval + skew; the skew depends on the router's own priority."""
    skew = (256 - priority) * interval / 256 if version == 3 else (256 - priority) / 256
    return 3 * interval + skew


@lru_cache(maxsize=65536)
def _ip_key(address: str) -> tuple[int, ...]:
    """Sort key for 'the higher primary IP address wins' (IPv4 dotted or IPv6). Cached: parsing an
    address costs microseconds, and the same few addresses come back with every advert."""
    import ipaddress

    return (int(ipaddress.ip_address(address)),)


@dataclass
class _Evidence:
    """Occurrences of one finding: counted without bound, frames kept up to MAX_EVIDENCE."""

    first: float
    last: float
    count: int = 0
    frames: list[int] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def add(self, time: float, frame: int) -> None:
        self.count += 1
        self.last = max(self.last, time)
        self.first = min(self.first, time)
        if len(self.frames) < MAX_EVIDENCE:
            self.frames.append(frame)


@dataclass
class _Run:
    """An open mastership interval."""

    start: float
    last: float
    start_observed: bool
    first_frame: int
    last_frame: int
    adverts: int = 1
    priority_min: int = 255
    priority_max: int = 0

    def mastership(self, vr: str, router: str, end_observed: bool, end_cause: str) -> Mastership:
        return Mastership(
            vr,
            router,
            self.start,
            self.last,
            self.start_observed,
            end_observed,
            end_cause,
            self.adverts,
            self.priority_min,
            self.priority_max,
            self.first_frame,
            self.last_frame,
        )


@dataclass
class _Router:
    segment: Segment
    address: str
    vr_key: tuple[Segment, str, str | None]
    macs: set[str] = field(default_factory=set)
    priorities: set[int] = field(default_factory=set)
    intervals: set[float] = field(default_factory=set)
    versions: set[int] = field(default_factory=set)
    deliveries: set[str] = field(default_factory=set)
    unicast_peers: set[str] = field(default_factory=set)
    vip_sets: set[tuple[str, ...]] = field(default_factory=set)
    auth: set[tuple[int | None, bytes | None]] = field(default_factory=set)
    adverts: int = 0
    multicast_adverts: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    first_frame: int = 0
    last_priority: int | None = None
    version: int | None = None
    interval: float = 1.0
    run: _Run | None = None
    runs: list[Mastership] = field(default_factory=list)
    last_end: float | None = None  # end of the latest closed run
    last_end_cause: str | None = None
    per_peer_last: dict[str, float] = field(default_factory=dict)  # gap tracking per destination
    deadline: float = 0.0  # run.last + mdi as of the latest push (always current while run is open)
    generation: int = 0  # bumped by every advert of this router that takes the full path

    @property
    def mdi(self) -> float:
        return master_down_interval(self.version, self.last_priority or 100, self.interval)

    def rank(self) -> tuple[int, tuple[int, ...]]:
        return (self.last_priority or 0, _ip_key(self.address))


@dataclass
class _Overlap:
    start: float
    last: float
    routers: set[str]
    frames: list[int]
    reported: bool = False


@dataclass
class _VirtualRouter:
    key: tuple[Segment, str, str | None]
    routers: dict[str, _Router] = field(default_factory=dict)
    failovers: list[Failover] = field(default_factory=list)
    overlap: _Overlap | None = None
    split_brains: list[_Overlap] = field(default_factory=list)
    change_times: deque[float] = field(default_factory=deque)
    flapping: _Evidence | None = None
    ties: _Evidence | None = None
    last_master: str | None = None
    outages: _Evidence | None = None  # gaps longer than Master_Down_Interval with no takeover


class Analyzer:
    """Feed adverts in time order; collect events; call finish() for the report."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self.capture_start: float | None = None
        self.now: float | None = None
        self._groups: dict[Segment, SegmentGroups] = {}
        self._routers: dict[tuple[Segment, str], _Router] = {}
        self._vrs: dict[tuple[Segment, str, str | None], _VirtualRouter] = {}
        self._deadlines: list[tuple[float, int, _Router]] = []
        # The repeat fast path (see feed): per advert content, the router that sent it as its latest
        # advert, its virtual router, the router's generation then, and its Master_Down_Interval.
        self._repeats: dict[tuple[Any, ...], tuple[_Router, _VirtualRouter, int, UnionFind, UnionFind, int, int, float]]
        self._repeats = {}
        self.fast_repeats = True  # False: every advert takes the full path (the reference, for tests)
        self._sequence = 0
        self._evidence: dict[tuple[str, str | None, str], _Evidence] = {}
        self._announced: set[tuple[str, str | None, str]] = set()
        self._unreachable: dict[tuple[Segment, str, str], _Evidence] = {}
        self._malformed: dict[str, _Evidence] = {}
        self._carp = 0
        self._generations: dict[Segment, int] = {}
        self._secret_numbers: dict[bytes, int] = {}
        self._names: dict[tuple[Segment, str, str | None], str] = {}

    # -- input --------------------------------------------------------------------------------------
    def feed(self, advert: Advert) -> list[Event]:
        events: list[Event] = []
        t = advert.time
        if self.capture_start is None:
            self.capture_start = t
        self.now = t if self.now is None else max(self.now, t)
        if self._deadlines and self._deadlines[0][0] < t:  # the test _expire starts with
            events += self._expire(t)
        # Fast path: a router repeating its latest advert (same content, only the time and frame differ)
        # while its mastership run is open changes nothing but counters, the run and the deadlines. The
        # key holds every field the checks below read; what else must be unchanged is checked here.
        key: tuple[Any, ...] | None = (
            advert.src,
            advert.dst,
            advert.interface,
            advert.vlan,
            advert.family,
            advert.vrid,
            advert.priority,
            advert.addresses,
            advert.src_mac,
            advert.interval,
            advert.version,
            advert.auth_type,
            advert.auth_secret,
            advert.ttl,
            advert.checksum,
            advert.kind,
            advert.malformed,
            advert.delivery,
        )
        try:
            repeat = self._repeats.get(key) if self.fast_repeats and key is not None else None
        except TypeError:  # a field that cannot be hashed (a list where a tuple belongs): no fast path
            key = repeat = None
        if repeat is not None:
            r, vr, generation, peers, vips, peers_generation, vips_generation, mdi = repeat
            run = r.run
            if (
                r.generation == generation
                and run is not None
                and peers.generation == peers_generation
                and vips.generation == vips_generation
                and self._vrs.get(r.vr_key) is vr
                and vr.routers.get(r.address) is r
            ):
                # _check_advert and _timeline for a repeat; see _repeatable for why only this changes.
                r.adverts += 1
                r.last_seen = t
                if advert.delivery == "multicast":
                    r.multicast_adverts += 1
                if self._names.get(vr.key) is None:
                    self.vr_id(vr)
                dst = advert.dst
                previous = r.per_peer_last.get(dst)
                if previous is not None and t - previous > r.interval * self.options.missed_factor:
                    self._gap(vr, r, advert, events)
                run.last, run.last_frame = t, advert.frame
                run.adverts += 1
                r.per_peer_last[dst] = t
                self._sequence += 1
                r.deadline = t + mdi  # run.last + r.mdi: version, priority and interval are unchanged
                heapq.heappush(self._deadlines, (r.deadline, self._sequence, r))
                if len(vr.routers) > 1 or vr.overlap is not None:  # else _overlap finds < 2 active: no-op
                    self._overlap(vr, advert, events)
                return events
        if advert.kind == "carp":
            self._carp += 1
            return events
        if advert.malformed or advert.vrid is None or advert.priority is None:
            if advert.kind != "icmp-quote":
                self._note_malformed(advert, events)
            return events
        segment = Segment(advert.interface, advert.vlan, advert.family, advert.vrid)
        if advert.kind == "icmp-quote":
            self._note_unreachable(segment, advert, events)
            return events
        vr, router = self._place(segment, advert, events)
        router.generation += 1
        self._check_advert(vr, router, advert, events)
        self._timeline(vr, router, advert, events)
        if key is not None and router.run is not None and self._repeatable(advert):
            if len(self._repeats) >= 65536:
                self._repeats.clear()
            groups = self._groups[segment]
            self._repeats[key] = (
                router,
                self._vrs[router.vr_key],
                router.generation,
                groups.peers,
                groups.vips,
                groups.peers.generation,
                groups.vips.generation,
                router.mdi,
            )
        return events

    @staticmethod
    def _repeatable(a: Advert) -> bool:
        """An advert whose repeats take feed's fast path: none of them raises a per-advert finding.

        Why the fast path gives what the full path would, for an advert equal in every field feed reads
        (the key) to its router's latest advert, which took the full path, and with the router's run
        still open: _place finds the same virtual router (the peer groups and VIP clusters have not
        changed: their generations match; the router has not moved) and changes nothing; _check_advert
        changes only the counters (every set already holds these values; interval and version are the
        same; vr_id is called as there; no per-advert check fires, by this test); in _timeline the
        priority is non-zero and unchanged, the run is open, so its priority range already holds it,
        and the gap check, the run's end, the deadline and the overlap are done as there.
        """
        if a.kind != "advert" or not a.priority or a.ttl != 255 or a.auth_type == 1:
            return False
        if a.checksum in ("bad", "v2-style", "old-unicast"):
            return False
        mac = a.src_mac or ""
        vmac_prefix = "00:00:5e:00:01:" if a.family == "ipv4" else "00:00:5e:00:02:"
        return not (mac.startswith(vmac_prefix) and int(mac[-2:], 16) != a.vrid)

    def tick(self, now: float) -> list[Event]:
        """Time passes without adverts (live capture): close runs whose master went silent."""
        self.now = now if self.now is None else max(self.now, now)
        return self._expire(now)

    # -- identity -----------------------------------------------------------------------------------
    def _place(self, segment: Segment, a: Advert, events: list[Event]) -> tuple[_VirtualRouter, _Router]:
        groups = self._groups.setdefault(segment, SegmentGroups())
        group, cluster = groups.place(a.src, a.dst, a.delivery == "multicast", a.addresses)
        key = (segment, group, cluster)
        router = self._routers.get((segment, a.src))
        if router is None:
            router = self._routers[(segment, a.src)] = _Router(
                segment, a.src, key, first_seen=a.time, first_frame=a.frame
            )
        if groups.generation != self._generations.get(segment):
            self._generations[segment] = groups.generation
            self._rekey(segment, groups)
        vr = self._vr(key)
        if router.vr_key != key or a.src not in vr.routers:
            old = self._vrs.get(router.vr_key)
            if old is not None and old is not vr:
                old.routers.pop(a.src, None)
                if not old.routers:  # else the router moved (its VIPs changed) and the rest stays
                    self._merge(old, vr)
            vr.routers[a.src] = router
            router.vr_key = key
            self._check_collision(segment, vr, a, events)
        return vr, router

    def _rekey(self, segment: Segment, groups: SegmentGroups) -> None:
        """Peer groups or VIP clusters were joined: virtual routers now under one key become one."""
        self._names.clear()
        for key in [k for k in self._vrs if k[0] == segment]:
            canonical = (segment, *groups.canonical(key[1], key[2]))
            if canonical == key or key not in self._vrs:
                continue
            target = self._vrs.get(canonical)
            if target is None:
                vr = self._vrs.pop(key)
                vr.key = canonical
                self._vrs[canonical] = vr
                for router in vr.routers.values():
                    router.vr_key = canonical
            else:
                self._merge(self._vrs[key], target)

    def _vr(self, key: tuple[Segment, str, str | None]) -> _VirtualRouter:
        vr = self._vrs.get(key)
        if vr is None:
            vr = self._vrs[key] = _VirtualRouter(key)
            self._names.clear()  # a sibling may now need a VIP suffix
        return vr

    def _merge(self, old: _VirtualRouter, into: _VirtualRouter) -> None:
        for address, router in old.routers.items():
            into.routers[address] = router
            router.vr_key = into.key
        into.failovers = sorted(into.failovers + old.failovers, key=lambda f: f.time)
        into.split_brains += old.split_brains
        del self._vrs[old.key]
        self._names.clear()

    def vr_id(self, vr: _VirtualRouter) -> str:
        """A stable, readable name: segment/family/vrid/peer group (cached until groups change)."""
        name = self._names.get(vr.key)
        if name is None:
            name = self._names[vr.key] = self._name(vr)
        return name

    def _name(self, vr: _VirtualRouter) -> str:
        segment, group, cluster = vr.key
        groups = self._groups[segment]
        members = sorted(
            (m for m in groups.peers.members(groups.group_of(group)) if not m.startswith("*")), key=_ip_key
        )
        if groups.has_multicast(group):
            unicast = [m for m in members if m not in self._multicast_senders(segment)]
            label = "multicast" if not unicast else "mixed:" + "+".join(members)
            clusters = {k[2] for k in self._vrs if k[0] == segment and k[1] == vr.key[1]}
            if len(clusters) > 1 and cluster is not None:
                vips = sorted(groups.vips.members(groups.vips.find(cluster)), key=_ip_key)
                label += f"[{vips[0]}]"
        else:
            shown = members if len(members) <= 4 else [*members[:3], f"{len(members) - 3}more"]
            label = "+".join(shown)
        return f"{segment.label()}/{label}"

    def _multicast_senders(self, segment: Segment) -> set[str]:
        return {
            address
            for (seg, address), router in self._routers.items()
            if seg == segment and "multicast" in router.deliveries
        }

    # -- per-advert checks ----------------------------------------------------------------------------
    def _evidence_for(
        self, code: str, vr: str | None, subject: str, a: Advert, events: list[Event], message: str
    ) -> _Evidence:
        key = (code, vr, subject)
        evidence = self._evidence.get(key)
        if evidence is None:
            evidence = self._evidence[key] = _Evidence(a.time, a.time)
            evidence.detail["message"] = message
        evidence.add(a.time, a.frame)
        if key not in self._announced:
            self._announced.add(key)
            events.append(FindingEvent(self._finding(code, vr, (subject,), evidence)))
        return evidence

    def _finding(
        self,
        code: str,
        vr: str | None,
        routers: tuple[str, ...],
        evidence: _Evidence,
        severity: Severity | None = None,
        message: str | None = None,
    ) -> Finding:
        return Finding(
            code=code,
            severity=severity or CODES[code].severity,
            vr=vr,
            start=evidence.first,
            end=evidence.last,
            routers=routers,
            message=message or str(evidence.detail.get("message", CODES[code].title)),
            frames=tuple(evidence.frames),
            count=evidence.count,
        )

    def _check_advert(self, vr: _VirtualRouter, r: _Router, a: Advert, events: list[Event]) -> None:
        r.adverts += 1
        r.last_seen = a.time
        if a.delivery == "multicast":
            r.multicast_adverts += 1
        else:
            r.unicast_peers.add(a.dst)
        if a.src_mac:
            r.macs.add(a.src_mac)
        r.priorities.add(a.priority or 0)
        if a.interval:
            r.intervals.add(a.interval)
            r.interval = a.interval
        if a.version is not None:
            r.versions.add(a.version)
            r.version = a.version
        r.deliveries.add(a.delivery)
        r.vip_sets.add(tuple(sorted(a.addresses, key=_ip_key)))
        if a.version == 2:
            r.auth.add((a.auth_type, a.auth_secret))
        vid = self.vr_id(vr)
        if a.ttl != 255:
            how = "unicast " if a.delivery == "unicast" else ""
            self._evidence_for(
                "VRRP-BAD-TTL",
                vid,
                a.src,
                a,
                events,
                f"{a.src} sends {how}adverts with TTL/hop limit {a.ttl}, not 255: receivers "
                "discard them (crossed a router, forged, or keepalived unicast_ttl)",
            )
        if a.checksum == "bad":
            self._evidence_for(
                "VRRP-BAD-CHECKSUM",
                vid,
                a.src,
                a,
                events,
                f"{a.src} sends adverts whose checksum matches no variant",
            )
        elif a.checksum in ("v2-style", "old-unicast"):
            how = (
                "without the pseudo-header (Cisco, keepalived v3_checksum_as_v2)"
                if a.checksum == "v2-style"
                else "with 224.0.0.18 in the pseudo-header (keepalived <= 1.3.6)"
            )
            self._evidence_for(
                "VRRP-CHECKSUM-VARIANT", vid, a.src, a, events, f"{a.src} computes the VRRPv3 checksum {how}"
            )
        if a.auth_type == 1:
            self._evidence_for(
                "VRRP-CLEARTEXT-PASSWORD",
                vid,
                a.src,
                a,
                events,
                f"{a.src} sends a simple-text password (<redacted>) in every advert",
            )
        mac = a.src_mac or ""
        vmac_prefix = "00:00:5e:00:01:" if a.family == "ipv4" else "00:00:5e:00:02:"
        if mac.startswith(vmac_prefix) and int(mac[-2:], 16) != a.vrid:
            self._evidence_for(
                "VRRP-VMAC-MISMATCH",
                vid,
                a.src,
                a,
                events,
                f"{a.src} sends from virtual MAC {mac} (VRID {int(mac[-2:], 16)}) adverts for VRID {a.vrid}",
            )

    def _note_malformed(self, a: Advert, events: list[Event]) -> None:
        subject = a.src
        evidence = self._malformed.get(subject)
        if evidence is None:
            evidence = self._malformed[subject] = _Evidence(a.time, a.time)
            evidence.detail["reasons"] = {}
            events.append(
                FindingEvent(
                    Finding(
                        "VRRP-MALFORMED",
                        Severity.ERROR,
                        None,
                        a.time,
                        a.time,
                        (a.src,),
                        f"malformed VRRP packet from {a.src}: {a.malformed}",
                        (a.frame,),
                    )
                )
            )
        evidence.add(a.time, a.frame)
        reasons: dict[str, int] = evidence.detail["reasons"]
        reason = a.malformed or "incomplete header"
        reasons[reason] = reasons.get(reason, 0) + 1
        if a.vrid is not None:
            evidence.detail.setdefault("vrids", set()).add(a.vrid)

    def _note_unreachable(self, segment: Segment, a: Advert, events: list[Event]) -> None:
        peer = a.icmp_from or a.dst
        key = (segment, a.src, peer)
        evidence = self._unreachable.get(key)
        if evidence is None:
            evidence = self._unreachable[key] = _Evidence(a.time, a.time)
            events.append(
                FindingEvent(
                    Finding(
                        "VRRP-PEER-UNREACHABLE",
                        Severity.WARNING,
                        segment.label(),
                        a.time,
                        a.time,
                        (a.src, peer),
                        f"{peer} answers {a.src}'s unicast adverts with ICMP errors: its VRRP is not listening",
                        (a.frame,),
                    )
                )
            )
        evidence.add(a.time, a.frame)
        evidence.detail["icmp"] = (a.icmp_type, a.icmp_code)

    def _check_collision(self, segment: Segment, vr: _VirtualRouter, a: Advert, events: list[Event]) -> None:
        siblings = [k for k in self._vrs if k[0] == segment and k[1] == vr.key[1] and k[2] != vr.key[2]]
        if siblings and vr.key[2] is not None:
            key = ("VRRP-VRID-COLLISION", segment.label(), "")
            if key not in self._announced:
                self._announced.add(key)
                events.append(
                    FindingEvent(
                        Finding(
                            "VRRP-VRID-COLLISION",
                            Severity.ERROR,
                            segment.label(),
                            a.time,
                            a.time,
                            (a.src,),
                            f"VRID {segment.vrid} on {segment.label()} carries adverts with disjoint VIP sets",
                            (a.frame,),
                        )
                    )
                )

    # -- timeline -----------------------------------------------------------------------------------
    def _push_deadline(self, r: _Router) -> None:
        if r.run is None:
            return
        self._sequence += 1
        r.deadline = r.run.last + r.mdi
        heapq.heappush(self._deadlines, (r.deadline, self._sequence, r))

    def _expire(self, now: float) -> list[Event]:
        """Close every run whose master has been silent for longer than its Master_Down_Interval."""
        events: list[Event] = []
        while self._deadlines and self._deadlines[0][0] < now:
            deadline, _, router = heapq.heappop(self._deadlines)
            # router.deadline is run.last + mdi: every change of either is followed by a push or a close.
            if router.run is None or router.deadline != deadline:
                continue  # superseded by a later advert
            events += self._close(router, self._silence_cause(router, deadline), observed=True)
        return events

    def _silence_cause(self, r: _Router, t: float) -> str:
        """A master that falls silent while a better one advertises yielded to it; otherwise it went down."""
        vr = self._vrs[r.vr_key]
        others = self._active(vr, t, but=r.address)
        return "yielded" if any(o.rank() > r.rank() for o in others) else "silence"

    def _close(self, r: _Router, cause: str, observed: bool) -> list[Event]:
        run = r.run
        assert run is not None
        vr = self._vrs[r.vr_key]
        vid = self.vr_id(vr)
        r.runs.append(run.mastership(vid, r.address, observed, cause))
        r.run = None
        r.last_end = run.last
        r.last_end_cause = cause
        r.per_peer_last.clear()
        return [MasterEnded(vid, r.address, run.last, cause, r.segment.vrid, r.last_priority)]

    def _active(self, vr: _VirtualRouter, t: float, but: str | None = None) -> list[_Router]:
        """Routers advertising as master at t: an open run whose next advert is not yet overdue."""
        factor = self.options.missed_factor
        return [
            r
            for r in vr.routers.values()
            if r.address != but and r.run is not None and t - r.run.last <= r.interval * factor
        ]

    def _timeline(self, vr: _VirtualRouter, r: _Router, a: Advert, events: list[Event]) -> None:
        t, priority = a.time, a.priority or 0
        previous_priority = r.last_priority
        if priority and previous_priority and priority != previous_priority:
            self._evidence_for(
                "VRRP-PRIORITY-CHANGE",
                self.vr_id(vr),
                r.address,
                a,
                events,
                f"{r.address} changed its advertised priority ({previous_priority} -> {priority}): "
                "a tracked script or interface with a weight",
            )
        if priority:
            r.last_priority = priority
        if r.run is None and priority == 0 and r.last_end is not None:
            pass  # keepalived repeats its priority-0 advert: the resignation is already recorded
        elif r.run is None:
            events += self._start_run(vr, r, a)
        else:
            self._gap(vr, r, a, events)
            run = r.run
            run.last, run.last_frame = t, a.frame
            run.adverts += 1
        if r.run is not None:
            run = r.run
            run.priority_min = min(run.priority_min, priority)
            run.priority_max = max(run.priority_max, priority)
            r.per_peer_last[a.dst] = t
        if priority == 0:
            self._evidence_for(
                "VRRP-PRIORITY-ZERO",
                self.vr_id(vr),
                r.address,
                a,
                events,
                f"{r.address} resigned as master (priority 0): shutdown, stop or FAULT",
            )
            if r.run is not None:
                events += self._close(r, "priority-0", observed=True)
        else:
            self._push_deadline(r)
        self._overlap(vr, a, events)

    def _start_run(self, vr: _VirtualRouter, r: _Router, a: Advert) -> list[Event]:
        t = a.time
        start = self.capture_start if self.capture_start is not None else t
        observed = t - start > r.interval * self.options.missed_factor
        r.run = _Run(t, t, observed, a.frame, a.frame)
        vid = self.vr_id(vr)
        events: list[Event] = [MasterStarted(vid, r.address, t, a.priority or 0, a.frame, r.segment.vrid)]
        if not a.priority:
            return events
        active = self._active(vr, t, but=r.address)
        if active:
            top = max(active, key=_Router.rank)
            if r.rank() > top.rank():
                # The old master stops at once when it hears a higher priority (the guide: preempted).
                events += self._failover(vr, top, r, a, "preempted", t - top.run.last if top.run else None)
            return events
        previous = self._previous_master(vr, r)
        if previous is None:
            if vr.last_master == r.address and r.last_end is not None:
                self._outage(vr, r, r.last_end, t, a)
            vr.last_master = r.address
            return events
        if previous.run is not None:  # went silent, but its Master_Down_Interval has not run out yet
            events += self._close(previous, "silence", observed=True)
        cause = previous.last_end_cause if previous.last_end_cause == "priority-0" else "silence"
        takeover = t - previous.last_end if previous.last_end is not None else None
        events += self._failover(vr, previous, r, a, cause, takeover)
        return events

    def _previous_master(self, vr: _VirtualRouter, r: _Router) -> _Router | None:
        """The router whose mastership ended last before r's, if it is not r itself."""
        latest: _Router | None = None
        latest_time = r.last_end if r.last_end is not None else float("-inf")
        for other in vr.routers.values():
            if other is r:
                continue
            end = other.run.last if other.run is not None else other.last_end
            if end is not None and end > latest_time:
                latest, latest_time = other, end
        return latest

    def _failover(
        self, vr: _VirtualRouter, old: _Router, new: _Router, a: Advert, cause: str, takeover: float | None
    ) -> list[Event]:
        vid = self.vr_id(vr)
        failover = Failover(
            vid,
            a.time,
            old.address,
            new.address,
            cause,
            takeover,
            old.last_priority,
            a.priority or 0,
            a.frame,
        )
        vr.failovers.append(failover)
        vr.last_master = new.address
        events: list[Event] = [FailoverEvent(failover)]
        latency = "" if takeover is None else f" after {takeover:.2f} s"
        evidence = self._evidence_for(
            "VRRP-FAILOVER",
            vid,
            f"{old.address}>{new.address}",
            a,
            events,
            f"master changed from {old.address} to {new.address} ({cause}){latency}",
        )
        evidence.detail.setdefault("failovers", []).append(failover)
        self._flapping(vr, a, events)
        return events

    def _flapping(self, vr: _VirtualRouter, a: Advert, events: list[Event]) -> None:
        window = self.options.flap_window
        vr.change_times.append(a.time)
        while vr.change_times and a.time - vr.change_times[0] > window:
            vr.change_times.popleft()
        if len(vr.change_times) > self.options.flap_changes:
            self._evidence_for(
                "VRRP-FLAPPING",
                self.vr_id(vr),
                "",
                a,
                events,
                f"master changed more than {self.options.flap_changes} times in {window:g} s",
            )

    def _outage(self, vr: _VirtualRouter, r: _Router, silent_from: float, t: float, a: Advert) -> None:
        evidence = vr.outages
        if evidence is None:
            evidence = vr.outages = _Evidence(silent_from, t)
        evidence.add(t, a.frame)
        evidence.first = min(evidence.first, silent_from)
        evidence.detail.setdefault("gaps", []).append((silent_from, t, r.address))

    def _gap(self, vr: _VirtualRouter, r: _Router, a: Advert, events: list[Event]) -> None:
        previous = r.per_peer_last.get(a.dst)
        if previous is None:
            return
        gap = a.time - previous
        if gap <= r.interval * self.options.missed_factor:
            return
        key = ("VRRP-MISSED-ADVERTS", self.vr_id(vr), r.address)
        evidence = self._evidence.get(key)
        if evidence is None:
            evidence = self._evidence[key] = _Evidence(previous, a.time)
            evidence.detail.update(missed=0, longest=0.0)
        evidence.add(a.time, a.frame)
        evidence.first = min(evidence.first, previous)
        evidence.detail["missed"] += max(1, round(gap / r.interval) - 1)
        evidence.detail["longest"] = max(evidence.detail["longest"], gap)
        if key not in self._announced:
            self._announced.add(key)
            events.append(FindingEvent(self._missed_finding(key, evidence, r)))

    def _missed_finding(self, key: tuple[str, str | None, str], evidence: _Evidence, r: _Router) -> Finding:
        missed, longest = evidence.detail["missed"], evidence.detail["longest"]
        return self._finding(
            "VRRP-MISSED-ADVERTS",
            key[1],
            (r.address,),
            evidence,
            message=f"{r.address} missed about {missed} advert(s) while master, in {evidence.count} gap(s); "
            f"longest gap {longest:.2f} s (interval {r.interval:g} s)",
        )

    def _overlap(self, vr: _VirtualRouter, a: Advert, events: list[Event]) -> None:
        t = a.time
        active = self._active(vr, t)
        episode = vr.overlap
        if len(active) < 2:
            if episode is not None:
                vr.overlap = None
                if episode.reported:
                    vr.split_brains.append(episode)
            return
        if episode is None:
            episode = vr.overlap = _Overlap(t, t, set(), [])
        # The overlap lasts as long as at least two of them have advertised: up to the second-latest advert.
        episode.last = sorted(r.run.last for r in active if r.run is not None)[-2]
        episode.routers |= {r.address for r in active}
        if len(episode.frames) < MAX_EVIDENCE:
            episode.frames.append(a.frame)
        priorities = [r.last_priority for r in active]
        if len(set(priorities)) < len(priorities):
            vid = self.vr_id(vr)
            if vr.ties is None:
                vr.ties = _Evidence(t, t)
                events.append(
                    FindingEvent(
                        Finding(
                            "VRRP-PRIORITY-TIE",
                            Severity.WARNING,
                            vid,
                            t,
                            t,
                            tuple(sorted(episode.routers, key=_ip_key)),
                            "routers with equal priority compete for master (decided by the higher IP address)",
                            (a.frame,),
                        )
                    )
                )
            vr.ties.add(t, a.frame)
            vr.ties.detail.setdefault("routers", set()).update(episode.routers)
        settle = self.options.settle_intervals * max(r.interval for r in active)
        if not episode.reported and episode.last - episode.start > settle:
            episode.reported = True
            events.append(FindingEvent(self._split_brain_finding(vr, episode)))

    # -- the report ---------------------------------------------------------------------------------
    def _split_brain_finding(self, vr: _VirtualRouter, episode: _Overlap) -> Finding:
        routers = tuple(sorted(episode.routers, key=_ip_key))
        members = [vr.routers[a] for a in routers if a in vr.routers]
        why = []
        intervals = {r.interval for r in members}
        if len(intervals) > 1:
            why.append(
                "their advert intervals differ ("
                + " vs ".join(f"{i:g} s" for i in sorted(intervals))
                + "), so each drops the other's adverts"
            )
        deliveries = {d for r in members for d in r.deliveries}
        if len(deliveries) > 1:
            why.append("one side sends multicast and the other unicast, so neither hears the other")
        versions = {v for r in members for v in r.versions}
        if len(versions) > 1:
            why.append("they speak different VRRP versions")
        reason = ("; " + "; ".join(why)) if why else ": they do not hear each other"
        return Finding(
            "VRRP-SPLIT-BRAIN",
            Severity.ERROR,
            self.vr_id(vr),
            episode.start,
            episode.last,
            routers,
            f"{' and '.join(routers)} were master at the same time for {episode.last - episode.start:.1f} s" + reason,
            tuple(episode.frames),
        )

    def finish(self, inputs: list[dict[str, Any]] | None = None) -> Report:
        """Close what is still open at the capture's end and build the final report."""
        ends = [i["last_time"] for i in inputs or [] if i.get("last_time") is not None]
        end = max(ends) if ends else self.now
        if end is not None:
            self._expire(end)
        decisions = []
        for router in self._routers.values():
            run = router.run
            if run is None:
                continue
            if end is not None and end - run.last > router.interval * self.options.missed_factor:
                # Silent at the end, though for less than its Master_Down_Interval: it stopped.
                decisions.append((router, self._silence_cause(router, end), True))
            else:
                decisions.append((router, "capture-end", False))
        for router, cause, observed in decisions:  # decide all first: a close changes who is active
            self._close(router, cause, observed)
        for vr in self._vrs.values():
            if vr.overlap is not None and vr.overlap.reported:
                vr.split_brains.append(vr.overlap)
            vr.overlap = None
        return self.snapshot(inputs)

    def snapshot(self, inputs: list[dict[str, Any]] | None = None) -> Report:
        """The report as it stands, without ending anything: open runs appear with end_observed false."""
        virtual_routers = sorted(
            (self._summarize(vr) for vr in self._vrs.values()),
            key=lambda v: (v.interface or "", v.vlan, v.family, v.vrid, v.id),
        )
        findings = self._findings(virtual_routers, inputs or [])
        return Report(inputs or [], virtual_routers, findings, self.options, self._carp)

    def _open_run(self, r: _Router, vid: str) -> list[Mastership]:
        run = r.run
        if run is None:
            return []
        return [run.mastership(vid, r.address, False, "open")]

    def _summarize(self, vr: _VirtualRouter) -> VirtualRouter:
        vid = self.vr_id(vr)
        segment = vr.key[0]
        routers = sorted(vr.routers.values(), key=lambda r: _ip_key(r.address))
        runs = [m for r in routers for m in [*r.runs, *self._open_run(r, vid)]]
        masters = sorted((m if m.vr == vid else replace(m, vr=vid) for m in runs), key=lambda m: m.start)
        failovers = tuple(f if f.vr == vid else replace(f, vr=vid) for f in vr.failovers)
        deliveries = {d for r in routers for d in r.deliveries}
        delivery = "mixed" if len(deliveries) > 1 else next(iter(deliveries), "multicast")
        vips = sorted({v for r in routers for s in r.vip_sets for v in s}, key=_ip_key)
        adverts = sum(r.adverts for r in routers)
        multicast = sum(r.multicast_adverts for r in routers)
        return VirtualRouter(
            id=vid,
            interface=segment.interface,
            vlan=segment.vlan,
            family=segment.family,
            vrid=segment.vrid,
            delivery=delivery,
            versions=tuple(sorted({v for r in routers for v in r.versions})),
            vips=tuple(vips),
            routers=tuple(self._router_summary(r) for r in routers),
            masters=tuple(masters),
            failovers=failovers,
            adverts=adverts,
            multicast_adverts=multicast,
            unicast_adverts=adverts - multicast,
            first_seen=min(r.first_seen for r in routers),
            last_seen=max(r.last_seen for r in routers),
        )

    def _router_summary(self, r: _Router) -> RouterSummary:
        return RouterSummary(
            address=r.address,
            macs=tuple(sorted(r.macs)),
            priorities=tuple(sorted(r.priorities)),
            intervals=tuple(sorted(r.intervals)),
            versions=tuple(sorted(r.versions)),
            deliveries=tuple(sorted(r.deliveries)),
            unicast_peers=tuple(sorted(r.unicast_peers, key=_ip_key)),
            vips=tuple(sorted({v for s in r.vip_sets for v in s}, key=_ip_key)),
            vip_sets=tuple(sorted(r.vip_sets)),
            auth=tuple(sorted(self._auth_label(kind, secret) for kind, secret in r.auth)),
            adverts=r.adverts,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            first_frame=r.first_frame,
        )

    def _auth_label(self, auth_type: int | None, secret: bytes | None) -> str:
        """'simple#1', 'cisco-md5#2', 'none': secrets become numbers in order of appearance, so a
        report can say two routers use different passwords without printing either."""
        name = AUTH_TYPE_NAMES.get(auth_type, str(auth_type)) if auth_type is not None else "none"
        if secret is None or auth_type in (0, None):
            return name
        number = self._secret_numbers.setdefault(secret, len(self._secret_numbers) + 1)
        return f"{name}#{number}"

    def _findings(self, vrs: list[VirtualRouter], inputs: list[dict[str, Any]]) -> list[Finding]:
        from vrrpcap.consistency import consistency_findings

        findings: list[Finding] = []
        by_id = {v.id: v for v in vrs}
        for (code, vid, subject), evidence in self._evidence.items():
            if code == "VRRP-MISSED-ADVERTS":
                router = next(
                    (
                        r
                        for r in self._routers.values()
                        if r.address == subject and self.vr_id(self._vrs[r.vr_key]) == vid
                    ),
                    None,
                )
                if router is not None:
                    findings.append(self._missed_finding((code, vid, subject), evidence, router))
                continue
            if code == "VRRP-FAILOVER":
                for f in evidence.detail.get("failovers", []):
                    latency = "" if f.takeover_s is None else f", takeover {f.takeover_s:.2f} s"
                    findings.append(
                        Finding(
                            code,
                            Severity.INFO,
                            vid,
                            f.time,
                            f.time,
                            (f.from_router or "", f.to_router),
                            f"master changed from {f.from_router} to {f.to_router} ({f.cause}{latency})",
                            (f.frame,),
                        )
                    )
                continue
            routers: tuple[str, ...] = (subject,) if subject else ()
            if code == "VRRP-FLAPPING":
                routers = tuple(sorted({r.address for r in by_id[vid].routers}, key=_ip_key)) if vid in by_id else ()
            findings.append(self._finding(code, vid, routers, evidence))
        for vr in self._vrs.values():
            vid = self.vr_id(vr)
            episodes = vr.split_brains + ([vr.overlap] if vr.overlap is not None and vr.overlap.reported else [])
            findings += [self._split_brain_finding(vr, e) for e in episodes]
            if vr.ties is not None:
                routers = tuple(sorted(vr.ties.detail.get("routers", set()), key=_ip_key))
                findings.append(
                    self._finding(
                        "VRRP-PRIORITY-TIE",
                        vid,
                        routers,
                        vr.ties,
                        message=f"{' and '.join(routers)} competed for master with equal priority "
                        "(decided by the higher IP address)",
                    )
                )
            if vr.outages is not None:
                gaps = vr.outages.detail["gaps"]
                longest = max(end - start for start, end, _ in gaps)
                findings.append(
                    self._finding(
                        "VRRP-MISSED-ADVERTS",
                        vid,
                        tuple(sorted({g[2] for g in gaps}, key=_ip_key)),
                        vr.outages,
                        severity=Severity.ERROR,
                        message=f"no master for {longest:.1f} s: the master went silent for longer than its "
                        f"Master_Down_Interval and no backup took over ({len(gaps)} time(s))",
                    )
                )
        for (segment, src, peer), evidence in self._unreachable.items():
            router = self._routers.get((segment, src))
            vid = self.vr_id(self._vrs[router.vr_key]) if router is not None else segment.label()
            icmp_type, icmp_code = evidence.detail["icmp"]
            findings.append(
                self._finding(
                    "VRRP-PEER-UNREACHABLE",
                    vid,
                    (src, peer),
                    evidence,
                    message=f"{peer} answered {evidence.count} unicast advert(s) of {src} with ICMP type {icmp_type} "
                    f"code {icmp_code}: no VRRP listener there (keepalived down?)",
                )
            )
        for src, evidence in self._malformed.items():
            reasons = evidence.detail["reasons"]
            text = "; ".join(f"{why} (x{n})" for why, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:3])
            findings.append(
                self._finding(
                    "VRRP-MALFORMED",
                    None,
                    (src,),
                    evidence,
                    message=f"{evidence.count} malformed VRRP packet(s) from {src}: {text}",
                )
            )
        findings += consistency_findings(vrs)
        for item in inputs:
            drops = item.get("capture_drops")
            if drops:
                findings.append(
                    Finding(
                        "VRRP-CAPTURE-DROPS",
                        Severity.WARNING,
                        None,
                        item.get("first_time"),
                        item.get("last_time"),
                        (),
                        f"{item['path']}: the capture dropped {drops} packet(s): missed adverts may be the capture's "
                        "fault",
                        (),
                    )
                )
        return sorted(findings, key=lambda f: (-f.severity, f.start or 0.0, f.code))


from vrrpcap.report import Report  # noqa: E402  (the report imports the model, not the analyzer)
