"""The engine's working state: routers, their open mastership runs, virtual routers.

Mutable and private to the analysis package; the report is built from it as frozen values
(vrrpcap/analysis/summary.py). Memory grows with routers and runs, never with packets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vrrpcap.analysis.identity import Segment, VirtualRouterKey
from vrrpcap.analysis.options import carp_master_down_interval, carp_order, ip_key, master_down_interval
from vrrpcap.decode import Advert
from vrrpcap.report.model import EndCause, Failover, Mastership

MAX_PRIORITY_STEPS = 8  # priorities a run keeps in order; past that the middle ones are counted, not kept


@dataclass(slots=True)
class Run:
    """An open mastership interval."""

    start: float
    last: float
    start_observed: bool
    first_frame: int
    last_frame: int
    adverts: int = 1
    priority_min: int = 255
    priority_max: int = 0
    priorities: list[int] = field(default_factory=list)  # as advertised, in order of change
    priorities_elided: int = 0  # changes left out of `priorities` (its first ones and the latest are kept)

    def priority(self, value: int) -> None:
        """An advert's priority: noted when it differs from the one before (bounded)."""
        steps = self.priorities
        if steps and steps[-1] == value:
            return
        if len(steps) < MAX_PRIORITY_STEPS:
            steps.append(value)
        else:
            self.priorities_elided += 1
            steps[-1] = value
        if value < self.priority_min:
            self.priority_min = value
        if value > self.priority_max:
            self.priority_max = value

    def mastership(self, vr: str, router: str, end_observed: bool, end_cause: EndCause) -> Mastership:
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
            tuple(self.priorities),
            self.priorities_elided,
        )


@dataclass(slots=True, eq=False)
class Router:
    """One sender of one segment: what it announced and its mastership runs."""

    segment: Segment
    address: str
    first_seen: float
    first_frame: int
    first_file: str = ""  # the input its first advert came from (with first_frame: evidence)
    macs: set[str] = field(default_factory=set)
    priorities: set[int] = field(default_factory=set)
    intervals: set[float] = field(default_factory=set)
    versions: set[int] = field(default_factory=set)
    deliveries: set[str] = field(default_factory=set)
    unicast_peers: set[str] = field(default_factory=set)
    vip_sets: set[tuple[str, ...]] = field(default_factory=set)
    # (auth type, secret) -> the time of the router's first advert carrying it: secrets are numbered
    # in order of appearance (summary.py), whatever order the virtual routers are summarized in.
    auth: dict[tuple[int | None, bytes | None], float] = field(default_factory=dict)
    adverts: int = 0
    multicast_adverts: int = 0
    last_seen: float = 0.0
    last_priority: int | None = None
    version: int | None = None
    interval: float = 1.0
    run: Run | None = None
    runs: list[Mastership] = field(default_factory=list)
    last_end: float | None = None  # end of the latest closed run
    last_end_cause: EndCause | None = None
    per_peer_last: dict[str, float] = field(default_factory=dict)  # the latest advert per destination
    deadline: float = 0.0  # run.last + Master_Down_Interval: when its open run ends if nothing comes
    armed: float | None = None  # the time of its live entry in the deadline heap (never later than deadline)
    profile: object = None  # the content of the latest advert whose fields the sets above hold
    home: VirtualRouter | None = None  # the virtual router it belongs to now

    mdi: float = 3.0 + 156 / 256  # Master_Down_Interval for its latest version, priority and interval
    # CARP routers (segment.protocol "carp"): no priority. ``last_priority`` holds the latest advskew
    # (what the report shows as advskew), and the rank comes from demotion, advbase and advskew.
    advskews: set[int] = field(default_factory=set)
    advbases: set[int] = field(default_factory=set)
    demotions: set[int] = field(default_factory=set)
    carp_rank: int = 0  # carp_order(...) of its latest advert: lower is preferred

    def set_priority(self, priority: int) -> None:
        """A non-zero advertised priority: the one its skew, rank and Master_Down_Interval come from."""
        if priority != self.last_priority:
            self.last_priority = priority
            self.mdi = master_down_interval(self.version, priority, self.interval)

    def set_carp(self, a: Advert) -> None:
        """A CARP advert's advskew, advbase and demotion: its rank and Master_Down_Interval."""
        advskew, demotion = a.advskew or 0, a.demotion or 0
        advbase = round((a.interval or 1.0) - advskew / 256)
        self.last_priority = advskew
        self.carp_rank = carp_order(demotion, advbase, advskew)
        self.mdi = carp_master_down_interval(advbase, advskew)

    def rank(self) -> tuple[int, tuple[int, ...]]:
        if self.segment.protocol == "carp":
            # CARP prefers the lowest advbase + advskew/256 (after the lowest demotion); equal ones,
            # the lower address (ucarp: "same frequency as us but with a lower IP address").
            return (-self.carp_rank, tuple(-part for part in ip_key(self.address)))
        return (self.last_priority or 0, ip_key(self.address))

    def observe(self, a: Advert, profile: object) -> None:
        """Count an advert; record what it announced unless it repeats the latest profile."""
        self.adverts += 1
        self.last_seen = a.time
        if a.delivery == "multicast":
            self.multicast_adverts += 1
        if profile is not None and profile is self.profile:
            return
        self.profile = profile
        if a.delivery != "multicast":
            self.unicast_peers.add(a.dst)
        if a.src_mac:
            self.macs.add(a.src_mac)
        if a.interval:
            self.intervals.add(a.interval)
            self.interval = a.interval
        if a.version is not None:
            self.versions.add(a.version)
            self.version = a.version
        self.deliveries.add(a.delivery)
        self.vip_sets.add(tuple(sorted(a.addresses, key=ip_key)))
        if a.kind == "carp":
            # The HMAC covers CARP's counter, so it differs in every advert: it is no secret to number.
            self.advskews.add(a.advskew or 0)
            self.advbases.add(round((a.interval or 1.0) - (a.advskew or 0) / 256))
            self.demotions.add(a.demotion or 0)
            return
        self.priorities.add(a.priority or 0)
        self.mdi = master_down_interval(self.version, self.last_priority or 100, self.interval)
        if a.version == 2:
            self.auth.setdefault((a.auth_type, a.auth_secret), a.time)


@dataclass(slots=True, eq=False)
class VirtualRouter:
    key: VirtualRouterKey
    serial: int  # order of first sighting: the older of two merged virtual routers keeps its id
    roots: tuple[str, str | None]  # its peer group's and VIP cluster's union-find roots, as of now
    routers: dict[str, Router] = field(default_factory=dict)
    failovers: list[Failover] = field(default_factory=list)
    last_master: str | None = None
    open_runs: int = 0  # routers with an open mastership run: fewer than two cannot overlap
    changes: int = 0  # grows whenever a router joins or leaves: what detectors keep about its routers is stale
    merged: list[str] = field(default_factory=list)  # ids of virtual routers absorbed into this one
    successor: VirtualRouter | None = None  # set when this one was merged into another

    def current(self) -> VirtualRouter:
        """This virtual router, or the one it was merged into."""
        vr = self
        while vr.successor is not None:
            vr = vr.successor
        return vr

    @property
    def id(self) -> str:
        return self.key.id

    @property
    def vrid(self) -> int:
        return self.key.segment.vrid

    def active(self, t: float, factor: float, but: Router | None = None) -> list[Router]:
        """Routers advertising as master at t: an open run whose next advert is not yet overdue."""
        return [
            r
            for r in self.routers.values()
            if r is not but and r.run is not None and t - r.run.last <= r.interval * factor
        ]
